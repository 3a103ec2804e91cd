"""Form endpoints: the dossier's forms 01–05 and the register (06), as PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from egov_shared.access import access
from egov_shared.agency import AGENCY_ID_PATTERN
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep, bearer_token
from egov_shared.errors import (
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_dossier import audit
from svc_dossier.forms import service
from svc_dossier.forms.copies import SignedCopies
from svc_dossier.forms.schemas import DossierForm

router = APIRouter(tags=["forms"])
PDF = "application/pdf"
PDF_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
    "headers": {"X-Signature": {"description": "pades (signed) or none", "schema": {
        "type": "string"}}},
}}


def _caller(request: Request, runtime: RuntimeDep, principal: PrincipalDep) -> service.Caller:
    copies = getattr(request.app.state, "form_copies", None) or SignedCopies.of(
        runtime.settings)
    return service.Caller(principal, bearer_token(request), runtime.settings.identity_url,
                          copies)


def _pdf(download: service.Download) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{download.filename}"',
               "Cache-Control": "no-store", "X-Signature": download.signature}
    if download.reason:
        headers["X-Signature-Reason"] = download.reason
    if download.serial:
        headers["X-Signature-Certificate"] = download.serial
    return Response(download.pdf, media_type=PDF, headers=headers)


@router.get("/api/v1/dossiers/{code}/forms/{form}", response_class=Response,
            openapi_extra=access("authenticated"),
            responses={**PDF_ANSWER, **problem_responses(Unauthorized, NotFound)})
async def dossier_form(code: str, form: DossierForm, request: Request, session: SessionDep,
                       runtime: RuntimeDep, principal: PrincipalDep) -> Response:
    """Access: whoever may see the dossier (the applicant; officers of its agency subtree);
    others get 404. 01 receipt, 02 supplement request, 03 refusal, 04 apology, 05 control
    sheet; 404 ``form_not_available`` when the dossier has no such event. Form 01 downloaded
    by a one-stop-shop officer is signed (PAdES) with their agency's organisational
    certificate (``X-Signature: pades``); if it cannot be, it is answered unsigned with
    ``X-Signature: none`` and ``X-Signature-Reason`` (``no_certificate``,
    ``identity_unavailable``, ``signing_refused``, ``signing_failed``). The applicant gets the
    last signed copy, if kept, else ``X-Signature-Reason: not_signed_yet``."""
    caller = _caller(request, runtime, principal)
    answer = _pdf(await service.dossier_form(session, caller, code, form))
    await audit.dossier_read(request, session, principal, code, f"dossier.form_{form}_read")
    return answer


@router.get("/api/v1/forms/06", response_class=Response, openapi_extra=access("official"),
            responses={**PDF_ANSWER, **problem_responses(Unauthorized, Forbidden,
                                                         ValidationFailed)})
async def register(
    request: Request, session: SessionDep, runtime: RuntimeDep, principal: PrincipalDep,
    agency: Annotated[str, Query(max_length=35, pattern=AGENCY_ID_PATTERN)],
    start: Annotated[date, Query(alias="from", description="First day (Vietnam time)")],
    end: Annotated[date, Query(alias="to", description="Last day, included")],
) -> Response:
    """Access: officials (one-stop-shop, processing, leader, admin) whose agency covers
    ``agency`` (else 403 ``agency_not_covered``; others 403 ``register_for_officers``). Mẫu 06
    Sổ theo dõi hồ sơ: the subtree's dossiers received from ``from`` to ``to`` (at most 366
    days, else 422 ``invalid_period``)."""
    caller = _caller(request, runtime, principal)
    answer = _pdf(await service.register_form(session, caller, agency, start, end))
    await audit.register_exported(request, session, principal, agency)
    return answer

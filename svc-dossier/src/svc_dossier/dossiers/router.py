"""Dossier endpoints. Each states who may call it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy import Row

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.timeutil import to_vn
from svc_dossier.dossiers import repository, service
from svc_dossier.dossiers.schemas import Applicant, Dossier, DossierSubmission, PublicDossier
from svc_dossier.dossiers.state import STATUS_NAMES

router = APIRouter(tags=["dossiers"])


def _dates(row: Row[Any]) -> dict[str, Any]:
    return {
        "code": row.code, "procedure_code": row.procedure_code, "agency_id": row.agency_id,
        "status_code": row.status_code, "status": STATUS_NAMES[row.status_code],
        "submitted_at": to_vn(row.submitted_at), "received_at": to_vn(row.received_at),
        "due_at": to_vn(row.due_at), "completed_at": to_vn(row.completed_at),
        "timeliness": row.timeliness,
    }


def to_dossier(row: Row[Any]) -> Dossier:
    form = dict(row.form_data)
    applicant = form.pop("applicant", None)
    if applicant is None and row.applicant_id_number:
        applicant = {"id_number": row.applicant_id_number,
                     "full_name": row.applicant_name or row.applicant_id_number}
    return Dossier(**_dates(row), channel=row.channel, form_data=form,
                   applicant=Applicant.model_validate(applicant) if applicant else None)


@router.post(
    "/api/v1/dossiers", status_code=201, response_model=Dossier,
    openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, Forbidden, ValidationFailed, Conflict),
)
async def submit_dossier(
    submission: DossierSubmission,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Dossier:
    """Access: citizens and businesses (online, for themselves); one-stop-shop officers
    (counter or post, for an applicant, within their agency subtree). Honours
    ``Idempotency-Key``: a replay answers the same dossier and creates nothing."""
    if idempotency_key:
        replayed = await service.replay_idempotent(
            session, principal=principal, key=idempotency_key, submission=submission)
        if replayed is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return to_dossier(replayed)
    row = await service.submit_dossier(
        session, runtime.outbox, principal=principal, submission=submission,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/api/v1/dossiers/{row.code}"
    return to_dossier(row)


@router.get("/api/v1/dossiers", response_model=list[Dossier], openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_dossiers(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200,
                                   description="Code, applicant or procedure; "
                                               "diacritic-insensitive")] = None,
    status_code: Annotated[int | None, Query(ge=1, le=10)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Dossier]:
    """Access: citizens and businesses see their own dossiers; officers those of their
    agency subtree."""
    if principal.kind in ("citizen", "business"):
        scope: dict[str, str | None] = {"applicant_account_id": principal.subject,
                                        "agency_subtree": None}
    elif principal.has_role(*service.OFFICER_ROLES) and principal.agency_id:
        scope = {"applicant_account_id": None, "agency_subtree": principal.agency_id}
    else:
        raise Forbidden("Your roles do not include dossier work.")
    rows = await repository.search(session, q=q, status_code=status_code, limit=limit,
                                   offset=offset, **scope)
    return [to_dossier(r) for r in rows]


@router.get("/api/v1/dossiers/{code}", response_model=Dossier,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def get_dossier(code: str, session: SessionDep, principal: PrincipalDep) -> Dossier:
    """Access: the applicant; officers of the dossier's agency subtree. Others get 404."""
    return to_dossier(await service.load_visible(session, principal, code))


@router.get("/api/v1/public/dossiers/{code}", response_model=PublicDossier,
            openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def public_status(code: str, session: SessionDep) -> PublicDossier:
    """Access: public. Status and dates only, never personal data."""
    row = await repository.get_by_code(session, code)
    if row is None:
        raise NotFound(f"No dossier {code}.", code="dossier_not_found")
    return PublicDossier(**_dates(row))

"""The inbound axis endpoint: edXML packages from outside the platform (DESIGN §3)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, PrincipalDep, require_roles
from egov_shared.errors import (
    AppError,
    BadRequest,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem,
    problem_responses,
)
from egov_shared.timeutil import to_vn
from svc_docflow.axis import repository
from svc_docflow.axis.body import PackageTooLarge, UnsupportedMediaType, read_limited, require_xml
from svc_docflow.axis.context import AxisContext
from svc_docflow.axis.receive import AXIS_SCOPE, Delivery, Outcome, Refused, take
from svc_docflow.axis.schemas import XML_BODY, LoggedPackage, PackageAnswer
from svc_docflow.edxml import PackageError

router = APIRouter(tags=["axis"])
SYNTAX_ERRORS = {"xml_malformed", "xml_forbidden"}


def require_axis_client(principal: Principal) -> None:
    if principal.kind != "client" or AXIS_SCOPE not in principal.scopes:
        raise Forbidden("Chỉ trục liên thông và hệ thống đối tác (client_credentials, phạm vi "
                        f"{AXIS_SCOPE!r}) gửi gói tin vào đây; văn thư tải gói tin lên ở "
                        "/api/v1/documents/incoming/packages.", code="axis_client_only")


def package_problem(exc: PackageError) -> AppError:
    """A package refused before anything was recorded: 413, 400 (not XML, or hostile XML) or
    422 (XML, but not a sound edXML package), with the parser's code and field."""
    extra = {"field": exc.field} if exc.field else None
    if exc.code == "package_too_large":
        return PackageTooLarge(exc.message, extra=extra)
    kind = BadRequest if exc.code in SYNTAX_ERRORS else ValidationFailed
    return kind(exc.message, code=exc.code, extra=extra)


def refused_problem(exc: Refused, request: Request) -> JSONResponse:
    """Answered as a problem, without raising: the refusal stays logged in axis_package."""
    return problem(exc.status, exc.code, "Package refused", exc.message, request)


def answer(outcome: Outcome, response: Response) -> PackageAnswer:
    """201 for a document taken in (the same answer again when it was delivered before), 202
    for a status package, a recall or an update."""
    new = outcome.kind == "document" and outcome.business_type in (0, 3)
    response.status_code = 201 if new else 202
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return PackageAnswer.of(outcome)


@router.post("/api/v1/axis/packages", status_code=201, response_model=PackageAnswer,
             openapi_extra={**access("authenticated"), **XML_BODY},
             responses={202: {"model": PackageAnswer, "description": "A status package, a "
                              "recall or an update, applied"},
                        **problem_responses(BadRequest, Unauthorized, Forbidden, NotFound,
                                            PackageTooLarge, UnsupportedMediaType,
                                            ValidationFailed)})
async def receive_package(request: Request, response: Response, session: SessionDep,
                          runtime: RuntimeDep, principal: PrincipalDep) -> PackageAnswer | Response:
    """Access: the national axis and partner systems, with a ``client_credentials`` token
    carrying the ``axis`` scope (403 ``axis_client_only`` otherwise). A client bound to an
    agency sends for that agency's subtree only; one bound to none (the national axis) for
    organs outside the platform only (403 ``sender_not_allowed``).

    The body is the package (``Content-Type: application/xml``), at most
    ``DOCFLOW_MAX_PACKAGE_BYTES``: 413 ``package_too_large`` from its ``Content-Length`` or as
    soon as it streams past it. Hostile or unsound packages (a DTD or entity, malformed XML,
    no ``DocumentId``, …) are refused with 400/422 and the parser's code, and nothing is
    recorded. A document is taken in for each agency of the platform its ``To`` names (201):
    received (status 01 sent back) or, when it is broken (no PDF), refused (02) with the
    reason; the same package again answers the same (``Idempotent-Replayed: true``). A status
    package, recall or update answers 202; one naming no document of ours 404
    ``document_not_found``."""
    require_axis_client(principal)
    require_xml(request)
    ctx = AxisContext.of(runtime)
    data = await read_limited(request, ctx.settings.max_package_bytes)
    try:
        outcome = await take(session, ctx, data, Delivery(source="axis", caller=principal))
    except PackageError as exc:
        raise package_problem(exc) from None
    except Refused as exc:
        return refused_problem(exc, request)
    return answer(outcome, response)


@router.get("/api/v1/axis/packages", response_model=list[LoggedPackage],
            openapi_extra=access("admin"), responses=problem_responses(Unauthorized, Forbidden))
async def package_log(
    session: SessionDep, _admin: Annotated[Principal, Depends(require_roles("admin"))],
    external_id: Annotated[str | None, Query(max_length=300)] = None,
    direction: Literal["in", "out"] | None = None,
    outcome: Annotated[str | None, Query(max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LoggedPackage]:
    """Access: administrators (operators). The axis log, newest first: every package in or
    out with what became of it (accepted, refused with the reason, duplicate, sent,
    forwarded to the national axis); never the package's content."""
    rows = await repository.listing(session, external_id=external_id, direction=direction,
                                    outcome=outcome, limit=limit)
    return [LoggedPackage(**{k: getattr(r, k) for k in LoggedPackage.model_fields
                             if k != "at"}, at=to_vn(r.at)) for r in rows]

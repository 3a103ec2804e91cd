"""The national-portal facade (``/integration``): the catalogue in the national format, and
the endpoints the national portal calls. Each states who may call it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_dossier.dossiers import repository as dossiers
from svc_dossier.national import repository, service
from svc_dossier.national.portal import PortalUnavailable
from svc_dossier.national.schemas import (
    NationalDossier,
    NationalDossierView,
    ReconciliationReport,
    SyncMessage,
)
from svc_dossier.national.sender import Sender
from svc_dossier.procedures import repository as procedures
from svc_dossier.procedures import service as procedure_rules
from svc_dossier.procedures.national import to_national
from svc_dossier.procedures.router import to_schema

router = APIRouter(prefix="/integration", tags=["national portal"])
Code = Annotated[str, Path(max_length=64)]


@router.get("/procedures", openapi_extra=access("public"))
async def catalogue(
    session: SessionDep,
    agency: Annotated[str | None, Query(max_length=35, description="An agency's subtree")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Access: public. The active procedures in the national catalogue's format (a
    ``LayThuTuc`` answer, ``{"result": [...]}``: ``MaTTHC``, ``TenTTHC``, ``MucDo``, …)."""
    rows = await procedures.search(session, q=None, agency_id=None, agency=agency, field=None,
                                   online_level=None, visible=None, limit=limit, offset=offset)
    return {"result": [to_national(to_schema(r).model_dump()) for r in rows]}


@router.get("/procedures/{code}", openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def catalogue_item(code: Code, session: SessionDep) -> dict[str, Any]:
    """Access: public. One procedure in the national format."""
    return to_national(to_schema(await procedure_rules.get_one(session, code)).model_dump())


@router.post("/dossiers", status_code=201, response_model=NationalDossierView,
             openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed, Conflict))
async def receive_dossier(body: NationalDossier, session: SessionDep, runtime: RuntimeDep,
                          principal: PrincipalDep, response: Response) -> NationalDossierView:
    """Access: the national portal's system only (a ``client_credentials`` token with the
    scope ``national-portal``). A dossier submitted on the national portal becomes a local
    online dossier with the same code (``MaHoSo``), waiting to be received; its status then
    flows back by push. Sent again, it is answered as it is (200)."""
    service.require_national_portal(principal)
    row, created = await service.receive_national_dossier(session, runtime.outbox,
                                                          principal=principal, body=body)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/integration/dossiers/{row.code}"
    return service.view_of(row)


@router.get("/dossiers/{code}", response_model=NationalDossierView,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def dossier_status(code: Code, session: SessionDep,
                         principal: PrincipalDep) -> NationalDossierView:
    """Access: the national portal's system only (scope ``national-portal``). A dossier's
    status and dates in the national field names."""
    service.require_national_portal(principal)
    row = await dossiers.get_by_code(session, code)
    if row is None:
        raise NotFound(f"Không có hồ sơ {code}.", code="dossier_not_found")
    return service.view_of(row)


@router.get("/dossiers/{code}/sync", response_model=list[SyncMessage],
            openapi_extra=access("admin"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def sync_messages(code: Code, session: SessionDep,
                        principal: PrincipalDep) -> list[SyncMessage]:
    """Access: admin covering the dossier's agency. The messages pushed (or still to push) to
    the national portal for a dossier, in order."""
    _require_admin(principal)
    row = await dossiers.get_by_code(session, code)
    if row is None or not principal.covers_agency(row.agency_id):
        raise NotFound(f"Không có hồ sơ {code}.", code="dossier_not_found")
    return [SyncMessage.model_validate(m._mapping, from_attributes=False)
            for m in await repository.for_dossier(session, code)]


@router.post("/reconciliation", response_model=ReconciliationReport,
             openapi_extra=access("admin"),
             responses=problem_responses(Unauthorized, Forbidden, ServiceUnavailable))
async def reconcile(request: Request, principal: PrincipalDep) -> ReconciliationReport:
    """Access: admin. Runs the reconciliation now (it also runs every
    ``DOSSIER_NATIONAL_RECONCILE_INTERVAL_SECONDS``): the portal's statuses of every synced
    dossier with nothing pending are compared with ours, and what differs is pushed again."""
    _require_admin(principal)
    sender: Sender = request.app.state.national_sender
    try:
        report = await sender.reconcile()
    except PortalUnavailable as exc:
        raise ServiceUnavailable("Cổng Dịch vụ công quốc gia không phản hồi.",
                                 code="national_portal_unavailable") from exc
    return ReconciliationReport(checked=report.checked, repushed=report.repushed)


def _require_admin(principal: Principal) -> None:
    if not principal.has_role("admin"):
        raise Forbidden("Chỉ quản trị viên.", code="admin_required")

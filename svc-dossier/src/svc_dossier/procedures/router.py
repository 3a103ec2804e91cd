"""The procedure catalogue: public reading, administration, national import and rendering."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import Row

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.auth import OptionalPrincipalDep, PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_dossier.procedures import repository, service
from svc_dossier.procedures.national import to_national
from svc_dossier.procedures.schemas import (
    ImportReport,
    OnlineLevel,
    Procedure,
    ProcedureCreate,
    ProcedureFields,
    ProcedurePatch,
)

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])
WRITE_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed)


def to_schema(row: Row[Any]) -> Procedure:
    return Procedure.model_validate(row._mapping, from_attributes=False)


@router.get("", response_model=list[Procedure], openapi_extra=access("public"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_procedures(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    q: Annotated[str | None, Query(max_length=200, description="Diacritic-insensitive")] = None,
    agency_id: Annotated[str | None, Query(max_length=35, description="This agency")] = None,
    agency: Annotated[str | None, Query(max_length=35, description="This agency's subtree")] = None,
    field: Annotated[str | None, Query(max_length=255,
                                       description="Lĩnh vực, diacritic-insensitive")] = None,
    online_level: OnlineLevel | None = None,
    include_inactive: Annotated[bool, Query(
        description="Also deactivated procedures of the administrator's subtree")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[Procedure]:
    """Access: public (active procedures); ``include_inactive`` needs an administrator, who
    then also sees the deactivated procedures of their subtree."""
    visible = None
    if include_inactive:
        if principal is None:
            raise Unauthorized("Sign in first: a Bearer access token is required.")
        service.require_admin(principal)
        if principal.agency_id:
            visible = repository.active_or_in(principal.agency_id)
    rows = await repository.search(
        session, q=q, agency_id=agency_id, agency=agency, field=field,
        online_level=online_level, visible=visible, limit=limit, offset=offset)
    return [to_schema(r) for r in rows]


@router.post("", status_code=201, response_model=Procedure, openapi_extra=access("admin"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed, Conflict))
async def create_procedure(
    body: ProcedureCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> Procedure:
    """Access: admin, on an agency covering the procedure's agency."""
    row = await service.create(session, principal, body)
    response.headers["Location"] = f"/api/v1/procedures/{row.code}"
    return to_schema(row)


@router.post("/import", response_model=ImportReport, openapi_extra=access("admin"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def import_procedures(
    session: SessionDep,
    principal: PrincipalDep,
    body: Annotated[dict[str, Any] | list[Any], Body(
        description="The national portal's LayThuTuc answer: a list of items, "
                    "`{\"result\": [...]}`, or one item")],
) -> ImportReport:
    """Access: admin; each item must lie within the administrator's subtree. Upserts by
    ``MaTTHC`` item by item: every item is answered created, updated, unchanged or refused
    (with the reason); refused items do not stop the others."""
    return await service.import_national(session, principal, body)


@router.get("/{code}", response_model=Procedure, openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def get_procedure(code: str, session: SessionDep) -> Procedure:
    """Access: public. A deactivated procedure is still shown (``active: false``): dossiers
    refer to it."""
    return to_schema(await service.get_one(session, code))


@router.get("/{code}/national", openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def get_procedure_national(code: str, session: SessionDep) -> dict[str, Any]:
    """Access: public. The procedure in the national catalogue's field names (``MaTTHC``,
    ``TenTTHC``, ``MucDo``, …), as the national-portal facade publishes it."""
    row = await service.get_one(session, code)
    return to_national(to_schema(row).model_dump())


@router.put("/{code}", response_model=Procedure, openapi_extra=access("admin"),
            responses=WRITE_ERRORS)
async def replace_procedure(
    code: str, body: ProcedureFields, session: SessionDep, principal: PrincipalDep
) -> Procedure:
    """Access: admin, on an agency covering the procedure's agency (before and after)."""
    return to_schema(await service.replace(session, principal, code, body))


@router.patch("/{code}", response_model=Procedure, openapi_extra=access("admin"),
              responses=WRITE_ERRORS)
async def patch_procedure(
    code: str, body: ProcedurePatch, session: SessionDep, principal: PrincipalDep
) -> Procedure:
    """Access: admin, on an agency covering the procedure's agency (before and after)."""
    return to_schema(await service.patch(session, principal, code, body))


@router.delete("/{code}", response_model=Procedure, openapi_extra=access("admin"),
               responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def deactivate_procedure(code: str, session: SessionDep, principal: PrincipalDep
                               ) -> Procedure:
    """Access: admin, on an agency covering the procedure's agency. Deactivates, never
    deletes (dossiers refer to procedures): no longer listed nor offered for submission;
    ``PATCH {"active": true}`` restores it."""
    return to_schema(await service.deactivate(session, principal, code))

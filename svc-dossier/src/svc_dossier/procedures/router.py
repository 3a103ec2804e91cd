"""The public procedure catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Row

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.errors import NotFound, problem_responses
from svc_dossier.procedures import repository
from svc_dossier.procedures.schemas import Procedure

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])


def to_schema(row: Row[Any]) -> Procedure:
    return Procedure.model_validate(row._mapping, from_attributes=False)


@router.get("", response_model=list[Procedure], openapi_extra=access("public"))
async def list_procedures(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="Diacritic-insensitive")] = None,
    agency_id: Annotated[str | None, Query(max_length=35)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[Procedure]:
    """Access: public."""
    rows = await repository.search(session, q=q, agency_id=agency_id, limit=limit, offset=offset)
    return [to_schema(r) for r in rows]


@router.get("/{code}", response_model=Procedure, openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def get_procedure(code: str, session: SessionDep) -> Procedure:
    """Access: public."""
    row = await repository.get(session, code)
    if row is None:
        raise NotFound(f"No procedure {code}.", code="procedure_not_found")
    return to_schema(row)

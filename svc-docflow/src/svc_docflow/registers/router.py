"""Register endpoints (sổ văn bản). Each states who may call it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.access import access
from egov_shared.agency import AGENCY_ID_PATTERN
from egov_shared.app import RuntimeDep, ServiceRuntime, SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.timeutil import to_vn
from svc_docflow.common.agencies import directory
from svc_docflow.registers import repository, service
from svc_docflow.registers.numbering import issuing_now, vn_year
from svc_docflow.registers.schemas import Direction, Register, RegisterChange, RegisterCreate

router = APIRouter(prefix="/api/v1/registers", tags=["registers"])
RegisterKeeper = Annotated[Principal, Depends(require_roles(*service.REGISTER_ROLES))]
RegisterId = Annotated[str, Path(max_length=36)]


async def to_registers(session: AsyncSession, rows: Sequence[Row[Any]],
                       runtime: ServiceRuntime) -> list[Register]:
    year = vn_year(issuing_now(runtime.settings))
    numbers = await repository.last_numbers(session, [r.id for r in rows], year)
    return [Register(id=r.id, agency_id=r.agency_id, direction=r.direction, name=r.name,
                     issuer_notation=r.issuer_notation, doc_types=r.doc_types, active=r.active,
                     created_at=to_vn(r.created_at), year=year,
                     last_number=numbers.get(r.id, 0)) for r in rows]


@router.post("", status_code=201, response_model=Register, openapi_extra=access("official"),
             responses=problem_responses(Unauthorized, Forbidden, Conflict, ValidationFailed))
async def create_register(body: RegisterCreate, session: SessionDep, runtime: RuntimeDep,
                          principal: RegisterKeeper) -> Register:
    """Access: clerks (văn thư) and administrators, for an agency of their subtree (403
    ``agency_not_covered`` outside). One active register per type and one general register
    per agency and direction (409 ``doc_type_claimed``, ``general_register_exists``)."""
    row = await service.create(session, principal, body)
    return (await to_registers(session, [row], runtime))[0]


@router.get("", response_model=list[Register], openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound, ServiceUnavailable))
async def list_registers(
    session: SessionDep, runtime: RuntimeDep, principal: RegisterKeeper,
    agency: Annotated[str | None, Query(max_length=35, pattern=AGENCY_ID_PATTERN,
                                        description="Default: the caller's agency")] = None,
    direction: Direction | None = None,
) -> list[Register]:
    """Access: clerks and administrators, for an agency of their subtree. The agency's
    default registers (Sổ văn bản đi, Sổ văn bản đến) are created on first use."""
    rows = await service.listed(session, directory(runtime.settings.identity_url), principal,
                                agency, direction)
    return await to_registers(session, rows, runtime)


@router.get("/{register_id}", response_model=Register, openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def get_register(register_id: RegisterId, session: SessionDep, runtime: RuntimeDep,
                       principal: RegisterKeeper) -> Register:
    """Access: clerks and administrators of the register's agency subtree; others 404."""
    row = await service.visible(session, principal, register_id)
    return (await to_registers(session, [row], runtime))[0]


@router.patch("/{register_id}", response_model=Register, openapi_extra=access("official"),
              responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                          ValidationFailed))
async def change_register(register_id: RegisterId, body: RegisterChange, session: SessionDep,
                          runtime: RuntimeDep, principal: RegisterKeeper) -> Register:
    """Access: clerks and administrators of the register's agency subtree. Renames it or
    sets the issuer notation of an outgoing register (numbers already given keep theirs)."""
    row = await service.change(session, principal, register_id, body)
    return (await to_registers(session, [row], runtime))[0]


@router.post("/{register_id}/deactivate", response_model=Register,
             openapi_extra=access("official"),
             responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def deactivate_register(register_id: RegisterId, session: SessionDep, runtime: RuntimeDep,
                              principal: RegisterKeeper) -> Register:
    """Access: clerks and administrators of the register's agency subtree. It numbers no
    more documents; its numbers stay. Idempotent."""
    row = await service.deactivate(session, principal, register_id)
    return (await to_registers(session, [row], runtime))[0]

"""Register use cases: clerks (văn thư) and administrators keep their agency subtree's
registers. Never commits (the request's unit of work does)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from egov_shared.timeutil import utcnow
from svc_docflow.common.agencies import Agency, AgencyDirectory, AgencyDirectoryUnavailable
from svc_docflow.common.types import TYPES
from svc_docflow.registers import repository
from svc_docflow.registers.numbering import (
    DEFAULT_NAMES,
    default_register,
    issuer_notation_of,
)
from svc_docflow.registers.schemas import RegisterChange, RegisterCreate

REGISTER_ROLES = ("clerk",)  # and administrators (require_roles lets "admin" through)


async def find_agency(directory: AgencyDirectory, agency_id: str) -> Agency | None:
    """The agency from svc-identity's directory; 503 when it cannot be reached."""
    try:
        return await directory.find(agency_id)
    except AgencyDirectoryUnavailable as exc:
        raise ServiceUnavailable("Danh mục cơ quan (svc-identity) tạm thời không truy cập được.",
                                 code="agency_directory_unavailable") from exc


def agency_in_reach(principal: Principal, agency_id: str | None) -> str:
    """The agency asked for (default: the caller's), which must lie in the caller's subtree."""
    wanted = agency_id or principal.agency_id
    if wanted is None or not principal.covers_agency(wanted):
        raise Forbidden("Cơ quan này nằm ngoài phạm vi của bạn.", code="agency_not_covered")
    return wanted


async def create(session: AsyncSession, principal: Principal,
                 body: RegisterCreate) -> Row[Any]:
    agency_id = agency_in_reach(principal, body.agency_id)
    _check_types(body.doc_types)
    if body.direction == "outgoing" and body.issuer_notation is None:
        raise ValidationFailed("Sổ văn bản đi cần ký hiệu cơ quan ban hành (issuer_notation).",
                               code="issuer_notation_required")
    await _check_claims(session, agency_id, body.direction, body.doc_types, None)
    await _check_name_free(session, agency_id, body.direction, body.name)
    return await repository.insert_register(session, {
        "id": str(uuid.uuid4()), "agency_id": agency_id, "direction": body.direction,
        "name": body.name, "doc_types": sorted(set(body.doc_types)) if body.doc_types else None,
        "issuer_notation": body.issuer_notation if body.direction == "outgoing" else None,
        "active": True, "created_at": utcnow()})


def _check_types(doc_types: Sequence[str] | None) -> None:
    unknown = sorted(set(doc_types or ()) - set(TYPES))
    if unknown:
        raise ValidationFailed(f"Loại văn bản không có trong danh mục: {', '.join(unknown)}.",
                               code="unknown_doc_type", extra={"doc_types": unknown})


async def _check_claims(session: AsyncSession, agency_id: str, direction: str,
                        doc_types: Sequence[str] | None, except_id: str | None) -> None:
    """One active register per type, and one general register, per agency and direction."""
    for other in await repository.of_agency(session, agency_id, direction, active_only=True):
        if other.id == except_id:
            continue
        if not doc_types and not other.doc_types:
            raise Conflict(f"Cơ quan đã có sổ chung đang dùng: {other.name}.",
                           code="general_register_exists", extra={"register_id": other.id})
        shared = sorted(set(doc_types or ()) & set(other.doc_types or ()))
        if shared:
            raise Conflict(f"Loại {', '.join(shared)} đã có sổ {other.name}.",
                           code="doc_type_claimed", extra={"register_id": other.id})


async def _check_name_free(session: AsyncSession, agency_id: str, direction: str,
                           name: str) -> None:
    for other in await repository.of_agency(session, agency_id, direction):
        if other.name == name:
            raise Conflict(f"Đã có sổ tên {name}.", code="register_name_taken",
                           extra={"register_id": other.id})


async def listed(session: AsyncSession, directory: AgencyDirectory, principal: Principal,
                 agency_id: str | None, direction: str | None) -> Sequence[Row[Any]]:
    """The agency's registers; its default ones are made on first use."""
    wanted = agency_in_reach(principal, agency_id)
    agency = await find_agency(directory, wanted)
    if agency is None:
        raise NotFound(f"Không có cơ quan {wanted}.", code="agency_not_found")
    await ensure_defaults(session, agency)
    return await repository.of_agency(session, wanted, direction)


async def ensure_defaults(session: AsyncSession, agency: Agency) -> None:
    """The default outgoing and incoming registers of an agency that has none of a direction."""
    for direction in DEFAULT_NAMES:
        if not await repository.of_agency(session, agency.id, direction):
            await repository.insert_if_absent(session, default_register(
                agency.id, direction, issuer_notation_of(agency.name)))


async def visible(session: AsyncSession, principal: Principal, register_id: str) -> Row[Any]:
    row = await repository.get(session, register_id)
    if row is None or not principal.covers_agency(row.agency_id):
        raise NotFound(f"Không có sổ {register_id}.", code="register_not_found")
    return row


async def change(session: AsyncSession, principal: Principal, register_id: str,
                 body: RegisterChange) -> Row[Any]:
    row = await visible(session, principal, register_id)
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    if "issuer_notation" in values and row.direction != "outgoing":
        raise ValidationFailed("Chỉ sổ văn bản đi có ký hiệu cơ quan ban hành.",
                               code="issuer_notation_not_applicable")
    if "name" in values and values["name"] != row.name:
        await _check_name_free(session, row.agency_id, row.direction, values["name"])
    return await repository.update_register(session, row.id, values) if values else row


async def deactivate(session: AsyncSession, principal: Principal, register_id: str) -> Row[Any]:
    """Stops numbering in the register (its numbers stay); idempotent."""
    row = await visible(session, principal, register_id)
    if not row.active:
        return row
    return await repository.update_register(session, row.id, {"active": False})

"""Agency use cases: read the tree (public), and let an administrator add a child agency or
change one of their subtree. Services never commit: a change and its audit entry are stored
together by the request's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, NotFound, ValidationFailed
from svc_identity.agencies import repository, validation
from svc_identity.agencies.schemas import AgencyCreate
from svc_identity.audit import service as audit
from svc_identity.models import Agency
from svc_identity.officials.service import acting_admin

MAX_SUCCESSION = 64  # hops followed when looking for a cycle of successors


async def list_agencies(
    session: AsyncSession, *, parent_id: str | None, valid_on: date | None = None
) -> Sequence[Agency]:
    """The tree as a flat list (parents are referenced by ``parent_id``), sorted by ID;
    ``valid_on`` keeps the agencies in force that day (both validity ends inclusive)."""
    return await repository.list_agencies(session, parent_id=parent_id, valid_on=valid_on)


def _not_found(agency_id: str) -> NotFound:
    return NotFound(f"Không có cơ quan {agency_id}.", code="agency_not_found")


async def get_agency(session: AsyncSession, agency_id: str) -> Agency:
    """By the current ID or by the legacy 13-character one; either way the agency, whose
    ``id`` is in the current form."""
    agency = None
    if validation.is_agency_id(agency_id):
        agency = await repository.get_agency(session, agency_id)
    elif validation.is_legacy_id(agency_id):
        agency = await repository.get_agency_by_legacy_id(session, agency_id)
    if agency is None:
        raise _not_found(agency_id)
    return agency


async def _covered(session: AsyncSession, admin: Principal, agency_id: str) -> Agency:
    """The agency, if in the administrator's subtree; otherwise the same 404 as a miss."""
    agency = await repository.get_agency(session, agency_id)
    if agency is None or not admin.covers_agency(agency_id):
        raise _not_found(agency_id)
    return agency


async def create_agency(
    session: AsyncSession, *, principal: Principal, data: AgencyCreate, origin: audit.Origin,
) -> Agency:
    admin = await acting_admin(session, principal)
    await _covered(session, admin, data.parent_id)
    validation.check_child_id(data.id, parent_id=data.parent_id)
    if await repository.agency_exists(session, data.id):
        raise _exists(data.id)
    fields = data.model_dump(exclude={"id", "parent_id"})
    agency = Agency(id=data.id, parent_id=data.parent_id,
                    **await _checked(session, fields, agency_id=data.id, current=None))
    try:
        await repository.add_agency(session, agency)
    except IntegrityError as exc:  # a concurrent creation of the same ID or legacy ID won
        raise _exists(data.id) from exc
    await audit.record(session, action="agency.created", origin=origin,
                       actor=audit.Actor.of(admin), target_type="agency", target_id=agency.id,
                       agency_id=agency.id, details={"parent_id": agency.parent_id})
    return agency


def _exists(agency_id: str) -> Conflict:
    return Conflict(f"Cơ quan {agency_id} (hoặc mã định danh cũ của nó) đã có.",
                    code="agency_exists")


async def change_agency(
    session: AsyncSession, *, principal: Principal, agency_id: str, changes: dict[str, Any],
    origin: audit.Origin,
) -> Agency:
    admin = await acting_admin(session, principal)
    current = await _covered(session, admin, agency_id)
    values = await _checked(session, changes, agency_id=agency_id, current=current)
    if values:
        await repository.update_agency(session, agency_id, values)
    await audit.record(session, action="agency.updated", origin=origin,
                       actor=audit.Actor.of(admin), target_type="agency", target_id=agency_id,
                       agency_id=agency_id, details={"fields": sorted(values)})
    return await _covered(session, admin, agency_id)


async def _checked(session: AsyncSession, fields: dict[str, Any], *, agency_id: str,
                   current: Agency | None) -> dict[str, Any]:
    """The fields as stored, after every check (``current``: the agency before a change)."""
    values = dict(fields)
    if "name" in values:
        values["name"] = validation.normalize_name(values["name"])
    if values.get("legacy_id") is not None:
        await _check_legacy_id(session, values["legacy_id"], agency_id=agency_id)
    validation.check_validity(
        values.get("valid_from", current.valid_from if current else None),
        values.get("valid_to", current.valid_to if current else None))
    if values.get("successor_id") is not None:
        await _check_successor(session, values["successor_id"], agency_id=agency_id)
    if values.get("office_hours") is not None:
        values["office_hours"] = validation.normalize_office_hours(values["office_hours"])
    return values


async def _check_legacy_id(session: AsyncSession, legacy_id: str, *, agency_id: str) -> None:
    validation.check_legacy_id(legacy_id)
    holder = await repository.legacy_id_holder(session, legacy_id)
    if holder is not None and holder != agency_id:
        raise Conflict(f"Mã định danh cũ {legacy_id} đã thuộc cơ quan {holder}.",
                       code="legacy_id_taken", extra={"field": "legacy_id"})


async def _check_successor(session: AsyncSession, successor_id: str, *, agency_id: str) -> None:
    """An existing agency, neither this one nor one that (through its own successors) is
    taken over by this one."""
    if not await repository.agency_exists(session, successor_id):
        raise ValidationFailed(f"Không có cơ quan {successor_id}.", code="successor_not_found",
                               extra={"field": "successor_id"})
    hop: str | None = successor_id
    for _ in range(MAX_SUCCESSION):
        if hop is None:
            return
        if hop == agency_id:
            raise ValidationFailed("Cơ quan kế thừa không thể là chính cơ quan này "
                                   "(kể cả vòng qua cơ quan khác).", code="invalid_successor",
                                   extra={"field": "successor_id"})
        hop = await repository.successor_of(session, hop)

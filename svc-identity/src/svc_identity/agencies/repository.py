"""Every query on agencies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_identity.models import Agency


async def list_agencies(
    session: AsyncSession, *, parent_id: str | None, valid_on: date | None = None
) -> Sequence[Agency]:
    query = select(Agency).order_by(Agency.id)
    if parent_id is not None:
        query = query.where(Agency.parent_id == parent_id)
    if valid_on is not None:  # both ends inclusive; an open end is no limit
        query = query.where(or_(Agency.valid_from.is_(None), Agency.valid_from <= valid_on),
                            or_(Agency.valid_to.is_(None), Agency.valid_to >= valid_on))
    return (await session.execute(query)).scalars().all()


async def get_agency(session: AsyncSession, agency_id: str) -> Agency | None:
    return await session.get(Agency, agency_id, populate_existing=True)


async def get_agency_by_legacy_id(session: AsyncSession, legacy_id: str) -> Agency | None:
    query = select(Agency).where(Agency.legacy_id == legacy_id)
    return (await session.execute(query)).scalar_one_or_none()


async def agency_exists(session: AsyncSession, agency_id: str) -> bool:
    query = select(Agency.id).where(Agency.id == agency_id)
    return (await session.execute(query)).first() is not None


async def legacy_id_holder(session: AsyncSession, legacy_id: str) -> str | None:
    """The ID of the agency carrying this legacy ID, if any."""
    query = select(Agency.id).where(Agency.legacy_id == legacy_id)
    holder: str | None = (await session.execute(query)).scalar_one_or_none()
    return holder


async def successor_of(session: AsyncSession, agency_id: str) -> str | None:
    query = select(Agency.successor_id).where(Agency.id == agency_id)
    successor: str | None = (await session.execute(query)).scalar_one_or_none()
    return successor


async def add_agency(session: AsyncSession, agency: Agency) -> None:
    """Inserts now (not at commit) so that a duplicate surfaces as ``IntegrityError`` here."""
    session.add(agency)
    await session.flush()


async def update_agency(session: AsyncSession, agency_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(Agency).where(Agency.id == agency_id).values(**values))


async def insert_missing_agencies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Idempotent seeding: replicas starting together may race, so conflicts are ignored."""
    make = dialect_insert(session)
    for row in rows:  # one by one: parents first, and SQLite checks the FK per statement
        await session.execute(make(Agency).values(**row).on_conflict_do_nothing())

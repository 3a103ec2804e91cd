"""Calendar queries: office hours, overrides, and a procedure's deadline columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.cache import ReadCache
from svc_dossier.models import agency_office_hours, calendar_override, procedure

PROVINCE_SCOPE = "*"  # calendar_override.scope of a province-wide override
# Agencies' working calendars as submissions read them; every write below clears it.
CALENDARS = ReadCache("calendars")


async def office_hours_among(
    session: AsyncSession, agency_ids: Sequence[str],
) -> Sequence[Row[Any]]:
    """The stored office hours of any of ``agency_ids`` (a primary-key lookup)."""
    query = select(agency_office_hours).where(agency_office_hours.c.agency_id.in_(agency_ids))
    return (await session.execute(query)).all()


async def save_office_hours(session: AsyncSession, values: dict[str, Any]) -> None:
    CALENDARS.clear_on_commit(session)
    table = agency_office_hours
    found = await session.execute(
        update(table).where(table.c.agency_id == values["agency_id"]).values(**values))
    if not getattr(found, "rowcount", 0):
        await session.execute(insert(table).values(**values))


async def delete_office_hours(session: AsyncSession, agency_id: str) -> None:
    CALENDARS.clear_on_commit(session)
    await session.execute(
        delete(agency_office_hours).where(agency_office_hours.c.agency_id == agency_id))


async def overrides_for_scopes(
    session: AsyncSession, scopes: Sequence[str], *, year: int | None = None,
) -> Sequence[Row[Any]]:
    """Overrides of the given scopes (``*`` and an agency's ancestry: indexed), by date."""
    query = select(calendar_override).where(calendar_override.c.scope.in_(scopes))
    return (await session.execute(_in_year(query, year))).all()


async def list_overrides(session: AsyncSession, *, year: int | None) -> Sequence[Row[Any]]:
    return (await session.execute(_in_year(select(calendar_override), year))).all()


def _in_year(query: Any, year: int | None) -> Any:
    if year is not None:
        query = query.where(calendar_override.c.day >= date(year, 1, 1),
                            calendar_override.c.day <= date(year, 12, 31))
    return query.order_by(calendar_override.c.day, calendar_override.c.scope)


async def find_override(session: AsyncSession, day: date, scope: str) -> Row[Any] | None:
    query = select(calendar_override).where(calendar_override.c.day == day,
                                            calendar_override.c.scope == scope)
    return (await session.execute(query)).first()


async def get_override(session: AsyncSession, override_id: int) -> Row[Any] | None:
    query = select(calendar_override).where(calendar_override.c.id == override_id)
    return (await session.execute(query)).first()


async def add_override(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    CALENDARS.clear_on_commit(session)
    result = await session.execute(
        insert(calendar_override).values(**values).returning(*calendar_override.c))
    return result.one()


async def delete_override(session: AsyncSession, override_id: int) -> None:
    CALENDARS.clear_on_commit(session)
    await session.execute(delete(calendar_override).where(calendar_override.c.id == override_id))


async def procedure_deadline(session: AsyncSession, code: str) -> Row[Any] | None:
    """The catalogue's deadline columns of one procedure."""
    columns = [procedure.c.code, procedure.c.agency_id, procedure.c.duration,
               procedure.c.duration_unit, procedure.c.online_duration,
               procedure.c.after_15h_next_day]
    query = select(*columns).where(procedure.c.code == code)
    return (await session.execute(query)).first()

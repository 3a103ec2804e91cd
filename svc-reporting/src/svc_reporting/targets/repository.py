"""Queries of the targets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_reporting.targets.tables import target

T = target.c


def _in_subtree(agency_id: str) -> Any:
    return or_(T.owner_agency_id == agency_id, T.owner_agency_id.like(agency_id + ".%"))


async def insert(session: AsyncSession, row: dict[str, Any]) -> int | None:
    """The new target's id; None when the owner has a target with that code that year."""
    stmt = (dialect_insert(session)(target).values(**row)
            .on_conflict_do_nothing(index_elements=[T.owner_agency_id, T.year, T.code])
            .returning(T.id))
    found = (await session.execute(stmt)).scalar_one_or_none()
    return None if found is None else int(found)


async def insert_missing(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Inserts the targets whose (owner, year, code) is not taken; leaves the others."""
    stmt = dialect_insert(session)(target).on_conflict_do_nothing(
        index_elements=[T.owner_agency_id, T.year, T.code])
    for row in rows:
        await session.execute(stmt.values(**row))


async def get(session: AsyncSession, target_id: int) -> RowMapping | None:
    result = await session.execute(select(target).where(T.id == target_id))
    return result.mappings().one_or_none()


async def in_year(session: AsyncSession, year: int, agency_id: str) -> list[RowMapping]:
    """The year's targets owned by the agency's subtree."""
    query = (select(target).where(T.year == year, _in_subtree(agency_id))
             .order_by(T.owner_agency_id, T.code))
    return list((await session.execute(query)).mappings().all())


async def change(session: AsyncSession, target_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(target).where(T.id == target_id).values(**values))


async def remove(session: AsyncSession, target_id: int) -> None:
    await session.execute(delete(target).where(T.id == target_id))

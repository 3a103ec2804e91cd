"""Queries of the 766 index: added versions and manual values (the counts come from
``readmodel.queries``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_reporting.index766.tables import index766_manual_value, index766_version

V, M = index766_version.c, index766_manual_value.c


async def added_versions(session: AsyncSession) -> list[RowMapping]:
    result = await session.execute(select(index766_version).order_by(V.effective_from))
    return list(result.mappings().all())


async def added_version(session: AsyncSession, version: str) -> RowMapping | None:
    result = await session.execute(select(index766_version).where(V.version == version))
    return result.mappings().one_or_none()


async def insert_version(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(index766_version.insert().values(**row))


async def replace_version(session: AsyncSession, version: str, values: dict[str, Any]) -> bool:
    """Replaces an unused version; False when it has been used meanwhile."""
    result = await session.execute(
        update(index766_version).where(V.version == version, V.used_at.is_(None))
        .values(**values))
    return bool(getattr(result, "rowcount", 0))


async def mark_used(session: AsyncSession, version: str, at: datetime) -> None:
    await session.execute(update(index766_version)
                          .where(V.version == version, V.used_at.is_(None)).values(used_at=at))


async def manual_values(session: AsyncSession, agencies: Sequence[str], indicators: Sequence[str],
                        last: date) -> list[RowMapping]:
    """The values recorded for these agencies and indicators valid on ``last``, newest first."""
    if not agencies or not indicators:
        return []
    query = (select(index766_manual_value)
             .where(M.agency_id.in_(agencies), M.indicator.in_(indicators), M.valid_from <= last)
             .order_by(M.valid_from.desc()))
    return list((await session.execute(query)).mappings().all())


async def upsert_manual_value(session: AsyncSession, row: dict[str, Any]) -> None:
    stmt = dialect_insert(session)(index766_manual_value).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[M.agency_id, M.indicator, M.valid_from],
        set_={k: stmt.excluded[k] for k in ("ratio", "note", "evidence_url", "recorded_by",
                                            "recorded_at")})
    await session.execute(stmt)


async def list_manual_values(session: AsyncSession, agency_id: str) -> list[RowMapping]:
    """The values recorded for the agency and its subtree."""
    query = (select(index766_manual_value)
             .where((M.agency_id == agency_id) | M.agency_id.like(agency_id + ".%"))
             .order_by(M.agency_id, M.indicator, M.valid_from.desc()).limit(1000))
    return list((await session.execute(query)).mappings().all())

"""Read-model queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_reporting.models import dossier_fact


async def add_facts(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(dossier_fact), rows)


async def count_by_metric(
    session: AsyncSession, *, agency_id: str, start: datetime, end: datetime
) -> dict[str, int]:
    query = (
        select(dossier_fact.c.metric, func.count())
        .where(
            or_(dossier_fact.c.agency_id == agency_id,
                dossier_fact.c.agency_id.like(agency_id + ".%")),
            dossier_fact.c.occurred_at >= start,
            dossier_fact.c.occurred_at < end,
        )
        .group_by(dossier_fact.c.metric)
    )
    return {metric: int(n) for metric, n in (await session.execute(query)).all()}

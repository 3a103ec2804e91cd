"""The dashboard's own read-model queries (the rest are ``readmodel.queries``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_reporting.models import daily_count, open_dossier
from svc_reporting.readmodel.queries import Sums


async def period_sums(session: AsyncSession, agency_id: str, starts: Sequence[date],
                      last: date, metrics: Sequence[str]) -> list[Sums]:
    """The subtree's counts from each of ``starts`` to ``last``, in one pass over the rows
    of the longest period (today, this month, this year: one query, not three)."""
    t = daily_count.c
    columns = [func.sum(case((t.day >= start, t.count), else_=0)) for start in starts]
    query = (select(t.metric, *columns)
             .where(t.agency_id == agency_id, t.day >= min(starts), t.day <= last,
                    t.metric.in_(metrics)).group_by(t.metric))
    found: list[Sums] = [{} for _ in starts]
    for metric, *counts in (await session.execute(query)).all():
        for n, count in enumerate(counts):
            found[n][metric] = (int(count or 0), 0.0)
    return found


async def overdue_by_agency(session: AsyncSession, agency_id: str,
                            now: datetime) -> dict[str, int]:
    """Open dossiers past due at ``now`` in the subtree, per agency that holds them."""
    o = open_dossier.c
    query = (select(o.agency_id, func.count())
             .where(or_(o.agency_id == agency_id, o.agency_id.like(agency_id + ".%")),
                    o.due_at.is_not(None), o.due_at < now)
             .group_by(o.agency_id))
    return {a: int(n) for a, n in (await session.execute(query)).all()}

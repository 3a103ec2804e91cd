"""Read-model queries. An agency's subtree is one key (its rows already include every
descendant's counts), so each query reads at most days × metrics rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_reporting.models import daily_count, open_dossier

Sums = dict[str, tuple[int, float]]  # metric → (count, total)


async def sums(session: AsyncSession, agency_id: str, first: date, last: date,
               metrics: Sequence[str] | None = None) -> Sums:
    """Counts and totals of the subtree over the days ``first``…``last`` (inclusive)."""
    t = daily_count.c
    query = (select(t.metric, func.sum(t.count), func.sum(t.total))
             .where(t.agency_id == agency_id, t.day >= first, t.day <= last)
             .group_by(t.metric))
    if metrics is not None:
        query = query.where(t.metric.in_(metrics))
    return {m: (int(n or 0), float(s or 0)) for m, n, s in (await session.execute(query)).all()}


async def sums_until(session: AsyncSession, agency_id: str, last: date,
                     metrics: Sequence[str]) -> Sums:
    """Cumulative from the first event to ``last`` (for stocks: in progress, accounts)."""
    return await sums(session, agency_id, date(1970, 1, 1), last, metrics)


async def series(session: AsyncSession, agency_id: str, first: date, last: date,
                 metrics: Sequence[str]) -> list[tuple[date, str, int, float]]:
    t = daily_count.c
    query = (select(t.day, t.metric, t.count, t.total)
             .where(t.agency_id == agency_id, t.day >= first, t.day <= last,
                    t.metric.in_(metrics)).order_by(t.day))
    return [(d, m, int(n), float(s)) for d, m, n, s in (await session.execute(query)).all()]


async def breakdown(session: AsyncSession, parent_id: str, first: date, last: date,
                    metrics: Sequence[str]) -> dict[str, Sums]:
    """The same sums for each child agency of ``parent_id`` that has any."""
    t = daily_count.c
    query = (select(t.agency_id, t.metric, func.sum(t.count), func.sum(t.total))
             .where(t.parent_id == parent_id, t.day >= first, t.day <= last,
                    t.metric.in_(metrics)).group_by(t.agency_id, t.metric))
    found: dict[str, Sums] = {}
    for agency, metric, n, s in (await session.execute(query)).all():
        found.setdefault(agency, {})[metric] = (int(n or 0), float(s or 0))
    return found


async def overdue_open(session: AsyncSession, agency_id: str, now: datetime) -> int:
    """Dossiers of the subtree received, not finished, and past their due time ``now``."""
    o = open_dossier.c
    query = select(func.count()).where(
        or_(o.agency_id == agency_id, o.agency_id.like(agency_id + ".%")),
        o.due_at.is_not(None), o.due_at < now)
    return int((await session.execute(query)).scalar_one())

"""Writes effects into the read model: counts for the agency and each of its ancestors, added
to what is there (an upsert that increments), and the open-dossier list. Idempotency is the
caller's: the live consumers claim each event in the inbox in the same transaction; the
rebuild starts from empty tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_reporting.models import daily_count, open_dossier
from svc_reporting.readmodel.effects import Count, Effects, OpenDossier

Key = tuple[str, date, str]


def ancestors(agency_id: str) -> list[tuple[str, str | None]]:
    """``H56.14.02`` → [(H56.14.02, H56.14), (H56.14, H56), (H56, None)]: agency IDs grow by
    one dot-separated group per level (the same rule as ``Principal.covers_agency``)."""
    parts = agency_id.split(".")
    chain = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return [(a, chain[i + 1] if i + 1 < len(chain) else None) for i, a in enumerate(chain)]


def rolled_up(counts: Iterable[Count]) -> dict[Key, list[Any]]:
    """Counts summed per (subtree root, day, metric): [count, total, parent]."""
    summed: dict[Key, list[Any]] = defaultdict(lambda: [0, 0.0, None])
    for c in counts:
        for agency, parent in ancestors(c.agency_id):
            row = summed[(agency, c.day, c.metric)]
            row[0] += c.count
            row[1] += c.total
            row[2] = parent
    return summed


async def add_counts(session: AsyncSession, summed: dict[Key, list[Any]]) -> None:
    if not summed:
        return
    rows = [{"agency_id": a, "day": d, "metric": m, "count": n, "total": t, "parent_id": p}
            for (a, d, m), (n, t, p) in summed.items()]
    stmt = dialect_insert(session)(daily_count)
    stmt = stmt.on_conflict_do_update(
        index_elements=[daily_count.c.agency_id, daily_count.c.day, daily_count.c.metric],
        set_={"count": daily_count.c.count + stmt.excluded.count,
              "total": daily_count.c.total + stmt.excluded.total})
    for start in range(0, len(rows), 2000):  # bounded statements on both dialects
        await session.execute(stmt, rows[start:start + 2000])


async def set_open(session: AsyncSession, changes: dict[str, OpenDossier]) -> None:
    """The last change of each dossier wins (the caller keeps stream order)."""
    closed = [code for code, o in changes.items() if o.received_at is None]
    if closed:
        for start in range(0, len(closed), 2000):
            await session.execute(delete(open_dossier).where(
                open_dossier.c.code.in_(closed[start:start + 2000])))
    rows = [{"code": o.code, "agency_id": o.agency_id, "received_at": o.received_at,
             "due_at": o.due_at} for o in changes.values() if o.received_at is not None]
    if rows:
        stmt = dialect_insert(session)(open_dossier)
        stmt = stmt.on_conflict_do_update(
            index_elements=[open_dossier.c.code],
            set_={"due_at": stmt.excluded.due_at, "agency_id": stmt.excluded.agency_id,
                  "received_at": stmt.excluded.received_at})
        for start in range(0, len(rows), 2000):
            await session.execute(stmt, rows[start:start + 2000])


async def apply(session: AsyncSession, effects: Effects) -> None:
    """One event's effects (the live path)."""
    await add_counts(session, rolled_up(effects.counts))
    if effects.open_dossier is not None:
        await set_open(session, {effects.open_dossier.code: effects.open_dossier})

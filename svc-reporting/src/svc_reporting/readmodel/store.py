"""Writes effects into the read model: counts for the agency and each of its ancestors, added
to what is there (an upsert that increments), and the open-dossier list. Idempotency is the
caller's: the live consumers claim each event in the inbox in the same transaction; the
rebuild starts from empty tables.

The live path writes a handful of rows per event; the rebuild writes hundreds of thousands at
once, for which PostgreSQL takes them by COPY into a temporary table and one
``INSERT … SELECT … ON CONFLICT`` (measured ~15× an ``executemany`` of the same upsert)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, MetaData, Table, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert, dialect_name
from svc_reporting.models import daily_count, open_dossier
from svc_reporting.readmodel.effects import Count, Effects, OpenDossier

Key = tuple[str, date, str]
Tally = dict[Key, list[Any]]  # (agency, day, metric) → [count, total], before the ancestors
BULK_ROWS = 1000  # from this many rows on PostgreSQL: COPY, then one INSERT … SELECT
CHUNK_ROWS = 2000  # otherwise bounded statements on both dialects
OnConflict = Callable[[Any], Any]


def ancestors(agency_id: str) -> list[tuple[str, str | None]]:
    """``H56.14.02`` → [(H56.14.02, H56.14), (H56.14, H56), (H56, None)]: agency IDs grow by
    one dot-separated group per level (the same rule as ``Principal.covers_agency``)."""
    parts = agency_id.split(".")
    chain = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return [(a, chain[i + 1] if i + 1 < len(chain) else None) for i, a in enumerate(chain)]


@lru_cache(maxsize=8192)
def _chain(agency_id: str) -> tuple[tuple[str, str | None], ...]:
    return tuple(ancestors(agency_id))


def tally(found: Tally, counts: Iterable[Count]) -> None:
    """Adds ``counts`` into ``found`` per (agency, day, metric); ancestors come later, once
    per key instead of once per count."""
    for c in counts:
        key = (c.agency_id, c.day, c.metric)
        row = found.get(key)
        if row is None:
            found[key] = [c.count, 0.0 + c.total]
        else:
            row[0] += c.count
            row[1] += c.total


def roll_up(found: Tally) -> dict[Key, list[Any]]:
    """Per (subtree root, day, metric): [count, total, parent]."""
    summed: dict[Key, list[Any]] = {}
    for (agency_id, day, metric), (count, total) in found.items():
        for agency, parent in _chain(agency_id):
            row = summed.get((agency, day, metric))
            if row is None:
                summed[(agency, day, metric)] = [count, total, parent]
            else:
                row[0] += count
                row[1] += total
    return summed


def rolled_up(counts: Iterable[Count]) -> dict[Key, list[Any]]:
    """Counts summed per (subtree root, day, metric): [count, total, parent]."""
    found: Tally = {}
    tally(found, counts)
    return roll_up(found)


async def add_counts(session: AsyncSession, summed: dict[Key, list[Any]]) -> None:
    rows = [{"agency_id": a, "day": d, "metric": m, "count": n, "total": t, "parent_id": p}
            for (a, d, m), (n, t, p) in summed.items()]
    t = daily_count.c
    await _insert(session, daily_count, rows, lambda stmt: stmt.on_conflict_do_update(
        index_elements=[t.agency_id, t.day, t.metric],
        set_={"count": t.count + stmt.excluded.count, "total": t.total + stmt.excluded.total}))


async def set_open(session: AsyncSession, changes: dict[str, OpenDossier]) -> None:
    """The last change of each dossier wins (the caller keeps stream order)."""
    closed = [code for code, o in changes.items() if o.received_at is None]
    for start in range(0, len(closed), CHUNK_ROWS):
        await session.execute(delete(open_dossier).where(
            open_dossier.c.code.in_(closed[start:start + CHUNK_ROWS])))
    rows = [{"code": o.code, "agency_id": o.agency_id, "received_at": o.received_at,
             "due_at": o.due_at} for o in changes.values() if o.received_at is not None]
    await _insert(session, open_dossier, rows, lambda stmt: stmt.on_conflict_do_update(
        index_elements=[open_dossier.c.code],
        set_={"due_at": stmt.excluded.due_at, "agency_id": stmt.excluded.agency_id,
              "received_at": stmt.excluded.received_at}))


async def add_new(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts the rows whose key is not there yet (the rebuild's inbox rows)."""
    await _insert(session, table, rows, lambda stmt: stmt.on_conflict_do_nothing())


async def apply(session: AsyncSession, effects: Effects) -> None:
    """One event's effects (the live path)."""
    await add_counts(session, rolled_up(effects.counts))
    if effects.open_dossier is not None:
        await set_open(session, {effects.open_dossier.code: effects.open_dossier})


async def _insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]],
                  on_conflict: OnConflict) -> None:
    """``rows`` (unique keys) into ``table``, with ``on_conflict`` for the keys there."""
    insert = dialect_insert(session)
    if len(rows) >= BULK_ROWS and dialect_name(session) == "postgresql":
        loaded = await _copy_to_temporary(session, table, rows)
        columns = [c.name for c in table.columns]
        await session.execute(on_conflict(insert(table).from_select(columns, select(*loaded.c))))
        return
    for start in range(0, len(rows), CHUNK_ROWS):
        await session.execute(on_conflict(insert(table)), rows[start:start + CHUNK_ROWS])


async def _copy_to_temporary(session: AsyncSession, table: Table,
                             rows: list[dict[str, Any]]) -> Table:
    """The rows COPYed into an empty temporary twin of ``table`` (emptied again at commit),
    in the session's transaction (the statements before the COPY open it)."""
    loaded = Table(f"{table.name}_load", MetaData(),
                   *(Column(c.name, c.type) for c in table.columns))
    await session.execute(text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {loaded.name} "
                               f"(LIKE {table.name}) ON COMMIT DELETE ROWS"))
    await session.execute(text(f"TRUNCATE {loaded.name}"))
    connection = await (await session.connection()).get_raw_connection()
    names = [c.name for c in table.columns]
    await connection.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        loaded.name, records=[tuple(row[n] for n in names) for row in rows], columns=names)
    return loaded

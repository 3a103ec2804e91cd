"""Dossier queries: all SQL of the slice lives here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert, dialect_name, take_sqlite_write_lock
from egov_shared.text import fold
from svc_dossier.models import (
    dossier,
    dossier_history,
    dossier_hop,
    dossier_sequence,
    idempotency_key,
)


async def next_sequence(session: AsyncSession, agency_id: str, day: date) -> int:
    """Atomic per-agency daily counter: the row stays locked until the transaction ends,
    so codes are unique and without gaps under concurrency."""
    stmt = (
        dialect_insert(session)(dossier_sequence)
        .values(agency_id=agency_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=[dossier_sequence.c.agency_id, dossier_sequence.c.day],
            set_={"last_value": dossier_sequence.c.last_value + 1},
        )
        .returning(dossier_sequence.c.last_value)
    )
    return int((await session.execute(stmt)).scalar_one())


# Statements built once and given their values at execution: building ``.values(...)`` per
# call cost more CPU than sending the statement.
INSERT_DOSSIER = insert(dossier).returning(*dossier.c)
INSERT_HISTORY = insert(dossier_history)


async def insert_dossier(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    return (await session.execute(INSERT_DOSSIER, values)).one()


async def get_by_code(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(dossier).where(dossier.c.code == code))).first()


@dataclass(frozen=True)
class DossierFilter:
    """What a list of dossiers is narrowed to; ``None`` leaves a criterion out."""

    applicant_account_id: str | None = None
    agency_subtrees: tuple[str, ...] = ()  # each narrows further (caller's, then asked)
    holder_subtrees: tuple[str, ...] = ()  # same, by responsible agency OR the holding unit
    with_reception: bool = False  # holder_subtrees also match the reception agency
    q: str | None = None
    status_codes: frozenset[int] | None = field(default=None)
    due_after: datetime | None = None
    due_before: datetime | None = None
    due_first: bool = False


def _in_subtree(agency_id: str, column: Any = dossier.c.agency_id) -> Any:
    return or_(column == agency_id, column.like(agency_id + ".%"))


def _held_in_subtree(agency_id: str) -> Any:
    """Received by an agency of the subtree, or handed to one of its units."""
    return or_(_in_subtree(agency_id), _in_subtree(agency_id, dossier.c.current_unit))


# A folded dossier code, or its beginning: "h56.14-2611", "h56.14-261128-0003".
_CODE_PREFIX = re.compile(r"^[a-y][0-9]{2}(\.[0-9a-z]+)*-[0-9]")


def _newest_first(q: str | None) -> tuple[Any, ...]:
    """``id DESC``. For a code (prefix), ``id + 0``: its matches are one agency's few days,
    anywhere in time, so PostgreSQL's walk back along the primary key hoping to meet 50 soon
    would read most of the table; this sends it to the trigram index (then a small sort)."""
    if q and _CODE_PREFIX.match(fold(q)):
        return ((dossier.c.id + 0).desc(),)
    return (dossier.c.id.desc(),)


async def search(
    session: AsyncSession, where: DossierFilter, *, limit: int, offset: int
) -> Sequence[Row[Any]]:
    """On PostgreSQL ``q`` uses the GIN trigram index on ``search_text`` (migration 0010)."""
    order = ((dossier.c.due_at.asc(), dossier.c.id.asc()) if where.due_first
             else _newest_first(where.q))
    query = select(dossier).order_by(*order).limit(limit).offset(offset)
    if where.applicant_account_id is not None:
        query = query.where(dossier.c.applicant_account_id == where.applicant_account_id)
    for subtree in where.agency_subtrees:
        query = query.where(_in_subtree(subtree))
    for subtree in where.holder_subtrees:
        held = _held_in_subtree(subtree)
        if where.with_reception:
            held = or_(held, _in_subtree(subtree, dossier.c.reception_agency_id))
        query = query.where(held)
    if where.q:
        query = query.where(dossier.c.search_text.contains(fold(where.q), autoescape=True))
    if where.status_codes is not None:
        query = query.where(dossier.c.status_code.in_(sorted(where.status_codes)))
    if where.due_after is not None:
        query = query.where(dossier.c.due_at >= where.due_after)
    if where.due_before is not None:
        query = query.where(dossier.c.due_at < where.due_before)
    return (await session.execute(query)).all()


async def get_for_update(session: AsyncSession, code: str) -> Row[Any] | None:
    """The dossier, locked until the end of the transaction: two actions on one dossier are
    serialised, so each sees the status the other left. PostgreSQL locks the row; SQLite,
    which has no row locks, takes its one write lock with a write that changes nothing (its
    driver reads outside a transaction until the first write)."""
    if dialect_name(session) == "sqlite":
        await take_sqlite_write_lock(session, dossier)
    query = select(dossier).where(dossier.c.code == code).with_for_update()
    return (await session.execute(query)).first()


async def update_dossier(session: AsyncSession, dossier_id: int,
                         values: dict[str, Any]) -> Row[Any]:
    stmt = update(dossier).where(dossier.c.id == dossier_id).values(**values).returning(
        *dossier.c)
    return (await session.execute(stmt)).one()


async def add_history(session: AsyncSession, values: dict[str, Any], *,
                      sequence: int | None = None) -> None:
    """Appends a history row with the dossier's next sequence number (``sequence``: the
    caller knows it, e.g. 1 for a dossier just inserted)."""
    if sequence is None:
        last = select(func.coalesce(func.max(dossier_history.c.sequence), 0)).where(
            dossier_history.c.dossier_id == values["dossier_id"])
        sequence = int((await session.execute(last)).scalar_one()) + 1
    await session.execute(INSERT_HISTORY, {**values, "sequence": sequence})


async def history_of(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = select(dossier_history).where(dossier_history.c.dossier_id == dossier_id)
    return (await session.execute(query.order_by(dossier_history.c.sequence))).all()


async def last_action(session: AsyncSession, dossier_id: int, action: str) -> Row[Any] | None:
    query = (select(dossier_history)
             .where(dossier_history.c.dossier_id == dossier_id,
                    dossier_history.c.action == action)
             .order_by(dossier_history.c.sequence.desc()).limit(1))
    return (await session.execute(query)).first()


async def hops_of(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = select(dossier_hop).where(dossier_hop.c.dossier_id == dossier_id)
    return (await session.execute(query.order_by(dossier_hop.c.sequence))).all()


async def add_hop(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(dossier_hop).values(**values))


async def update_hop(session: AsyncSession, hop_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(dossier_hop).where(dossier_hop.c.id == hop_id).values(**values))


async def find_idempotent(session: AsyncSession, principal: str, key: str) -> Row[Any] | None:
    query = select(idempotency_key).where(
        idempotency_key.c.principal == principal, idempotency_key.c.key == key
    )
    return (await session.execute(query)).first()


async def remember_idempotent(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(idempotency_key).values(**values))

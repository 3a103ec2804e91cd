"""Queries of the national-portal sync: all SQL of the slice lives here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_dossier.models import dossier, dossier_history, dossier_sequence, national_sync

PENDING, SENT = "pending", "sent"


async def next_sequence(session: AsyncSession, code: str) -> int:
    query = select(func.coalesce(func.max(national_sync.c.sequence), 0)).where(
        national_sync.c.dossier_code == code)
    return int((await session.execute(query)).scalar_one()) + 1


INSERT = insert(national_sync)  # built once, given its values at execution


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(INSERT, values)


async def claim_heads(session: AsyncSession, now: datetime, lease_until: datetime, *,
                      limit: int) -> Sequence[Row[Any]]:
    """The first pending message of each dossier that is due,
    leased until ``lease_until``: a later message of a dossier is never taken before the
    earlier one is acknowledged, so the order holds across replicas too."""
    earlier = national_sync.alias("earlier")
    first_pending = (select(func.min(earlier.c.sequence))
                     .where(earlier.c.dossier_code == national_sync.c.dossier_code,
                            earlier.c.state == PENDING).scalar_subquery())
    query = (select(national_sync)
             .where(national_sync.c.state == PENDING, national_sync.c.next_attempt_at <= now,
                    national_sync.c.sequence == first_pending)
             .order_by(national_sync.c.id).limit(limit).with_for_update(skip_locked=True))
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(update(national_sync)
                              .where(national_sync.c.id.in_([r.id for r in rows]))
                              .values(next_attempt_at=lease_until))
    return rows


async def mark_sent(session: AsyncSession, row_ids: Sequence[int], at: datetime) -> None:
    await session.execute(update(national_sync).where(national_sync.c.id.in_(row_ids))
                          .values(state=SENT, sent_at=at, attempts=national_sync.c.attempts + 1,
                                  last_error=None))


async def mark(session: AsyncSession, row_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(national_sync).where(national_sync.c.id == row_id)
                          .values(**values))


async def for_dossier(session: AsyncSession, code: str) -> Sequence[Row[Any]]:
    query = select(national_sync).where(national_sync.c.dossier_code == code)
    return (await session.execute(query.order_by(national_sync.c.sequence))).all()


async def settled_dossiers(session: AsyncSession, *, after: str, limit: int) -> Sequence[str]:
    """Codes of synced dossiers with nothing pending, in code order after ``after``."""
    pending = (select(national_sync.c.dossier_code)
               .where(national_sync.c.state == PENDING).distinct())
    query = (select(national_sync.c.dossier_code).distinct()
             .where(national_sync.c.dossier_code > after,
                    national_sync.c.dossier_code.not_in(pending))
             .order_by(national_sync.c.dossier_code).limit(limit))
    return list((await session.execute(query)).scalars())


async def dossiers_by_code(session: AsyncSession, codes: Sequence[str]) -> Sequence[Row[Any]]:
    return (await session.execute(select(dossier).where(dossier.c.code.in_(codes)))).all()


async def history_at(session: AsyncSession, code: str, action: str) -> Sequence[datetime]:
    """When the dossier ``code`` of this database went through ``action``."""
    query = (select(dossier_history.c.at)
             .join(dossier, dossier.c.id == dossier_history.c.dossier_id)
             .where(dossier.c.code == code, dossier_history.c.action == action))
    return list((await session.execute(query)).scalars())


async def reserve_sequence(session: AsyncSession, agency_id: str, day: date,
                           value: int) -> None:
    """Moves the agency's daily counter to at least ``value``: a code the national portal
    allocated in the agency's series is never allocated again here."""
    stmt = (dialect_insert(session)(dossier_sequence)
            .values(agency_id=agency_id, day=day, last_value=value)
            .on_conflict_do_update(
                index_elements=[dossier_sequence.c.agency_id, dossier_sequence.c.day],
                set_={"last_value": case((dossier_sequence.c.last_value < value, value),
                                         else_=dossier_sequence.c.last_value)}))
    await session.execute(stmt)

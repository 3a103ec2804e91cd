"""Queries of the notifications slice: preferences, notification rows (claimed by the
dispatcher with a lease), and the read-only facts of a dossier a message is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert, dialect_name
from svc_dossier.models import (
    applicant_notification,
    dossier,
    dossier_history,
    notification_preference,
    procedure,
)

PENDING, SENT, FAILED = "pending", "sent", "failed"


async def preference_of(session: AsyncSession, account_id: str) -> Row[Any] | None:
    query = select(notification_preference).where(
        notification_preference.c.account_id == account_id)
    return (await session.execute(query)).first()


async def save_preference(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    insert = dialect_insert(session)(notification_preference).values(**values)
    changes = {k: v for k, v in values.items() if k != "account_id"}
    stmt = insert.on_conflict_do_update(index_elements=["account_id"], set_=changes)
    await session.execute(stmt)
    row = await preference_of(session, values["account_id"])
    assert row is not None
    return row


async def dossier_with_procedure(session: AsyncSession, code: str) -> Row[Any] | None:
    query = (select(dossier, procedure.c.name.label("procedure_name"))
             .join(procedure, procedure.c.code == dossier.c.procedure_code)
             .where(dossier.c.code == code))
    return (await session.execute(query)).first()


async def history_rows(session: AsyncSession, dossier_id: int,
                       action: str) -> Sequence[Row[Any]]:
    query = (select(dossier_history)
             .where(dossier_history.c.dossier_id == dossier_id,
                    dossier_history.c.action == action)
             .order_by(dossier_history.c.sequence.desc()))
    return (await session.execute(query)).all()


async def add_notifications(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One row per event and channel; a repeat of the same pair changes nothing."""
    for values in rows:
        stmt = dialect_insert(session)(applicant_notification).values(**values)
        await session.execute(stmt.on_conflict_do_nothing())


async def claim_due(session: AsyncSession, now: datetime, lease_until: datetime,
                    limit: int) -> Sequence[Row[Any]]:
    """Pending rows due now, pushed ``lease_until`` ahead and their attempt counted, so that a
    second dispatcher (another replica) does not take them meanwhile."""
    t = applicant_notification
    query = (select(t).where(t.c.status == PENDING, t.c.next_attempt_at <= now)
             .order_by(t.c.next_attempt_at, t.c.id).limit(limit))
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(update(t).where(t.c.id.in_([r.id for r in rows])).values(
            attempts=t.c.attempts + 1, next_attempt_at=lease_until))
    return rows


async def mark(session: AsyncSession, notification_id: int, values: dict[str, Any]) -> None:
    t = applicant_notification
    await session.execute(update(t).where(t.c.id == notification_id).values(**values))


async def for_dossier(session: AsyncSession, code: str) -> Sequence[Row[Any]]:
    t = applicant_notification
    query = select(t).where(t.c.dossier_code == code).order_by(t.c.id)
    return (await session.execute(query)).all()


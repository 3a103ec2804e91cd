"""Payment queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.models import payment, payment_notification


async def by_reference(session: AsyncSession, reference: str, *, for_update: bool = False
                       ) -> Row[Any] | None:
    query = select(payment).where(payment.c.reference == reference)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def for_dossier(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = (select(payment).where(payment.c.dossier_id == dossier_id)
             .order_by(payment.c.id.desc()))
    return (await session.execute(query)).all()


async def pending_for(session: AsyncSession, dossier_id: int) -> Row[Any] | None:
    query = select(payment).where(payment.c.dossier_id == dossier_id,
                                  payment.c.status == "pending").order_by(payment.c.id.desc())
    return (await session.execute(query)).first()


async def add(session: AsyncSession, values: dict[str, Any]) -> int:
    result = await session.execute(insert(payment).values(**values).returning(payment.c.id))
    return int(result.scalar_one())


async def set_fields(session: AsyncSession, payment_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(payment).where(payment.c.id == payment_id).values(**values))


async def log_notification(session: AsyncSession, *, received_at: datetime,
                           reference: str | None, outcome: str, ip: str | None,
                           body: dict[str, Any]) -> None:
    await session.execute(insert(payment_notification).values(
        received_at=received_at, reference=reference, outcome=outcome, ip=ip, body=body))


async def notifications(session: AsyncSession, reference: str) -> Sequence[Row[Any]]:
    query = (select(payment_notification).where(payment_notification.c.reference == reference)
             .order_by(payment_notification.c.id))
    return (await session.execute(query)).all()

"""Attachment queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.models import attachment


async def add(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    result = await session.execute(insert(attachment).values(**values).returning(attachment))
    return result.one()


async def for_dossier(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = (select(attachment).where(attachment.c.dossier_id == dossier_id)
             .order_by(attachment.c.id))
    return (await session.execute(query)).all()


async def get(session: AsyncSession, dossier_id: int, attachment_id: int) -> Row[Any] | None:
    query = select(attachment).where(attachment.c.dossier_id == dossier_id,
                                     attachment.c.id == attachment_id)
    return (await session.execute(query)).first()


async def count_for_component(session: AsyncSession, dossier_id: int, component: str) -> int:
    query = select(func.count()).select_from(attachment).where(
        attachment.c.dossier_id == dossier_id, attachment.c.component_code == component)
    return int((await session.execute(query)).scalar_one())


async def remove(session: AsyncSession, attachment_id: int) -> None:
    await session.execute(delete(attachment).where(attachment.c.id == attachment_id))

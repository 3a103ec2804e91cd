"""Rating queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.models import dossier_rating


async def of_dossier(session: AsyncSession, dossier_id: int) -> Row[Any] | None:
    query = select(dossier_rating).where(dossier_rating.c.dossier_id == dossier_id)
    return (await session.execute(query)).first()


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(dossier_rating).values(**values))

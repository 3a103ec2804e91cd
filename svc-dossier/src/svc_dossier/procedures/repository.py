"""Procedure queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_dossier.models import procedure


async def get(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(procedure).where(procedure.c.code == code))).first()


async def search(
    session: AsyncSession, *, q: str | None, agency_id: str | None, limit: int, offset: int
) -> Sequence[Row[Any]]:
    query = select(procedure).order_by(procedure.c.code).limit(limit).offset(offset)
    if q:
        query = query.where(procedure.c.name_folded.contains(fold(q), autoescape=True))
    if agency_id:
        query = query.where(procedure.c.agency_id == agency_id)
    return (await session.execute(query)).all()


async def add_missing(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    existing = set((await session.execute(select(procedure.c.code))).scalars())
    new = [
        {**r, "name_folded": fold(r["name"]), "created_at": utcnow()}
        for r in rows if r["code"] not in existing
    ]
    if new:
        await session.execute(insert(procedure), new)
    return len(new)

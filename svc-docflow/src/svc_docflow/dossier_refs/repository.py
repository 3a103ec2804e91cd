"""Dossier reference queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from svc_docflow.models import dossier_ref


async def upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    make = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = make(dossier_ref).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[dossier_ref.c.code],
        set_={k: stmt.excluded[k] for k in values if k != "code"},
    )
    await session.execute(stmt)


async def get(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(dossier_ref).where(dossier_ref.c.code == code))).first()

"""Dossier reference queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_docflow.models import dossier_ref


async def upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = dialect_insert(session)(dossier_ref).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[dossier_ref.c.code],
        set_={k: stmt.excluded[k] for k in values if k != "code"},
    )
    await session.execute(stmt)


async def get(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(dossier_ref).where(dossier_ref.c.code == code))).first()

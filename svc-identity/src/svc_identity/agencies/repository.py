"""Every query on agencies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_identity.models import Agency


async def list_agencies(session: AsyncSession, *, parent_id: str | None) -> Sequence[Agency]:
    query = select(Agency).order_by(Agency.id)
    if parent_id is not None:
        query = query.where(Agency.parent_id == parent_id)
    return (await session.execute(query)).scalars().all()


async def insert_missing_agencies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Idempotent seeding: replicas starting together may race, so conflicts are ignored."""
    make = dialect_insert(session)
    for row in rows:  # one by one: parents first, and SQLite checks the FK per statement
        await session.execute(make(Agency).values(**row).on_conflict_do_nothing())

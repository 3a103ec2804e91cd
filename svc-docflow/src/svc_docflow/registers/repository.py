"""Register queries: all SQL of the slice lives here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_docflow.models import register, register_counter


async def insert_register(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    stmt = insert(register).values(**values).returning(*register.c)
    return (await session.execute(stmt)).one()


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> None:
    """Two first uses at once both try: the unique (agency, direction, name) keeps one."""
    stmt = dialect_insert(session)(register).values(**values).on_conflict_do_nothing(
        index_elements=[register.c.agency_id, register.c.direction, register.c.name])
    await session.execute(stmt)


async def get(session: AsyncSession, register_id: str) -> Row[Any] | None:
    return (await session.execute(select(register).where(register.c.id == register_id))).first()


async def of_agency(session: AsyncSession, agency_id: str, direction: str | None = None, *,
                    active_only: bool = False) -> Sequence[Row[Any]]:
    query = select(register).where(register.c.agency_id == agency_id)
    if direction is not None:
        query = query.where(register.c.direction == direction)
    if active_only:
        query = query.where(register.c.active.is_(True))
    return (await session.execute(query.order_by(register.c.created_at, register.c.id))).all()


async def update_register(session: AsyncSession, register_id: str,
                          values: dict[str, Any]) -> Row[Any]:
    stmt = (update(register).where(register.c.id == register_id).values(**values)
            .returning(*register.c))
    return (await session.execute(stmt)).one()


async def increment_counter(session: AsyncSession, register_id: str, year: int) -> int:
    """The next number of (register, year), 1 for the year's first. The upsert takes the
    counter row's lock (as ``SELECT … FOR UPDATE`` would) and keeps it until the transaction
    ends, so a concurrent taker waits and then sees this number; SQLite serialises writers."""
    c = register_counter.c
    stmt = (dialect_insert(session)(register_counter)
            .values(register_id=register_id, year=year, last_number=1)
            .on_conflict_do_update(index_elements=[c.register_id, c.year],
                                   set_={"last_number": c.last_number + 1})
            .returning(c.last_number))
    return int((await session.execute(stmt)).scalar_one())


async def last_numbers(session: AsyncSession, register_ids: Sequence[str],
                       year: int) -> dict[str, int]:
    c = register_counter.c
    query = select(c.register_id, c.last_number).where(c.register_id.in_(list(register_ids)),
                                                       c.year == year)
    return {row.register_id: int(row.last_number) for row in await session.execute(query)}

"""Dossier queries: all SQL of the slice lives here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from egov_shared.text import fold
from svc_dossier.models import dossier, dossier_sequence, idempotency_key


async def next_sequence(session: AsyncSession, agency_id: str, day: date) -> int:
    """Atomic per-agency daily counter: the row stays locked until the transaction ends,
    so codes are unique and without gaps under concurrency."""
    stmt = (
        dialect_insert(session)(dossier_sequence)
        .values(agency_id=agency_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=[dossier_sequence.c.agency_id, dossier_sequence.c.day],
            set_={"last_value": dossier_sequence.c.last_value + 1},
        )
        .returning(dossier_sequence.c.last_value)
    )
    return int((await session.execute(stmt)).scalar_one())


async def insert_dossier(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    stmt = insert(dossier).values(**values).returning(*dossier.c)
    return (await session.execute(stmt)).one()


async def get_by_code(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(dossier).where(dossier.c.code == code))).first()


async def search(
    session: AsyncSession,
    *,
    applicant_account_id: str | None,
    agency_subtree: str | None,
    q: str | None,
    status_code: int | None,
    limit: int,
    offset: int,
) -> Sequence[Row[Any]]:
    query = select(dossier).order_by(dossier.c.id.desc()).limit(limit).offset(offset)
    if applicant_account_id is not None:
        query = query.where(dossier.c.applicant_account_id == applicant_account_id)
    if agency_subtree is not None:
        query = query.where(or_(dossier.c.agency_id == agency_subtree,
                                dossier.c.agency_id.like(agency_subtree + ".%")))
    if q:
        query = query.where(dossier.c.search_text.contains(fold(q), autoescape=True))
    if status_code is not None:
        query = query.where(dossier.c.status_code == status_code)
    return (await session.execute(query)).all()


async def find_idempotent(session: AsyncSession, principal: str, key: str) -> Row[Any] | None:
    query = select(idempotency_key).where(
        idempotency_key.c.principal == principal, idempotency_key.c.key == key
    )
    return (await session.execute(query)).first()


async def remember_idempotent(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(idempotency_key).values(**values))

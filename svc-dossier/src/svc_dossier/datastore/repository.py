"""Personal data store queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, false, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.models import datastore_document


def owned_by(account_id: str, id_number: str | None) -> ColumnElement[bool]:
    """Documents of the account, and those filed under its (verified) personal ID number."""
    by_number = (datastore_document.c.owner_id_number == id_number) if id_number else false()
    return or_(datastore_document.c.owner_account_id == account_id, by_number)


async def add(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    query = insert(datastore_document).values(**values).returning(datastore_document)
    return (await session.execute(query)).one()


async def owned(session: AsyncSession, account_id: str, id_number: str | None, *,
                limit: int, offset: int) -> Sequence[Row[Any]]:
    query = (select(datastore_document).where(owned_by(account_id, id_number))
             .order_by(datastore_document.c.id.desc()).limit(limit).offset(offset))
    return (await session.execute(query)).all()


async def get_owned(session: AsyncSession, document_id: int, account_id: str,
                    id_number: str | None) -> Row[Any] | None:
    query = select(datastore_document).where(datastore_document.c.id == document_id,
                                             owned_by(account_id, id_number))
    return (await session.execute(query)).first()

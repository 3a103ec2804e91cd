"""Outgoing document queries: all SQL of the slice lives here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.text import fold
from svc_docflow.models import axis_package, document, document_recipient


async def insert_document(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    stmt = insert(document).values(**values).returning(*document.c)
    return (await session.execute(stmt)).one()


async def get(session: AsyncSession, document_id: str) -> Row[Any] | None:
    return (await session.execute(select(document).where(document.c.id == document_id))).first()


async def get_for_update(session: AsyncSession, document_id: str) -> Row[Any] | None:
    """Locked until the transaction ends (PostgreSQL): two steps on one document serialise."""
    query = select(document).where(document.c.id == document_id).with_for_update()
    return (await session.execute(query)).first()


async def move(session: AsyncSession, document_id: str, expected_status: str,
               values: dict[str, Any]) -> Row[Any] | None:
    """Updates the document only if it is still in ``expected_status`` (None otherwise): the
    check and the change are one statement, also where rows are not locked (SQLite)."""
    stmt = (update(document)
            .where(document.c.id == document_id, document.c.status == expected_status)
            .values(**values).returning(*document.c))
    return (await session.execute(stmt)).first()


async def set_values(session: AsyncSession, document_id: str,
                     values: dict[str, Any]) -> Row[Any]:
    stmt = (update(document).where(document.c.id == document_id).values(**values)
            .returning(*document.c))
    return (await session.execute(stmt)).one()


@dataclass(frozen=True)
class DocumentFilter:
    agency_subtree: str
    direction: str | None = None
    status: str | None = None
    doc_type: str | None = None
    q: str | None = None


def _in_subtree(agency_id: str) -> Any:
    return or_(document.c.agency_id == agency_id, document.c.agency_id.like(agency_id + ".%"))


async def search(session: AsyncSession, where: DocumentFilter, *, limit: int,
                 offset: int) -> Sequence[Row[Any]]:
    """Newest first; ``q`` on the folded subject (diacritic-insensitive)."""
    query = (select(document).where(_in_subtree(where.agency_subtree))
             .order_by(document.c.created_at.desc(), document.c.id).limit(limit).offset(offset))
    for column, value in ((document.c.direction, where.direction),
                          (document.c.status, where.status),
                          (document.c.doc_type, where.doc_type)):
        if value is not None:
            query = query.where(column == value)
    if where.q:
        query = query.where(_subject_matches(where.q))
    return (await session.execute(query)).all()


def _subject_matches(q: str) -> Any:
    """On the folded subject; a row written without it (an older incoming document) is
    matched on its subject as written, case-insensitively."""
    return or_(document.c.subject_folded.contains(fold(q), autoescape=True),
               and_(document.c.subject_folded.is_(None),
                    func.lower(document.c.subject).contains(q.lower(), autoescape=True)))


async def replace_recipients(session: AsyncSession, document_id: str,
                             rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(delete(document_recipient)
                          .where(document_recipient.c.document_id == document_id))
    if rows:
        await session.execute(insert(document_recipient),
                              [{"document_id": document_id, **r} for r in rows])


async def recipients_of(session: AsyncSession, document_id: str) -> Sequence[Row[Any]]:
    query = (select(document_recipient).where(document_recipient.c.document_id == document_id)
             .order_by(document_recipient.c.external, document_recipient.c.organ_id))
    return (await session.execute(query)).all()


async def mark_sent(session: AsyncSession, document_id: str, organ_ids: Sequence[str],
                    values: dict[str, Any]) -> None:
    r = document_recipient.c
    await session.execute(update(document_recipient)
                          .where(r.document_id == document_id, r.organ_id.in_(list(organ_ids)))
                          .values(**values))


async def record_packages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(axis_package), list(rows))


async def packages_of(session: AsyncSession, document_id: str) -> Sequence[Row[Any]]:
    query = (select(axis_package).where(axis_package.c.document_id == document_id)
             .order_by(axis_package.c.at, axis_package.c.id))
    return (await session.execute(query)).all()

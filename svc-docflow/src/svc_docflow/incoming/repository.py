"""Incoming document queries: ``document`` rows with ``direction = 'incoming'`` and their
assignments (``document_assignment``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from svc_docflow.models import document, document_assignment

INCOMING = "incoming"


async def get(session: AsyncSession, document_id: str, *, lock: bool = False) -> Row[Any] | None:
    query = select(document).where(document.c.id == document_id,
                                   document.c.direction == INCOMING)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def find_external(session: AsyncSession, agency_id: str, external_id: str,
                        *, lock: bool = False) -> Row[Any] | None:
    """This agency's copy of the document the axis names ``external_id`` (its DocumentId)."""
    query = select(document).where(document.c.agency_id == agency_id,
                                   document.c.direction == INCOMING,
                                   document.c.external_id == external_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def from_sender(session: AsyncSession, external_id: str,
                      sender_keys: Sequence[str]) -> list[Row[Any]]:
    """Every agency's copy of a document, sent by one of ``sender_keys`` (its IDs)."""
    query = select(document).where(document.c.direction == INCOMING,
                                   document.c.external_id == external_id,
                                   document.c.sender_organ_id.in_(list(sender_keys)))
    return list((await session.execute(query)).all())


async def insert_document(session: AsyncSession, values: dict[str, Any]) -> Row[Any]:
    stmt = insert(document).values(direction=INCOMING, **values).returning(*document.c)
    return (await session.execute(stmt)).one()


async def update_document(session: AsyncSession, document_id: str, **values: Any) -> Row[Any]:
    stmt = (update(document).where(document.c.id == document_id).values(**values)
            .returning(*document.c))
    return (await session.execute(stmt)).one()


async def assignments(session: AsyncSession, document_id: str) -> list[Row[Any]]:
    query = (select(document_assignment)
             .where(document_assignment.c.document_id == document_id)
             .order_by(document_assignment.c.role, document_assignment.c.unit_id))
    return list((await session.execute(query)).all())


async def replace_assignments(session: AsyncSession, document_id: str,
                              rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(delete(document_assignment)
                          .where(document_assignment.c.document_id == document_id))
    if rows:
        await session.execute(insert(document_assignment), [dict(r) for r in rows])


async def update_assignment(session: AsyncSession, document_id: str, unit_id: str,
                            **values: Any) -> None:
    await session.execute(update(document_assignment).where(
        document_assignment.c.document_id == document_id,
        document_assignment.c.unit_id == unit_id).values(**values))


@dataclass(frozen=True)
class IncomingFilter:
    """What an official may list: the documents of their agency subtree and those assigned to
    a unit they belong to or cover."""

    agency_id: str
    status: str | None = None
    overdue_on: date | None = None  # open documents whose deadline is before this day
    open_statuses: tuple[str, ...] = ()


def _covers(column: Any, agency_id: str) -> ColumnElement[bool]:
    return or_(column == agency_id, column.like(agency_id.replace("%", "") + ".%"))


def _ancestors(agency_id: str) -> list[str]:
    """H56.14.3 → H56, H56.14, H56.14.3 (current-form IDs nest)."""
    parts = agency_id.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def visible_to(agency_id: str) -> ColumnElement[bool]:
    assigned = exists().where(
        document_assignment.c.document_id == document.c.id,
        or_(_covers(document_assignment.c.unit_id, agency_id),
            document_assignment.c.unit_id.in_(_ancestors(agency_id))))
    return or_(_covers(document.c.agency_id, agency_id), assigned)


def deadline() -> ColumnElement[Any]:
    """The leader's deadline, else the one the sender asked for."""
    return func.coalesce(document.c.processing_deadline, document.c.due_date)


async def listing(session: AsyncSession, where: IncomingFilter, *, limit: int,
                  offset: int) -> list[Row[Any]]:
    conditions = [document.c.direction == INCOMING, visible_to(where.agency_id)]
    if where.status:
        conditions.append(document.c.status == where.status)
    if where.overdue_on is not None:
        conditions.append(and_(document.c.status.in_(where.open_statuses),
                               deadline() < where.overdue_on))
    query = (select(document).where(*conditions)
             .order_by(document.c.received_at.desc(), document.c.id)
             .limit(limit).offset(offset))
    return list((await session.execute(query)).all())

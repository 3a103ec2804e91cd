"""Axis queries: the package log (``axis_package``) and, for status packages answering our
outgoing documents, the document and its recipients (``document_recipient``)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import utcnow
from svc_docflow.models import axis_package, document, document_recipient


async def record(session: AsyncSession, *, direction: str, kind: str, data: bytes,
                 outcome: str, **values: Any) -> None:
    """One package in or out, with what became of it (accepted, refused, duplicate, sent,
    forwarded)."""
    await session.execute(insert(axis_package).values(
        id=str(uuid.uuid4()), direction=direction, kind=kind, outcome=outcome,
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), at=utcnow(), **values))


async def accepted_before(session: AsyncSession, data: bytes) -> bool:
    """The very same bytes came in and were accepted already (a status package redelivered)."""
    query = select(axis_package.c.id).where(
        axis_package.c.direction == "in", axis_package.c.sha256 == hashlib.sha256(data).hexdigest(),
        axis_package.c.outcome == "accepted").limit(1)
    return (await session.execute(query)).first() is not None


async def packages_of(session: AsyncSession, document_id: str) -> list[Row[Any]]:
    query = (select(axis_package).where(axis_package.c.document_id == document_id)
             .order_by(axis_package.c.at, axis_package.c.id))
    return list((await session.execute(query)).all())


async def outgoing_by_external_id(session: AsyncSession, external_id: str) -> Row[Any] | None:
    query = select(document).where(document.c.direction == "outgoing",
                                   document.c.external_id == external_id)
    return (await session.execute(query.limit(1))).first()


async def recipient(session: AsyncSession, document_id: str,
                    keys: Sequence[str]) -> Row[Any] | None:
    """The recipient an answering organ is: by its edXML OrganId or its agency ID."""
    wanted = list(keys)
    query = select(document_recipient).where(
        document_recipient.c.document_id == document_id,
        or_(document_recipient.c.organ_id.in_(wanted),
            document_recipient.c.agency_id.in_(wanted)))
    return (await session.execute(query.limit(1))).first()


async def update_recipient(session: AsyncSession, document_id: str, organ_id: str, *,
                           status_code: str, description: str | None) -> None:
    await session.execute(update(document_recipient).where(
        document_recipient.c.document_id == document_id,
        document_recipient.c.organ_id == organ_id).values(
        status_code=status_code, status_description=description, updated_at=utcnow()))


async def listing(session: AsyncSession, *, external_id: str | None, direction: str | None,
                  outcome: str | None, limit: int) -> list[Row[Any]]:
    query = select(axis_package)
    if external_id is not None:
        query = query.where(axis_package.c.external_id == external_id)
    if direction is not None:
        query = query.where(axis_package.c.direction == direction)
    if outcome is not None:
        query = query.where(axis_package.c.outcome == outcome)
    query = query.order_by(axis_package.c.at.desc(), axis_package.c.id).limit(limit)
    return list((await session.execute(query)).all())

"""PDF versions of a document (``document_file``): each step adds one, none is overwritten."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import utcnow
from svc_docflow.models import document_file

PDF = "application/pdf"


async def store(session: AsyncSession, document_id: str, kind: str, name: str,
                content: bytes, *, media_type: str = PDF,
                created_by: str | None = None) -> Row[Any]:
    result = await session.execute(insert(document_file).values(
        document_id=document_id, kind=kind, name=name, media_type=media_type,
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
        created_by=created_by, created_at=utcnow()).returning(*document_file.c))
    return result.one()


async def latest(session: AsyncSession, document_id: str,
                 kinds: Sequence[str] | None = None) -> Row[Any] | None:
    """The newest version (of these kinds)."""
    query = select(document_file).where(document_file.c.document_id == document_id)
    if kinds:
        query = query.where(document_file.c.kind.in_(kinds))
    return (await session.execute(query.order_by(document_file.c.id.desc()).limit(1))).first()


async def listing(session: AsyncSession, document_id: str) -> list[Row[Any]]:
    """Every version, without the bytes."""
    columns = [c for c in document_file.c if c.name != "content"]
    query = (select(*columns).where(document_file.c.document_id == document_id)
             .order_by(document_file.c.id))
    return list((await session.execute(query)).all())


async def by_id(session: AsyncSession, document_id: str, file_id: int) -> Row[Any] | None:
    """One version of this document's files, with its bytes."""
    query = select(document_file).where(document_file.c.document_id == document_id,
                                        document_file.c.id == file_id)
    return (await session.execute(query)).first()

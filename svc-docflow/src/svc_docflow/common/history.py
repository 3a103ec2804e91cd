"""Every step of a document's life, in ``document_history``: who, what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.timeutil import utcnow
from svc_docflow.models import document_history


async def record(session: AsyncSession, document_id: str, action: str, *,
                 actor: Principal | None, from_status: str | None, to_status: str | None,
                 note: str | None = None, data: dict[str, Any] | None = None) -> None:
    """``actor`` None: the platform itself (a package from the axis, a status answer)."""
    await session.execute(insert(document_history).values(
        document_id=document_id, action=action, from_status=from_status, to_status=to_status,
        actor_id=actor.subject if actor else None,
        actor_agency_id=actor.agency_id if actor else None,
        note=note, data=data, at=utcnow()))


async def of(session: AsyncSession, document_id: str) -> list[Row[Any]]:
    query = (select(document_history).where(document_history.c.document_id == document_id)
             .order_by(document_history.c.id))
    return list((await session.execute(query)).all())

"""Every query on the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.models import AuditEvent


async def add_event(session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def list_events(
    session: AsyncSession, *, agency_id: str | None, action: str | None, target_id: str | None,
    since: datetime | None, limit: int, before_id: int | None,
) -> Sequence[AuditEvent]:
    """Newest first. ``agency_id`` limits to that agency's subtree (IDs nest)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if agency_id is not None:
        query = query.where(or_(AuditEvent.agency_id == agency_id,
                                AuditEvent.agency_id.startswith(agency_id + ".", autoescape=True)))
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == target_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return (await session.execute(query)).scalars().all()

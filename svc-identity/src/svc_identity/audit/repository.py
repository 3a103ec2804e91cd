"""Every query on the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.models import Agency, AuditEvent, AuditSeal


async def add_events(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
    session.add_all(events)
    await session.flush()


async def advisory_xact_lock(session: AsyncSession, key: int) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def chain_head(session: AsyncSession) -> tuple[int, str] | None:
    """The last chained entry's place and hash."""
    row = (await session.execute(
        select(AuditEvent.seq, AuditEvent.entry_hash).where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc()).limit(1))).first()
    return (int(row.seq), str(row.entry_hash)) if row is not None else None


async def unchained(session: AsyncSession, limit: int) -> Sequence[AuditEvent]:
    return (await session.execute(
        select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)
        .limit(limit))).scalars().all()


async def chained_page(session: AsyncSession, after_seq: int, limit: int
                       ) -> Sequence[AuditEvent]:
    """Chained entries after ``after_seq``, in chain order (the verification reads it all)."""
    return (await session.execute(
        select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)
        .limit(limit))).scalars().all()


async def count_unchained(session: AsyncSession) -> int:
    return int((await session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))
    )).scalar_one())


async def add_seal(session: AsyncSession, seal: AuditSeal) -> None:
    session.add(seal)
    await session.flush()


async def last_seal(session: AsyncSession) -> AuditSeal | None:
    return (await session.execute(
        select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1))).scalar_one_or_none()


async def all_seals(session: AsyncSession) -> Sequence[AuditSeal]:
    return (await session.execute(select(AuditSeal).order_by(AuditSeal.id))).scalars().all()


async def access_log(session: AsyncSession, owner_id: str, *, limit: int,
                     before_id: int | None) -> Sequence[Row[AuditEvent, str]]:
    """The entries about ``owner_id``'s data made by someone else, newest first, with the
    name of the actor's agency."""
    query = (select(AuditEvent, Agency.name.label("agency_name"))
             .outerjoin(Agency, Agency.id == AuditEvent.agency_id)
             .where(AuditEvent.owner_id == owner_id,
                    or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != owner_id))
             .order_by(AuditEvent.id.desc()).limit(limit))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return (await session.execute(query)).all()


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

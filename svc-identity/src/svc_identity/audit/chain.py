"""The audit log's hash chain: entry ``n`` stores ``entry_hash`` = SHA-256 over entry ``n-1``'s
hash and entry ``n``'s canonical form, so that an entry altered, deleted or moved breaks every
hash after it. Appended under a lock held until the transaction ends, so that the chain's order
is the order of commits and no two entries claim the same place: PostgreSQL's
``pg_advisory_xact_lock``; on SQLite, the database's one write lock, taken by a write before
the head is read (the driver reads outside a transaction until the first write)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_name, take_sqlite_write_lock
from svc_identity.audit import repository
from svc_identity.models import AuditEvent

AUDIT_TABLE = cast(Table, AuditEvent.__table__)
GENESIS = "0" * 64  # the "previous hash" of entry 1
LOCK_KEY = 0x61756469745F6C67  # "audit_lg": the one advisory lock of the audit chain
FIELDS = ("action", "outcome", "actor_id", "actor_kind", "actor_name", "target_type",
          "target_id", "agency_id", "owner_id", "ip", "user_agent", "request_id")


def _utc(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(event: AuditEvent, seq: int) -> str:
    """The entry as JSON with sorted keys and no spaces: the same bytes on every backend."""
    body: dict[str, Any] = {f: getattr(event, f) for f in FIELDS}
    body.update(seq=seq, at=_utc(event.at), details=event.details or {})
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(prev_hash: str, event: AuditEvent, seq: int) -> str:
    return hashlib.sha256((prev_hash + canonical(event, seq)).encode()).hexdigest()


async def lock(session: AsyncSession) -> None:
    """Holds the chain until this transaction ends."""
    if dialect_name(session) == "postgresql":
        await repository.advisory_xact_lock(session, LOCK_KEY)
    else:
        await take_sqlite_write_lock(session, AUDIT_TABLE)


async def append(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
    """``events`` (not yet stored) at the end of the chain, in this order."""
    await lock(session)
    seq, prev = await repository.chain_head(session) or (0, GENESIS)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.entry_hash = prev = entry_hash(prev, event, seq)
    await repository.add_events(session, events)


async def adopt_unchained(session: AsyncSession, limit: int = 500) -> int:
    """Chains entries written without a place (by a version before the chain, during a
    rolling upgrade), oldest first; returns how many."""
    await lock(session)
    rows = await repository.unchained(session, limit)
    if not rows:
        return 0
    seq, prev = await repository.chain_head(session) or (0, GENESIS)
    for event in rows:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.entry_hash = prev = entry_hash(prev, event, seq)
    await session.flush()
    return len(rows)

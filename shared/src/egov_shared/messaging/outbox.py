"""Transactional outbox: the event row is written in the same transaction as the change, and
the relay publishes it to JetStream with ``Nats-Msg-Id`` = event id (so a re-publication after a
crash is dropped by the stream's duplicate window)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import cancel_and_wait
from egov_shared.db import dialect_insert, dialect_name
from egov_shared.events.contracts import EventContract
from egov_shared.events.envelope import CloudEvent, new_event
from egov_shared.messaging.bus import EventBus
from egov_shared.observability import current_traceparent

log = structlog.get_logger("egov.outbox")

PENDING_FLAG = "egov_outbox_pending"
SHARED_PREFIX = "@outbox-payload:"  # an outbox row whose payload is in outbox_payload
PRUNE_EVERY_SECONDS = 300.0
# Test-only fault injection (tests/test_faults.py), never set in production: with
# EGOV_FAULT_RELAY_CRASH_AFTER_PUBLISH=<n> the process exits at once (status 137, as if
# SIGKILLed) right after its relay's n-th publication, before that row is marked published.
CRASH_AFTER_PUBLISH_ENV = "EGOV_FAULT_RELAY_CRASH_AFTER_PUBLISH"


class Outbox:
    """Writes events into the current unit of work; the relay takes them from there."""

    def __init__(self, table: Table, *, source: str, payloads: Table | None = None) -> None:
        self.table = table
        self.source = source
        self.payloads = payloads
        self._insert = insert(table)  # built once, given its values at execution

    async def add(
        self,
        session: AsyncSession,
        contract: EventContract,
        *,
        subject: str,
        data: dict[str, Any],
        agency: str | None = None,
    ) -> CloudEvent:
        payload = contract.data_model.model_validate(data).model_dump(mode="json")
        event = new_event(
            type=contract.type,
            source=self.source,
            subject=subject,
            data=payload,
            agency=agency,
            traceparent=current_traceparent(),
        )
        await session.execute(self._insert, {
            "event_id": event.id, "subject": contract.subject,
            "payload": event.to_json().decode(), "created_at": datetime.now(UTC)})
        session.info[PENDING_FLAG] = True
        return event

    async def add_raw(
        self, session: AsyncSession, *, subject: str, payload: str, message_id: str
    ) -> None:
        """A message that is not a CloudEvent (an edXML package for the document axis), in the
        same unit of work: the relay publishes ``payload`` as is on ``subject``, with
        ``Nats-Msg-Id`` = ``message_id`` (at most 64 characters, unique in the outbox)."""
        await self._add_raw_rows(session, payload, [(subject, message_id)])

    async def add_raw_to_many(
        self, session: AsyncSession, *, payload: str, messages: Sequence[tuple[str, str]]
    ) -> None:
        """One payload for several ``(subject, message_id)`` (a package for ten recipients):
        stored once (``outbox_payload``, by its SHA-256) when the service has that table, each
        outbox row referring to it, so that ten packages do not write ten copies of a PDF."""
        if self.payloads is None or len(messages) < 2:
            await self._add_raw_rows(session, payload, messages)
            return
        self._check(payload)
        digest = hashlib.sha256(payload.encode()).hexdigest()
        await session.execute(
            dialect_insert(session)(self.payloads)
            .values(sha256=digest, payload=payload, created_at=datetime.now(UTC))
            .on_conflict_do_nothing())
        await self._add_raw_rows(session, SHARED_PREFIX + digest, messages, checked=True)

    async def _add_raw_rows(self, session: AsyncSession, payload: str,
                            messages: Sequence[tuple[str, str]], *,
                            checked: bool = False) -> None:
        if not checked:
            self._check(payload)
        now = datetime.now(UTC)
        await session.execute(self._insert, [
            {"event_id": message_id, "subject": subject, "payload": payload, "created_at": now}
            for subject, message_id in messages])
        session.info[PENDING_FLAG] = True

    @staticmethod
    def _check(payload: str) -> None:
        if payload.startswith(SHARED_PREFIX):
            raise ValueError(f"a raw payload may not start with {SHARED_PREFIX!r}")


class OutboxRelay:
    """Publishes unpublished outbox rows in order; backs off while NATS is away.

    On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so that several replicas
    can relay side by side without publishing the same row twice at once.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        table: Table,
        bus: EventBus,
        *,
        batch_size: int = 100,
        poll_seconds: float = 0.5,
        retention: timedelta = timedelta(days=7),
        payloads: Table | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.table = table
        self.payloads = payloads
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retention = retention
        self._last_prune = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._crash_after = int(os.environ.get(CRASH_AFTER_PUBLISH_ENV) or 0)  # test-only
        self._publications = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        await self.bus.wait_connected()
        backoff = 0.2
        while True:
            try:
                published = await self.publish_pending()
                await self._prune_now_and_then()
                backoff = 0.2
            except Exception as exc:
                log.warning("outbox_relay_failed", error=str(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if published < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                self._wake.clear()

    async def _prune_now_and_then(self) -> None:
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            await self.prune_published()

    async def prune_published(self) -> int:
        """Delete rows published longer ago than the retention (kept for audit and replay)."""
        cutoff = datetime.now(UTC) - self.retention
        t = self.table
        async with self.sessionmaker() as session, session.begin():
            result = await session.execute(
                delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff)
            )
            if self.payloads is not None:  # shared payloads no row waits for any more
                p = self.payloads
                waiting = select(t.c.seq).where(t.c.published_at.is_(None),
                                                t.c.payload == SHARED_PREFIX + p.c.sha256)
                await session.execute(delete(p).where(p.c.created_at < cutoff,
                                                      ~waiting.exists()))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _shared_payloads(self, session: AsyncSession, rows: Any) -> dict[str, str]:
        """Reference → payload, for the rows whose payload is stored once for many."""
        refs = {r.payload for r in rows if r.payload.startswith(SHARED_PREFIX)}
        if not refs or self.payloads is None:
            return {}
        p = self.payloads
        found = await session.execute(select(p.c.sha256, p.c.payload).where(
            p.c.sha256.in_([ref.removeprefix(SHARED_PREFIX) for ref in refs])))
        return {SHARED_PREFIX + sha: payload for sha, payload in found.all()}

    def _crash_if_due(self) -> None:
        """The test-only fault: die between publishing and marking (see CRASH_AFTER_PUBLISH_ENV);
        the next relay publishes the row again and the stream drops it (``Nats-Msg-Id``)."""
        self._publications += 1
        if self._publications >= self._crash_after:
            log.warning("outbox_relay_fault_injected", publications=self._publications)
            os._exit(137)

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows it published."""
        if not self.bus.is_connected:
            raise ConnectionError("NATS is not connected")
        t = self.table
        async with self.sessionmaker() as session, session.begin():
            query = (
                select(t.c.seq, t.c.event_id, t.c.subject, t.c.payload)
                .where(t.c.published_at.is_(None))
                .order_by(t.c.seq)
                .limit(self.batch_size)
            )
            if dialect_name(session) == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            shared = await self._shared_payloads(session, rows)
            js = self.bus.js
            for row in rows:
                payload = shared.get(row.payload, row.payload)
                await js.publish(
                    row.subject, payload.encode(), headers={"Nats-Msg-Id": row.event_id},
                    timeout=3,
                )
                if self._crash_after:
                    self._crash_if_due()
            await session.execute(
                update(t)
                .where(t.c.seq.in_([r.seq for r in rows]))
                .values(published_at=datetime.now(UTC))
            )
        log.debug("outbox_published", count=len(rows))
        return len(rows)

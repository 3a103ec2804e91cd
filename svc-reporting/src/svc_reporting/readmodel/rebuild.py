"""Rebuild the read model by replaying JetStream: ``python -m svc_reporting rebuild``.

Run it with svc-reporting stopped. It empties the read model and the reporting consumers'
inbox rows, then reads each stream the live consumers follow (DOSSIER, DOCFLOW, IDENTITY) from
its first message to the last one present when it started, through an ordered consumer
(ephemeral, no acks, in stream order), applying the same effects as the live path in large
batches: counts summed in memory per agency, day and metric, one bulk upsert per batch
instead of a transaction per event, each batch written while the next one is read. It records
every replayed event in the inbox, so that when the service starts again its durable
consumers skip what the rebuild counted."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nats
import structlog
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.db import create_engine, create_sessionmaker
from egov_shared.events.contracts import stream_for_subject
from egov_shared.messaging.consumer import PoisonMessage, parse_event
from egov_shared.migrations import upgrade_to_head
from svc_reporting.consumers.events import FEEDS
from svc_reporting.models import daily_count, messaging, open_dossier
from svc_reporting.readmodel import store
from svc_reporting.readmodel.effects import OpenDossier, effects_of
from svc_reporting.settings import ReportingSettings

log = structlog.get_logger("svc_reporting.rebuild")
CHUNK = 1000  # messages the subscription hands over at once
FLUSH_EVERY = 50_000  # events per transaction
IDLE_SECONDS = 10.0  # no message for that long: the stream ended below its last sequence


@dataclass
class Batch:
    counts: store.Tally = field(default_factory=dict)
    opened: dict[str, OpenDossier] = field(default_factory=dict)
    inbox: list[str] = field(default_factory=list)  # event ids

    def __len__(self) -> int:
        return len(self.inbox)


@dataclass
class Report:
    events: int = 0
    skipped: int = 0
    duplicates: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def rebuild(settings: ReportingSettings, migrations_dir: Any) -> Report:
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    await upgrade_to_head(engine, migrations_dir)
    report, started = Report(), time.perf_counter()
    nc = await nats.connect(settings.nats_url, name="svc-reporting-rebuild")
    try:
        await _empty(sessions)
        with _fewer_collections():
            for durable, subject in FEEDS.items():
                await _replay(nc, Writer(sessions, durable), subject, settings.province_id,
                              report)
    finally:
        await nc.close()
        await engine.dispose()
    report.seconds = time.perf_counter() - started
    log.info("rebuild_done", events=report.events, skipped=report.skipped,
             seconds=round(report.seconds, 2), events_per_second=round(report.rate))
    return report


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The replay allocates millions of short-lived objects beside large long-lived ones (the
    event ids seen, the summed counts): with the default thresholds the collector rescans
    those again and again (measured: a fifth of the rebuild's time)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


async def _empty(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(daily_count))
        await session.execute(delete(open_dossier))
        await session.execute(delete(messaging.inbox).where(
            messaging.inbox.c.consumer.in_(list(FEEDS))))


class Feed:
    """An ordered consumer's messages up to the stream sequence ``last``, handed over in
    chunks. The subscription's callback waits while two chunks are queued: the client stops
    taking messages and the server's flow control pauses delivery, so memory stays bounded."""

    def __init__(self, last: int) -> None:
        self.last = last
        self.buffer: list[bytes] = []
        self.chunks: asyncio.Queue[list[bytes]] = asyncio.Queue(maxsize=2)
        self.closing = self.finished = False

    async def take(self, msg: Msg) -> None:
        if self.closing:
            return
        self.buffer.append(msg.data)
        self.closing = msg.metadata.sequence.stream >= self.last
        if self.closing or len(self.buffer) >= CHUNK:
            chunk, self.buffer = self.buffer, []
            await self.chunks.put(chunk)
            self.finished = self.closing

    async def __aiter__(self) -> AsyncIterator[list[bytes]]:
        while not (self.finished and self.chunks.empty()):
            try:
                yield await asyncio.wait_for(self.chunks.get(), IDLE_SECONDS)
            except TimeoutError:
                log.warning("rebuild_stream_ended_early", last=self.last)
                self.closing = True
                yield self.buffer
                return


class Writer:
    """Writes one batch at a time in the background while the next one is read; batches are
    written in stream order (the open-dossier list's last change wins)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], durable: str) -> None:
        self.sessions, self.durable = sessions, durable
        self.pending: asyncio.Task[None] | None = None

    async def write(self, batch: Batch) -> None:
        await self.wait()
        self.pending = asyncio.create_task(_flush(self.sessions, batch, self.durable))

    async def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            await pending

    def cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancel()


async def _replay(nc: Any, writer: Writer, subject: str, province_id: str,
                  report: Report) -> None:
    js = nc.jetstream()
    stream = stream_for_subject(subject)
    try:
        last = (await js.stream_info(stream)).state.last_seq
    except nats.js.errors.NotFoundError:
        return  # nothing was ever published by that context
    if not last:
        return
    feed = Feed(last)
    sub = await js.subscribe(subject, stream=stream, ordered_consumer=True, cb=feed.take,
                             config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    # An event delivered twice is in the stream twice (a publisher's retry after the duplicate
    # window): counted once, as the live consumer's inbox does.
    batch, seen = Batch(), set[str]()
    try:
        async for chunk in feed:
            for raw in chunk:
                _take(raw, batch, province_id, report, seen)
            if len(batch) >= FLUSH_EVERY:
                await writer.write(batch)
                batch = Batch()
        await writer.write(batch)
        await writer.wait()
    finally:
        writer.cancel()
        await sub.unsubscribe()


def _take(raw: bytes, batch: Batch, province_id: str, report: Report, seen: set[str]) -> None:
    try:
        event = parse_event(raw)
    except PoisonMessage:
        report.skipped += 1  # the live consumer dead-letters these: no effect either way
        return
    if event.id in seen:
        report.duplicates += 1
        return
    seen.add(event.id)
    effects = effects_of(event, province_id=province_id)
    store.tally(batch.counts, effects.counts)
    if effects.open_dossier is not None:
        batch.opened[effects.open_dossier.code] = effects.open_dossier
    batch.inbox.append(event.id)
    report.events += 1


async def _flush(sessions: async_sessionmaker[AsyncSession], batch: Batch,
                 durable: str) -> None:
    if not len(batch):
        return
    processed_at = datetime.now(UTC)
    async with sessions() as session, session.begin():
        await store.add_counts(session, store.roll_up(batch.counts))
        await store.set_open(session, batch.opened)
        await store.add_new(session, messaging.inbox, [
            {"consumer": durable, "event_id": event_id, "processed_at": processed_at}
            for event_id in batch.inbox])

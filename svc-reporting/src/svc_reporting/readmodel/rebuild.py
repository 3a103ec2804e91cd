"""Rebuild the read model by replaying JetStream: ``python -m svc_reporting rebuild``.

Run it with svc-reporting stopped. It empties the read model and the reporting consumers'
inbox rows, then reads each stream the live consumers follow (DOSSIER, DOCFLOW, IDENTITY) from
its first message to the last one present when it started, through an ephemeral pull consumer
without acks, applying the same effects as the live path, in large batches: one upsert per
batch instead of a transaction per event. It records every replayed event in the inbox, so
that when the service starts again its durable consumers skip what the rebuild counted."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nats
import structlog
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.db import create_engine, create_sessionmaker, dialect_insert
from egov_shared.events.contracts import stream_for_subject
from egov_shared.messaging.consumer import PoisonMessage, parse_event
from egov_shared.migrations import upgrade_to_head
from svc_reporting.consumers.events import FEEDS
from svc_reporting.models import daily_count, messaging, open_dossier
from svc_reporting.readmodel import store
from svc_reporting.readmodel.effects import Count, OpenDossier, effects_of
from svc_reporting.settings import ReportingSettings

log = structlog.get_logger("svc_reporting.rebuild")
FETCH = 1000
FLUSH_EVERY = 20_000


@dataclass
class Batch:
    counts: list[Count] = field(default_factory=list)
    opened: dict[str, OpenDossier] = field(default_factory=dict)
    inbox: list[dict[str, Any]] = field(default_factory=list)

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
        for durable, subject in FEEDS.items():
            await _replay(nc, sessions, durable, subject, settings.province_id, report)
    finally:
        await nc.close()
        await engine.dispose()
    report.seconds = time.perf_counter() - started
    log.info("rebuild_done", events=report.events, skipped=report.skipped,
             seconds=round(report.seconds, 2), events_per_second=round(report.rate))
    return report


async def _empty(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(daily_count))
        await session.execute(delete(open_dossier))
        await session.execute(delete(messaging.inbox).where(
            messaging.inbox.c.consumer.in_(list(FEEDS))))


async def _replay(nc: Any, sessions: async_sessionmaker[AsyncSession], durable: str,
                  subject: str, province_id: str, report: Report) -> None:
    js = nc.jetstream()
    stream = stream_for_subject(subject)
    try:
        last = (await js.stream_info(stream)).state.last_seq
    except nats.js.errors.NotFoundError:
        return  # nothing was ever published by that context
    if not last:
        return
    psub = await js.pull_subscribe(subject, stream=stream, config=ConsumerConfig(
        ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, filter_subject=subject,
        inactive_threshold=60.0))
    # An event delivered twice is in the stream twice (a publisher's retry after the duplicate
    # window): counted once, as the live consumer's inbox does.
    batch, done, seen = Batch(), False, set[str]()
    try:
        while not done:
            try:
                msgs = await psub.fetch(FETCH, timeout=2.0)
            except (TimeoutError, NatsTimeoutError):
                break  # nothing more for this filter
            for msg in msgs:
                _take(msg.data, batch, durable, province_id, report, seen)
                done = done or msg.metadata.sequence.stream >= last
            if len(batch) >= FLUSH_EVERY:
                batch = await _flush(sessions, batch)
        await _flush(sessions, batch)
    finally:
        await psub.unsubscribe()


def _take(raw: bytes, batch: Batch, durable: str, province_id: str, report: Report,
          seen: set[str]) -> None:
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
    batch.counts.extend(effects.counts)
    if effects.open_dossier is not None:
        batch.opened[effects.open_dossier.code] = effects.open_dossier
    batch.inbox.append({"consumer": durable, "event_id": event.id,
                        "processed_at": datetime.now(UTC)})
    report.events += 1


async def _flush(sessions: async_sessionmaker[AsyncSession], batch: Batch) -> Batch:
    if not len(batch):
        return batch
    async with sessions() as session, session.begin():
        await store.add_counts(session, store.rolled_up(batch.counts))
        await store.set_open(session, batch.opened)
        stmt = dialect_insert(session)(messaging.inbox).on_conflict_do_nothing()
        for start in range(0, len(batch.inbox), 5000):
            await session.execute(stmt, batch.inbox[start:start + 5000])
    return Batch()

"""Outbox, relay and consumer runner against a real NATS server and a real database."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import create_engine, create_sessionmaker, new_metadata
from egov_shared.events import CloudEvent
from egov_shared.events.contracts import DOSSIER_SUBMITTED, stream_for_subject
from egov_shared.messaging.bus import EventBus
from egov_shared.messaging.consumer import (
    ConsumerRunner,
    PoisonMessage,
    RawHandler,
    RawMessage,
    RawSubscription,
    Subscription,
)
from egov_shared.messaging.outbox import Outbox, OutboxRelay
from egov_shared.messaging.tables import MessagingTables, define_messaging_tables
from egov_testing import Databases, NatsServer, eventually


class Harness:
    def __init__(self, url: str, nats_url: str) -> None:
        self.metadata: MetaData = new_metadata()
        self.tables: MessagingTables = define_messaging_tables(self.metadata)
        self.seen = Table("seen", self.metadata, Column("event_id", String(64)))
        self.engine = create_engine(url)
        self.sessionmaker = create_sessionmaker(self.engine)
        self.bus = EventBus(nats_url, name="test")

    async def start(self) -> None:
        # The library has no schema of its own: the services' migrations create these tables.
        async with self.engine.begin() as conn:
            await conn.run_sync(self.metadata.create_all)
        self.bus.start()
        await asyncio.wait_for(self.bus.wait_connected(), 15)

    async def seen_count(self) -> int:
        async with self.sessionmaker() as s:
            return int((await s.execute(select(func.count()).select_from(self.seen))).scalar_one())


@pytest.fixture
async def harness(databases: Databases, nats_server: NatsServer) -> AsyncIterator[Harness]:
    h = Harness(databases.new_url("shared"), nats_server.url)
    await h.start()
    yield h
    await h.bus.close()
    await h.engine.dispose()


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_server.url)
    yield nc.jetstream()
    await nc.close()


def submitted_data(code: str) -> dict:
    return {"code": code, "procedure_code": "P", "agency_id": "H56.14", "channel": "online",
            "status_code": 1, "submitted_at": datetime.now(UTC)}


class TestOutbox:
    async def test_rolled_back_change_publishes_nothing(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        outbox = Outbox(harness.tables.outbox, source="/test")
        relay = OutboxRelay(harness.sessionmaker, harness.tables.outbox, harness.bus)
        code_bad, code_good = uuid.uuid4().hex, uuid.uuid4().hex
        sub = await js.subscribe(DOSSIER_SUBMITTED.subject, stream="DOSSIER",
                                 deliver_policy=nats.js.api.DeliverPolicy.NEW)
        with pytest.raises(RuntimeError):
            async with harness.sessionmaker() as s, s.begin():
                await outbox.add(s, DOSSIER_SUBMITTED, subject=code_bad,
                                 data=submitted_data(code_bad))
                raise RuntimeError("the change failed after the event was written")
        async with harness.sessionmaker() as s, s.begin():
            await outbox.add(s, DOSSIER_SUBMITTED, subject=code_good,
                             data=submitted_data(code_good))
        assert await relay.publish_pending() == 1
        msg = await sub.next_msg(timeout=5)
        event = json.loads(msg.data)
        assert event["subject"] == code_good and msg.headers["Nats-Msg-Id"] == event["id"]
        assert await relay.publish_pending() == 0

    async def test_published_rows_are_pruned_after_the_retention_only(
        self, harness: Harness
    ) -> None:
        outbox = Outbox(harness.tables.outbox, source="/test")
        relay = OutboxRelay(harness.sessionmaker, harness.tables.outbox, harness.bus,
                            retention=timedelta(0))
        async with harness.sessionmaker() as s, s.begin():
            for _ in range(2):
                code = uuid.uuid4().hex
                await outbox.add(s, DOSSIER_SUBMITTED, subject=code, data=submitted_data(code))
        assert await relay.prune_published() == 0  # unpublished rows are never pruned
        assert await relay.publish_pending() == 2
        assert await relay.prune_published() == 2

    async def test_invalid_payload_is_refused_before_it_is_written(self, harness: Harness) -> None:
        outbox = Outbox(harness.tables.outbox, source="/test")
        async with harness.sessionmaker() as s, s.begin():
            with pytest.raises(ValueError):
                await outbox.add(s, DOSSIER_SUBMITTED, subject="x", data={"code": "x"})


class TestConsumerRunner:
    """Each test uses a fresh durable (which also sees earlier tests' events) and looks only at
    the events it published itself."""

    @pytest.mark.parametrize("grouped", [False, True], ids=["one-by-one", "grouped"])
    async def test_transient_failures_are_retried_then_processed_exactly_once(
        self, harness: Harness, js: JetStreamContext, grouped: bool
    ) -> None:
        mine = self._events(1)
        failures = {"left": 2}

        async def flaky(session: AsyncSession, event: CloudEvent) -> None:
            if event.id not in mine:
                return
            await session.execute(insert(harness.seen).values(event_id=event.id))
            if failures["left"]:
                failures["left"] -= 1
                raise ConnectionError("the database blinked")

        runner = self._runner(harness, "test-flaky-" + uuid.uuid4().hex[:6], flaky,
                              grouped=grouped)
        runner.start()
        try:
            await self._publish(js, mine)
            assert await eventually(lambda: self._seen(harness, mine), timeout=20)
            await asyncio.sleep(0.5)
            assert await harness.seen_count() == 1  # the failed attempts were rolled back
            assert failures["left"] == 0
        finally:
            await runner.stop()

    @pytest.mark.parametrize("grouped", [False, True], ids=["one-by-one", "grouped"])
    async def test_poison_is_dead_lettered_and_does_not_block_the_rest(
        self, harness: Harness, js: JetStreamContext, grouped: bool
    ) -> None:
        durable = "test-poison-" + uuid.uuid4().hex[:6]
        mine = self._events(3)
        poison = next(iter(mine))

        async def handler(session: AsyncSession, event: CloudEvent) -> None:
            if event.id == poison:
                raise PoisonMessage("this one can never be processed")
            if event.id in mine:
                await session.execute(insert(harness.seen).values(event_id=event.id))

        dead = await js.subscribe(f"deadletter.{durable}", stream="DEADLETTER",
                                  deliver_policy=nats.js.api.DeliverPolicy.NEW)
        runner = self._runner(harness, durable, handler, grouped=grouped)
        runner.start()
        try:
            await self._publish(js, mine)
            assert await eventually(lambda: self._seen(harness, set(mine) - {poison}), timeout=20)
            letter = await dead.next_msg(timeout=10)
            assert json.loads(letter.data)["id"] == poison
            assert letter.headers["Egov-Original-Subject"] == DOSSIER_SUBMITTED.subject
        finally:
            await runner.stop()

    @pytest.mark.parametrize("grouped", [False, True], ids=["one-by-one", "grouped"])
    async def test_handler_failing_every_time_is_dead_lettered_after_max_deliver(
        self, harness: Harness, js: JetStreamContext, grouped: bool
    ) -> None:
        durable = "test-failing-" + uuid.uuid4().hex[:6]
        mine = self._events(1)
        attempts: list[str] = []

        async def handler(session: AsyncSession, event: CloudEvent) -> None:
            if event.id in mine:
                attempts.append(event.id)
                raise ConnectionError("always down")

        dead = await js.subscribe(f"deadletter.{durable}", stream="DEADLETTER",
                                  deliver_policy=nats.js.api.DeliverPolicy.NEW)
        runner = self._runner(harness, durable, handler, max_deliver=3, grouped=grouped)
        runner.start()
        try:
            await self._publish(js, mine)
            letter = await dead.next_msg(timeout=30)
            assert json.loads(letter.data)["id"] in mine
            assert letter.headers["Egov-Deliveries"] == "3"
            # Grouped, a delivery that failed in its group is tried once more alone.
            assert len(attempts) == 3 if not grouped else 3 <= len(attempts) <= 6
        finally:
            await runner.stop()

    async def test_grouped_fetch_commits_once_and_takes_a_repeated_event_once(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        mine = self._events(5)
        calls: list[str] = []

        async def handler(session: AsyncSession, event: CloudEvent) -> None:
            if event.id in mine:
                calls.append(event.id)
                await session.execute(insert(harness.seen).values(event_id=event.id))

        runner = self._runner(harness, "test-grouped-" + uuid.uuid4().hex[:6], handler,
                              grouped=True)
        await self._publish(js, mine)
        await self._publish(js, mine)  # the same events again, as a partner's retry would
        runner.start()
        try:
            assert await eventually(lambda: self._seen(harness, mine), timeout=20)
            await asyncio.sleep(1.0)
            assert sorted(calls) == sorted(mine)  # each once, although delivered twice
            assert await harness.seen_count() == 5
        finally:
            await runner.stop()

    @staticmethod
    def _events(n: int) -> dict[str, CloudEvent]:
        events = {}
        for _ in range(n):
            code = uuid.uuid4().hex
            event = CloudEvent(id=uuid.uuid4().hex, source="/test", type=DOSSIER_SUBMITTED.type,
                               subject=code, time=datetime.now(UTC),
                               data=json.loads(json.dumps(submitted_data(code), default=str)))
            events[event.id] = event
        return events

    @staticmethod
    def _runner(
        harness: Harness, durable: str, handler: object, max_deliver: int = 4,
        grouped: bool = False,
    ) -> ConsumerRunner:
        sub = Subscription(durable=durable, subject="dossier.dossier.submitted",
                           handlers={DOSSIER_SUBMITTED.type: handler},  # type: ignore[dict-item]
                           grouped=grouped)
        return ConsumerRunner(harness.sessionmaker, harness.tables.inbox, harness.bus, [sub],
                              max_deliver=max_deliver)

    @staticmethod
    async def _publish(js: JetStreamContext, events: dict[str, CloudEvent]) -> None:
        for event in events.values():
            await js.publish(DOSSIER_SUBMITTED.subject, event.to_json())

    @staticmethod
    async def _seen(harness: Harness, ids: object) -> bool:
        async with harness.sessionmaker() as s:
            got = set((await s.execute(select(harness.seen.c.event_id))).scalars())
        return set(ids) <= got  # type: ignore[call-overload]


class TestRawSubscription:
    """Messages that are not CloudEvents (edXML packages on ``axis.>``): bytes, subject and id
    reach the handler; the inbox, retries and dead letters work as for events."""

    async def test_bytes_subject_and_message_id_reach_the_handler_once(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        subject = f"axis.T{uuid.uuid4().hex[:8].upper()}.inbox"
        got: list[RawMessage] = []

        async def handler(session: AsyncSession, raw: RawMessage) -> None:
            await session.execute(insert(harness.seen).values(event_id=raw.message_id))
            got.append(raw)

        runner = self._runner(harness, subject, handler)
        runner.start()
        try:
            ack = await js.publish(subject, b"<edXML/>", headers={"Nats-Msg-Id": "pkg-1"})
            plain = await js.publish(subject, b"\x00not xml")
            assert await eventually(lambda: _count_is(got, 2), timeout=20)
            by_id = {raw.message_id: raw for raw in got}
            assert by_id["pkg-1"].data == b"<edXML/>" and by_id["pkg-1"].subject == subject
            assert by_id[f"seq:{plain.seq}"].data == b"\x00not xml"
            assert ack.seq != plain.seq
        finally:
            await runner.stop()

    async def test_unbounded_subscription_retries_past_the_runner_default(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        subject = f"axis.T{uuid.uuid4().hex[:8].upper()}.inbox"
        attempts: list[int] = []

        async def handler(session: AsyncSession, raw: RawMessage) -> None:
            attempts.append(raw.delivered)
            await session.execute(insert(harness.seen).values(event_id=raw.message_id))
            if len(attempts) < 4:
                raise ConnectionError("the national axis is away")

        runner = self._runner(harness, subject, handler, max_deliver=-1, default=2)
        runner.start()
        try:
            await js.publish(subject, b"<edXML/>", headers={"Nats-Msg-Id": uuid.uuid4().hex})

            async def processed() -> bool:
                return len(attempts) == 4 and await harness.seen_count() == 1

            assert await eventually(processed, timeout=30)  # failed attempts were rolled back
            assert attempts == [1, 2, 3, 4]
        finally:
            await runner.stop()

    async def test_poison_is_dead_lettered_with_its_bytes(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        subject = f"axis.T{uuid.uuid4().hex[:8].upper()}.inbox"
        durable = "raw-" + uuid.uuid4().hex[:8]

        async def handler(session: AsyncSession, raw: RawMessage) -> None:
            raise PoisonMessage("never")

        dead = await js.subscribe(f"deadletter.{durable}", stream="DEADLETTER",
                                  deliver_policy=nats.js.api.DeliverPolicy.NEW)
        runner = self._runner(harness, subject, handler, durable=durable)
        runner.start()
        try:
            await js.publish(subject, b"<broken", headers={"Nats-Msg-Id": uuid.uuid4().hex})
            letter = await dead.next_msg(timeout=10)
            assert letter.data == b"<broken"
            assert letter.headers["Egov-Original-Subject"] == subject
        finally:
            await runner.stop()

    async def test_declined_messages_are_acknowledged_without_a_transaction(
        self, harness: Harness, js: JetStreamContext
    ) -> None:
        subject = f"axis.T{uuid.uuid4().hex[:8].upper()}.inbox"
        durable = "raw-" + uuid.uuid4().hex[:8]
        got: list[bytes] = []

        async def handler(session: AsyncSession, raw: RawMessage) -> None:
            got.append(raw.data)

        async def accepts(raw: RawMessage) -> bool:
            if raw.data == b"<broken filter/>":
                raise ConnectionError("the directory is away")  # the handler decides
            return raw.data != b"<not mine/>"

        runner = self._runner(harness, subject, handler, durable=durable, accepts=accepts)
        runner.start()
        try:
            for body in (b"<not mine/>", b"<mine/>", b"<broken filter/>"):
                await js.publish(subject, body, headers={"Nats-Msg-Id": uuid.uuid4().hex})
            assert await eventually(lambda: _count_is(got, 2), timeout=20)

            async def all_acked() -> bool:
                info = await js.consumer_info(stream_for_subject(subject), durable)
                return info.num_ack_pending == 0 and info.num_pending == 0

            assert await eventually(all_acked, timeout=10)  # the declined one too
            assert sorted(got) == [b"<broken filter/>", b"<mine/>"]
            async with harness.sessionmaker() as s:  # only what the handler took has a row
                inbox = harness.tables.inbox
                rows = (await s.execute(select(func.count()).select_from(inbox)
                                        .where(inbox.c.consumer == durable))).scalar_one()
            assert rows == 2
        finally:
            await runner.stop()

    @staticmethod
    def _runner(harness: Harness, subject: str, handler: RawHandler, *,
                max_deliver: int | None = None, default: int = 4,
                durable: str | None = None, accepts: Any = None) -> ConsumerRunner:
        sub = RawSubscription(durable=durable or "raw-" + uuid.uuid4().hex[:8], subject=subject,
                              handler=handler, max_deliver=max_deliver, accepts=accepts)
        return ConsumerRunner(harness.sessionmaker, harness.tables.inbox, harness.bus, [sub],
                              max_deliver=default)


async def _count_is(items: list[Any], n: int) -> bool:
    return len(items) >= n

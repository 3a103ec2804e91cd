"""Raw messages (edXML packages for the document axis) through the outbox: published as they
were written, on their own subject, with the given message id."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import nats
import pytest
from nats.js.api import DeliverPolicy
from sqlalchemy import func, select

from egov_shared.db import create_engine, create_sessionmaker, new_metadata
from egov_shared.messaging.bus import EventBus
from egov_shared.messaging.outbox import Outbox, OutboxRelay
from egov_shared.messaging.tables import define_messaging_tables
from egov_testing import Databases, NatsServer


@pytest.fixture
async def relay_and_outbox(databases: Databases,
                           nats_server: NatsServer) -> AsyncIterator[tuple[Outbox, OutboxRelay]]:
    metadata = new_metadata()
    tables = define_messaging_tables(metadata, shared_payloads=True)
    engine = create_engine(databases.new_url("shared_raw"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = EventBus(nats_server.url, name="test-raw")
    bus.start()
    await bus.wait_connected()
    sessions = create_sessionmaker(engine)
    yield (Outbox(tables.outbox, source="/test", payloads=tables.payloads),
           OutboxRelay(sessions, tables.outbox, bus, payloads=tables.payloads,
                       retention=timedelta(0)))
    await bus.close()
    await engine.dispose()


class TestRawOutbox:
    async def test_raw_payload_is_published_unchanged_with_its_message_id(
        self, relay_and_outbox: tuple[Outbox, OutboxRelay], nats_server: NatsServer
    ) -> None:
        outbox, relay = relay_and_outbox
        subject, message_id = f"axis.T{uuid.uuid4().hex[:6]}.inbox", uuid.uuid4().hex
        payload = '<?xml version="1.0" encoding="UTF-8"?>\n<edXML>Sở Tư pháp</edXML>'
        nc = await nats.connect(nats_server.url)
        sub = await nc.jetstream().subscribe(subject, stream="AXIS",
                                             deliver_policy=DeliverPolicy.NEW)
        async with relay.sessionmaker() as session, session.begin():
            await outbox.add_raw(session, subject=subject, payload=payload,
                                 message_id=message_id)
        assert await relay.publish_pending() == 1
        msg = await sub.next_msg(timeout=5)
        await nc.close()
        assert msg.data.decode() == payload
        assert (msg.headers or {}).get("Nats-Msg-Id") == message_id

    async def test_a_shared_payload_is_stored_once_and_published_whole_to_each_subject(
        self, relay_and_outbox: tuple[Outbox, OutboxRelay], nats_server: NatsServer
    ) -> None:
        outbox, relay = relay_and_outbox
        assert outbox.payloads is not None
        organs = [f"T{uuid.uuid4().hex[:6]}" for _ in range(3)]
        payload = "<edXML>" + "Văn bản " * 20_000 + "</edXML>"  # ~180 kB, like a PDF package
        nc = await nats.connect(nats_server.url)
        sub = await nc.jetstream().subscribe("axis.>", stream="AXIS",
                                             deliver_policy=DeliverPolicy.NEW)
        async with relay.sessionmaker() as session:
            with pytest.raises(RuntimeError):  # a rolled-back first attempt stores nothing
                async with session.begin():
                    await outbox.add_raw_to_many(session, payload=payload, messages=_to(organs))
                    raise RuntimeError("the issue failed after the packages were written")
            async with session.begin():  # the same session again: stored anew
                await outbox.add_raw_to_many(session, payload=payload, messages=_to(organs))
            stored = (await session.execute(select(func.count()).select_from(
                outbox.payloads))).scalar_one()
            assert stored == 1
        assert await relay.publish_pending() == 3
        got = [await sub.next_msg(timeout=5) for _ in organs]
        await nc.close()
        assert sorted(m.subject for m in got) == sorted(f"axis.{o}.inbox" for o in organs)
        assert all(m.data.decode() == payload for m in got)
        async with relay.sessionmaker() as session:
            await relay.prune_published()  # retention 0: rows and the payload go
            left = (await session.execute(select(func.count()).select_from(
                outbox.payloads))).scalar_one()
        assert left == 0

    async def test_a_shared_payload_stays_while_a_row_waits_for_it(
        self, relay_and_outbox: tuple[Outbox, OutboxRelay]
    ) -> None:
        outbox, relay = relay_and_outbox
        assert outbox.payloads is not None
        async with relay.sessionmaker() as session, session.begin():
            await outbox.add_raw_to_many(session, payload="<edXML/>",
                                         messages=_to(["TWAIT1", "TWAIT2"]))
        await relay.prune_published()  # nothing published yet: the payload is kept
        async with relay.sessionmaker() as session:
            kept = (await session.execute(select(func.count()).select_from(
                outbox.payloads))).scalar_one()
        assert kept == 1

    async def test_a_payload_that_looks_like_a_reference_is_refused(
        self, relay_and_outbox: tuple[Outbox, OutboxRelay]
    ) -> None:
        outbox, relay = relay_and_outbox
        async with relay.sessionmaker() as session, session.begin():
            with pytest.raises(ValueError):
                await outbox.add_raw(session, subject="axis.X.inbox", message_id="m",
                                     payload="@outbox-payload:0000")
            with pytest.raises(ValueError):
                await outbox.add_raw_to_many(session, payload="@outbox-payload:0000",
                                             messages=_to(["X", "Y"]))


def _to(organs: list[str]) -> list[tuple[str, str]]:
    return [(f"axis.{organ}.inbox", uuid.uuid4().hex) for organ in organs]

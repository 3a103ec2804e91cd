"""Raw messages (edXML packages for the document axis) through the outbox: published as they
were written, on their own subject, with the given message id."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.api import DeliverPolicy

from egov_shared.db import create_engine, create_sessionmaker, new_metadata
from egov_shared.messaging.bus import EventBus
from egov_shared.messaging.outbox import Outbox, OutboxRelay
from egov_shared.messaging.tables import define_messaging_tables
from egov_testing import Databases, NatsServer


@pytest.fixture
async def relay_and_outbox(databases: Databases,
                           nats_server: NatsServer) -> AsyncIterator[tuple[Outbox, OutboxRelay]]:
    metadata = new_metadata()
    tables = define_messaging_tables(metadata)
    engine = create_engine(databases.new_url("shared_raw"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = EventBus(nats_server.url, name="test-raw")
    bus.start()
    await bus.wait_connected()
    sessions = create_sessionmaker(engine)
    yield Outbox(tables.outbox, source="/test"), OutboxRelay(sessions, tables.outbox, bus)
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

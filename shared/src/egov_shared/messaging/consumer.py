"""Durable pull consumers: explicit ack, an inbox table for idempotency, bounded redelivery with
backoff, and poison messages terminated and copied to ``deadletter.<durable>``.

Two kinds of subscription: ``Subscription`` takes CloudEvents (a handler per event type);
``RawSubscription`` takes messages that are not CloudEvents (edXML packages on ``axis.>``): its
handler gets the bytes as sent, the subject and a message id (``Nats-Msg-Id``, else the stream
sequence), with the same inbox, retries and dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import cancel_and_wait
from egov_shared.db import dialect_insert
from egov_shared.events.contracts import contract_for_type, dead_letter_subject, stream_for_subject
from egov_shared.events.envelope import CloudEvent
from egov_shared.messaging.bus import EventBus
from egov_shared.observability import EVENTS_CONSUMED

log = structlog.get_logger("egov.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
Work = Callable[[AsyncSession], Awaitable[None]]


class PoisonMessage(Exception):
    """Raised by a handler for an event it can never process: dead-lettered at once."""


@dataclass
class Subscription:
    """One durable consumer: a subject filter and a handler per event type.

    Event types the subscription has no handler for are acknowledged and skipped, so that
    a newer version of an event never blocks an older consumer.
    """

    durable: str
    subject: str
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Overrides of the runner's defaults: deliveries before dead-lettering (-1: retry for
    # ever, with backoff), and messages fetched at once (keep it small for large messages).
    max_deliver: int | None = None
    batch: int | None = None
    # The messages of one fetch in one transaction (one commit, one inbox statement), for
    # handlers that only write to the database: under load a transaction per message cost
    # more than the handlers. Any failure in the group rolls it back and the fetch is
    # processed again a message at a time, with the usual retries and dead letters. (Not for
    # raw subscriptions: their handlers forward to other systems.)
    grouped: bool = False

    @property
    def stream(self) -> str:
        return stream_for_subject(self.subject)


@dataclass(frozen=True)
class RawMessage:
    """A message as it was published: ``message_id`` is its ``Nats-Msg-Id`` header, or
    ``seq:<stream sequence>`` when it has none (a partner publishing by hand)."""

    subject: str
    data: bytes
    message_id: str
    headers: Mapping[str, str]
    delivered: int


RawHandler = Callable[[AsyncSession, RawMessage], Awaitable[None]]
RawFilter = Callable[[RawMessage], Awaitable[bool]]


@dataclass(kw_only=True)
class RawSubscription(Subscription):
    """One durable consumer of messages that are not CloudEvents: every message goes to
    ``handler`` (in the same transaction as its inbox row); ``handlers`` is unused.
    ``accepts``, when given, is asked first: a message it declines is acknowledged without a
    transaction (two consumers sharing a stream, each taking its own part of it)."""

    handler: RawHandler
    accepts: RawFilter | None = None


def raw_message(msg: Msg) -> RawMessage:
    headers = dict(msg.headers or {})
    meta = msg.metadata
    message_id = headers.get("Nats-Msg-Id") or f"seq:{meta.sequence.stream}"
    return RawMessage(subject=msg.subject, data=msg.data, message_id=message_id[:128],
                      headers=headers, delivered=meta.num_delivered)


def redelivery_delay(num_delivered: int) -> float:
    return float(min(0.5 * 2 ** (num_delivered - 1), 30.0))


class ConsumerRunner:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        inbox: Table,
        bus: EventBus,
        subscriptions: list[Subscription],
        *,
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
        batch: int = 50,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.inbox = inbox
        self.bus = bus
        self.subscriptions = subscriptions
        self.max_deliver = max_deliver
        self.ack_wait_seconds = ack_wait_seconds
        self.batch = batch
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def start(self) -> None:
        for sub in self.subscriptions:
            self._tasks.append(asyncio.create_task(self._run(sub), name=f"consumer-{sub.durable}"))

    async def stop(self) -> None:
        self._stopping = True
        # nats-py's fetch can swallow a cancellation (it surfaces as a fetch timeout, and the
        # loop would fetch on for ever): cancel_and_wait cancels again until the task ends.
        await asyncio.gather(*(cancel_and_wait(task) for task in self._tasks))

    async def _run(self, sub: Subscription) -> None:
        backoff = 0.2
        while True:
            try:
                await self.bus.wait_connected()
                psub = await self.bus.js.pull_subscribe(
                    sub.subject,
                    durable=sub.durable,
                    stream=sub.stream,
                    config=ConsumerConfig(
                        ack_policy=AckPolicy.EXPLICIT,
                        deliver_policy=DeliverPolicy.ALL,
                        max_deliver=self._max_deliver(sub),
                        ack_wait=self.ack_wait_seconds,
                        filter_subject=sub.subject,
                    ),
                )
                backoff = 0.2
                while True:
                    try:
                        msgs = await psub.fetch(sub.batch or self.batch, timeout=1.0)
                    except (TimeoutError, NatsTimeoutError):
                        if self._stopping:
                            return
                        continue
                    if sub.grouped and len(msgs) > 1 and not isinstance(sub, RawSubscription):
                        await self.handle_group(sub, msgs)
                    else:
                        for msg in msgs:
                            await self.handle(sub, msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer_loop_failed", durable=sub.durable, error=str(exc),
                            retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _max_deliver(self, sub: Subscription) -> int:
        return sub.max_deliver if sub.max_deliver is not None else self.max_deliver

    async def handle(self, sub: Subscription, msg: Msg) -> None:
        if isinstance(sub, RawSubscription):
            raw = raw_message(msg)
            if sub.accepts is not None and not await self._accepted(sub, raw):
                EVENTS_CONSUMED.labels(sub.durable, "skipped").inc()
                await msg.ack()
                return
            await self._settle(sub, msg, raw.message_id, lambda session: sub.handler(session, raw))
            return
        try:
            event = parse_event(msg.data)
        except PoisonMessage as exc:
            await self._dead_letter(sub, msg, str(exc))
            return
        handler = sub.handlers.get(event.type)
        if handler is None:
            EVENTS_CONSUMED.labels(sub.durable, "skipped").inc()
            await msg.ack()
            return
        await self._settle(sub, msg, event.id, lambda session: handler(session, event))

    @staticmethod
    async def _accepted(sub: RawSubscription, raw: RawMessage) -> bool:
        """The filter's answer; a filter that fails leaves the decision to the handler."""
        assert sub.accepts is not None
        try:
            return await sub.accepts(raw)
        except Exception as exc:
            log.warning("consumer_filter_failed", durable=sub.durable, error=type(exc).__name__)
            return True

    async def handle_group(self, sub: Subscription, msgs: list[Msg]) -> None:
        """``msgs`` in one transaction; one at a time (``handle``) when any of them fails."""
        work: list[tuple[Msg, str, Work]] = []
        for msg in msgs:
            try:
                event = parse_event(msg.data)
            except PoisonMessage:
                return await self._one_by_one(sub, msgs)
            handler = sub.handlers.get(event.type)
            if handler is not None:
                work.append((msg, event.id, _bound(handler, event)))
        try:
            async with self.sessionmaker() as session, session.begin():
                fresh = await self._claim_many(session, sub.durable, [w[1] for w in work])
                outcomes = []
                for _msg, message_id, run in work:
                    if message_id in fresh:
                        fresh.discard(message_id)
                        await run(session)
                        outcomes.append("processed")
                    else:
                        outcomes.append("duplicate")
        except Exception as exc:
            log.info("event_group_failed", durable=sub.durable, size=len(msgs),
                     error=type(exc).__name__)
            return await self._one_by_one(sub, msgs)
        settled = {id(msg): outcome for (msg, _id, _run), outcome in zip(work, outcomes,
                                                                          strict=True)}
        for msg in msgs:
            EVENTS_CONSUMED.labels(sub.durable, settled.get(id(msg), "skipped")).inc()
            await msg.ack()

    async def _one_by_one(self, sub: Subscription, msgs: list[Msg]) -> None:
        for msg in msgs:
            await self.handle(sub, msg)

    async def _claim_many(self, session: AsyncSession, consumer: str,
                          event_ids: list[str]) -> set[str]:
        """The inbox rows of ``event_ids``: answers the ids not processed before."""
        if not event_ids:
            return set()
        now = datetime.now(UTC)
        stmt = (dialect_insert(session)(self.inbox)
                .values([{"consumer": consumer, "event_id": event_id, "processed_at": now}
                         for event_id in dict.fromkeys(event_ids)])
                .on_conflict_do_nothing().returning(self.inbox.c.event_id))
        return set((await session.execute(stmt)).scalars())

    async def _settle(self, sub: Subscription, msg: Msg, message_id: str, work: Work) -> None:
        """Process once, then ack; retry later (nak with backoff) or dead-letter."""
        try:
            outcome = await self._process(sub, message_id, work)
        except PoisonMessage as exc:
            await self._dead_letter(sub, msg, str(exc))
            return
        except Exception as exc:
            delivered, limit = msg.metadata.num_delivered, self._max_deliver(sub)
            if 0 < limit <= delivered:
                await self._dead_letter(sub, msg, f"gave up after {delivered} deliveries: {exc}")
                return
            log.warning("event_handler_failed", durable=sub.durable, event_id=message_id,
                        delivered=delivered, error=str(exc))
            EVENTS_CONSUMED.labels(sub.durable, "retried").inc()
            await msg.nak(delay=redelivery_delay(delivered))
            return
        EVENTS_CONSUMED.labels(sub.durable, outcome).inc()
        await msg.ack()

    async def _process(self, sub: Subscription, message_id: str, work: Work) -> str:
        """Inbox row and the handler's changes commit together, or not at all."""
        async with self.sessionmaker() as session, session.begin():
            if not await self._claim_many(session, sub.durable, [message_id]):
                return "duplicate"
            await work(session)
        return "processed"


    async def _dead_letter(self, sub: Subscription, msg: Msg, reason: str) -> None:
        meta = msg.metadata
        headers = {
            "Nats-Msg-Id": f"{sub.durable}:{meta.sequence.stream}",
            "Egov-Dead-Letter-Reason": reason[:500],
            "Egov-Original-Subject": msg.subject,
            "Egov-Original-Stream-Seq": str(meta.sequence.stream),
            "Egov-Deliveries": str(meta.num_delivered),
        }
        await self.bus.js.publish(dead_letter_subject(sub.durable), msg.data, headers=headers)
        await msg.term()
        EVENTS_CONSUMED.labels(sub.durable, "dead_lettered").inc()
        log.error("event_dead_lettered", durable=sub.durable, subject=msg.subject, reason=reason)


def _bound(handler: Handler, event: CloudEvent) -> Work:
    return lambda session: handler(session, event)


def parse_event(raw: bytes) -> CloudEvent:
    """Envelope and, for known types, payload must match their contract."""
    try:
        event = CloudEvent.model_validate_json(raw)
    except ValidationError as exc:
        raise PoisonMessage(f"not a CloudEvent: {exc.error_count()} error(s)") from exc
    if event.specversion != "1.0":
        raise PoisonMessage(f"unsupported specversion {event.specversion!r}")
    contract = contract_for_type(event.type)
    if contract is not None:
        try:
            contract.data_model.model_validate(event.data)
        except ValidationError as exc:
            raise PoisonMessage(f"data does not match {event.type}") from exc
    return event

"""The service's connection to NATS JetStream: connects in the background, reconnects forever,
and provisions the platform's streams."""

from __future__ import annotations

import asyncio
import contextlib

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from egov_shared.background import cancel_and_wait
from egov_shared.events.contracts import STREAMS

CLOSE_TIMEOUT_SECONDS = 5.0

log = structlog.get_logger("egov.bus")

DUPLICATE_WINDOW_SECONDS = 600.0


class EventBus:
    """Holds one NATS connection. ``js`` raises until connected; callers back off and retry."""

    def __init__(self, url: str, *, name: str, stream_replicas: int = 1) -> None:
        self.url = url
        self.name = name
        self.stream_replicas = stream_replicas
        self._nc: NATS | None = None
        self._js: JetStreamContext | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def is_connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def js(self) -> JetStreamContext:
        if self._js is None or not self.is_connected:
            raise ConnectionError("NATS is not connected")
        return self._js

    async def wait_connected(self) -> None:
        await self._connected.wait()

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"nats-connect-{self.name}")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                nc = await nats.connect(
                    self.url,
                    name=self.name,
                    connect_timeout=2,
                    reconnect_time_wait=0.5,
                    max_reconnect_attempts=-1,
                    allow_reconnect=True,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
                js = nc.jetstream(timeout=3)
                await ensure_streams(js, replicas=self.stream_replicas)
            except Exception as exc:
                log.warning("nats_connect_failed", url=self.url, error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._nc, self._js = nc, js
            self._connected.set()
            log.info("nats_connected", url=self.url)
            return

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats_error", error=str(exc))

    async def _on_disconnected(self) -> None:
        log.warning("nats_disconnected")

    async def _on_reconnected(self) -> None:
        log.info("nats_reconnected")

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        if self._nc is not None:
            # Not drain(): every publish here already awaited its ack, and draining open pull
            # subscriptions waits out its whole timeout. Bounded: a server that went away
            # mid-close must not hold the shutdown.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await self._nc.close()


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1) -> None:
    """Create the platform's streams if missing (idempotent; several services race here),
    with ``replicas`` copies each: 3 on a JetStream cluster of 3, so that losing one server
    loses no stream. An existing stream keeps its own setting (``nats stream edit``)."""
    for name, subjects in STREAMS.items():
        try:
            await js.stream_info(name)
            continue
        except NotFoundError:
            pass
        config = StreamConfig(
            name=name,
            subjects=subjects,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        )
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            # Another service created it between our look-up and our add.
            if "already in use" not in str(exc):
                raise

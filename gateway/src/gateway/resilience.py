"""How the gateway calls a service: a timeout per route, a retry only where a repeat cannot do
a request twice, and a circuit breaker per service so that a service that is down is answered
503 at once instead of tying up clients and connections.

Retries: a connection that could not be opened (refused, unreachable) carried nothing, so any
method whose body is still in hand (not a stream already being read) is tried again. A pooled
connection the service had closed (``ServerDisconnectedError`` before any answer) may have
carried the request: only GET, HEAD and OPTIONS are repeated then. PUT and DELETE are not,
although idempotent by HTTP's definition: the services' PUT/DELETE handlers write events to the
outbox, and a repeat after a lost answer would be observable.

The breaker counts consecutive transport failures of a service (refused, reset, timed out),
never its answers: a 500 is the service speaking. After ``failures`` in a row it opens for
``reset_seconds``; then one probe goes through (half-open), and its outcome closes or re-opens it.

Replicas: a service may have several base URLs (``GATEWAY_UPSTREAM_REPLICAS``). Requests take
them in turn, each replica has its own breaker, and a retry goes to the next replica: a replica
that was killed costs the requests that were inside it, never the ones after.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

import aiohttp
import structlog
from prometheus_client import Counter
from yarl import URL

from gateway.settings import GatewaySettings
from gateway.upstreams import UpstreamClient

log = structlog.get_logger("gateway.resilience")

BREAKER_OPENED = Counter(
    "egov_gateway_breaker_opened_total", "Circuit breaker openings, by service", ["service"]
)
_STALE_RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RETRY_PAUSE_SECONDS = 0.05

class StreamedBody:
    """A request body relayed as it arrives. ``started`` once the upstream began reading it:
    before that (a connection that could not be opened) it can still go to another replica."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks
        self.started = False

    def __aiter__(self) -> StreamedBody:
        return self

    async def __anext__(self) -> bytes:
        self.started = True  # aiohttp takes the iterator early, reads it once connected
        return await anext(self.chunks)


RequestBody = bytes | StreamedBody | None


class CircuitOpen(Exception):
    """The service's breaker is open: answer 503 without calling it."""

    def __init__(self, service: str, retry_after: float) -> None:
        super().__init__(service)
        self.service = service
        self.retry_after = max(1, math.ceil(retry_after))


class CircuitBreaker:
    """Closed → open after ``failures`` consecutive failures → one probe after
    ``reset_seconds`` (half-open) → closed on success, open again on failure."""

    def __init__(self, service: str, failures: int, reset_seconds: float) -> None:
        self.service = service
        self.threshold = failures
        self.reset_seconds = reset_seconds
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self.probing else "open"

    def admit(self) -> None:
        """Raises ``CircuitOpen`` unless a request may go to the service now."""
        if self.opened_at is None:
            return
        waited = time.monotonic() - self.opened_at
        if waited < self.reset_seconds or self.probing:
            raise CircuitOpen(self.service, self.reset_seconds - waited)
        self.probing = True  # this request is the probe; the others still get 503

    def succeeded(self) -> None:
        if self.opened_at is not None:
            log.info("breaker_closed", service=self.service)
        self.failures, self.opened_at, self.probing = 0, None, False

    def failed(self) -> None:
        self.failures += 1
        if self.probing or (self.opened_at is None and self.failures >= self.threshold):
            if self.opened_at is None:
                BREAKER_OPENED.labels(self.service).inc()
                log.warning("breaker_opened", service=self.service, failures=self.failures)
            self.opened_at, self.probing = time.monotonic(), False

    def released(self) -> None:
        """The probe ended without a verdict (the client went away): let another probe."""
        self.probing = False


class RouteTimeouts:
    """The timeout of a path: the first pattern of ``table`` that matches the whole path,
    else ``default``. ``aiohttp.ClientTimeout`` objects are built once per distinct value."""

    def __init__(self, table: Mapping[str, float], default: float, connect: float) -> None:
        self.patterns = [(re.compile(pattern), seconds) for pattern, seconds in table.items()]
        self.default = self._timeout(default, connect)
        self.by_pattern = [(p, self._timeout(s, connect)) for p, s in self.patterns]

    @staticmethod
    def _timeout(seconds: float, connect: float) -> aiohttp.ClientTimeout:
        # sock_read bounds the wait for the answer (and each body read); connect bounds the
        # wait for a pooled connection too, so a full per-service pool gives 504, not a hang.
        return aiohttp.ClientTimeout(total=None, connect=seconds,
                                     sock_connect=min(connect, seconds), sock_read=seconds)

    def for_path(self, path: str) -> aiohttp.ClientTimeout:
        for pattern, timeout in self.by_pattern:
            if pattern.fullmatch(path):
                return timeout
        return self.default


@dataclass(slots=True)
class UpstreamCall:
    """One request as the proxy sends it; ``target`` is the raw path and query, already
    percent-encoded, appended to the chosen replica's base URL."""

    service: str
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: RequestBody
    timeout: aiohttp.ClientTimeout


@dataclass(slots=True)
class Replica:
    base_url: str
    breaker: CircuitBreaker


class ReplicaSet:
    """A service's replicas, taken in turn; the breakers decide who may be called."""

    def __init__(self, service: str, urls: Sequence[str], failures: int,
                 reset_seconds: float) -> None:
        self.replicas = [Replica(url, CircuitBreaker(service, failures, reset_seconds))
                         for url in urls]
        self.turn = itertools.count()

    def next(self) -> Replica:
        """The next replica whose breaker admits a request; raises ``CircuitOpen`` (the
        soonest retry) when none does."""
        start = next(self.turn)
        refused: CircuitOpen | None = None
        for i in range(len(self.replicas)):
            replica = self.replicas[(start + i) % len(self.replicas)]
            try:
                replica.breaker.admit()
            except CircuitOpen as exc:
                refused = exc if refused is None else min(refused, exc,
                                                          key=lambda e: e.retry_after)
                continue
            return replica
        assert refused is not None
        raise refused


class Resilience:
    """Timeouts, retries, replicas and breakers around the shared client."""

    def __init__(self, client: UpstreamClient, timeouts: RouteTimeouts,
                 replicas: Mapping[str, Sequence[str]], *, retries: int, failures: int,
                 reset_seconds: float) -> None:
        self.client = client
        self.timeouts = timeouts
        self.retries = retries
        self.services = {name: ReplicaSet(name, urls, failures, reset_seconds)
                         for name, urls in replicas.items()}

    async def send(self, call: UpstreamCall) -> aiohttp.ClientResponse:
        """The service's response; raises ``CircuitOpen``, ``aiohttp.ClientError`` or
        ``TimeoutError`` (the proxy turns them into 503/502/504)."""
        replicas = self.services[call.service]
        single = len(replicas.replicas) == 1
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            replica = replicas.next()
            try:
                return await self._once(call, replica)
            except aiohttp.ClientConnectorError:
                if last or not unread(call.body):
                    raise
                if single:  # the same service again, after a pause; else the next replica
                    await asyncio.sleep(_RETRY_PAUSE_SECONDS * (attempt + 1))
            except aiohttp.ServerDisconnectedError:
                if last or isinstance(call.body, StreamedBody) or \
                        call.method not in _STALE_RETRY_METHODS:
                    raise
            log.info("upstream_retry", upstream=call.service, attempt=attempt + 1)
        raise AssertionError("unreachable")

    async def _once(self, call: UpstreamCall, replica: Replica) -> aiohttp.ClientResponse:
        try:
            response = await self.client.session.request(
                call.method, URL(replica.base_url + call.target, encoded=True),
                headers=call.headers, data=call.body, allow_redirects=False,
                timeout=call.timeout,
            )
        except (aiohttp.ClientConnectionError, TimeoutError):
            replica.breaker.failed()
            raise
        except BaseException:
            replica.breaker.released()
            raise
        replica.breaker.succeeded()
        return response


def unread(body: RequestBody) -> bool:
    """Whether the body can be sent again: bytes can; a stream only if nothing of it was read
    yet (a connection that could not be opened never started reading it)."""
    return not isinstance(body, StreamedBody) or not body.started


def build_resilience(settings: GatewaySettings, client: UpstreamClient) -> Resilience:
    timeouts = RouteTimeouts(settings.route_timeouts, settings.upstream_timeout_seconds,
                             settings.upstream_connect_timeout_seconds)
    return Resilience(client, timeouts, settings.upstream_replicas_of(),
                      retries=settings.upstream_retries, failures=settings.breaker_failures,
                      reset_seconds=settings.breaker_reset_seconds)

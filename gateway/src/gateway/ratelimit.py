"""Rate limits: token buckets in memory, per client IP and per verified client, by route group.

A bucket holds up to ``burst`` tokens and refills at ``rate`` per second; a request takes one or
is answered 429 with ``Retry-After`` (the time until a token is back). The buckets live in this
process: with N gateway replicas behind a load balancer each replica counts on its own, so a
client gets up to N times the limit; divide the configured rates by N, or move the buckets to a
shared store (Redis, NATS KV) when that matters.

The client IP is the socket peer, unless the peer is a configured trusted proxy: then the
``X-Forwarded-For`` chain is read from the right, skipping trusted proxies, and the first
address that is not one is the client (anything further left is the client's own claim).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import Scope

from gateway.settings import LimitGroup

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_MAX_BUCKETS = 100_000  # past this, full (idle) buckets are swept


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float

    def take(self, now: float, rate: float, burst: int) -> float:
        """0 when a token was taken, else the seconds until one is back."""
        self.tokens = min(burst, self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / rate


@dataclass(frozen=True, slots=True)
class _Selector:
    group: str
    prefix: str
    method: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method != self.method:
            return False
        return path == self.prefix or path.startswith(self.prefix + "/")


class RateLimiter:
    """``ip_wait`` before the token is checked (floods cost nothing more), ``client_wait``
    once it is: each returns ``None`` or the ``Retry-After`` seconds."""

    def __init__(self, groups: Mapping[str, LimitGroup], trusted: Iterable[str]) -> None:
        self.groups = dict(groups)
        self.groups.setdefault("default", LimitGroup())
        self.selectors = sorted(
            (_selector(name, entry) for name, group in self.groups.items()
             for entry in group.routes),
            key=lambda s: len(s.prefix), reverse=True,
        )
        self.trusted: list[IpNetwork] = [ipaddress.ip_network(t, strict=False) for t in trusted]
        self.buckets: dict[str, Bucket] = {}

    def group_of(self, method: str, path: str) -> str:
        for selector in self.selectors:
            if selector.matches(method, path):
                return selector.group
        return "default"

    def ip_wait(self, scope: Scope) -> int | None:
        name = self.group_of(scope["method"], scope["path"])
        group = self.groups[name]
        if not group.ip_rate:
            return None
        return self._take(f"{name}|ip|{self.client_ip(scope)}", group.ip_rate, group.ip_burst)

    def client_wait(self, scope: Scope, client: str | None) -> int | None:
        name = self.group_of(scope["method"], scope["path"])
        group = self.groups[name]
        if not group.client_rate or not client:
            return None
        return self._take(f"{name}|client|{client}", group.client_rate, group.client_burst)

    def _take(self, key: str, rate: float, burst: int) -> int | None:
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= _MAX_BUCKETS:
                self._sweep(now)
            bucket = self.buckets[key] = Bucket(float(burst), now)
        wait = bucket.take(now, rate, burst)
        return math.ceil(wait) if wait else None

    def _sweep(self, now: float) -> None:
        # A bucket idle long enough to be full again is the same as no bucket at all.
        idle = [key for key, bucket in self.buckets.items() if now - bucket.updated > 60]
        for key in idle:
            del self.buckets[key]

    def client_ip(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else ""
        if not self.trusted or not self._is_trusted(peer):
            return peer
        chain = [hop.strip() for name, value in scope["headers"] if name == b"x-forwarded-for"
                 for hop in value.decode("latin-1").split(",")]
        for hop in reversed(chain):
            if not self._is_trusted(hop):
                return hop
        return chain[0] if chain else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)


def _selector(group: str, entry: str) -> _Selector:
    method, _, prefix = entry.strip().rpartition(" ")
    return _Selector(group, prefix.rstrip("/") or "/", method.upper() or None)

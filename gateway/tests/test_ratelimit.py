"""Rate limits per IP and per client, by route group, and body size limits: refused by the
gateway before the service is reached."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

from egov_testing import TestIssuer
from gateway.ratelimit import RateLimiter
from gateway.settings import LimitGroup

from .conftest import ThreadedServer
from .test_proxy import assert_problem, chunks_of

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
SLOW_REFILL = 0.001  # tokens per second: none come back during a test


def ip_limit(burst: int, **extra: Any) -> dict[str, Any]:
    return {"default": {"ip_rate": SLOW_REFILL, "ip_burst": burst}, **extra}


class TestPerIp:
    async def test_over_the_burst_is_429_with_retry_after(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(rate_limits=ip_limit(2), signed_in=False) as gateway:
            passed = [await gateway.get("/api/v1/procedures") for _ in range(2)]
            refused = await gateway.get("/api/v1/procedures")
        assert [r.status_code for r in passed] == [200, 200]
        body = assert_problem(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1
        assert body["instance"] == "/api/v1/procedures"

    async def test_health_and_readiness_are_never_limited(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(rate_limits=ip_limit(1), signed_in=False) as gateway:
            answers = [await gateway.get(path) for path in ["/healthz", "/readyz"] * 3]
        assert [r.status_code for r in answers] == [200] * 6

    async def test_forwarded_for_counts_only_from_a_trusted_proxy(
        self, open_gateway: GatewayFactory
    ) -> None:
        first, second = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "203.0.113.8"}
        async with open_gateway(rate_limits=ip_limit(1), signed_in=False,
                                trusted_proxies=["127.0.0.0/8"]) as gateway:
            behind_proxy = [await gateway.get("/api/v1/procedures", headers=h)
                            for h in (first, second, first)]
        async with open_gateway(rate_limits=ip_limit(1), signed_in=False) as gateway:
            claimed = [await gateway.get("/api/v1/procedures", headers=h)
                       for h in (first, second)]
        assert [r.status_code for r in behind_proxy] == [200, 200, 429]
        assert [r.status_code for r in claimed] == [200, 429]  # one peer, one bucket

    async def test_sign_in_and_registration_have_a_stricter_group(
        self, open_gateway: GatewayFactory
    ) -> None:
        limits = ip_limit(10, auth={"routes": ["POST /api/v1/citizens"],
                                    "ip_rate": SLOW_REFILL, "ip_burst": 1})
        async with open_gateway(rate_limits=limits, signed_in=False) as gateway:
            registrations = [await gateway.post("/api/v1/citizens", json={}) for _ in range(2)]
            reads = [await gateway.get("/api/v1/agencies") for _ in range(3)]
        assert [r.status_code for r in registrations] == [200, 429]
        assert [r.status_code for r in reads] == [200] * 3


class TestPerClient:
    async def test_each_verified_client_has_its_own_bucket(
        self, open_gateway: GatewayFactory, issuer: TestIssuer
    ) -> None:
        limits = {"default": {"client_rate": SLOW_REFILL, "client_burst": 1}}
        alice = issuer.headers(kind="citizen", sub="alice")
        bob = issuer.headers(kind="citizen", sub="bob")
        async with open_gateway(rate_limits=limits, signed_in=False) as gateway:
            answers = [await gateway.get("/api/v1/accounts", headers=h)
                       for h in (alice, bob, alice)]
            anonymous = await gateway.get("/api/v1/procedures")
        assert [r.status_code for r in answers[:2]] == [200, 200]
        assert_problem(answers[2], 429, "rate_limited")
        assert anonymous.status_code == 200  # no verified client: the IP limit applies


class TestGroups:
    """Which group a request falls in (pure logic)."""

    def test_method_bound_entries_and_longest_prefix(self) -> None:
        limiter = RateLimiter({
            "auth": LimitGroup(routes=["POST /oauth2/token", "POST /api/v1/citizens"]),
            "reads": LimitGroup(routes=["/api/v1/citizens/search"]),
        }, trusted=[])
        assert limiter.group_of("POST", "/oauth2/token") == "auth"
        assert limiter.group_of("GET", "/oauth2/token") == "default"
        assert limiter.group_of("POST", "/api/v1/citizens") == "auth"
        assert limiter.group_of("POST", "/api/v1/citizens/search") == "reads"
        assert limiter.group_of("POST", "/api/v1/citizensX") == "default"


class TestBodySize:
    async def test_a_declared_length_over_the_limit_never_reaches_the_service(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        path = "/api/v1/documents/declared-" + os.urandom(4).hex()
        async with open_gateway(max_body_bytes=1_000) as gateway:
            response = await gateway.post(path, content=chunks_of(b"x" * 5_000, size=1_000),
                                          headers={"Content-Length": "5000"})
        assert_problem(response, 413, "payload_too_large")
        assert ("POST", path) not in upstreams["docflow"].seen

    async def test_a_streamed_body_over_the_limit_never_reaches_the_service(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        path = "/api/v1/documents/streamed-" + os.urandom(4).hex()
        async with open_gateway(max_body_bytes=1_000) as gateway:
            response = await gateway.put(path, content=chunks_of(b"x" * 5_000, size=400))
        assert_problem(response, 413, "payload_too_large")
        assert ("PUT", path) not in upstreams["docflow"].seen

    async def test_upload_routes_take_larger_bodies_up_to_their_own_limit(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        upload = os.urandom(3_000)
        async with open_gateway(max_body_bytes=1_000, upload_max_bytes=4_000) as gateway:
            accepted = await gateway.post("/api/v1/dossiers/H1/attachments", content=upload)
            too_big = await gateway.post("/api/v1/dossiers/H2/attachments",
                                         content=upload + upload)
            elsewhere = await gateway.post("/api/v1/dossiers/H3/actions", content=upload)
        assert accepted.status_code == 200 and accepted.json()["body_length"] == 3_000
        assert_problem(too_big, 413, "payload_too_large")
        assert_problem(elsewhere, 413, "payload_too_large")
        assert ("POST", "/api/v1/dossiers/H2/attachments") not in upstreams["dossier"].seen

    def test_the_default_upload_limit_covers_the_services_own_limits(self) -> None:
        from gateway.settings import GatewaySettings

        settings = GatewaySettings()
        multipart_overhead = 64 * 1024
        assert settings.upload_max_bytes >= 10 * 1024 * 1024 + multipart_overhead
        assert settings.max_body_bytes >= 1_000_000

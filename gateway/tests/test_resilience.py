"""Timeouts per route, a bounded pool per service, retries and the circuit breaker, through
real HTTP: a gateway in process in front of real upstream servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx

from egov_testing import TestIssuer, eventually
from gateway.resilience import CircuitBreaker, CircuitOpen

from .conftest import ThreadedServer, upstream_app
from .test_proxy import assert_problem

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
HANG = "/api/v1/reports/slow?seconds=3"


class TestTimeoutPerRoute:
    async def test_a_hanging_route_gives_504_while_other_routes_answer(
        self, open_gateway: GatewayFactory
    ) -> None:
        finished: list[str] = []

        async def get(gateway: httpx.AsyncClient, name: str, path: str) -> httpx.Response:
            response = await gateway.get(path)
            finished.append(name)
            return response

        timeouts = {r"/api/v1/reports/slow": 0.5}
        async with open_gateway(route_timeouts=timeouts, upstream_timeout_seconds=5) as gateway:
            hanging = asyncio.create_task(get(gateway, "hanging", HANG))
            same_service = await get(gateway, "same_service", "/api/v1/reports/kpis")
            other_service = await get(gateway, "other_service", "/api/v1/dossiers")
            timed_out = await hanging
        assert same_service.status_code == 200 and other_service.status_code == 200
        assert finished[-1] == "hanging"
        body = assert_problem(timed_out, 504, "upstream_timeout")
        assert body["service"] == "reporting"

    async def test_a_route_with_a_longer_timeout_waits_for_its_answer(
        self, open_gateway: GatewayFactory
    ) -> None:
        timeouts = {r"/api/v1/reports/slow": 5.0}
        async with open_gateway(route_timeouts=timeouts, upstream_timeout_seconds=0.3) as gateway:
            slow = await gateway.get("/api/v1/reports/slow?seconds=0.6")
            other = await gateway.get("/api/v1/reports/slow-other")
        assert slow.status_code == 200 and slow.json() == {"status": "late"}
        assert other.status_code == 200

    async def test_a_hanging_service_cannot_take_the_whole_pool(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        reporting = upstreams["reporting"]

        def hanging_seen() -> int:
            return reporting.seen.count(("GET", "/api/v1/reports/slow"))

        before = hanging_seen()
        async with open_gateway(route_timeouts={r"/api/v1/reports/slow": 2.0},
                                upstream_pool_size=3, upstream_pool_per_service=2) as gateway:
            hanging = [asyncio.create_task(gateway.get(HANG)) for _ in range(3)]

            async def two_connections_held() -> bool:
                return hanging_seen() >= before + 2

            assert await eventually(two_connections_held)
            other = await gateway.get("/api/v1/dossiers")
            assert all(not task.done() for task in hanging)
            answers = await asyncio.gather(*hanging)
        assert other.status_code == 200
        for answer in answers:
            assert_problem(answer, 504, "upstream_timeout")


class TestServiceDown:
    async def test_a_closed_port_gives_503_problem(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(dossier_url=dead_url) as gateway:
            response = await gateway.post("/api/v1/dossiers", json={"procedure_code": "x"})
        body = assert_problem(response, 503, "upstream_unavailable")
        assert body["service"] == "dossier"
        assert "retry-after" in response.headers


class TestCircuitBreaker:
    async def test_the_breaker_opens_after_consecutive_failures_and_recovers(
        self, open_gateway: GatewayFactory, issuer: TestIssuer
    ) -> None:
        docflow = ThreadedServer(upstream_app("docflow", issuer))  # its port, not yet serving
        try:
            async with open_gateway(docflow_url=docflow.url, breaker_failures=2,
                                    breaker_reset_seconds=0.5, upstream_retries=0) as gateway:
                for _ in range(2):
                    assert_problem(await gateway.get("/api/v1/documents"), 503,
                                   "upstream_unavailable")
                docflow.start()
                refused = await gateway.get("/api/v1/documents/while-open")
                assert_problem(refused, 503, "upstream_unavailable")
                assert int(refused.headers["retry-after"]) >= 1
                assert ("GET", "/api/v1/documents/while-open") not in docflow.seen

                async def recovered() -> bool:
                    return (await gateway.get("/api/v1/documents")).status_code == 200

                assert await eventually(recovered)
                assert (await gateway.get("/api/v1/documents/after")).status_code == 200
        finally:
            docflow.stop()

    async def test_other_services_pass_while_one_breaker_is_open(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(docflow_url=dead_url, breaker_failures=1,
                                breaker_reset_seconds=60) as gateway:
            await gateway.get("/api/v1/documents")
            refused = await gateway.get("/api/v1/documents")
            other = await gateway.get("/api/v1/dossiers")
        assert_problem(refused, 503, "upstream_unavailable")
        assert other.status_code == 200


class TestBreakerStates:
    """The state machine alone (pure logic)."""

    def test_a_failed_probe_opens_it_again_and_a_good_one_closes_it(self) -> None:
        breaker = CircuitBreaker("docflow", failures=2, reset_seconds=0)
        breaker.failed()
        assert breaker.state == "closed"
        breaker.failed()
        assert breaker.state == "open"
        breaker.admit()  # cool-down over: this request is the probe
        assert breaker.state == "half_open"
        breaker.failed()
        assert breaker.state == "open"
        breaker.admit()
        breaker.succeeded()
        assert breaker.state == "closed" and breaker.failures == 0

    def test_only_one_probe_at_a_time(self) -> None:
        breaker = CircuitBreaker("docflow", failures=1, reset_seconds=0)
        breaker.failed()
        breaker.admit()
        try:
            breaker.admit()
        except CircuitOpen as refused:
            assert refused.retry_after >= 1
        else:
            raise AssertionError("a second request passed while the probe was out")

    def test_a_success_resets_the_count_of_failures(self) -> None:
        breaker = CircuitBreaker("docflow", failures=2, reset_seconds=60)
        breaker.failed()
        breaker.succeeded()
        breaker.failed()
        assert breaker.state == "closed"


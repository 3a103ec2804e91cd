"""Several replicas of a service (GATEWAY_UPSTREAM_REPLICAS): requests are spread over them,
a replica that is gone is skipped without the client noticing, readiness and the merged
OpenAPI document need only one replica, and a replica name that is no service is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager

import httpx
import pydantic
import pytest

from egov_testing import TestIssuer, free_port
from gateway.settings import GatewaySettings

from .conftest import ThreadedServer, upstream_app

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def second_docflow(issuer: TestIssuer) -> Iterator[ThreadedServer]:
    server = ThreadedServer(upstream_app("docflow", issuer))
    server.start()
    yield server
    server.stop()


def count(server: ThreadedServer, path: str) -> int:
    return server.seen.count(("POST", path))


class TestSpreading:
    async def test_requests_take_the_replicas_in_turn(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer],
        second_docflow: ThreadedServer,
    ) -> None:
        path = "/api/v1/documents/spread-in-turn"
        async with open_gateway(upstream_replicas={"docflow": [second_docflow.url]}) as gateway:
            answers = [await gateway.post(path, json={"n": i}) for i in range(10)]
        assert all(a.status_code == 200 for a in answers)
        assert count(upstreams["docflow"], path) == 5 and count(second_docflow, path) == 5

    async def test_a_replica_that_is_gone_is_skipped_and_nothing_fails(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer],
        dead_url: str,
    ) -> None:
        """Connection refused: the request never reached the dead replica, so even a POST
        goes to the next one at once."""
        path = "/api/v1/documents/replica-gone"
        async with open_gateway(docflow_url=dead_url,
                                upstream_replicas={"docflow": [upstreams["docflow"].url]},
                                breaker_failures=2) as gateway:
            answers = [await gateway.post(path, json={"n": i}) for i in range(10)]
            ready = await gateway.get("/readyz")
        assert [a.status_code for a in answers] == [200] * 10
        assert count(upstreams["docflow"], path) == 10
        assert ready.status_code == 200 and ready.json()["services"]["docflow"] == "ready"

    async def test_the_openapi_document_comes_from_a_replica_that_answers(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer],
        dead_url: str,
    ) -> None:
        async with open_gateway(dossier_url=dead_url,
                                upstream_replicas={"dossier": [upstreams["dossier"].url]}
                                ) as gateway:
            document = (await gateway.get("/openapi.json")).json()
        assert "/api/v1/dossiers/{code}" in document["paths"]
        assert "x-missing-services" not in document["info"]

    async def test_with_every_replica_gone_the_answer_is_503(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(docflow_url=dead_url,
                                upstream_replicas={"docflow": [f"http://127.0.0.1:{free_port()}"]}
                                ) as gateway:
            answer = await gateway.post("/api/v1/documents/all-gone", json={})
        assert answer.status_code == 503
        assert answer.json()["code"] == "upstream_unavailable"


class TestSettings:
    def test_replicas_of_an_unknown_service_are_refused(self) -> None:
        with pytest.raises(pydantic.ValidationError, match="no such service: payments"):
            GatewaySettings(upstream_replicas={"payments": ["http://127.0.0.1:9"]})

    def test_the_service_url_comes_first_and_duplicates_go(self) -> None:
        settings = GatewaySettings(dossier_url="http://a:1/", upstream_replicas={
            "dossier": ["http://b:1", "http://a:1"]})
        assert settings.upstream_replicas_of()["dossier"] == ("http://a:1", "http://b:1")

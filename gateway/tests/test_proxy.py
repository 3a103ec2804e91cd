"""The proxy through real HTTP: a gateway in process in front of real upstream servers."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest

from egov_testing import TestIssuer

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status
    assert "Traceback" not in response.text
    return body


async def chunks_of(data: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


class TestRouting:
    @pytest.mark.parametrize(("path", "service"), [
        ("/api/v1/citizens", "identity"),
        ("/.well-known/openid-configuration", "identity"),
        ("/api/v1/dossiers", "dossier"),
        ("/api/v1/procedures/1.001234", "dossier"),
        ("/api/v1/calendar/due-date", "dossier"),
        ("/api/v1/axis/packages", "docflow"),
        ("/api/v1/reports/kpis", "reporting"),
    ])
    async def test_a_routed_path_reaches_its_service(
        self, gateway: httpx.AsyncClient, path: str, service: str
    ) -> None:
        response = await gateway.get(path)
        assert response.status_code == 200
        assert response.json()["service"] == service
        assert response.json()["raw_path"] == path

    async def test_a_prefix_does_not_match_inside_a_segment(
        self, gateway: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        response = await gateway.get("/api/v1/dossiersX")
        assert_problem(response, 404, "not_found")
        assert ("GET", "/api/v1/dossiersX") not in upstreams["dossier"].seen

    async def test_an_unknown_path_is_a_404_problem(self, gateway: httpx.AsyncClient) -> None:
        body = assert_problem(await gateway.post("/api/v9/nothing", json={}), 404, "not_found")
        assert body["instance"] == "/api/v9/nothing"

    async def test_dot_segments_are_refused(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/api/v1/dossiers/%2E%2E/%2E%2E/internal/stats")
        assert_problem(response, 400, "bad_request")


class TestForwarding:
    async def test_method_path_query_and_body_reach_the_service_unchanged(
        self, gateway: httpx.AsyncClient
    ) -> None:
        path = "/api/v1/dossiers/H01%2F1/actions?q=Ngh%E1%BB%8B+%C4%91%E1%BB%8Bnh&x=1&x=2"
        body = '{"action": "receive", "reason": "đủ hồ sơ"}'.encode()
        response = await gateway.patch(path, content=body,
                                       headers={"Content-Type": "application/json"})
        echo = response.json()
        assert echo["method"] == "PATCH"
        assert echo["raw_path"] == "/api/v1/dossiers/H01%2F1/actions"
        assert echo["query"] == "q=Ngh%E1%BB%8B+%C4%91%E1%BB%8Bnh&x=1&x=2"
        assert echo["body"].encode("latin-1") == body
        assert echo["headers"]["content-type"] == ["application/json"]

    async def test_end_to_end_headers_pass_and_hop_by_hop_headers_do_not(
        self, gateway: httpx.AsyncClient, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        token = issuer.token()
        response = await gateway.get("/api/v1/accounts", headers={
            "Authorization": f"Bearer {token}", "Accept-Language": "vi",
            "Accept-Encoding": "identity",
            "Connection": "keep-alive, X-Hop-Secret", "X-Hop-Secret": "1", "Keep-Alive": "5",
            "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "evil.example",
        })
        seen = response.json()["headers"]
        assert seen["authorization"] == [f"Bearer {token}"]
        assert seen["accept-language"] == ["vi"]
        assert "x-hop-secret" not in seen and "keep-alive" not in seen
        assert seen["x-forwarded-for"] == ["203.0.113.7, 127.0.0.1"]
        assert seen["x-forwarded-proto"] == ["http"]
        assert seen["x-forwarded-host"] == ["testserver"]
        assert seen["host"] == [upstreams["identity"].url.removeprefix("http://")]
        assert seen["accept-encoding"] == ["identity"]  # the client's, not the proxy client's
        assert seen["user-agent"][0].startswith("python-httpx/")

    async def test_the_request_id_reaches_the_service_and_comes_back(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/api/v1/accounts", headers={"X-Request-ID": "req-42"})
        assert response.json()["headers"]["x-request-id"] == ["req-42"]
        assert response.headers.get_list("x-request-id") == ["req-42"]

    async def test_a_request_without_id_gets_one_shared_with_the_service(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/api/v1/accounts")
        assert response.json()["headers"]["x-request-id"] == [response.headers["x-request-id"]]

    async def test_the_service_continues_the_callers_trace(
        self, gateway: httpx.AsyncClient
    ) -> None:
        trace_id = os.urandom(16).hex()
        incoming = f"00-{trace_id}-{os.urandom(8).hex()}-01"
        response = await gateway.get("/api/v1/accounts", headers={"traceparent": incoming})
        (forwarded,) = response.json()["headers"]["traceparent"]
        assert re.fullmatch(f"00-{trace_id}-[0-9a-f]{{16}}-01", forwarded)
        assert forwarded != incoming
        assert response.headers.get_list("traceparent") == [forwarded]

    async def test_a_redirect_reaches_the_client_untouched(
        self, gateway: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        path = "/oauth2/authorize?client_id=egov-portal&response_type=code"
        async with httpx.AsyncClient() as direct:
            expected = await direct.get(upstreams["identity"].url + path)
        response = await gateway.get(path)
        assert response.status_code == 302
        assert response.headers["location"] == expected.headers["location"]

    async def test_large_bodies_stream_both_ways(self, gateway: httpx.AsyncClient) -> None:
        upload = os.urandom(3_000_000)
        response = await gateway.post("/api/v1/documents", content=chunks_of(upload),
                                      headers={"Content-Length": str(len(upload))})
        assert response.json()["body_sha256"] == hashlib.sha256(upload).hexdigest()
        download = await gateway.get("/api/v1/reports/big?chunks=40")
        assert download.status_code == 200
        assert len(download.content) == 40 * 65_536
        assert download.content == bytes(range(256)) * 256 * 40

    async def test_a_chunked_body_within_the_limit_is_forwarded(
        self, gateway: httpx.AsyncClient
    ) -> None:
        upload = os.urandom(200_000)
        response = await gateway.put("/api/v1/documents/7", content=chunks_of(upload))
        assert response.json()["body_sha256"] == hashlib.sha256(upload).hexdigest()

    async def test_one_clients_cookies_never_reach_another_client_request(
        self, gateway: httpx.AsyncClient
    ) -> None:
        first = await gateway.get("/api/v1/citizens/cookie")
        assert "sid=citizen-secret" in first.headers["set-cookie"]
        gateway.cookies.clear()  # the next caller is someone else
        second = await gateway.get("/api/v1/accounts")
        assert "cookie" not in second.json()["headers"]


class TestUpstreamFailures:
    async def test_a_service_that_is_down_gives_503(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(docflow_url=dead_url) as gateway:
            response = await gateway.get("/api/v1/documents")
        body = assert_problem(response, 503, "upstream_unavailable")
        assert body["service"] == "docflow"

    async def test_a_service_slower_than_the_timeout_gives_504(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(upstream_timeout_seconds=0.3) as gateway:
            response = await gateway.get("/api/v1/reports/slow?seconds=1.5")
        assert_problem(response, 504, "upstream_timeout")


class TestBodyLimit:
    async def test_a_declared_body_over_the_limit_is_413_and_never_forwarded(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any]
    ) -> None:
        async with open_gateway(max_body_bytes=1_000) as gateway:
            response = await gateway.post("/api/v1/dossiers/too-big", content=b"x" * 2_000)
        assert_problem(response, 413, "payload_too_large")
        assert ("POST", "/api/v1/dossiers/too-big") not in upstreams["dossier"].seen

    async def test_a_chunked_body_over_the_limit_is_413_and_never_forwarded(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any]
    ) -> None:
        async with open_gateway(max_body_bytes=1_000) as gateway:
            response = await gateway.post("/api/v1/dossiers/too-big-chunked",
                                          content=chunks_of(b"x" * 2_000, size=500))
        assert_problem(response, 413, "payload_too_large")
        assert ("POST", "/api/v1/dossiers/too-big-chunked") not in upstreams["dossier"].seen

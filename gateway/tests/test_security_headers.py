"""CORS allow-list (preflights answered by the gateway) and security headers on every answer."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx

from .conftest import ThreadedServer

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
PORTAL = "https://dichvucong.example.gov.vn"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"}


def assert_security_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class TestCors:
    async def test_a_preflight_from_an_allowed_origin_is_answered_by_the_gateway(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        path = "/api/v1/dossiers/preflight-allowed"
        async with open_gateway(cors_origins=[PORTAL]) as gateway:
            response = await gateway.options(path, headers={"Origin": PORTAL, **PREFLIGHT})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "idempotency-key" in response.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in response.headers
        assert ("OPTIONS", path) not in upstreams["dossier"].seen

    async def test_a_preflight_from_another_origin_is_refused(
        self, open_gateway: GatewayFactory, upstreams: dict[str, ThreadedServer]
    ) -> None:
        path = "/api/v1/dossiers/preflight-denied"
        async with open_gateway(cors_origins=[PORTAL]) as gateway:
            response = await gateway.options(
                path, headers={"Origin": "https://evil.example", **PREFLIGHT})
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
        assert ("OPTIONS", path) not in upstreams["dossier"].seen

    async def test_an_allowed_origin_can_read_the_answer_and_its_request_id(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(cors_origins=[PORTAL]) as gateway:
            allowed = await gateway.get("/api/v1/procedures", headers={"Origin": PORTAL})
            other = await gateway.get("/api/v1/procedures",
                                      headers={"Origin": "https://evil.example"})
        assert allowed.headers["access-control-allow-origin"] == PORTAL
        assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
        assert "access-control-allow-origin" not in other.headers

    async def test_no_origin_is_allowed_by_default(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.options("/api/v1/procedures",
                                         headers={"Origin": PORTAL, **PREFLIGHT})
        assert response.status_code == 400


class TestSecurityHeaders:
    async def test_proxied_answers_carry_them(self, gateway: httpx.AsyncClient) -> None:
        assert_security_headers(await gateway.get("/api/v1/procedures"))

    async def test_the_gateways_own_answers_and_refusals_carry_them(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(max_body_bytes=10, signed_in=False) as gateway:
            answers = [await gateway.get("/healthz"), await gateway.get("/api/v9/none"),
                       await gateway.get("/api/v1/accounts"),
                       await gateway.post("/api/v1/citizens", content=b"x" * 100)]
        assert [r.status_code for r in answers] == [200, 404, 401, 413]
        for response in answers:
            assert_security_headers(response)

    async def test_the_docs_page_gets_a_strict_content_security_policy(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/docs")
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "https://cdn.jsdelivr.net" in policy  # Swagger UI's assets, nothing else

    async def test_hsts_only_when_configured_for_tls(self, open_gateway: GatewayFactory) -> None:
        async with open_gateway() as gateway:
            plain = await gateway.get("/healthz")
        async with open_gateway(hsts="always") as gateway:
            behind_tls = await gateway.get("/healthz")
        assert "strict-transport-security" not in plain.headers
        assert behind_tls.headers["strict-transport-security"].startswith("max-age=31536000")

    async def test_hsts_follows_the_scheme_in_auto_mode(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway() as gateway:
            gateway.base_url = httpx.URL("https://testserver")
            response = await gateway.get("/healthz")
        assert "max-age=" in response.headers["strict-transport-security"]

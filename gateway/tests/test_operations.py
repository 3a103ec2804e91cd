"""The gateway's own endpoints: liveness, readiness of the services, metrics, merged OpenAPI."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


class TestHealth:
    async def test_liveness_needs_no_service(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(identity_url=dead_url, dossier_url=dead_url) as gateway:
            response = await gateway.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_ready_when_every_service_is_ready(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "services": {
            "identity": "ready", "dossier": "ready", "docflow": "ready", "reporting": "ready",
        }}

    async def test_not_ready_names_the_service_that_is_down(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(docflow_url=dead_url) as gateway:
            response = await gateway.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "not_ready"
        assert body["not_ready"] == ["docflow"]
        assert body["services"]["docflow"] == "unreachable"
        assert body["services"]["identity"] == "ready"

    async def test_not_ready_when_a_service_reports_itself_not_ready(
        self, gateway: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        upstreams["reporting"].app.state.ready = False
        try:
            response = await gateway.get("/readyz")
        finally:
            upstreams["reporting"].app.state.ready = True
        assert response.status_code == 503
        assert response.json()["services"]["reporting"] == "not_ready"


class TestOpenApi:
    async def test_one_document_holds_the_paths_of_every_service(
        self, gateway: httpx.AsyncClient
    ) -> None:
        document = (await gateway.get("/openapi.json")).json()
        assert document["openapi"].startswith("3.1")
        assert {"/api/v1/me", "/api/v1/agencies", "/api/v1/dossiers/{code}", "/readyz"} <= set(
            document["paths"]
        )
        assert {"Me", "Dossier"} <= set(document["components"]["schemas"])
        assert "x-missing-services" not in document["info"]

    async def test_every_relayed_operation_documents_the_rate_limit(
        self, gateway: httpx.AsyncClient
    ) -> None:
        # Found by the fuzzer: the gateway's 429 was in no service's document.
        document = (await gateway.get("/openapi.json")).json()
        for path in ("/api/v1/me", "/api/v1/dossiers/{code}"):
            refused = document["paths"][path]["get"]["responses"]["429"]
            assert "application/problem+json" in refused["content"]
            assert "Retry-After" in refused["headers"]

    async def test_paths_the_gateway_does_not_route_are_left_out(
        self, gateway: httpx.AsyncClient
    ) -> None:
        document = (await gateway.get("/openapi.json")).json()
        assert "/internal/stats" not in document["paths"]
        assert "/metrics" not in document["paths"] and "/docs" not in document["paths"]

    async def test_a_schema_name_two_services_define_differently_is_kept_apart(
        self, gateway: httpx.AsyncClient
    ) -> None:
        document = (await gateway.get("/openapi.json")).json()
        schemas = document["components"]["schemas"]
        assert set(schemas["Agency"]["properties"]) == {"id", "name"}
        assert set(schemas["DossierAgency"]["properties"]) == {"id", "code"}
        dossier_agency = schemas["Dossier"]["properties"]["agency"]
        assert dossier_agency["$ref"] == "#/components/schemas/DossierAgency"

    async def test_a_service_that_is_down_is_left_out(
        self, open_gateway: GatewayFactory, dead_url: str
    ) -> None:
        async with open_gateway(dossier_url=dead_url) as gateway:
            response = await gateway.get("/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert "/api/v1/me" in document["paths"]
        assert "/api/v1/dossiers/{code}" not in document["paths"]
        assert document["info"]["x-missing-services"] == ["dossier"]

    async def test_the_document_is_cached(
        self, gateway: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        def fetches() -> int:
            return upstreams["identity"].seen.count(("GET", "/openapi.json"))

        await gateway.get("/openapi.json")
        before = fetches()
        await gateway.get("/openapi.json")
        assert fetches() == before

    async def test_the_docs_page_shows_the_merged_document(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/docs")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "/openapi.json" in response.text


class TestMetrics:
    async def test_proxied_requests_are_counted_per_route_prefix(
        self, gateway: httpx.AsyncClient
    ) -> None:
        await gateway.get("/api/v1/reports/kpis?agency=H01")
        response = await gateway.get("/metrics")
        assert response.status_code == 200
        # Other apps of the same test process share the registry: look at the gateway's lines.
        lines = [x for x in response.text.splitlines() if 'service="gateway"' in x]
        assert any('route="/api/v1/reports/*"' in x for x in lines)
        assert not any("/api/v1/reports/kpis" in x for x in lines)

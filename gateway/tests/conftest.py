"""Real upstream services for the gateway's tests: small FastAPI apps served by uvicorn on free
ports in background threads (real HTTP between gateway and service), and the gateway itself
run in process with its lifespan. The identity stand-in serves the JWKS of the test issuers
(``app.state.issuers``), so the gateway verifies real signatures; gateway clients carry a
citizen's valid token unless opened with ``signed_in=False``."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel


def _restore_gateway_package() -> None:
    """Under ``--import-mode=importlib`` pytest names this file ``gateway.tests.conftest`` (its
    path from the repo root) and registers the directory ``gateway/`` as an empty namespace
    module ``gateway``, hiding the real package in ``gateway/src``. Put the real one back before
    anything imports from it."""
    stand_in = sys.modules.get("gateway")
    if stand_in is not None and getattr(stand_in, "__file__", None) is None:
        del sys.modules["gateway"]
        importlib.import_module("gateway")


_restore_gateway_package()

from egov_testing import AUDIENCE, ISSUER, TestIssuer, free_port  # noqa: E402
from gateway.main import create_app  # noqa: E402
from gateway.settings import GatewaySettings  # noqa: E402

SERVICES = ("identity", "dossier", "docflow", "reporting")
AUTHORIZE_LOCATION = "http://127.0.0.1:8000/callback?code=abc&state=x%2Fy%20z"
PATTERN = bytes(range(256)) * 256  # 64 KiB, so a corrupted stream cannot pass unnoticed


class ThreadedServer:
    """One uvicorn server in a daemon thread; ``seen`` records every request it received."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def seen(self) -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = self.app.state.seen
        return seen

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("upstream test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Me(BaseModel):
    id_number: str


class Agency(BaseModel):
    id: str
    name: str


class DossierModels:
    """svc-dossier's models: its ``Agency`` has the name of identity's, with another shape."""

    class Agency(BaseModel):
        id: str
        code: str

    class Dossier(BaseModel):
        code: str
        agency: DossierModels.Agency


def upstream_app(name: str, issuer: TestIssuer) -> FastAPI:
    """A stand-in for one service: a few typed endpoints for its OpenAPI document, the special
    behaviours under test, and an echo of everything else."""
    app = FastAPI(title=f"svc-{name}")
    app.state.seen = []
    app.state.ready = True
    app.state.issuers = [issuer]

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        app.state.seen.append((request.method, request.url.path))
        response: Response = await call_next(request)
        return response

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        return JSONResponse({"status": "ready"}, status_code=200 if app.state.ready else 503)

    _add_typed_routes(app, name)
    _add_special_routes(app)
    _add_jwks(app)
    _add_echo(app, name)
    return app


def _add_typed_routes(app: FastAPI, name: str) -> None:
    if name == "identity":
        @app.get("/api/v1/me")
        async def me() -> Me:
            return Me(id_number="001099000001")

        @app.get("/api/v1/agencies")
        async def agencies() -> list[Agency]:
            return []

        @app.get("/internal/stats")  # published by the service, not routed by the gateway
        async def stats() -> dict[str, int]:
            return {}
    elif name == "dossier":
        @app.get("/api/v1/dossiers/{code}")
        async def dossier(code: str) -> DossierModels.Dossier:
            agency = DossierModels.Agency(id="x", code="y")
            return DossierModels.Dossier(code=code, agency=agency)


def _add_special_routes(app: FastAPI) -> None:
    @app.get("/oauth2/authorize", include_in_schema=False)
    async def authorize() -> RedirectResponse:
        return RedirectResponse(AUTHORIZE_LOCATION, status_code=302)

    @app.get("/api/v1/reports/slow", include_in_schema=False)
    async def slow(seconds: float) -> dict[str, str]:
        await asyncio.sleep(seconds)
        return {"status": "late"}

    @app.get("/api/v1/reports/big", include_in_schema=False)
    async def big(chunks: int) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(chunks):
                yield PATTERN

        return StreamingResponse(body(), media_type="application/octet-stream")

    @app.get("/api/v1/citizens/cookie", include_in_schema=False)
    async def cookie() -> JSONResponse:
        response = JSONResponse({"status": "ok"})
        response.set_cookie("sid", "citizen-secret")
        return response


def _add_jwks(app: FastAPI) -> None:
    @app.get("/.well-known/jwks.json", include_in_schema=False)
    async def jwks() -> dict[str, Any]:
        """Every key of the current issuers: append one to rotate."""
        return {"keys": [key for issuer in app.state.issuers
                         for key in (await issuer.jwks())["keys"]]}


def _add_echo(app: FastAPI, name: str) -> None:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    @app.api_route("/{path:path}", methods=methods, include_in_schema=False)
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        headers: dict[str, list[str]] = {}
        for key, value in request.headers.items():
            headers.setdefault(key, []).append(value)
        return {
            "service": name, "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(), "headers": headers,
            "body": body.decode("latin-1") if len(body) < 10_000 else None,
            "body_length": len(body), "body_sha256": hashlib.sha256(body).hexdigest(),
        }


@pytest.fixture(scope="session")
def upstreams(issuer: TestIssuer) -> Iterator[dict[str, ThreadedServer]]:
    servers = {name: ThreadedServer(upstream_app(name, issuer)) for name in SERVICES}
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens: connection refused."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def make_settings(upstreams: dict[str, ThreadedServer]) -> Callable[..., GatewaySettings]:
    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {f"{name}_url": server.url for name, server in upstreams.items()}
        values.update(upstream_timeout_seconds=5.0, max_body_bytes=4_000_000,
                      openapi_cache_seconds=30.0, log_json=False, log_level="WARNING",
                      token_issuer=ISSUER, token_audience=AUDIENCE)
        values.update(overrides)
        return GatewaySettings(**values)

    return make


GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def open_gateway(
    make_settings: Callable[..., GatewaySettings], issuer: TestIssuer
) -> GatewayFactory:
    """``async with open_gateway(**settings) as client``: a gateway with its lifespan running;
    the client sends a citizen's valid access token unless ``signed_in=False``."""

    @asynccontextmanager
    async def open_(*, signed_in: bool = True, **overrides: Any
                    ) -> AsyncIterator[httpx.AsyncClient]:
        # Not egov_testing.serve_in_process: it waits for /readyz, which a gateway with an
        # upstream down (as several tests want) never reaches.
        app = create_app(make_settings(**overrides))
        headers = issuer.headers(kind="citizen") if signed_in else {}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                         headers=headers) as c:
                yield c

    return open_


@pytest.fixture
async def gateway(open_gateway: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with open_gateway() as client:
        yield client

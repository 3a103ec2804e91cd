"""The gateway app: own endpoints (health, readiness, metrics, merged OpenAPI, docs) and an
ASGI-level proxy for every routed path. No database, no NATS: hence not create_service_app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.middleware.cors import CORSMiddleware

from egov_shared.app import RequestGuardMiddleware, refuse_repeated_query
from egov_shared.errors import (
    ServiceUnavailable,
    install_error_handlers,
    problem,
    problem_responses,
)
from egov_shared.observability import RequestContextMiddleware, configure_logging, metrics_endpoint
from gateway import access
from gateway.asyncapi import asyncapi_document
from gateway.auth import build_guard
from gateway.events import EventReader, events_router
from gateway.openapi import OpenApiAggregator
from gateway.portal import portal_router
from gateway.proxy import ProxyMiddleware
from gateway.ratelimit import RateLimiter
from gateway.readiness import READY, check_upstreams
from gateway.resilience import build_resilience
from gateway.routes import RouteTable
from gateway.security import SecurityHeadersMiddleware, cors_options
from gateway.settings import GatewaySettings
from gateway.upstreams import UpstreamClient

TITLE = "Cổng dịch vụ công tỉnh (provincial e-government API)"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    client = UpstreamClient(settings)
    routes = RouteTable.from_urls(settings.upstream_urls())
    guard = build_guard(settings, client, access.AccessTable(access.ACCESS_RULES))
    event_reader = EventReader(settings.nats_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await client.start()
        try:
            yield
        finally:
            await event_reader.close()
            await client.close()

    # FastAPI's own /docs and /openapi.json would describe the gateway alone: off, replaced
    # by the merged document below.
    app = FastAPI(title=TITLE, version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(refuse_repeated_query)])
    app.state.settings = settings
    app.state.upstreams = client
    app.state.token_verifier = guard.verifier  # the gateway's own partner endpoints
    app.state.event_reader = event_reader
    # One limiter for the proxied routes and the gateway's own partner endpoints.
    limiter = app.state.limiter = RateLimiter(settings.rate_limits, settings.trusted_proxies)
    app.state.openapi = OpenApiAggregator(
        client, routes, settings.upstream_replicas_of(), base=lambda: app.openapi(),
        ttl_seconds=settings.openapi_cache_seconds,
        timeout_seconds=settings.ready_timeout_seconds,
    )
    install_error_handlers(app)
    # Added innermost first: security headers → request context → CORS → body limit → proxy
    # (IP limit, access rule and token, client limit, then forward) → the gateway's own routes.
    app.add_middleware(ProxyMiddleware, routes=routes, guard=guard,
                       resilience=build_resilience(settings, client),
                       limiter=limiter)
    app.add_middleware(RequestGuardMiddleware, max_bytes=settings.max_body_bytes,
                       uploads=settings.upload_paths, upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(CORSMiddleware, **cors_options(settings))  # preflights end here
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.hsts,
                       hsts_max_age=settings.hsts_max_age_seconds)
    app.include_router(operations_router())
    app.include_router(events_router())
    app.include_router(portal_router())
    return app


def operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the gateway process answers (says nothing about the services)."""
        return {"status": "ok"}

    @router.get("/readyz", responses=problem_responses(ServiceUnavailable))
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: every service answers its own ``/readyz`` (database and NATS)."""
        settings: GatewaySettings = request.app.state.settings
        services = await check_upstreams(
            request.app.state.upstreams, settings.upstream_replicas_of(),
            settings.ready_timeout_seconds
        )
        if all(state == READY for state in services.values()):
            return JSONResponse({"status": "ready", "services": services})
        not_ready = sorted(name for name, state in services.items() if state != READY)
        return problem(503, "not_ready", "Not ready",
                       "Not ready: " + ", ".join(not_ready) + ".", request,
                       services=services, not_ready=not_ready)

    router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        """The whole public API: the services' documents merged (cached briefly)."""
        return JSONResponse(await request.app.state.openapi.document())

    @router.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        """Every event type and subject (AsyncAPI 3.0), public; fixed for the process."""
        return JSONResponse(asyncapi_document(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    return router

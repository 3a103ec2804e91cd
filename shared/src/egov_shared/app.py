"""The service runtime: one place where a service's database, NATS connection, outbox relay,
consumers, token verifier and HTTP plumbing are wired together."""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from egov_shared.auth import JwksFetcher, TokenVerifier, http_jwks_fetcher
from egov_shared.background import Repeating
from egov_shared.db import create_engine, create_sessionmaker, warm_pool
from egov_shared.errors import (
    ValidationFailed,
    document_framework_errors,
    install_error_handlers,
    problem,
)
from egov_shared.messaging.bus import EventBus
from egov_shared.messaging.consumer import ConsumerRunner, Subscription
from egov_shared.messaging.outbox import PENDING_FLAG, Outbox, OutboxRelay
from egov_shared.messaging.tables import MessagingTables
from egov_shared.migrations import upgrade_to_head
from egov_shared.observability import RequestContextMiddleware, configure_logging, metrics_endpoint
from egov_shared.settings import ServiceSettings

log = structlog.get_logger("egov.app")


class ServiceRuntime:
    """Everything a running service holds; reachable as ``request.app.state.runtime``."""

    def __init__(
        self,
        settings: ServiceSettings,
        messaging: MessagingTables,
        subscriptions: Sequence[Subscription] = (),
        jwks_fetcher: JwksFetcher | None = None,
    ) -> None:
        self.settings = settings
        self.engine: AsyncEngine = create_engine(
            settings.database_url, echo=settings.database_echo,
            pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow)
        self.sessionmaker: async_sessionmaker[AsyncSession] = create_sessionmaker(self.engine)
        self.bus = EventBus(settings.nats_url, name=settings.service_name,
                            stream_replicas=settings.nats_stream_replicas)
        self.outbox = Outbox(messaging.outbox, source=f"/{settings.service_name}",
                             payloads=messaging.payloads)
        self.relay = OutboxRelay(
            self.sessionmaker, messaging.outbox, self.bus, payloads=messaging.payloads,
            batch_size=settings.relay_batch_size, poll_seconds=settings.relay_poll_seconds,
            retention=timedelta(hours=settings.outbox_retention_hours),
        )
        self.consumers = ConsumerRunner(
            self.sessionmaker, messaging.inbox, self.bus, list(subscriptions),
            max_deliver=settings.consumer_max_deliver,
            ack_wait_seconds=settings.consumer_ack_wait_seconds,
        )
        fetcher = jwks_fetcher or http_jwks_fetcher(
            settings.identity_url.rstrip("/") + "/.well-known/jwks.json"
        )
        self.verifier = TokenVerifier(
            fetcher, issuer=settings.token_issuer, audience=settings.token_audience
        )

    def start_background(self, *jobs: Repeating) -> None:
        """Starts the service's own background jobs, in a process that runs background work
        (``ROLE`` ``all`` or ``worker``); their owner stops them (stopping one that never
        started does nothing)."""
        if self.settings.background:
            for job in jobs:
                job.start()

    async def database_ready(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True


StartupHook = Callable[[ServiceRuntime], Awaitable[None]]


@asynccontextmanager
async def unit_of_work(runtime: ServiceRuntime) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block ends, or rolls back; then wakes the outbox relay
    if the block added events. For work outside a request's own unit (e.g. a step committed
    before a slow remote call)."""
    async with runtime.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        if session.info.pop(PENDING_FLAG, False):
            runtime.relay.wake()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Unit of work for one request: commits before the response is sent, or rolls back."""
    async with unit_of_work(request.app.state.runtime) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def refuse_repeated_query(request: Request) -> None:
    """422 ``repeated_query_parameter`` when a query parameter the operation takes as one value
    comes more than once (``?action=a&action=b``): the framework would silently keep the last,
    and a filter the caller did not mean would apply. Operations that parse their query
    themselves (the OIDC endpoints, RFC 6749 §3.1) declare none and keep their own rule."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.url.query:
        return
    single = getattr(route, "_egov_single_valued", None)
    if single is None:  # worked out once per route, not on every request
        single = _single_valued(dependant)
        route._egov_single_valued = single  # type: ignore[union-attr]
    seen: set[str] = set()
    for name, _value in request.query_params.multi_items():
        if name in single and name in seen:
            raise ValidationFailed(f"Tham số {name} chỉ được gửi một lần.",
                                   code="repeated_query_parameter", extra={"parameter": name})
        seen.add(name)


def _single_valued(dependant: Any) -> frozenset[str]:
    """The query parameters an operation (and its dependencies) takes as one value each."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        names.update(param.alias for param in current.query_params
                     if not _is_sequence(param.field_info.annotation))
        pending.extend(current.dependencies)
    return frozenset(names)


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation))
    return origin in (list, set, tuple, frozenset) or annotation in (list, set, tuple, frozenset)


class RequestGuardMiddleware:
    """Refuse, before any handler runs: bodies over the limit (413), and NUL characters in the
    path, the query string or a JSON body (422): PostgreSQL cannot store them in text, so they
    would otherwise surface as a server error deep in a query."""

    def __init__(self, app: ASGIApp, max_bytes: int, *, uploads: Sequence[str] = (),
                 upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Streamed file uploads (``POST`` to a path matching ``uploads``) enforce their own,
        # larger limits while they stream; the guard only stops them at ``upload_max_bytes``.
        self.uploads = re.compile("|".join(f"(?:{p})" for p in uploads)) if uploads else None
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (self.uploads is not None and scope.get("method") == "POST"
                and self.uploads.fullmatch(scope["path"])):
            await self._guard(scope, receive, send, self.upload_max_bytes)
        else:
            await self._guard(scope, receive, send, self.max_bytes)

    async def _guard(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _refuse(413, scope, receive, send, limit)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await _refuse(422, scope, receive, send, limit)
            return
        is_json = b"json" in headers.get(b"content-type", b"")
        received, tail = 0, b""
        refused: int | None = None

        async def guarded_receive() -> Message:
            nonlocal received, tail, refused
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    refused = 413
                elif is_json and b"\\u0000" in tail + chunk:
                    refused = 422
                if refused:
                    raise _Refused(refused)
                tail = chunk[-5:]
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may turn our exception into its own error response: answer ours.
            if refused is None:
                await send(message)
            elif message["type"] == "http.response.start":
                await _refuse(refused, scope, receive, send, limit)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except _Refused as exc:
            await _refuse(exc.status, scope, receive, send, limit)


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def _refuse(status: int, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    if status == 413:
        response = problem(413, "payload_too_large", "Request body too large",
                           f"The body exceeds {limit} bytes.")
    else:
        response = problem(422, "nul_character", "Validation failed",
                           "The request contains a NUL character, which no field accepts.")
    await response(scope, receive, send)


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    metadata: MetaData,
    messaging: MessagingTables,
    migrations_dir: Path,
    routers: Sequence[APIRouter],
    subscriptions: Sequence[Subscription] = (),
    on_startup: Sequence[StartupHook] = (),
    jwks_fetcher: JwksFetcher | None = None,
    uploads: Sequence[str] = (),
    upload_max_bytes: int | None = None,
) -> FastAPI:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(settings, messaging, subscriptions, jwks_fetcher)
        app.state.runtime = runtime
        if settings.auto_migrate:
            await upgrade_to_head(runtime.engine, migrations_dir)
        for hook in on_startup:
            await hook(runtime)
        await warm_pool(runtime.engine, settings.database_pool_size)
        runtime.bus.start()
        runtime.relay.start()
        if settings.background:
            runtime.consumers.start()
        log.info("service_started", port=settings.port, role=settings.role)
        try:
            yield
        finally:
            await runtime.consumers.stop()
            await runtime.relay.stop()
            await runtime.bus.close()
            await runtime.engine.dispose()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  dependencies=[Depends(refuse_repeated_query)])
    install_error_handlers(app)
    framework_openapi = app.openapi
    app.openapi = lambda: document_framework_errors(framework_openapi())  # type: ignore[method-assign]
    app.add_middleware(RequestGuardMiddleware, max_bytes=settings.max_body_bytes,
                       uploads=uploads, upload_max_bytes=upload_max_bytes)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.include_router(health_router(), include_in_schema=False)
    for router in routers:
        app.include_router(router)
    return app


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers and NATS is connected."""
        runtime: ServiceRuntime = request.app.state.runtime
        checks = {
            "database": await runtime.database_ready(),
            "nats": runtime.bus.is_connected,
        }
        if all(checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem(503, "not_ready", "Not ready", "A dependency is not reachable.",
                       request, checks=checks)

    router.add_api_route("/metrics", metrics_endpoint, methods=["GET"])
    return router


def run_service(app: FastAPI | None, settings: ServiceSettings, *,
                factory: str | None = None) -> None:
    """Entry point of ``python -m <service>``: uvicorn on the configured port, with
    ``settings.workers`` processes when the service names its app ``factory``
    (``"pkg.main:create_app"``; each worker builds its own app from the environment).

    With several workers and role ``all``, the workers serve the API (role ``api``) and one
    more process, kept running, does the background work (role ``worker``, on a port of its
    own): a consumer's or a job's batch then never holds up a request's event loop."""
    import uvicorn

    if factory is not None and settings.workers > 1:
        background = None
        if settings.role == "all":
            prefix = str(settings.model_config.get("env_prefix", ""))
            background = BackgroundProcess(factory.split(".", 1)[0], prefix)
            background.start()
            os.environ[prefix + "ROLE"] = "api"  # the workers' environment
        try:
            uvicorn.run(factory, factory=True, workers=settings.workers, host=settings.host,
                        port=settings.port, log_config=None, access_log=False,
                        proxy_headers=False)
        finally:
            if background is not None:
                background.stop()
        return
    if app is None:
        raise ValueError("run_service needs the app, or a factory with workers > 1")
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None,
                access_log=False, proxy_headers=False)


def _end_with_parent() -> None:
    """Linux: the background process is sent SIGTERM when the process that started it dies,
    even by SIGKILL (it would otherwise go on consuming events on its own)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1


class BackgroundProcess:
    """``python -m <module>`` as the role ``worker`` (one process, any free port), started
    again a second after it ends until ``stop``."""

    def __init__(self, module: str, prefix: str) -> None:
        self.argv = [sys.executable, "-m", module]
        self.env = {**os.environ, prefix + "ROLE": "worker", prefix + "WORKERS": "1",
                    prefix + "PORT": "0"}
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._keep_running, name="background",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _keep_running(self) -> None:
        while not self._stopping.is_set():
            self._proc = subprocess.Popen(self.argv, env=self.env,  # noqa: S603
                                          preexec_fn=_end_with_parent)
            code = self._proc.wait()
            if not self._stopping.is_set():
                log.error("background_process_ended", exit_code=code, restart_in=1)
                self._stopping.wait(1.0)

    def stop(self) -> None:
        self._stopping.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self._thread.join(5)

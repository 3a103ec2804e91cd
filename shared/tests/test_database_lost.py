"""A database connection dropped under a running service (a PostgreSQL restart, a failover):
the request that meets it gets a 503 problem it can retry, and the next one is served."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from egov_shared.db import create_engine, create_sessionmaker
from egov_shared.errors import install_error_handlers
from egov_testing import PG_HOST, PG_PORT, Databases


@pytest.fixture
async def client(databases: Databases) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    if not databases.postgres:
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 (SQLite has no server to lose)")
    url = databases.new_url("lost")
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/now")
    async def now() -> dict[str, str]:
        async with sessionmaker() as session:
            return {"now": str((await session.execute(text("SELECT now()"))).scalar_one())}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http, url.rsplit("/", 1)[1]
    await engine.dispose()


async def test_dropped_connection_is_a_503_and_the_next_request_is_served(
    client: tuple[httpx.AsyncClient, str],
) -> None:
    http, db = client
    assert (await http.get("/now")).status_code == 200
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres",
                                  database="postgres")
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", db)
    finally:
        await admin.close()
    assert killed >= 1
    lost = await http.get("/now")
    assert lost.status_code == 503
    assert lost.headers["content-type"].startswith("application/problem+json")
    assert lost.json()["code"] == "database_unavailable" and lost.headers["Retry-After"] == "1"
    assert (await http.get("/now")).status_code == 200

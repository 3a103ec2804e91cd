"""Alembic glue: each service's ``migrations/env.py`` calls :func:`run_env`; start-up calls
:func:`upgrade_to_head` so that tests and ``make run`` build every schema by running migrations."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from egov_shared.db import create_engine


def _configure_and_run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_env(metadata: MetaData, database_url: Callable[[], str]) -> None:
    """Body of a service's ``env.py``: online mode only (we always have a database)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection, metadata)
        return

    async def _run() -> None:
        engine = create_engine(database_url())
        async with engine.begin() as conn:
            await conn.run_sync(_configure_and_run, metadata)
        await engine.dispose()

    asyncio.run(_run())


def _upgrade(connection: Connection, script_location: str) -> None:
    if connection.dialect.name == "postgresql":
        # Several replicas may start together: one migrates, the others wait for it.
        lock_id = zlib.crc32(script_location.encode())
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade_to_head(engine: AsyncEngine, script_location: Path) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, str(script_location))


def migrate(database_url: str, script_location: Path) -> None:
    """``python -m <service> migrate``: the service's schema to head, then exit. Deployments
    run it once before the new version's processes start (the compose ``migrate`` step, the
    Kubernetes Job) and set ``<PREFIX>AUTO_MIGRATE=false`` on the services."""

    async def _run() -> None:
        engine = create_engine(database_url)
        try:
            await upgrade_to_head(engine, script_location)
        finally:
            await engine.dispose()

    asyncio.run(_run())

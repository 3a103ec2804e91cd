"""Async SQLAlchemy engines and sessions (SQLite with WAL, PostgreSQL); the naming convention."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, Table, event, false, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY, not a BIGINT one.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_base(metadata: MetaData) -> type[DeclarativeBase]:
    class _Base(DeclarativeBase):
        pass

    _Base.metadata = metadata
    return _Base


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL + NORMAL: ~30x the commit rate of the default journal; foreign keys are off by default.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def create_engine(url: str, *, echo: bool = False, pool_size: int = 10,
                  max_overflow: int = 0) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip per checkout (6 % of svc-dossier's CPU under load).
    # A connection the server dropped fails its one request (503 ``database_unavailable``)
    # and SQLAlchemy then recycles every connection older than the failure.
    # Overflow connections are closed as soon as they are returned: under a burst they were
    # opened and closed by the hundred (a PostgreSQL backend each), which turned a burst into
    # seconds of latency. A fixed pool makes requests wait for a connection instead.
    # JIT off: asyncpg's type introspection on each new connection took a hundred
    # milliseconds and more with PostgreSQL's JIT on; these services run short OLTP queries.
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow,
                               connect_args={"server_settings": {"jit": "off"}})


async def warm_pool(engine: AsyncEngine, connections: int) -> None:
    """Opens ``connections`` pooled connections at once (PostgreSQL): the first requests of a
    burst then find them open instead of each paying for a new backend."""
    if engine.dialect.name != "postgresql":
        return
    held = [await engine.connect() for _ in range(connections)]
    for conn in held:
        await conn.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's ``insert`` construct: both PostgreSQL's and SQLite's have
    ``on_conflict_do_nothing`` / ``on_conflict_do_update`` (portable upserts)."""
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


async def take_sqlite_write_lock(session: AsyncSession, table: Table) -> None:
    """SQLite has no row locks, and its driver reads outside a transaction until the first
    write: a write that changes nothing (on ``table``) takes the database's one write lock now,
    so that what is read next is the latest and stays so until commit."""
    column = next(iter(table.primary_key.columns))
    await session.execute(update(table).where(false()).values({column.name: column}))

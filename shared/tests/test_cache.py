"""ReadCache: reference data kept a few seconds per process, cleared by a write through the
process once it commits, never shared between databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.cache import ReadCache
from egov_shared.db import create_engine, create_sessionmaker
from egov_testing import Databases

metadata = MetaData()
setting = Table("setting", metadata, Column("id", Integer, primary_key=True),
                Column("value", Integer, nullable=False))


async def _sessions(url: str) -> async_sessionmaker[AsyncSession]:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(setting).values(id=1, value=1))
    return create_sessionmaker(engine)


@pytest.fixture
async def two(databases: Databases) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession],
                                                           async_sessionmaker[AsyncSession]]]:
    first = await _sessions(databases.new_url("c1"))
    second = await _sessions(databases.new_url("c2"))
    yield first, second
    for maker in (first, second):
        bind = maker.kw["bind"]
        await bind.dispose()


async def _read(cache: ReadCache, session: AsyncSession) -> int:
    async def load() -> int:
        return int((await session.execute(select(setting.c.value))).scalar_one())
    value: int = await cache.get(session, "value", load)
    return value


async def _write(cache: ReadCache, session: AsyncSession, value: int) -> None:
    cache.clear_on_commit(session)
    await session.execute(update(setting).values(value=value))


async def test_a_write_through_the_process_is_seen_once_committed(two: tuple) -> None:
    sessions, _ = two
    cache = ReadCache("t", ttl=60)
    async with sessions() as s:
        assert await _read(cache, s) == 1
    async with sessions() as writer, writer.begin():
        await _write(cache, writer, 2)
        async with sessions() as reader:  # before the commit: the old value, not kept
            assert await _read(cache, reader) == 1
    async with sessions() as s:
        assert await _read(cache, s) == 2


async def test_a_change_made_elsewhere_waits_for_the_lifetime_and_0_turns_it_off(
    two: tuple,
) -> None:
    sessions, _ = two
    cache = ReadCache("t", ttl=60)
    async with sessions() as s:
        assert await _read(cache, s) == 1
    async with sessions() as s, s.begin():  # another process's write: no clearing here
        await s.execute(update(setting).values(value=3))
    async with sessions() as s:
        assert await _read(cache, s) == 1
    cache.configure(0)
    async with sessions() as s:
        assert await _read(cache, s) == 3


async def test_databases_are_kept_apart(two: tuple) -> None:
    first, second = two
    cache = ReadCache("t", ttl=60)
    async with second() as s, s.begin():
        await s.execute(update(setting).values(value=7))
    async with first() as s:
        assert await _read(cache, s) == 1
    async with second() as s:
        assert await _read(cache, s) == 7

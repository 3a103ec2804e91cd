"""End-to-end fixtures: the platform as processes (module scope, shared by a module's tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from egov_testing import Databases, NatsServer
from tests.platform import Platform


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Platform]:
    """A private NATS server per module, so that outage tests cannot disturb other modules."""
    nats = NatsServer(store_dir=tmp_path_factory.mktemp("platform-nats"))
    nats.start()
    running = Platform(nats=nats, databases=databases, log_dir=tmp_path_factory.mktemp("logs"))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        nats.stop()


@pytest.fixture(scope="module")
async def gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        yield client

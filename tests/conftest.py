"""End-to-end fixtures: the platform as processes (module scope, shared by a module's tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from egov_testing import Databases
from tests.platform import Platform, running


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Platform]:
    """A private NATS server per module, so that outage tests cannot disturb other modules."""
    with running(Platform, tmp_path_factory, databases, "platform") as platform:
        yield platform


@pytest.fixture(scope="module")
async def gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        yield client

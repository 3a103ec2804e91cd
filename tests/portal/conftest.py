"""The portal's browser tests: one platform (processes, real NATS and databases) and one
headless Chromium for all of them. Skipped, saying why, when no Chromium is found."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import async_playwright

from egov_testing import Databases
from tests.platform import Platform, running
from tests.portal.browser import CHROMIUM_ARGS, Portal, find_chromium

CHROMIUM = find_chromium()
NO_BROWSER = ("no Chromium found (install Debian's package `chromium`, or set EGOV_CHROMIUM "
              "to a Chromium or Chrome binary); `make test` installs it when run as root")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/portal/" in item.nodeid and CHROMIUM is None:
            item.add_marker(pytest.mark.skip(reason=NO_BROWSER))


@pytest.fixture(scope="package")  # stopped once the portal's tests are done
def portal_platform(tmp_path_factory: pytest.TempPathFactory, databases: Databases
                    ) -> Iterator[Platform]:
    with running(Platform, tmp_path_factory, databases, "portal") as platform:
        yield platform


@pytest.fixture(scope="package")
async def portal_session(portal_platform: Platform) -> AsyncIterator[Portal]:
    assert CHROMIUM is not None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_ARGS)
        try:
            yield Portal(browser=browser, base_url=portal_platform.gateway)
        finally:
            await browser.close()


@pytest.fixture
async def portal(portal_session: Portal) -> AsyncIterator[Portal]:
    """The session's browser; the test fails if any of its pages logged an error."""
    portal_session.problems.clear()
    yield portal_session
    portal_session.assert_clean()


@pytest.fixture
async def api(portal_platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The REST API through the gateway, to prepare data and check what a screen did."""
    async with httpx.AsyncClient(base_url=portal_platform.gateway, timeout=30) as client:
        yield client

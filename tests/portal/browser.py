"""Driving the web portal in Debian's Chromium, headless, through Playwright (the Python
package; it drives the browser installed on the machine and never downloads one).

Every page opened through ``Portal.page()`` records the browser's console errors, uncaught
exceptions and failed requests; the test fails at the end if any appeared that the test did
not say it expected. ``Portal.shot(page, name)`` saves a full-page screenshot of a screen."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from tests.platform import DEMO_PASSWORD, login

# The flags Chromium needs here: no sandbox as root, and no background connections (the
# machine's network is closed; Chromium would keep trying Google's hosts).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"
TOTP_PERIOD = 30
SCREENSHOTS = Path(os.environ.get("EGOV_SCREENSHOT_DIR", "var/screenshots"))


def find_chromium() -> str | None:
    """``EGOV_CHROMIUM`` when set, else Debian's (or another distribution's) Chromium."""
    if os.environ.get("EGOV_CHROMIUM"):
        return os.environ["EGOV_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


@dataclass
class Portal:
    """The portal at ``base_url`` in one browser; each ``page()`` is a fresh profile (its own
    cookies and sessionStorage), as a different person on a different computer."""

    browser: Browser
    base_url: str
    problems: list[str] = field(default_factory=list)

    @asynccontextmanager
    async def page(self, *, expected_errors: str | None = None,
                   viewport: tuple[int, int] = (1280, 860)) -> AsyncIterator[Page]:
        """``expected_errors``: a pattern of console messages the test causes on purpose
        (a 404 look-up makes Chromium log the failed request)."""
        context = await self.browser.new_context(
            base_url=self.base_url, locale="vi-VN", timezone_id="UTC",
            viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        page = await context.new_page()
        page.set_default_timeout(20_000)
        allowed = re.compile(expected_errors) if expected_errors else None

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not (allowed and allowed.search(message.text)):
                self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(
            f"uncaught exception on {page.url}: {error}"))
        try:
            yield page
        finally:
            await context.close()

    async def shot(self, page: Page, name: str) -> Path:
        """A full-page screenshot, once the screen has finished loading."""
        await expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        problems, self.problems[:] = list(self.problems), []
        assert not problems, "the browser reported:\n" + "\n".join(problems)


_used_steps: dict[tuple[str, str], int] = {}


async def one_time_code(secret: str, who: tuple[str, str]) -> str:
    """A code the provider has not seen yet: each is accepted once (RFC 6238 §5.2) and one
    step either side of now. A third sign-in within one 30-s step waits for the next step."""
    current = int(time.time()) // TOTP_PERIOD
    step = max(current, _used_steps.get(who, -1) + 1)
    if step > current + 1:
        await asyncio.sleep((step - 1) * TOTP_PERIOD - time.time() + 0.5)
    _used_steps[who] = step
    return str(pyotp.TOTP(secret).generate_otp(step))


async def sign_in(page: Page, username: str, password: str, *,
                  totp_secret: str | None = None) -> None:
    """From any screen: the header's Đăng nhập button, the provider's form, the second factor
    when asked, and back on the portal, signed in (the header offers Đăng xuất)."""
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.locator("form button[type=submit], form input[type=submit]").first.click()
    signed_in = page.get_by_role("button", name="Đăng xuất")
    await expect(page.locator("input[name=otp]").or_(signed_in)).to_be_visible()
    if await page.locator("input[name=otp]").count():
        assert totp_secret, f"{username} needs a second factor"
        origin = page.url.split("/oauth2/")[0]
        code = await one_time_code(totp_secret, (origin, username))
        await page.locator("input[name=otp]").fill(code)
        await page.locator("form button[type=submit], form input[type=submit]").first.click()
    await expect(signed_in).to_be_visible()


async def login_with_second_factor(api: httpx.AsyncClient, username: str) -> str:
    """An access token of a demo official with TOTP (``admin``, ``lanhdao``), through the API,
    drawing its code from the same record of used codes as the browser sign-ins."""
    code = await one_time_code(DEMO_TOTP_SECRET, (str(api.base_url).rstrip("/"), username))
    return await login(api, username, DEMO_PASSWORD, otp=code)


PHONE = (390, 844)


async def assert_fits_phone(page: Page) -> None:
    """At a phone's width (``PHONE``) nothing makes the page scroll sideways."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{page.url} scrolls sideways on a phone ({width}px)"


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Đăng xuất").click()
    await expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()

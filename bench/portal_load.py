"""How long does the web portal's first page take in a real browser, and what does it cost?

Runs the whole platform as processes, then loads the portal's home page in headless Chromium
(Debian's, driven by Playwright), each time in a fresh browser profile (nothing cached), until
the screen is drawn: the `<h1>` of the home screen is in the page, after the modules ran.
Baseline, in the same run and the same browser: a fresh profile loading one small file of the
same gateway (the portal's icon), which is what a navigation costs with no page at all.
Prints p50/p95 of both, their ratio, and the bytes transferred for the first visit.
Requirement (issue 8): first page load under 1 s on localhost, all assets under 500 kB
compressed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Browser, Request, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from egov_testing import Databases, NatsServer
from tests.platform import Platform
from tests.portal.browser import CHROMIUM_ARGS, find_chromium

SAMPLES = 30
DRAWN = "() => document.querySelector('main h1') !== null"


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def load(browser: Browser, url: str, *, drawn: bool) -> tuple[float, int]:
    """Milliseconds from navigation start to drawn (or to the load event), and bytes."""
    context = await browser.new_context()
    page = await context.new_page()
    sizes: list[int] = []

    async def count(request: Request) -> None:
        sizes.append((await request.sizes())["responseBodySize"])

    page.on("requestfinished", count)
    await page.goto(url, wait_until="load")
    if drawn:
        await page.wait_for_function(DRAWN)
        elapsed = await page.evaluate("performance.now()")
    else:
        elapsed = await page.evaluate(
            "performance.getEntriesByType('navigation')[0].loadEventEnd")
    await page.wait_for_load_state("networkidle")
    await context.close()
    return float(elapsed), sum(sizes)


async def measure(gateway: str, chromium: str) -> tuple[list[float], list[float], int]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        await load(browser, gateway + "/", drawn=True)  # the gateway's first read of the files
        base, portal, size = [], [], 0
        for _ in range(SAMPLES):  # interleaved, so that noise hits both alike
            base.append((await load(browser, gateway + "/portal/favicon.svg", drawn=False))[0])
            elapsed, size = await load(browser, gateway + "/", drawn=True)
            portal.append(elapsed)
        await browser.close()
    return base, portal, size


def main() -> None:
    chromium = find_chromium()
    if chromium is None:
        print("portal_load: skipped, no Chromium found (Debian's package `chromium`)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(store_dir=Path(tmp) / "nats")
        server.start()
        databases = Databases(Path(tmp))
        platform = Platform(nats=server, databases=databases, log_dir=Path(tmp))
        try:
            platform.start()
            base, portal, size = asyncio.run(measure(platform.gateway, chromium))
        finally:
            platform.stop()
            server.stop()
            databases.drop_all()
    print(f"portal_load ({SAMPLES} cold loads each, fresh browser profile every time)")
    print(f"  baseline one small file         p50 {pct(base, 50):7.1f} ms  "
          f"p95 {pct(base, 95):7.1f} ms")
    print(f"  portal home page, drawn          p50 {pct(portal, 50):7.1f} ms  "
          f"p95 {pct(portal, 95):7.1f} ms  max {max(portal):7.1f} ms")
    print(f"  ratio portal/baseline p50 {pct(portal, 50) / pct(base, 50):.1f}x; "
          f"transferred {size / 1024:.1f} kB")
    print(f"  {'PASS' if max(portal) < 1000 else 'FAIL'}: max {max(portal):.0f} ms vs < 1000 ms; "
          f"{'PASS' if size < 500 * 1024 else 'FAIL'}: {size / 1024:.1f} kB vs < 500 kB "
          f"(information only)")


if __name__ == "__main__":
    main()

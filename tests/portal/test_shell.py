"""The portal's shell in a real browser: the home screen, signing in with the second factor,
the menu by role, the public status look-up, and what a first visit costs to download."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Request, expect

from tests.platform import DEMO_PASSWORD
from tests.portal.browser import DEMO_TOTP_SECRET, Portal, assert_fits_phone, sign_in, sign_out

pytestmark = pytest.mark.e2e
ASSET_BUDGET = 500 * 1024  # every asset of the first visit, as transferred (gzip)


class TestHome:
    async def test_anyone_sees_the_home_screen_in_vietnamese(self, portal: Portal) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Cổng dịch vụ công tỉnh Thanh Hóa")
            await expect(page.locator("html")).to_have_attribute("lang", "vi")
            await expect(page.get_by_role("link", name="Thủ tục hành chính")).to_be_visible()
            await portal.shot(page, "trang-chu")

    async def test_the_home_screen_fits_a_phone(self, portal: Portal) -> None:
        async with portal.page(viewport=(390, 844)) as page:
            await page.goto("/")
            await expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
            await assert_fits_phone(page)
            await portal.shot(page, "trang-chu-dien-thoai")

    async def test_the_first_visit_downloads_less_than_500_kb(self, portal: Portal) -> None:
        sizes: dict[str, int] = {}

        async def measure(request: Request) -> None:
            sizes[request.url] = (await request.sizes())["responseBodySize"]

        async with portal.page() as page:
            page.on("requestfinished", measure)
            await page.goto("/", wait_until="networkidle")
        assert any(url.endswith("/portal/app.css") for url in sizes), sizes
        assert 0 < sum(sizes.values()) < ASSET_BUDGET, sizes


class TestSignIn:
    async def test_a_leader_signs_in_with_the_second_factor_and_sees_the_menu_of_the_role(
        self, portal: Portal
    ) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "lanhdao", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            await expect(page.locator("#account .who")).to_contain_text("Lê Văn Cường")
            await expect(page.locator("#account .who")).to_contain_text("Lãnh đạo")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Xin chào, Lê Văn Cường")
            await portal.shot(page, "trang-chu-lanh-dao")
            await sign_out(page)
            await expect(page.locator("#account .who")).to_have_count(0)

    async def test_a_screen_that_needs_an_account_sends_the_visitor_to_sign_in_and_back(
        self, portal: Portal
    ) -> None:
        async with portal.page() as page:
            await page.goto("/#/ho-so-cua-toi")
            await expect(page.get_by_label("Mật khẩu")).to_be_visible()
            await portal.shot(page, "dang-nhap")


class TestPublicLookup:
    async def test_an_unknown_code_is_answered_in_vietnamese(self, portal: Portal) -> None:
        async with portal.page(expected_errors="status of 404") as page:
            await page.goto("/#/tra-cuu")
            await page.get_by_label("Mã hồ sơ").fill("H56.14-000101-9999")
            await page.get_by_role("button", name="Tra cứu").click()
            await expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ")
            await portal.shot(page, "tra-cuu-khong-thay")

    async def test_the_portal_files_carry_their_own_security_policy(
        self, api: httpx.AsyncClient
    ) -> None:
        index = await api.get("/")
        assert index.status_code == 200 and "text/html" in index.headers["content-type"]
        assert "script-src 'self'" in index.headers["content-security-policy"]
        again = await api.get("/", headers={"If-None-Match": index.headers["etag"]})
        assert again.status_code == 304
        missing = await api.get("/portal/../../settings.py")
        assert missing.status_code == 404

"""The portal's whole story in one browser session each for five people: a citizen registers
and submits a dossier; the provincial service centre's desk (``motcua``, H56.20) receives it and
passes it on to the department, whose processing officer hands it to the unit; the leader signs
the result PDF with their certificate and approves it; the centre's desk returns it; the
citizen sees the result and rates the service; and the reporting officer's dashboard shows it
all happened."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.platform import DEMO_PASSWORD
from tests.portal.browser import DEMO_TOTP_SECRET, Portal, sign_in
from tests.portal.test_citizen import CCCD, LLTP, TOKHAI, pdf
from tests.portal.test_dashboard import SLOW, submitted
from tests.portal.test_officer import (
    DEPARTMENT,
    UNIT,
    act,
    approve_with_result,
    dossier,
    expect_status,
)
from tests.test_forms_e2e import validate

pytestmark = pytest.mark.e2e
CENTRE_DESK = "motcua"  # one-stop-shop officer of the service centre, LLTP's reception desk


async def figure(page: Page, kpi: str) -> int:
    text = await page.locator(f"[data-kpi={kpi}] strong").text_content() or ""
    return int(re.sub(r"\D", "", text))


def shown(n: int) -> str:
    """A count as the dashboard writes it (vi-VN: 1.234)."""
    return f"{n:,}".replace(",", ".")


async def register(page: Page, id_number: str, password: str) -> None:
    await page.goto("/#/dang-ky")
    await page.get_by_label("Số định danh cá nhân").fill(id_number)
    await page.get_by_label("Họ và tên").fill("Lê Thị Hồng Nhung")
    await page.get_by_label("Ngày sinh").fill("1990-03-08")
    await page.get_by_label("Giới tính").select_option("female")
    await page.get_by_label("Số điện thoại").fill("0915123456")
    await page.get_by_label(re.compile("^Mật khẩu")).fill(password)
    await page.get_by_label("Nhập lại mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng ký").click()
    await expect(page.locator("main").get_by_role("status")).to_contain_text(
        "Đăng ký thành công")


async def submit(page: Page) -> str:
    """Search the catalogue without diacritics, open the procedure, see the due date, submit."""
    await page.goto("/#/thu-tuc")
    await page.get_by_label("Tên thủ tục, mã hoặc lĩnh vực").fill("ly lich tu phap")
    await page.keyboard.press("Enter")
    await page.get_by_role("link", name=re.compile("Cấp Phiếu lý lịch tư pháp")).first.click()
    await page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    await expect(page.get_by_test_id("due-date")).to_have_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    await page.get_by_label("Mục đích yêu cầu").fill("Bổ sung hồ sơ xin việc")
    await page.get_by_label(TOKHAI).set_input_files(pdf("to-khai.pdf"))
    await page.get_by_label(CCCD).set_input_files(pdf("cccd.pdf"))
    await page.get_by_role("button", name="Nộp hồ sơ").click()
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text(re.compile(r"^Hồ sơ H56\.14-\d{6}-\d{4}$"))
    return (await heading.text_content() or "")[len("Hồ sơ "):]


class TestJourney:
    async def test_from_registration_to_rating_and_the_dashboard_shows_it(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        # Thanh Hóa (038), a woman born in the 20th century (1), in 1990.
        id_number = "038190" + f"{secrets.randbelow(1_000_000):06d}"
        password = "Matkhau-" + secrets.token_hex(3) + "1"
        assert LLTP.startswith("2.000748")
        async with portal.page() as reports, portal.page() as citizen, \
                portal.page() as desk, portal.page() as officer, portal.page() as leader:
            await reports.goto("/")
            await sign_in(reports, "baocao", DEMO_PASSWORD)
            await reports.goto("/#/bao-cao?agency=H56.14")
            await expect(reports.locator("[data-kpi=submitted] strong")).to_have_text(
                shown(await submitted(api, "H56.14")))
            before = {k: await figure(reports, k) for k in ("submitted", "completed")}

            await register(citizen, id_number, password)
            await citizen.goto("/")
            await sign_in(citizen, id_number, password)
            code = await submit(citizen)
            await portal.shot(citizen, "hanh-trinh-1-da-nop")

            await desk.goto("/")
            await sign_in(desk, CENTRE_DESK, DEMO_PASSWORD)
            await desk.goto("/#/xu-ly?hang=moi")
            await desk.get_by_role("link", name=code).click()
            await act(desk, "receive", "Tiếp nhận hồ sơ")
            await expect_status(desk, "Được tiếp nhận")
            await expect(desk.locator("details[data-action='request-payment']")).to_have_count(0)
            await act(desk, "hand-over", "Chuyển xử lý", {
                "Chuyển đến đơn vị": DEPARTMENT, "Hạn xử lý của bước (ngày làm việc)": "8"},
                shot=(portal, "hanh-trinh-1-trung-tam-chuyen-so"))
            await expect_status(desk, "Đang xử lý")
            await expect(desk.locator("details[data-action='hand-over']")).to_have_count(0)

            await officer.goto("/")
            await sign_in(officer, "chuyenvien", DEMO_PASSWORD)
            await officer.goto(f"/#/xu-ly/{code}")
            await act(officer, "hand-over", "Chuyển xử lý",
                      {"Chuyển đến đơn vị": UNIT, "Hạn xử lý của bước (ngày làm việc)": "3"})
            await expect_status(officer, "Đang xử lý")

            await leader.goto("/")
            await sign_in(leader, "lanhdao", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            await leader.goto("/#/xu-ly?hang=cho-duyet")
            await leader.get_by_role("link", name=code).click()
            await approve_with_result(leader, "Phiếu lý lịch tư pháp số 124/2026", sign=True)
            await portal.shot(leader, "hanh-trinh-2-ky-so-phe-duyet")

            await desk.reload()
            await act(desk, "return-result", "Trả kết quả")
            await expect_status(desk, "Đã trả kết quả")
            await portal.shot(desk, "hanh-trinh-2-da-tra-ket-qua")

            await citizen.goto(f"/#/ho-so-cua-toi/{code}")
            await expect(citizen.locator(".page-header [data-status]")).to_have_text(
                "Đã trả kết quả")
            await expect(citizen.get_by_text("Phiếu lý lịch tư pháp số 124/2026")).to_be_visible()
            async with citizen.expect_download() as download:
                await citizen.get_by_role(
                    "button", name="Tải kết quả: phieu-lltp-ky-so.pdf").click()
            result = Path(await (await download.value).path()).read_bytes()
            signature = await validate(api, result)  # the leader's, under the provincial CA
            assert signature.intact and signature.valid and signature.trusted
            assert signature.signing_cert.subject.native["common_name"] == "Lê Văn Cường"
            for group in ("Tiếp cận dịch vụ", "Thủ tục hành chính",
                          "Công chức trực tiếp giải quyết công việc",
                          "Kết quả giải quyết công việc"):
                await citizen.get_by_role("group", name=group).get_by_role(
                    "radio", name=re.compile("^5 ")).check()
            await citizen.get_by_role("button", name="Gửi đánh giá").click()
            await expect(citizen.get_by_text("Bạn đã đánh giá hồ sơ này")).to_be_visible()
            await portal.shot(citizen, "hanh-trinh-3-da-danh-gia")

            await reports.reload()
            await expect(reports.locator("[data-kpi=submitted] strong")).to_have_text(
                shown(before["submitted"] + 1), timeout=SLOW)
            await expect(reports.locator("[data-kpi=completed] strong")).to_have_text(
                shown(before["completed"] + 1), timeout=SLOW)
            await portal.shot(reports, "hanh-trinh-4-bao-cao")

        stored = await dossier(api, code)
        assert stored["status_code"] == 10 and stored["rated_at"] is not None
        assert stored["applicant"]["full_name"] == "Lê Thị Hồng Nhung"

"""The documents screens in a real browser: an outgoing document drafted by the clerk of Sở Tư
pháp, approved and signed (PAdES) by the leader, numbered, issued and sent to Sở Xây dựng,
where its clerk registers it and the answer comes back to the sender; a paper document taken
in by the clerk, registered, assigned by the leader and handled by the processing officer;
and the registers. Each step is checked on screen and through the REST API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, bearer, login
from tests.portal.browser import (
    DEMO_TOTP_SECRET,
    Portal,
    assert_fits_phone,
    login_with_second_factor,
    sign_in,
)

pytestmark = pytest.mark.e2e
SENDER, RECIPIENT = "H56.14", "H56.16"  # Sở Tư pháp → Sở Xây dựng
RECIPIENT_CLERK = "vanthu.xaydung"


def scanned_pdf() -> bytes:
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(72, 770, "Cong van so 45/CAT-PV01 (ban quet)")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


async def headers_of(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    return bearer(await login(api, username, DEMO_PASSWORD))


async def get(api: httpx.AsyncClient, headers: dict[str, str], path: str,
              **params: Any) -> Any:
    r = await api.get(path, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
async def leader(portal_session: Portal) -> AsyncIterator[Page]:
    """The leader's browser, signed in once for the module (each TOTP code works once)."""
    async with portal_session.page() as page:
        await page.goto("/")
        await sign_in(page, "lanhdao", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        yield page


@pytest.fixture(scope="module")
async def admin(portal_platform: Any) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=portal_platform.gateway, timeout=30) as client:
        return bearer(await login_with_second_factor(client, "admin"))


class TestOutgoingDocument:
    async def test_drafted_approved_signed_issued_sent_and_registered_by_the_recipient(
        self, portal: Portal, api: httpx.AsyncClient, leader: Page, admin: dict[str, str],
        tmp_path: Path,
    ) -> None:
        leaders = await get(api, admin, "/api/v1/officials", q="lanhdao", role="leader")
        leader_id = next(o["id"] for o in leaders if o["username"] == "lanhdao")
        clerk = await headers_of(api, "vanthu")
        subject = "V/v phối hợp thẩm định hồ sơ cấp phép xây dựng (cổng)"

        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "vanthu", DEMO_PASSWORD)
            await page.goto("/#/van-ban/di")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đi")
            await portal.shot(page, "van-ban-di")
            await page.get_by_role("link", name="Soạn văn bản").click()
            await page.get_by_label("Ký hiệu đơn vị soạn thảo").fill("VP")
            await page.get_by_label("Trích yếu").fill(subject)
            await page.get_by_label("Nội dung văn bản").fill(
                "Sở Tư pháp đề nghị Sở Xây dựng phối hợp thẩm định hồ sơ.")
            await page.get_by_label("Lãnh đạo ký").select_option(leader_id)
            await expect(page.get_by_label("Họ và tên người ký")).to_have_value("Lê Văn Cường")
            await page.get_by_label("Chức vụ").fill("GIÁM ĐỐC")
            await page.get_by_label(re.compile(rf"\({re.escape(RECIPIENT)}\)$")).check()
            await portal.shot(page, "soan-van-ban-di")
            await page.get_by_role("button", name="Tạo dự thảo").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(subject)
            document_id = page.url.rsplit("/", 1)[-1]
            doc = await get(api, clerk, f"/api/v1/documents/{document_id}")
            assert doc["status"] == "draft" and doc["signer"]["account_id"] == leader_id
            assert [r["agency_id"] for r in doc["recipients"]] == [RECIPIENT]

            await page.get_by_role("button", name="Tạo PDF từ nội dung").click()
            await expect(page.get_by_role("button", name="Tải PDF mới nhất")).to_be_visible()
            await page.get_by_role("button", name="Trình duyệt").click()
            await expect(page.locator(".doc-badges [data-status]")).to_have_text("Trình duyệt")
            await portal.shot(page, "van-ban-di-trinh-duyet")
            doc = await get(api, clerk, f"/api/v1/documents/{document_id}")
            assert doc["status"] == "in_review"

            await leader.goto(f"/#/van-ban/di/{document_id}")
            await leader.get_by_role("button", name="Duyệt", exact=True).click()
            await expect(leader.locator(".doc-badges [data-status]")).to_have_text("Đã duyệt")
            await portal.shot(leader, "van-ban-di-lanh-dao-ky-so")
            await leader.get_by_role("button", name="Ký số", exact=True).click()
            await expect(leader.locator(".doc-badges [data-status]")).to_have_text("Đã ký")
            doc = await get(api, clerk, f"/api/v1/documents/{document_id}")
            assert doc["status"] == "signed"
            assert "leader_signed" in [f["kind"] for f in doc["files"]]

            await page.reload()
            await page.get_by_role("button", name="Cấp số và ban hành", exact=True).click()
            await expect(page.locator(".doc-badges [data-status]")).to_have_text("Đã ban hành")
            doc = await get(api, clerk, f"/api/v1/documents/{document_id}")
            assert doc["status"] == "issued" and doc["number"] >= 1
            assert doc["code"].endswith("/STP-VP")
            await expect(page.get_by_test_id("so-ky-hieu")).to_have_text(doc["code"])
            await page.get_by_text("Gửi văn bản", exact=True).click()
            await page.get_by_role("button", name="Gửi", exact=True).click()
            await expect(page.locator("#toasts")).to_contain_text("Đã gửi văn bản")
            # the screen is drawn again after sending: load it afresh, so that the click below
            # lands on a button that stays (one being replaced gave no download once in CI)
            await page.reload()
            await expect(page.locator(".doc-badges [data-status]")).to_have_text("Đã ban hành")
            async with page.expect_download() as download_info:
                await page.get_by_role("button", name="Tải PDF mới nhất").click()
            saved = tmp_path / "van-ban.pdf"
            await (await download_info.value).save_as(saved)
            assert saved.read_bytes().startswith(b"%PDF")
            pdf = await api.get(f"/api/v1/documents/{document_id}/pdf", headers=clerk)
            assert pdf.content.startswith(b"%PDF") and b"/ByteRange" in pdf.content
            await portal.shot(page, "van-ban-di-da-ban-hanh")

            # Sở Xây dựng: its clerk (appointed for the test) registers what arrived.
            r = await api.post("/api/v1/officials", headers=admin, json={
                "username": RECIPIENT_CLERK, "full_name": "Đỗ Thị Hạnh",
                "agency_id": RECIPIENT, "position": "Văn thư", "roles": ["clerk"],
                "password": DEMO_PASSWORD})
            assert r.status_code == 201, r.text
            receiving = await headers_of(api, RECIPIENT_CLERK)

            async def arrived() -> list[dict[str, Any]]:
                rows = await get(api, receiving, "/api/v1/documents/incoming")
                return [d for d in rows if d["subject"] == subject]

            incoming = (await eventually(arrived, timeout=30))[0]
            async with portal.page() as theirs:
                await theirs.goto("/")
                await sign_in(theirs, RECIPIENT_CLERK, DEMO_PASSWORD)
                await theirs.goto("/#/van-ban/den")
                await theirs.get_by_role("link", name=subject).click()
                await expect(theirs.get_by_text("Chữ ký số hợp lệ")).to_be_visible()
                await theirs.get_by_role("button", name="Vào sổ", exact=True).click()
                await expect(theirs.locator(".doc-badges [data-status]")).to_have_text(
                    "Đã vào sổ")
                registered = await get(api, receiving,
                                       f"/api/v1/documents/incoming/{incoming['id']}")
                assert registered["arrival_number"] >= 1
                await expect(theirs.get_by_test_id("so-den")).to_have_text(
                    f"{registered['arrival_number']}/{registered['arrival_year']}")
                await portal.shot(theirs, "van-ban-den-qua-truc")

            async def answered() -> str | None:
                doc = await get(api, clerk, f"/api/v1/documents/{document_id}")
                code = doc["recipients"][0]["status_code"]
                return code if code == "03" else None

            assert await eventually(answered, timeout=30) == "03"
            await page.reload()
            await expect(page.locator("[data-status-code='03']")).to_be_visible()
            await portal.shot(page, "van-ban-di-phan-hoi-noi-nhan")


class TestIncomingPaperDocument:
    async def test_taken_in_registered_assigned_handled_and_followed(
        self, portal: Portal, api: httpx.AsyncClient, leader: Page,
    ) -> None:
        clerk = await headers_of(api, "vanthu")
        subject = "V/v cung cấp thông tin lý lịch tư pháp của công dân"
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "vanthu", DEMO_PASSWORD)
            await page.get_by_role("link", name="Văn bản", exact=True).click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến")
            await page.get_by_role("link", name="Tiếp nhận văn bản giấy").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Tiếp nhận văn bản giấy")
            await page.get_by_label(re.compile(r"^Cơ quan gửi")).fill("Công an tỉnh Thanh Hóa")
            await page.get_by_label("Số văn bản", exact=True).fill("45")
            await page.get_by_label("Ký hiệu", exact=True).fill("CAT-PV01")
            await page.get_by_label("Trích yếu").fill(subject)
            await page.get_by_label("Tệp quét (PDF)").set_input_files(
                {"name": "ban-quet.pdf", "mimeType": "application/pdf", "buffer": scanned_pdf()})
            await portal.shot(page, "tiep-nhan-van-ban-giay")
            await page.get_by_role("button", name="Tiếp nhận").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(subject)
            await expect(page.locator(".doc-badges [data-status]")).to_have_text(
                "Đã đến, chờ vào sổ")
            document_id = page.url.rsplit("/", 1)[-1]
            doc = await get(api, clerk, f"/api/v1/documents/incoming/{document_id}")
            assert doc["source"] == "paper" and doc["code"] == "45/CAT-PV01"

            await page.get_by_role("button", name="Vào sổ", exact=True).click()
            await expect(page.locator(".doc-badges [data-status]")).to_have_text("Đã vào sổ")
            doc = await get(api, clerk, f"/api/v1/documents/incoming/{document_id}")
            assert doc["status"] == "registered" and doc["arrival_number"] >= 1
            await expect(page.get_by_test_id("so-den")).to_have_text(
                f"{doc['arrival_number']}/{doc['arrival_year']}")
            await portal.shot(page, "van-ban-den-chi-tiet")

            await leader.goto(f"/#/van-ban/den/{document_id}")
            await leader.get_by_label("Ý kiến chỉ đạo").fill("Giao Sở Tư pháp chủ trì xử lý.")
            await leader.get_by_role("button", name="Phân công", exact=True).click()
            await expect(leader.locator(".doc-badges [data-status]")).to_have_text(
                "Đã phân công")
            await portal.shot(leader, "van-ban-den-phan-cong")
            doc = await get(api, clerk, f"/api/v1/documents/incoming/{document_id}")
            assert [(a["unit_id"], a["role"]) for a in doc["assignments"]] == [(SENDER, "lead")]

            async with portal.page() as officer:
                await officer.goto("/")
                await sign_in(officer, "chuyenvien", DEMO_PASSWORD)
                await officer.goto(f"/#/van-ban/den/{document_id}")
                await officer.get_by_label("Nội dung tiến độ").fill("Đang tra cứu dữ liệu.")
                await officer.get_by_role("button", name="Cập nhật tiến độ").click()
                await expect(officer.locator(".doc-badges [data-status]")).to_have_text(
                    "Đang xử lý")
                await officer.get_by_text("Hoàn thành xử lý", exact=True).click()
                await officer.get_by_label("Kết quả xử lý").fill("Đã cung cấp thông tin.")
                await officer.get_by_role("button", name="Hoàn thành", exact=True).click()
                await expect(officer.locator(".doc-badges [data-status]")).to_have_text(
                    "Hoàn thành")

            steps = await get(api, clerk, f"/api/v1/documents/incoming/{document_id}/history")
            assert [s["action"] for s in steps] == [
                "received", "registered", "assigned", "progress", "done"]
            await page.goto("/#/van-ban/den?trang_thai=done")
            row = page.get_by_role("row").filter(has_text=subject)
            await expect(row).to_contain_text("Hoàn thành")
            await expect(row).to_contain_text("45/CAT-PV01")
            await portal.shot(page, "van-ban-den")
            await page.get_by_role("link", name=subject).click()
            await expect(page.locator(".timeline li")).to_have_count(5)
            await portal.shot(page, "van-ban-den-lich-su")


class TestRegisters:
    async def test_the_clerk_opens_renames_and_closes_a_register(
        self, portal: Portal, api: httpx.AsyncClient,
    ) -> None:
        clerk = await headers_of(api, "vanthu")
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "vanthu", DEMO_PASSWORD)
            await page.goto("/#/so-van-ban")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Sổ văn bản")
            await expect(page.get_by_role("cell", name="Sổ văn bản đi", exact=True)).to_be_visible()
            form = page.locator("section", has=page.get_by_role("heading", name="Mở sổ mới"))
            await form.get_by_label("Tên sổ").fill("Sổ giấy mời")
            await form.get_by_label("Giấy mời").check()
            await form.get_by_role("button", name="Mở sổ").click()
            row = page.get_by_role("row").filter(has_text="Sổ giấy mời")
            await expect(row).to_contain_text("Đang dùng")
            await portal.shot(page, "so-van-ban")
            await row.get_by_text("Sửa sổ «Sổ giấy mời»").click()
            await row.get_by_label("Tên sổ").fill("Sổ giấy mời họp")
            await row.get_by_role("button", name="Lưu").click()
            row = page.get_by_role("row").filter(has_text="Sổ giấy mời họp")
            await row.get_by_text("Sửa sổ «Sổ giấy mời họp»").click()
            await row.get_by_label("Tôi xác nhận khóa sổ").check()
            await row.get_by_role("button", name="Khóa sổ «Sổ giấy mời họp»").click()
            await expect(page.get_by_role("row").filter(has_text="Sổ giấy mời họp")
                         ).to_contain_text("Đã khóa")
            registers = await get(api, clerk, "/api/v1/registers", direction="outgoing")
            mine = [r for r in registers if r["name"] == "Sổ giấy mời họp"]
            assert len(mine) == 1 and mine[0]["doc_types"] == ["GM"]
            assert mine[0]["active"] is False

    async def test_the_documents_screens_fit_a_phone(self, portal: Portal) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "vanthu", DEMO_PASSWORD)  # the header hides the name on a phone
            await page.set_viewport_size({"width": 390, "height": 844})
            for hash_, slug in (("#/van-ban/den", "van-ban-den-dien-thoai"),
                                ("#/van-ban/di/soan", "soan-van-ban-dien-thoai")):
                await page.goto(f"/{hash_}")
                await expect(page.get_by_role("heading", level=1)).to_be_visible()
                await portal.shot(page, slug)
                await assert_fits_phone(page)

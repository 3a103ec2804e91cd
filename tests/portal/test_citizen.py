"""The citizen's screens in a real browser: registration, the procedure catalogue searched
without diacritics, online submission (appointed date shown first, documents attached), "Hồ sơ
của tôi", withdrawal, and a dossier carried by officials through the REST API while the citizen
pays the fee through the payment platform's simulator, downloads the receipt, sees the result
and rates the service."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.platform import DEMO_PASSWORD, bearer, login, new_id_number, register_citizen
from tests.portal.browser import Portal, assert_fits_phone, login_with_second_factor, sign_in

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp (H56.14), 200 000 đ
LLTP_NAME = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TOKHAI = "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"
CCCD = "Bản chụp Căn cước công dân hoặc Hộ chiếu"


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


async def one_stop_desk(api: httpx.AsyncClient) -> str:
    """The token of Sở Tư pháp's one-stop officer (the demo's ``motcua.stp``)."""
    return await login(api, "motcua.stp", DEMO_PASSWORD)


async def submitted_dossier(api: httpx.AsyncClient) -> tuple[str, str, str]:
    """A citizen registered and a dossier submitted online, through the API."""
    id_number, password = await register_citizen(api)
    token = await login(api, id_number, password)
    answer = await api.post("/api/v1/dossiers", headers=bearer(token), json={
        "procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}})
    assert answer.status_code == 201, answer.text
    return id_number, password, answer.json()["code"]


async def act(api: httpx.AsyncClient, token: str, code: str, action: str,
              body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = await api.post(f"/api/v1/dossiers/{code}/{action}", headers=bearer(token),
                            json=body or {})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def open_dossier(page: Page, id_number: str, password: str, code: str) -> None:
    await page.goto("/")
    await sign_in(page, id_number, password)
    await page.goto(f"/#/ho-so-cua-toi/{code}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")


class TestRegistration:
    async def test_a_citizen_registers_through_the_form_and_signs_in(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password = new_id_number(), "Matkhau-" + secrets.token_hex(3) + "1"
        async with portal.page() as page:
            await page.goto("/")
            await page.locator("#account").get_by_role("link", name="Đăng ký").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
            await page.get_by_label("Số định danh cá nhân").fill(id_number)
            await page.get_by_label("Họ và tên").fill("Trần Văn Thu")
            await page.get_by_label("Ngày sinh").fill("1990-08-21")
            await page.get_by_label("Giới tính").select_option("male")
            await page.get_by_label("Số điện thoại").fill("0987654321")
            await page.get_by_label(re.compile("^Mật khẩu")).fill(password)
            await page.get_by_label("Nhập lại mật khẩu").fill(password + "x")
            await page.get_by_role("button", name="Đăng ký").click()
            await expect(page.locator("main").get_by_role("alert")).to_contain_text("không khớp")
            await page.get_by_label("Nhập lại mật khẩu").fill(password)
            await portal.shot(page, "dang-ky")
            await page.get_by_role("button", name="Đăng ký").click()
            await expect(page.locator("main").get_by_role("status")).to_contain_text(
                "Đăng ký thành công")
            await portal.shot(page, "dang-ky-thanh-cong")

            await page.locator("main").get_by_role("button", name="Đăng nhập").click()
            await page.get_by_label("Tên đăng nhập").fill(id_number)
            await page.get_by_label("Mật khẩu").fill(password)
            await page.locator("form button[type=submit]").first.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
            await expect(page.locator("#account .who")).to_contain_text("Trần Văn Thu")
            await expect(page.get_by_text("Bạn chưa nộp hồ sơ nào.")).to_be_visible()
            await portal.shot(page, "ho-so-cua-toi-trong")
        me = await api.get("/api/v1/me", headers=bearer(await login(api, id_number, password)))
        assert me.json()["kind"] == "citizen" and me.json()["full_name"] == "Trần Văn Thu"

    async def test_a_taken_id_number_is_refused_in_vietnamese(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, _ = await register_citizen(api)
        async with portal.page(expected_errors="status of 409") as page:
            await page.goto("/#/dang-ky")
            await page.get_by_label("Số định danh cá nhân").fill(id_number)
            await page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
            await page.get_by_label("Ngày sinh").fill("1990-05-17")
            await page.get_by_label("Giới tính").select_option("male")
            await page.get_by_label("Số điện thoại").fill("0912345678")
            await page.get_by_label(re.compile("^Mật khẩu")).fill("Matkhau-abc1")
            await page.get_by_label("Nhập lại mật khẩu").fill("Matkhau-abc1")
            await page.get_by_role("button", name="Đăng ký").click()
            await expect(page.locator("main").get_by_role("alert")).to_contain_text(
                "Không thực hiện được")
            await portal.shot(page, "dang-ky-loi")


class TestCatalogue:
    async def test_a_visitor_finds_a_procedure_without_diacritics(self, portal: Portal) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await page.locator("#nav").get_by_role("link", name="Thủ tục").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Thủ tục hành chính")
            await page.get_by_label("Tên thủ tục, mã hoặc lĩnh vực").fill("ly lich tu phap")
            await page.get_by_role("button", name="Tìm kiếm").click()
            result = page.get_by_role("link", name=LLTP_NAME)
            await expect(result).to_be_visible()
            await expect(page.locator("table.data tbody tr")).to_have_count(1)
            await expect(page.locator("table.data")).to_contain_text("200.000 ₫")
            await portal.shot(page, "thu-tuc")

            await result.click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(LLTP_NAME)
            await expect(page.get_by_text("Sở Tư pháp tỉnh Thanh Hóa")).to_be_visible()
            await expect(page.get_by_role("cell", name=TOKHAI)).to_be_visible()
            await portal.shot(page, "thu-tuc-chi-tiet")
            await page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
            await expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


    async def test_the_catalogue_fits_a_phone(self, portal: Portal) -> None:
        async with portal.page(viewport=(390, 844)) as page:
            await page.goto(f"/#/thu-tuc/{LLTP}")
            await expect(page.get_by_role("heading", level=1)).to_have_text(LLTP_NAME)
            await page.goto("/#/thu-tuc?q=ly%20lich")
            await expect(page.get_by_role("link", name=LLTP_NAME)).to_be_visible()
            await assert_fits_phone(page)
            await portal.shot(page, "thu-tuc-dien-thoai")


class TestSubmission:
    async def test_the_citizen_sees_the_due_date_then_submits_with_attachments(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password = await register_citizen(api)
        async with portal.page() as page:
            await page.goto(f"/#/thu-tuc/{LLTP}")
            await sign_in(page, id_number, password)
            await page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Nộp hồ sơ trực tuyến")
            await expect(page.get_by_text("Ngày hẹn trả kết quả dự kiến")).to_be_visible()
            await expect(page.get_by_test_id("due-date")).to_have_text(
                re.compile(r"\d{2}/\d{2}/\d{4}"))
            await page.get_by_label("Mục đích yêu cầu").fill("Bổ sung hồ sơ xin việc")
            await page.get_by_role("textbox", name="Nơi cư trú").fill("Phường Hạc Thành, Thanh Hóa")
            await page.get_by_label(TOKHAI).set_input_files(pdf("to-khai.pdf"))
            await page.get_by_label(CCCD).set_input_files(pdf("cccd.pdf"))
            await portal.shot(page, "nop-ho-so")
            await page.get_by_role("button", name="Nộp hồ sơ").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                re.compile(r"^Hồ sơ H56\.14-\d{6}-\d{4}$"))
            code = (await page.get_by_role("heading", level=1).text_content() or "")[6:]
            await expect(page.get_by_role("cell", name="to-khai.pdf")).to_be_visible()
            await portal.shot(page, "ho-so-chi-tiet-moi")

            await page.locator("#nav").get_by_role("link", name="Hồ sơ của tôi").click()
            await expect(page.get_by_role("link", name=code)).to_be_visible()
            await expect(page.locator("table.data")).to_contain_text("Mới đăng ký")
            await portal.shot(page, "ho-so-cua-toi")

        citizen = bearer(await login(api, id_number, password))
        mine = (await api.get("/api/v1/dossiers", headers=citizen)).json()
        assert [d["code"] for d in mine] == [code]
        assert mine[0]["form_data"]["muc_dich"] == "Bổ sung hồ sơ xin việc"
        files = (await api.get(f"/api/v1/dossiers/{code}/attachments", headers=citizen)).json()
        assert sorted((f["component_code"], f["filename"]) for f in files) == [
            ("TP01", "to-khai.pdf"), ("TP02", "cccd.pdf")]


class TestWithdrawal:
    async def test_the_citizen_withdraws_after_confirming(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password, code = await submitted_dossier(api)
        async with portal.page() as page:
            await open_dossier(page, id_number, password, code)
            await page.get_by_role("button", name="Rút hồ sơ").click()
            await page.get_by_label("Lý do rút hồ sơ").fill("Đã nộp nhầm thủ tục")
            await portal.shot(page, "rut-ho-so")
            await page.get_by_role("button", name="Xác nhận rút hồ sơ").click()
            await expect(page.locator(".page-header [data-status]")).to_have_text(
                "Công dân yêu cầu rút hồ sơ")
        citizen = bearer(await login(api, id_number, password))
        dossier = (await api.get(f"/api/v1/dossiers/{code}", headers=citizen)).json()
        assert dossier["status_code"] == 7


class TestSupplement:
    async def test_the_citizen_supplies_the_document_asked_for(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password, code = await submitted_dossier(api)
        desk = await one_stop_desk(api)
        await act(api, desk, code, "receive")
        await act(api, desk, code, "request-supplement", {
            "reason": "Thiếu bản chụp Căn cước công dân", "missing": [CCCD]})
        async with portal.page() as page:
            await open_dossier(page, id_number, password, code)
            await expect(page.get_by_role("heading", name="Bổ sung hồ sơ")).to_be_visible()
            await expect(page.get_by_text("Thiếu bản chụp Căn cước công dân").first).to_be_visible()
            await page.get_by_label(CCCD).set_input_files(pdf("cccd-bo-sung.pdf"))
            await portal.shot(page, "bo-sung-ho-so")
            await page.get_by_role("button", name="Gửi bổ sung").click()
            await expect(page.locator(".page-header [data-status]")).to_have_text(
                "Được tiếp nhận")
            await expect(page.get_by_role("link", name="Tải Mẫu 02")).to_have_count(0)
            await expect(page.get_by_role("button", name="Tải Mẫu 02")).to_be_visible()
        citizen = bearer(await login(api, id_number, password))
        files = (await api.get(f"/api/v1/dossiers/{code}/attachments", headers=citizen)).json()
        assert [f["filename"] for f in files] == ["cccd-bo-sung.pdf"]
        history = (await api.get(f"/api/v1/dossiers/{code}/history", headers=citizen)).json()
        assert history["entries"][-1]["action"] == "supplement"


class TestFeeResultAndRating:
    async def test_the_citizen_pays_gets_the_receipt_sees_the_result_and_rates(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password, code = await submitted_dossier(api)
        desk = await one_stop_desk(api)
        officer = await login(api, "chuyenvien", DEMO_PASSWORD)
        await act(api, desk, code, "receive")
        await act(api, officer, code, "hand-over",
                  {"to_agency_id": "H56.14.01", "deadline_days": 3})
        await act(api, officer, code, "request-payment")

        async with portal.page() as page:
            await open_dossier(page, id_number, password, code)
            await expect(page.locator(".ct-amount")).to_have_text("200.000 ₫")
            await portal.shot(page, "ho-so-cho-thanh-toan")
            await page.get_by_role("button", name="Thanh toán trực tuyến").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Nền tảng thanh toán trực tuyến")
            await portal.shot(page, "thanh-toan-mo-phong")
            await page.get_by_role("button", name="Thanh toán", exact=True).click()
            await expect(page.get_by_text("Thanh toán thành công")).to_be_visible()
            receipt = page.locator(".ct-receipt")
            await expect(receipt).to_contain_text("Biên lai thu phí, lệ phí điện tử")
            await expect(receipt).to_contain_text("200.000 ₫")
            await portal.shot(page, "bien-lai")
            async with page.expect_download() as download:
                await page.get_by_role("button", name="Tải biên lai").click()
            saved = await download.value
            assert saved.suggested_filename.startswith("bien-lai-")
            text = (await saved.path()).read_text(encoding="utf-8")
            assert code in text and "200.000 ₫" in text

            citizen = bearer(await login(api, id_number, password))
            paid = (await api.get(f"/api/v1/dossiers/{code}/payments", headers=citizen)).json()
            assert [p["status"] for p in paid] == ["paid"]
            result = await api.post(
                f"/api/v1/dossiers/{code}/attachments", headers={
                    **bearer(officer), "Content-Type": "application/pdf"},
                params={"kind": "result", "filename": "phieu-lltp.pdf"}, content=PDF)
            assert result.status_code == 201, result.text
            leader = await login_with_second_factor(api, "lanhdao")
            await act(api, leader, code, "decide", {
                "outcome": "approved", "result_file": str(result.json()["id"]),
                "result_note": "Cấp Phiếu lý lịch tư pháp số 1"})
            await act(api, desk, code, "return-result")

            await page.reload()
            await expect(page.locator(".page-header [data-status]")).to_have_text(
                "Đã trả kết quả")
            await expect(page.get_by_text("Cấp Phiếu lý lịch tư pháp số 1")).to_be_visible()
            async with page.expect_download() as download:
                await page.get_by_role("button", name="Tải kết quả: phieu-lltp.pdf").click()
            assert (await (await download.value).path()).read_bytes() == PDF
            await portal.shot(page, "ket-qua")

            for group, score in (("Tiếp cận dịch vụ", "5"), ("Thủ tục hành chính", "4"),
                                 ("Công chức trực tiếp giải quyết công việc", "5"),
                                 ("Kết quả giải quyết công việc", "5")):
                await page.get_by_role("group", name=group).get_by_role(
                    "radio", name=re.compile(f"^{score} ")).check()
            await page.get_by_label("Góp ý (không bắt buộc)").fill("Nhanh, đúng hẹn.")
            await page.get_by_role("button", name="Gửi đánh giá").click()
            await expect(page.get_by_text("Bạn đã đánh giá hồ sơ này")).to_be_visible()
            await portal.shot(page, "danh-gia")

        rating = await api.get(f"/api/v1/dossiers/{code}/rating", headers=citizen)
        assert rating.status_code == 200, rating.text
        assert rating.json()["scores"] == {"access": 5, "procedure": 4, "officer": 5,
                                           "result": 5}
        assert rating.json()["comment"] == "Nhanh, đúng hẹn."

"""The officers' dossier screens in a real browser: the queues, a dossier's detail with its
lifecycle actions from receipt to the returned result (the leader approving with the second
factor), a refusal, a stale screen answered by the server, Mẫu 01 as PDF, and the counter
submission.

The demo has no one-stop-shop officer at Sở Tư pháp (H56.14; ``motcua`` is at the service
centre H56.20, outside its subtree), and no unit under it to hand a dossier over to: the
administrator creates both through the REST API first."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from tests.platform import DEMO_PASSWORD, bearer, login, register_citizen
from tests.portal.browser import DEMO_TOTP_SECRET, Portal, assert_fits_phone, sign_in

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"
DEPARTMENT = "H56.14"  # Sở Tư pháp: LLTP's agency
UNIT = "H56.14.01"  # the unit a processing officer hands dossiers over to
DESK = "motcua.stp"  # the department's one-stop-shop officer (demo)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # enough: the type is read from it


async def submit_online(api: httpx.AsyncClient, purpose: str = "Bổ sung hồ sơ xin việc") -> str:
    """A citizen registers and submits LLTP online: status 1, waiting to be received."""
    id_number, password = await register_citizen(api)
    citizen = bearer(await login(api, id_number, password))
    answer = await api.post("/api/v1/dossiers", headers=citizen, json={
        "procedure_code": LLTP, "form_data": {"muc_dich": purpose}})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


async def dossier(api: httpx.AsyncClient, code: str, user: str = "chuyenvien",
                  password: str = DEMO_PASSWORD) -> dict[str, Any]:
    answer = await api.get(f"/api/v1/dossiers/{code}",
                           headers=bearer(await login(api, user, password)))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def act(page: Page, action: str, button: str, fill: dict[str, str] | None = None,
              shot: tuple[Portal, str] | None = None) -> None:
    """Opens the action's panel, fills its form, submits it and waits for the toast."""
    panel = page.locator(f"details[data-action='{action}']")
    await panel.locator("summary").click()
    for label, value in (fill or {}).items():
        target = panel.get_by_label(labelled(label))
        if await target.evaluate("el => el.tagName") == "SELECT":
            await target.select_option(value)
        else:
            await target.fill(value)
    if shot:
        await shot[0].shot(page, shot[1])
    await panel.get_by_role("button", name=button).click()
    await expect(page.locator("#toasts")).to_contain_text("Đã")


def result_pdf() -> bytes:
    """A real one-page PDF (the result must be signable): the Phiếu, as the unit drafted it."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(72, 770, "PHIEU LY LICH TU PHAP SO 1")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


RESULT_PDF = result_pdf()


async def approve_with_result(leader: Page, note: str, *, sign: bool = False,
                              shot: tuple[Portal, str] | None = None) -> None:
    """On a dossier's screen: the leader uploads the result file, signs it when ``sign``
    (the signed copy is then the one the decision names) and approves with it."""
    upload = leader.locator("details[data-action='result-upload']")
    await upload.locator("summary").click()
    await upload.get_by_label(labelled("Tệp (PDF, JPEG, PNG)")).set_input_files(
        {"name": "phieu-lltp.pdf", "mimeType": "application/pdf", "buffer": RESULT_PDF})
    await upload.get_by_role("button", name="Tải lên tệp kết quả").click()
    await expect(leader.get_by_role("row").filter(has_text="phieu-lltp.pdf")
                 ).to_contain_text("Kết quả giải quyết")
    chosen = "phieu-lltp.pdf"
    if sign:
        await act(leader, "sign-result", "Ký số", {"Tệp kết quả cần ký": "phieu-lltp.pdf"})
        await expect(leader.get_by_role("row").filter(has_text="phieu-lltp-ky-so.pdf")
                     ).to_contain_text("Đã ký số")
        chosen = "phieu-lltp-ky-so.pdf (đã ký số)"
    await act(leader, "decide", "Phê duyệt kết quả", {
        "Nội dung kết quả (gửi công dân)": note, "Tệp kết quả điện tử": chosen}, shot=shot)
    await expect_status(leader, "Đã xử lý xong")


def labelled(text: str) -> re.Pattern[str]:
    """A field's label, with the mark of a required one or without."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


async def expect_status(page: Page, text: str) -> None:
    await expect(page.locator(".status-line .badge")).to_have_text(text)


class TestQueues:
    async def test_the_desk_sees_a_new_online_dossier_in_the_queues(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        code = await submit_online(api)
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, DESK, DEMO_PASSWORD)
            await page.goto("/#/xu-ly")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Xử lý hồ sơ")
            await expect(page.get_by_role("link", name="Hồ sơ mới (")).to_have_attribute(
                "aria-current", "page")
            row = page.get_by_role("row").filter(has=page.get_by_role("link", name=code))
            await expect(row).to_contain_text("Cấp Phiếu lý lịch tư pháp")
            await expect(row).to_contain_text("Mới đăng ký")
            await portal.shot(page, "xu-ly-ho-so-moi")
            for tab, slug in (("Sắp đến hạn", "sap-den-han"), ("Quá hạn", "qua-han"),
                              ("Đang xử lý", "dang-xu-ly"), ("Chờ bổ sung", "cho-bo-sung")):
                await page.get_by_role("link", name=tab).click()
                await expect(page.get_by_role("heading", level=2, name=tab)).to_be_visible()
                await portal.shot(page, f"xu-ly-{slug}")
            await page.get_by_role("link", name="Tất cả").click()
            await page.get_by_label("Tìm kiếm").fill(code)
            await page.get_by_role("button", name="Lọc").click()
            await expect(page.get_by_role("link", name=code)).to_be_visible()
            await expect(page.locator("table.data tbody tr")).to_have_count(1)
            await portal.shot(page, "xu-ly-tat-ca-tim-kiem")
            async with page.expect_download() as download:
                await page.get_by_role("button", name="Tải sổ theo dõi (PDF)").click()
            register = await download.value
            assert Path(await register.path()).read_bytes().startswith(b"%PDF")
            assert register.suggested_filename.startswith("so-theo-doi-H56.14-")
            await page.set_viewport_size({"width": 390, "height": 844})
            await assert_fits_phone(page)
            await portal.shot(page, "xu-ly-dien-thoai")


class TestLifecycle:
    async def test_a_dossier_goes_from_receipt_to_the_returned_result(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        code = await submit_online(api)
        detail = f"/#/xu-ly/{code}"
        async with portal.page() as desk, portal.page() as officer, portal.page() as leader:
            # The desk receives it and prints the receipt (Mẫu 01).
            await desk.goto("/")
            await sign_in(desk, DESK, DEMO_PASSWORD)
            await desk.goto("/#/xu-ly")
            await desk.get_by_role("link", name=code).click()
            await expect(desk.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")
            await expect_status(desk, "Mới đăng ký")
            await portal.shot(desk, "ho-so-chi-tiet-moi")
            await act(desk, "receive", "Tiếp nhận hồ sơ", shot=(portal, "thao-tac-tiep-nhan"))
            await expect_status(desk, "Được tiếp nhận")
            assert (await dossier(api, code))["status_code"] == 2
            async with desk.expect_download() as download:
                await desk.get_by_role("button", name="Tải Mẫu 01 (PDF)").click()
            saved = Path(await (await download.value).path())
            assert saved.read_bytes().startswith(b"%PDF")
            assert (await download.value).suggested_filename == f"{code}-mau-01.pdf"

            # The processing officer hands it to the unit, then asks for the fee.
            await officer.goto("/")
            await sign_in(officer, "chuyenvien", DEMO_PASSWORD)
            await officer.goto(detail)
            await expect_status(officer, "Được tiếp nhận")
            await act(officer, "hand-over", "Chuyển xử lý",
                      {"Chuyển đến đơn vị": UNIT, "Hạn xử lý của bước (ngày làm việc)": "3"},
                      shot=(portal, "thao-tac-chuyen-xu-ly"))
            await expect_status(officer, "Đang xử lý")
            await expect(officer.locator(".timeline")).to_contain_text(
                "Chuyển đến: Phòng Hành chính tư pháp (H56.14.01)")
            after = await dossier(api, code)
            assert after["status_code"] == 4
            await act(officer, "request-payment", "Yêu cầu thực hiện nghĩa vụ tài chính",
                      shot=(portal, "thao-tac-yeu-cau-thanh-toan"))
            await expect_status(officer, "Yêu cầu thực hiện nghĩa vụ tài chính")
            assert (await dossier(api, code))["status_code"] == 6

            # The desk records the payment at the counter.
            await desk.reload()  # the screen the desk left open
            await expect_status(desk, "Yêu cầu thực hiện nghĩa vụ tài chính")
            await act(desk, "payment-received", "Ghi nhận đã thanh toán tại quầy",
                      {"Số biên lai": "BL-0001"}, shot=(portal, "thao-tac-ghi-nhan-thanh-toan"))
            await expect_status(desk, "Đang xử lý")
            assert (await dossier(api, code))["status_code"] == 4

            # The leader finds it waiting for approval and approves it.
            await leader.goto("/")
            await sign_in(leader, "lanhdao", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            await leader.goto("/#/xu-ly?hang=cho-duyet")
            await expect(
                leader.get_by_role("heading", level=2, name="Chờ phê duyệt")).to_be_visible()
            await portal.shot(leader, "xu-ly-cho-phe-duyet")
            await leader.get_by_role("link", name=code).click()
            await approve_with_result(leader, "Phiếu lý lịch tư pháp số 123/2026",
                                      shot=(portal, "thao-tac-phe-duyet"))
            result = leader.locator("section").filter(
                has=leader.get_by_role("heading", name="Kết quả giải quyết"))
            await expect(result).to_contain_text("Phiếu lý lịch tư pháp số 123/2026")
            decided = await dossier(api, code)
            assert decided["status_code"] == 9
            assert decided["result"]["outcome"] == "approved"
            assert decided["result"]["result_file"]  # the uploaded attachment's id

            # The desk returns the result: done, on time.
            await desk.reload()  # the screen the desk left open
            await act(desk, "return-result", "Trả kết quả", shot=(portal, "thao-tac-tra-ket-qua"))
            await expect_status(desk, "Đã trả kết quả")
            await expect(desk.get_by_text("Trước hạn").first).to_be_visible()
            await portal.shot(desk, "ho-so-chi-tiet-da-tra-ket-qua")
            returned = await dossier(api, code)
            assert returned["status_code"] == 10
            assert returned["timeliness"] in ("early", "on_time")

    async def test_the_desk_refuses_a_dossier_with_a_reason(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        code = await submit_online(api, "Làm thủ tục nhận con nuôi")
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, DESK, DEMO_PASSWORD)
            await page.goto(f"/#/xu-ly/{code}")
            await act(page, "refuse", "Từ chối tiếp nhận",
                      {"Lý do từ chối": "Mục đích không thuộc phạm vi cấp Phiếu lý lịch tư pháp."},
                      shot=(portal, "thao-tac-tu-choi"))
            await expect_status(page, "Không được tiếp nhận")
            await expect(page.locator(".timeline")).to_contain_text(
                "Lý do: Mục đích không thuộc phạm vi cấp Phiếu lý lịch tư pháp.")
            await expect(page.get_by_role("button", name="Tải Mẫu 03 (PDF)")).to_be_visible()
            await expect(page.locator("details[data-action]")).to_have_count(0)
            await portal.shot(page, "ho-so-chi-tiet-tu-choi")
        history = await api.get(f"/api/v1/dossiers/{code}/history",
                                headers=bearer(await login(api, "chuyenvien", DEMO_PASSWORD)))
        refusal = history.json()["entries"][-1]
        assert (refusal["action"], refusal["to_status"]) == ("refuse", 3)
        assert refusal["reason"] == "Mục đích không thuộc phạm vi cấp Phiếu lý lịch tư pháp."

    async def test_a_supplement_is_asked_for_recorded_at_the_counter_then_processing_stops(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        code = await submit_online(api)
        desk_token = bearer(await login(api, DESK, DEMO_PASSWORD))
        received = await api.post(f"/api/v1/dossiers/{code}/receive", headers=desk_token, json={})
        assert received.status_code == 200, received.text
        async with portal.page() as officer, portal.page() as desk:
            await officer.goto("/")
            await sign_in(officer, "chuyenvien", DEMO_PASSWORD)
            await officer.goto(f"/#/xu-ly/{code}")
            await act(officer, "request-supplement", "Yêu cầu bổ sung hồ sơ", {
                "Lý do yêu cầu bổ sung": "Thiếu giấy tờ chứng minh nơi cư trú.",
                "Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)": "Giấy xác nhận cư trú\nBản sao CCCD"},
                shot=(portal, "thao-tac-yeu-cau-bo-sung"))
            await expect_status(officer, "Yêu cầu bổ sung giấy tờ")
            await expect(officer.locator(".timeline")).to_contain_text(
                "Cần bổ sung: Giấy xác nhận cư trú; Bản sao CCCD")
            await expect(officer.get_by_role("button", name="Tải Mẫu 02 (PDF)")).to_be_visible()
            assert (await dossier(api, code))["status_code"] == 5

            await desk.goto("/")
            await sign_in(desk, DESK, DEMO_PASSWORD)
            await desk.goto(f"/#/xu-ly/{code}")
            await act(desk, "supplement", "Ghi nhận bổ sung tại quầy",
                      {"Giấy tờ đã nhận (mỗi dòng một giấy tờ)": "Giấy xác nhận cư trú"},
                      shot=(portal, "thao-tac-ghi-nhan-bo-sung"))
            await expect_status(desk, "Được tiếp nhận")
            assert (await dossier(api, code))["status_code"] == 2

            await officer.reload()
            await expect(officer.locator("details[data-action='request-supplement']")
                         ).to_have_count(0)  # once per dossier
            await act(officer, "stop", "Dừng xử lý",
                      {"Lý do dừng xử lý": "Công dân đề nghị dừng để nộp lại sau."},
                      shot=(portal, "thao-tac-dung-xu-ly"))
            await expect_status(officer, "Dừng xử lý")
            assert (await dossier(api, code))["status_code"] == 8

    async def test_a_screen_left_open_shows_the_servers_refusal(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        code = await submit_online(api)
        async with portal.page(expected_errors="status of 409") as page:
            await page.goto("/")
            await sign_in(page, DESK, DEMO_PASSWORD)
            await page.goto(f"/#/xu-ly/{code}")
            await expect_status(page, "Mới đăng ký")
            desk = bearer(await login(api, DESK, DEMO_PASSWORD))
            received = await api.post(f"/api/v1/dossiers/{code}/receive", headers=desk, json={})
            assert received.status_code == 200, received.text
            panel = page.locator("details[data-action='receive']")
            await panel.locator("summary").click()
            await panel.get_by_role("button", name="Tiếp nhận hồ sơ").click()
            await expect(panel.get_by_role("alert")).to_contain_text("Trạng thái hồ sơ đã thay đổi")
            await expect(panel.get_by_role("alert")).to_contain_text("Không thể tiếp nhận hồ sơ")
            await portal.shot(page, "thao-tac-bi-tu-choi")


class TestCounter:
    async def test_the_desk_files_a_paper_dossier_at_the_counter(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, DESK, DEMO_PASSWORD)
            await page.goto("/#/xu-ly")
            await page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Tiếp nhận hồ sơ tại quầy")
            await page.get_by_label("Thủ tục hành chính").select_option(LLTP)
            await page.get_by_role("button", name="Chọn thủ tục").click()
            await page.get_by_label("Số định danh cá nhân (CCCD)").fill("038195001234")
            await page.get_by_label(labelled("Họ và tên")).fill("Nguyễn Thị Hoa")
            await page.get_by_label("Số điện thoại di động").fill("0912345678")
            await page.get_by_label("Mục đích yêu cầu cấp Phiếu").fill("Bổ sung hồ sơ xin việc")
            await portal.shot(page, "tiep-nhan-tai-quay")
            await page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
            await expect(page.get_by_role("heading", level=1)).to_contain_text("Hồ sơ H56.14-")
            await expect_status(page, "Được tiếp nhận")
            await expect(page.get_by_text("Nguyễn Thị Hoa").first).to_be_visible()
            scan = page.locator("details[data-action='scan']")
            await scan.locator("summary").click()
            await scan.get_by_label(labelled("Thành phần hồ sơ")).select_option("TP01")
            await scan.get_by_label(labelled("Tệp (PDF, JPEG, PNG)")).set_input_files(
                {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF})
            await scan.get_by_role("button", name="Số hóa thành phần hồ sơ").click()
            await expect(page.get_by_role("row").filter(has_text="to-khai.pdf")).to_contain_text(
                "Số hóa tại quầy")
            async with page.expect_download() as download:
                await page.get_by_role("button", name="Tải xuống to-khai.pdf").click()
            assert Path(await (await download.value).path()).read_bytes() == PDF
            await portal.shot(page, "tiep-nhan-tai-quay-xong")
            code = (await page.get_by_role("heading", level=1).text_content() or "").split()[-1]
        filed = await dossier(api, code)
        assert (filed["channel"], filed["status_code"]) == ("counter", 2)
        assert filed["applicant"]["full_name"] == "Nguyễn Thị Hoa"
        assert filed["form_data"]["muc_dich"] == "Bổ sung hồ sơ xin việc"
        assert filed["form_data"]["so_luong_phieu"] == 1  # the schema's default, as a number

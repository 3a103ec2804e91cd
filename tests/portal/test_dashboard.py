"""The reports screens (Báo cáo) in a real browser: the overview's figures and charts, a new
dossier reaching the dashboard, the 766 index with a criterion recorded by hand, the targets,
a monthly periodic report generated and downloaded, and a leader reading the dashboard."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.platform import DEMO_PASSWORD, bearer, login, register_citizen
from tests.portal.browser import DEMO_TOTP_SECRET, Portal, assert_fits_phone, sign_in

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp (H56.14)
VN = timezone(timedelta(hours=7))
SLOW = 30_000  # events travel through NATS to svc-reporting: Playwright waits up to this


async def officer(page: Page, where: str = "/#/bao-cao") -> None:
    await page.goto("/")
    await sign_in(page, "baocao", DEMO_PASSWORD)
    await page.goto(where)


async def submitted(api: httpx.AsyncClient, agency: str) -> int:
    token = await login(api, "baocao", DEMO_PASSWORD)
    answer = await api.get("/api/v1/reports/kpis", params={"agency": agency},
                           headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return int(answer.json()["dossiers"]["submitted"])


async def expect_charts(page: Page, at_least: int) -> None:
    charts = page.locator("main svg[role=img]")
    await expect(charts.first).to_be_visible()
    assert await charts.count() >= at_least
    for label in await charts.evaluate_all("(all) => all.map((s) => s.getAttribute('aria-label'))"):
        assert label, "a chart without a label"
    # Each chart has its numbers in a table for screen readers.
    assert await page.locator("main table.chart-data").count() == await charts.count()


class TestOverview:
    async def test_the_reporting_officer_sees_the_figures_and_the_charts(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        province = await submitted(api, "H56")
        async with portal.page() as page:
            await officer(page)
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Báo cáo, thống kê", timeout=SLOW)
            await expect(page.get_by_role("link", name="Tổng quan")).to_have_attribute(
                "aria-current", "page")
            await expect(page.locator("[data-kpi=submitted] strong")).to_have_text(str(province))
            await expect(page.locator("[data-kpi=on_time_rate] span")).to_have_text(
                "Tỷ lệ đúng hạn")
            await expect_charts(page, 2)
            await expect(page.locator(".legend").first).to_contain_text("Đã nộp")
            await portal.shot(page, "bao-cao-tong-quan")

    async def test_a_dossier_submitted_online_raises_the_submitted_figure(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        before, province = await submitted(api, "H56.14"), await submitted(api, "H56")
        async with portal.page() as page:
            await officer(page, "/#/bao-cao?agency=H56.14")
            figure = page.locator("[data-kpi=submitted] strong")
            await expect(figure).to_have_text(str(before))

            id_number, password = await register_citizen(api)
            citizen = await login(api, id_number, password)
            answer = await api.post("/api/v1/dossiers", headers=bearer(citizen), json={
                "procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}})
            assert answer.status_code == 201, answer.text

            await page.reload()
            await expect(figure).to_have_text(str(before + 1), timeout=SLOW)
            await page.goto("/#/bao-cao?agency=H56")
            await expect(page.locator("[data-kpi=submitted] strong")).to_have_text(
                str(province + 1), timeout=SLOW)
            # The breakdown by agency counts it for Sở Tư pháp.
            await expect(page.locator("table.data").first).to_contain_text("Sở Tư pháp")
        assert await submitted(api, "H56.14") == before + 1

    async def test_the_dashboard_fits_a_phone(self, portal: Portal) -> None:
        async with portal.page() as page:
            await officer(page, "/#/")
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.goto("/#/bao-cao")
            await expect(page.locator("main svg[role=img]").first).to_be_visible()
            await assert_fits_phone(page)
            await portal.shot(page, "bao-cao-dien-thoai")


class TestIndex766:
    async def test_the_officer_reads_the_index_and_records_a_manual_criterion(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        async with portal.page() as page:
            await officer(page)
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Báo cáo, thống kê", timeout=SLOW)
            await page.get_by_role("link", name="Chỉ số 766", exact=True).click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Bộ chỉ số phục vụ người dân, doanh nghiệp", timeout=SLOW)
            await expect(page.locator("[data-kpi=total] span")).to_have_text("Tổng điểm")
            await expect(page.locator("[data-kpi=total] strong")).to_contain_text("/ 100")
            await expect_charts(page, 3)
            await portal.shot(page, "bao-cao-chi-so-766")

            await page.get_by_role("combobox", name=re.compile("^Tiêu chí")).select_option("CK1")
            await page.get_by_label("Tỷ lệ đạt (%)").fill("90")
            await page.get_by_label("Căn cứ, ghi chú").fill("Đã công khai đủ 100 % thủ tục")
            await page.get_by_role("button", name="Lưu giá trị").click()
            recorded = page.locator("table.data", has_text="Giá trị đã nhập")
            await expect(recorded).to_contain_text("90 %")
            await portal.shot(page, "bao-cao-chi-so-766-nhap-tay")

        token = await login(api, "baocao", DEMO_PASSWORD)
        values = (await api.get("/api/v1/reports/index-766/manual-values",
                                params={"agency": "H56"}, headers=bearer(token))).json()
        assert [(v["indicator"], v["ratio"]) for v in values] == [("CK1", 0.9)]


class TestTargets:
    async def test_the_officer_records_the_actual_value_of_a_manual_target(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        async with portal.page() as page:
            await officer(page, "/#/bao-cao/chi-tieu")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Chỉ tiêu chuyển đổi số, cải cách hành chính", timeout=SLOW)
            card = page.locator("[data-code=BC_CHIA_SE]")
            await expect(card.locator(".badge")).to_have_text("Chưa có số liệu")
            await expect(page.get_by_role("progressbar").first).to_be_visible()
            await card.get_by_text("Nhập kết quả thực hiện").click()
            await card.get_by_label("Giá trị thực hiện (%)").fill("85")
            await card.get_by_label("Căn cứ, ghi chú").fill("Báo cáo tháng 11 đã chia sẻ")
            await card.get_by_label("Đường dẫn minh chứng").fill(
                "https://baocao.thanhhoa.gov.vn/bao-cao/thang-11")
            await card.get_by_role("button", name="Lưu kết quả").click()
            card = page.locator("[data-code=BC_CHIA_SE]")
            await expect(card.locator(".badge")).to_have_text("Đạt")
            await expect(card.get_by_role("progressbar")).to_have_attribute(
                "aria-valuenow", "100")
            await portal.shot(page, "bao-cao-chi-tieu")

        token = await login(api, "baocao", DEMO_PASSWORD)
        targets = (await api.get("/api/v1/reports/targets", headers=bearer(token))).json()
        target = next(t for t in targets["targets"] if t["code"] == "BC_CHIA_SE")
        assert target["actual"] == 85 and target["progress_class"] == "achieved"
        assert target["evidence"]["recorded_by"] == "baocao"


class TestPeriodicReports:
    async def test_the_officer_generates_this_months_report_and_downloads_it(
        self, portal: Portal, api: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        now = datetime.now(VN)
        period = f"{now:%Y-%m}"
        previous = (now.replace(day=1) - timedelta(days=1)).replace(day=15)
        async with portal.page() as page:
            await officer(page, "/#/bao-cao/dinh-ky")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Báo cáo định kỳ", timeout=SLOW)
            await page.get_by_label("Loại báo cáo").select_option("monthly")
            await page.get_by_label("Kỳ báo cáo").select_option(period)
            await page.get_by_role("button", name="Lập báo cáo").click()

            await expect(page.get_by_role("heading", level=1)).to_contain_text(
                f"Tháng {now.month}/{now.year}", timeout=SLOW)
            facts = page.locator("dl.facts")
            await expect(facts).to_contain_text(f"{previous:%d/%m/%Y}")
            await expect(facts).to_contain_text(f"14/{now:%m/%Y}")
            await expect(page.get_by_text("Dự thảo").first).to_be_visible()
            await expect_charts(page, 1)
            await expect(page.locator("table.data", has_text="Số hồ sơ đã nộp")).to_be_visible()

            files = {}
            for label, fmt in (("Tải Excel (.xlsx)", "xlsx"), ("Tải PDF (.pdf)", "pdf"),
                               ("Tải CSV (.csv)", "csv")):
                async with page.expect_download() as info:
                    await page.get_by_role("button", name=label).click()
                download = await info.value
                assert download.suggested_filename.endswith(f".{fmt}")
                target = tmp_path / download.suggested_filename
                await download.save_as(target)
                files[fmt] = target.read_bytes()
            await portal.shot(page, "bao-cao-dinh-ky-chi-tiet")
            await page.get_by_role("link", name="Báo cáo định kỳ", exact=True).click()
            listed = page.get_by_role("link", name=f"Tháng {now.month}/{now.year}")
            await expect(listed).to_be_visible()
            await portal.shot(page, "bao-cao-dinh-ky")

        assert files["xlsx"][:2] == b"PK"  # an Office Open XML package is a zip
        assert files["pdf"][:5] == b"%PDF-"
        assert files["csv"][:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM, for Excel
        token = await login(api, "baocao", DEMO_PASSWORD)
        reports = (await api.get("/api/v1/reports/periodic", params={
            "kind": "monthly", "period": period}, headers=bearer(token))).json()
        assert [(r["agency_id"], r["status"]) for r in reports] == [("H56", "draft")]


class TestLeader:
    async def test_the_leader_signs_in_with_the_second_factor_and_reads_the_dashboard(
        self, portal: Portal
    ) -> None:
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, "lanhdao", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            await page.get_by_role("link", name="Báo cáo", exact=True).click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Báo cáo, thống kê", timeout=SLOW)
            await expect(page.get_by_label("Cơ quan, đơn vị")).to_have_value("H56.14")
            await expect(page.locator("[data-kpi=submitted] strong")).to_have_text(
                re.compile(r"^\d+$"))
            await expect_charts(page, 2)
            await portal.shot(page, "bao-cao-lanh-dao")

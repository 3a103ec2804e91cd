"""The citizen's "Lịch sử truy cập hồ sơ của tôi" in a real browser: an officer of Sở Tư pháp
opens the citizen's dossier (through the REST API), and the citizen, from "Hồ sơ của tôi",
finds who it was, their agency, what they did and when."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, bearer, login, register_citizen
from tests.portal.browser import Portal, sign_in

pytestmark = pytest.mark.e2e
LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56",
             "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}


class TestAccessLogScreen:
    async def test_the_citizen_sees_which_officer_opened_their_dossier(
        self, portal: Portal, api: httpx.AsyncClient
    ) -> None:
        id_number, password = await register_citizen(api)
        mine = bearer(await login(api, id_number, password))
        submitted = await api.post("/api/v1/dossiers", headers=mine, json=LLTP_BODY)
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["code"]
        officer = bearer(await login(api, "chuyenvien", DEMO_PASSWORD))
        assert (await api.get(f"/api/v1/dossiers/{code}", headers=officer)).status_code == 200

        async def logged() -> bool:  # the event travels to svc-identity's log
            entries = (await api.get("/api/v1/me/access-log", headers=mine)).json()
            return any(e["target_id"] == code for e in entries)

        assert await eventually(logged, timeout=30)
        async with portal.page() as page:
            await page.goto("/")
            await sign_in(page, id_number, password)
            await page.goto("/#/ho-so-cua-toi")
            await page.get_by_role("link", name="Lịch sử truy cập").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Lịch sử truy cập hồ sơ của tôi")
            row = page.locator("table.data tbody tr").filter(has_text=code)
            await expect(row).to_contain_text("Trần Văn Bình")
            await expect(row).to_contain_text("Sở Tư pháp tỉnh Thanh Hóa")
            await expect(row).to_contain_text("Xem hồ sơ")
            await portal.shot(page, "citizen-access-log")
            await row.get_by_role("link", name=code).click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")

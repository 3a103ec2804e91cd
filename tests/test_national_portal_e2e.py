"""The national public-service portal end to end, with the platform as processes: a citizen
submits on the portal (its SIMULATOR, served by svc-dossier in demo mode); the portal calls the
province's facade through the gateway with its own client token (from svc-identity's token
endpoint, through the gateway); the dossier appears locally with the portal's code, the
service centre's officer receives it through the gateway, and the new status flows back to the
portal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, Platform, bearer, login

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp
SERVICE_CENTRE = "H56.20"  # motcua's agency


class TestDossierFromTheNationalPortal:
    async def test_arrives_with_its_code_and_its_status_flows_back(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        portal = f"http://127.0.0.1:{platform.ports['dossier']}/simulators/national-portal"
        async with httpx.AsyncClient(base_url=portal, timeout=30) as national:
            submitted = await national.post("/citizen/dossiers", json={
                "MaTTHC": LLTP, "MaCoQuan": SERVICE_CENTRE,
                "ChuHoSo": {"HoVaTen": "Lê Thị Hoa", "SoDinhDanh": "038190001234"},
                "DuLieuBieuMau": {"muc_dich": "Bổ sung hồ sơ xin việc"}})
            assert submitted.status_code == 201, submitted.text
            code = submitted.json()["MaHoSo"]

            officer = bearer(await login(gateway, "motcua", DEMO_PASSWORD))
            local = await gateway.get(f"/api/v1/dossiers/{code}", headers=officer)
            assert local.status_code == 200, local.text
            assert (local.json()["code"], local.json()["status_code"]) == (code, 1)
            received = await gateway.post(f"/api/v1/dossiers/{code}/receive", headers=officer,
                                          json={})
            assert received.status_code == 200, received.text

            async def portal_status() -> Any:
                view = await national.get(f"/api/hoso/{code}")
                return view.json() if view.status_code == 200 and view.json().get(
                    "TrangThaiHoSo") == 2 else None

            seen = await eventually(portal_status, timeout=30)
            assert seen, "the new status never reached the national portal"
        # Anyone may look the dossier up by its national code, without personal data.
        public = await gateway.get(f"/api/v1/public/dossiers/{code}")
        assert public.status_code == 200 and "Lê Thị Hoa" not in public.text

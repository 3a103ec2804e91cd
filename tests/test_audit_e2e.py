"""The audit log end to end: an officer opens a citizen's dossier through the gateway;
svc-dossier's audit event reaches svc-identity's chained log, the citizen sees the officer in
``GET /api/v1/me/access-log`` and another citizen does not; ``python -m svc_identity
audit-verify`` on the platform's identity database finds the chain intact and sealed."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from egov_testing import Databases, eventually
from tests.platform import DEMO_PASSWORD, Platform, bearer, login, register_citizen, running

pytestmark = pytest.mark.e2e
LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56",
             "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}


class SealingPlatform(Platform):
    """The platform with the audit chain sealed every half second (default: every minute)."""

    def env(self) -> dict[str, str]:
        return {**super().env(), "IDENTITY_AUDIT_SEAL_SECONDS": "0.5"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory,
             databases: Databases) -> Iterator[SealingPlatform]:
    with running(SealingPlatform, tmp_path_factory, databases, "audit") as platform:
        yield platform


@pytest.fixture(scope="module")
async def gateway(platform: SealingPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as client:
        yield client


async def citizen(gateway: httpx.AsyncClient) -> dict[str, str]:
    id_number, password = await register_citizen(gateway)
    return bearer(await login(gateway, id_number, password))


async def audit_verify(platform: Platform) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "svc_identity", "audit-verify", env=platform.env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


class TestWhoReadMyDossier:
    async def test_the_citizen_sees_the_officer_and_the_log_verifies(
        self, gateway: httpx.AsyncClient, platform: SealingPlatform
    ) -> None:
        applicant, other = await citizen(gateway), await citizen(gateway)
        submitted = await gateway.post("/api/v1/dossiers", headers=applicant, json=LLTP_BODY)
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["code"]
        officer = bearer(await login(gateway, "chuyenvien", DEMO_PASSWORD))
        assert (await gateway.get(f"/api/v1/dossiers/{code}", headers=officer)).status_code == 200

        async def accesses(headers: dict[str, str]) -> list[dict[str, Any]]:
            answer = await gateway.get("/api/v1/me/access-log", headers=headers)
            assert answer.status_code == 200, answer.text
            return [e for e in answer.json() if e["target_id"] == code]

        seen = await eventually(lambda: accesses(applicant), timeout=30)
        assert seen, "the officer's read never reached the citizen's access log"
        assert seen[0]["actor_name"] == "Trần Văn Bình"
        assert seen[0]["agency_name"] == "Sở Tư pháp tỉnh Thanh Hóa"
        assert seen[0]["action"] == "dossier.read" and seen[0]["at"].endswith("+07:00")
        assert await accesses(other) == []

        async def sealed_and_intact() -> str | None:
            status, out = await audit_verify(platform)
            assert status == 0, out
            seals = re.search(r", (\d+) dấu niêm phong", out)
            return out if seals and int(seals.group(1)) > 0 else None

        report = await eventually(sealed_and_intact, timeout=30, interval=0.5)
        assert report is not None and "HỢP LỆ / OK" in report

"""Submitting periodic reports to the national reporting system, here svc-reporting's own
SIMULATOR (mounted at /simulators/national-reporting, reached over the app's ASGI transport):
accepted, retried while the system is down, flagged when late; a submitted version is frozen
and a correction is a new version, itself submitted."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import DEMO_NATIONAL_REPORTING_KEY, ReportingSettings

PERIODIC = "/api/v1/reports/periodic"
SIMULATOR = "/simulators/national-reporting"
KEY = {"X-Api-Key": DEMO_NATIONAL_REPORTING_KEY}
OCTOBER = {"kind": "monthly", "period": "2026-10"}  # closed 14/10/2026, due 20/10/2026


def new_agency() -> str:
    return f"H56.{uuid.uuid4().hex[:6].upper()}"


@pytest.fixture(scope="module")
async def client(databases: Databases, nats_server: NatsServer, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(
        database_url=databases.new_url("reporting"), nats_url=nats_server.url,
        log_level="WARNING", demo=True, submission_dispatch_seconds=0.05,
        submission_retry_base_seconds=0.05, submission_retry_max_seconds=0.2,
        submission_status_poll_seconds=0.05, submission_max_attempts=6)
    app: FastAPI = create_app(settings, jwks_fetcher=issuer.jwks)
    async with serve_in_process(app) as client:
        national = app.state.national_reporting
        national.base_url, national.http = f"http://testserver{SIMULATOR}", client
        yield client


@pytest.fixture
def officer(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers(kind="official", roles=["reporting_officer"], agency_id="H56",
                          username="baocao")


async def draft(client: httpx.AsyncClient, headers: dict[str, str],
                **body: Any) -> dict[str, Any]:
    r = await client.post(PERIODIC, json={**OCTOBER, "agency_id": new_agency(), **body},
                          headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def submitted(client: httpx.AsyncClient, headers: dict[str, str],
                    report_id: str) -> dict[str, Any]:
    r = await client.post(f"{PERIODIC}/{report_id}/submit", headers=headers)
    assert r.status_code == 202, r.text
    return dict(r.json())


async def settled(client: httpx.AsyncClient, headers: dict[str, str], report_id: str,
                  status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        body = (await client.get(f"{PERIODIC}/{report_id}", headers=headers)).json()
        return body if body["submission"]["status"] == status else None

    found = await eventually(reached, timeout=30)
    assert found is not None, f"never {status}"
    return dict(found)


async def simulator_available(client: httpx.AsyncClient, available: bool) -> None:
    r = await client.put(f"{SIMULATOR}/control/availability", json={"available": available},
                         headers=KEY)
    assert r.status_code == 200


class TestSubmit:
    async def test_a_submitted_report_is_accepted(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        queued = await submitted(client, officer, report["id"])
        assert queued["status"] == "submitted"
        assert queued["submission"]["status"] == "queued"
        assert queued["submission"]["requested_by"] == "baocao"
        done = await settled(client, officer, report["id"], "accepted")
        submission = done["submission"]
        assert submission["receipt_id"].startswith("BC")
        assert submission["delivered_at"] and submission["decided_at"]
        assert submission["late"] is True  # due 20/10/2026
        national = (await client.get(f"{SIMULATOR}/api/bao-cao/{submission['receipt_id']}",
                                     headers=KEY)).json()
        assert (national["TrangThai"], national["MaBaoCao"], national["PhienBan"]) == (
            "DA_CHAP_NHAN", report["id"], 1)

    async def test_a_report_submitted_before_its_deadline_is_not_late(
        self, client: httpx.AsyncClient, officer: dict[str, str], issuer: TestIssuer
    ) -> None:
        admin = issuer.headers(kind="official", roles=["admin"], agency_id="H56")
        r = await client.put("/api/v1/reports/templates/THU-HAN-DAI", headers=admin, json={
            "name": "Báo cáo thử, hạn một năm", "kind": "monthly",
            "deadline": {"day": 20, "month_offset": 12}, "sections": ["dossiers"]})
        assert r.status_code == 200, r.text
        report = await draft(client, officer, template="THU-HAN-DAI")
        assert report["deadline_at"] == "2027-10-20T23:59:59+07:00"
        await submitted(client, officer, report["id"])
        done = await settled(client, officer, report["id"], "accepted")
        assert done["submission"]["late"] is False

    async def test_a_window_still_open_cannot_be_submitted(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer, kind="annual", period="2026")  # to 14/12/2026
        r = await client.post(f"{PERIODIC}/{report['id']}/submit", headers=officer)
        assert (r.status_code, r.json()["code"]) == (409, "window_open")

    async def test_a_leader_cannot_submit(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        leader = issuer.headers(kind="official", roles=["leader"], agency_id="H56")
        r = await client.post(f"{PERIODIC}/{report['id']}/submit", headers=leader)
        assert r.status_code == 403

    async def test_an_officer_of_another_subtree_cannot_submit(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        other = issuer.headers(kind="official", roles=["reporting_officer"],
                               agency_id=new_agency())
        r = await client.post(f"{PERIODIC}/{report['id']}/submit", headers=other)
        assert r.status_code == 404


class TestOutage:
    async def test_retried_while_the_system_is_down_then_accepted(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        await simulator_available(client, False)
        try:
            await submitted(client, officer, report["id"])

            async def retried() -> dict[str, Any] | None:
                body = (await client.get(f"{PERIODIC}/{report['id']}", headers=officer)).json()
                s = body["submission"]
                return s if s["status"] == "retrying" and s["attempts"] >= 2 else None

            retrying = await eventually(retried, timeout=30)
            assert retrying is not None and "503" in retrying["last_error"]
        finally:
            await simulator_available(client, True)
        done = await settled(client, officer, report["id"], "accepted")
        assert done["submission"]["attempts"] >= 3 and done["submission"]["last_error"] is None

    async def test_failed_after_the_last_attempt_and_requested_again(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        await simulator_available(client, False)
        try:
            await submitted(client, officer, report["id"])
            failed = await settled(client, officer, report["id"], "failed")
            assert failed["submission"]["attempts"] == 6
        finally:
            await simulator_available(client, True)
        again = await submitted(client, officer, report["id"])
        assert again["submission"]["status"] == "queued"
        await settled(client, officer, report["id"], "accepted")


class TestImmutability:
    async def test_a_submitted_report_cannot_change(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        await submitted(client, officer, report["id"])
        url = f"{PERIODIC}/{report['id']}"
        answers = [
            await client.put(url, json={"note": "sửa"}, headers=officer),
            await client.delete(url, headers=officer),
            await client.post(f"{url}/regenerate", headers=officer),
            await client.post(PERIODIC, json={**OCTOBER, "agency_id": report["agency_id"]},
                              headers=officer),
            await client.post(f"{url}/submit", headers=officer),
        ]
        assert [(r.status_code, r.json()["code"]) for r in answers] == [
            (409, "report_submitted")] * 5
        after = (await client.get(url, headers=officer)).json()
        assert (after["content_hash"], after["note"]) == (report["content_hash"], None)

    async def test_a_draft_can_be_edited_and_deleted(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        report = await draft(client, officer)
        url = f"{PERIODIC}/{report['id']}"
        r = await client.put(url, json={"note": "Số liệu tạm tính."}, headers=officer)
        assert r.json()["note"] == "Số liệu tạm tính."
        assert (await client.post(f"{url}/regenerate", headers=officer)).status_code == 200
        assert (await client.delete(url, headers=officer)).status_code == 204
        assert (await client.get(url, headers=officer)).status_code == 404


class TestCorrections:
    async def test_a_correction_is_version_2_and_replaces_the_accepted_one(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        first = await draft(client, officer)
        await submitted(client, officer, first["id"])
        accepted = await settled(client, officer, first["id"], "accepted")
        r = await client.post(f"{PERIODIC}/{first['id']}/corrections", headers=officer,
                              json={"reason": "Bổ sung hồ sơ tiếp nhận muộn."})
        assert r.status_code == 201, r.text
        second = r.json()
        assert (second["version"], second["corrects"], second["status"]) == (
            2, first["id"], "draft")
        assert second["correction_reason"] == "Bổ sung hồ sơ tiếp nhận muộn."
        assert (second["period"], second["window_start"]) == ("2026-10",
                                                              first["window_start"])
        await submitted(client, officer, second["id"])
        done = await settled(client, officer, second["id"], "accepted")
        national = (await client.get(
            f"{SIMULATOR}/api/bao-cao/{done['submission']['receipt_id']}", headers=KEY)).json()
        assert national["MaTiepNhanThayThe"] == accepted["submission"]["receipt_id"]
        assert national["PhienBan"] == 2
        versions = (await client.get(f"{PERIODIC}/{second['id']}/versions",
                                     headers=officer)).json()
        assert [(v["version"], v["corrects"]) for v in versions] == [(1, None),
                                                                     (2, first["id"])]

    async def test_only_the_latest_submitted_version_is_corrected(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        first = await draft(client, officer)
        body = {"reason": "Điều chỉnh số liệu."}
        r = await client.post(f"{PERIODIC}/{first['id']}/corrections", json=body,
                              headers=officer)
        assert (r.status_code, r.json()["code"]) == (409, "report_not_submitted")
        await submitted(client, officer, first["id"])
        assert (await client.post(f"{PERIODIC}/{first['id']}/corrections", json=body,
                                  headers=officer)).status_code == 201
        r = await client.post(f"{PERIODIC}/{first['id']}/corrections", json=body,
                              headers=officer)
        assert (r.status_code, r.json()["code"]) == (409, "report_superseded")

    async def test_a_rejected_report_is_corrected_and_accepted(
        self, client: httpx.AsyncClient, officer: dict[str, str]
    ) -> None:
        first = await draft(client, officer)
        r = await client.put(f"{SIMULATOR}/control/rejections/{first['id']}", headers=KEY,
                             json={"reason": "Thiếu thuyết minh số liệu."})
        assert r.status_code == 200
        await submitted(client, officer, first["id"])
        rejected = await settled(client, officer, first["id"], "rejected")
        assert rejected["submission"]["reason"] == "Thiếu thuyết minh số liệu."
        r = await client.post(f"{PERIODIC}/{first['id']}/corrections", headers=officer,
                              json={"reason": "Bổ sung thuyết minh.", "recompute": False})
        second = r.json()
        assert second["content"] == first["content"]
        await submitted(client, officer, second["id"])
        await settled(client, officer, second["id"], "accepted")


class TestSimulator:
    async def test_a_malformed_message_is_refused(self, client: httpx.AsyncClient) -> None:
        r = await client.post(f"{SIMULATOR}/api/bao-cao", json={"MaDonVi": "H56"}, headers=KEY)
        assert r.status_code == 400
        assert r.json()["MaLoi"] == "98" and "MaBaoCao" in r.json()["MoTaLoi"]
        assert r.headers["x-simulator"] == "he-thong-bao-cao-quoc-gia"

    async def test_a_report_without_figures_is_rejected_with_a_reason(
        self, client: httpx.AsyncClient
    ) -> None:
        message = {"MaBaoCao": uuid.uuid4().hex, "MaDonVi": "H56", "MaMauBaoCao": "X",
                   "TenBaoCao": "Thử", "LoaiKy": "THANG", "KyBaoCao": "2026-10",
                   "TenKyBaoCao": "Tháng 10/2026", "TuNgay": "20260915000000",
                   "DenNgay": "20261014235959", "PhienBan": 1, "NgayGui": "20261128100000",
                   "MaBam": "0" * 64, "SoLieu": []}
        receipt = (await client.post(f"{SIMULATOR}/api/bao-cao", json=message,
                                     headers=KEY)).json()
        assert (receipt["MaLoi"], receipt["TrangThai"]) == ("00", "DA_TIEP_NHAN")
        again = (await client.post(f"{SIMULATOR}/api/bao-cao", json=message,
                                   headers=KEY)).json()
        assert again["MaTiepNhan"] == receipt["MaTiepNhan"]  # the same report: same receipt
        status = (await client.get(f"{SIMULATOR}/api/bao-cao/{receipt['MaTiepNhan']}",
                                   headers=KEY)).json()
        assert status["TrangThai"] == "TU_CHOI"
        assert status["LyDo"] == "Báo cáo không có số liệu (SoLieu)."

    async def test_a_wrong_key_is_refused(self, client: httpx.AsyncClient) -> None:
        r = await client.get(f"{SIMULATOR}/api/bao-cao/BC1", headers={"X-Api-Key": "sai"})
        assert (r.status_code, r.json()["MaLoi"]) == (401, "01")

    async def test_it_documents_itself_as_a_simulator(self, client: httpx.AsyncClient) -> None:
        spec = (await client.get(f"{SIMULATOR}/openapi.json")).json()
        assert spec["info"]["title"].startswith("SIMULATOR")

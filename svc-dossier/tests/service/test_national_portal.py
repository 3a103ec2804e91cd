"""The national public-service portal integration, as the portal, the officers and a citizen
on the national portal see it. The portal is svc-dossier's own SIMULATOR (mounted at
/simulators/national-portal), reached over the app's ASGI transport; the rest is real:
database, NATS, the lifecycle, the consumer, the sender, tokens signed by a real key."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from egov_shared.timeutil import VN_TZ
from egov_testing import TestIssuer, eventually, serve_in_process
from svc_dossier.main import create_app
from svc_dossier.national.format import dossier_message
from svc_dossier.national.repository import dossiers_by_code, for_dossier
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp H56.14
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc"}}
SIMULATOR = "/simulators/national-portal"
FULL_PATH: list[tuple[str, dict[str, Any]]] = [
    ("receive", {}), ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3}),
    ("request-payment", {"amount": 200000}), ("payment-received", {"amount": 200000}),
    ("decide", {"outcome": "approved", "result_file": "kq/LLTP.pdf"}), ("return-result", {})]
FULL_STATUSES = [1, 2, 4, 6, 4, 9, 10]


def simulator_of(app: FastAPI) -> FastAPI:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == SIMULATOR)
    simulator: FastAPI = mount.app  # type: ignore[assignment]
    return simulator


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.issuer = issuer
        self.applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen",
                                        username="038090001234")
        self.officer = issuer.headers(kind="official", agency_id="H56.14", roles=[
            "one_stop_officer", "processing_officer", "leader"])
        self.admin = issuer.headers(kind="official", agency_id="H56", roles=["admin"])
        self.portal_subject = "cong-dvc-quoc-gia-mo-phong"

    def portal(self, scope: str = "national-portal") -> dict[str, str]:
        return self.issuer.headers(sub=self.portal_subject, kind="client", scope=scope)


@pytest.fixture(scope="module")
async def app_and_client(dossier_settings: DossierSettings, issuer: TestIssuer
                         ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = dossier_settings.model_copy(update={
        "national_sync_poll_seconds": 0.05, "national_sync_retry_base_seconds": 0.05,
        "national_sync_retry_max_seconds": 0.2, "national_reconcile_interval_seconds": 0})
    app = create_app(settings, jwks_fetcher=issuer.jwks)
    async with serve_in_process(app) as client:
        portal = app.state.national_portal
        portal.base_url, portal.http = f"http://testserver{SIMULATOR}", client
        simulator = simulator_of(app)
        simulator.state.http, simulator.state.facade_url = client, "http://testserver"

        async def token() -> str:
            return issuer.token(sub="cong-dvc-quoc-gia-mo-phong", kind="client",
                                scope="national-portal")

        simulator.state.token_source = token
        yield app, client


@pytest.fixture
def client(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_and_client[1]


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def submit(client: httpx.AsyncClient, people: People) -> str:
    answer = await client.post("/api/v1/dossiers", headers=people.applicant, json=LLTP_BODY)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


async def act(client: httpx.AsyncClient, people: People, code: str, path: str,
              body: dict[str, Any]) -> None:
    answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=people.officer,
                               json=body)
    assert answer.status_code == 200, answer.text


async def held(client: httpx.AsyncClient, code: str) -> dict[str, Any] | None:
    answer = await client.get(f"{SIMULATOR}/api/hoso/{code}")
    return dict(answer.json()) if answer.status_code == 200 else None


async def portal_statuses(client: httpx.AsyncClient, code: str, expected: list[int]
                          ) -> dict[str, Any]:
    """The simulator's record of the dossier once it holds ``len(expected)`` messages."""
    async def arrived() -> dict[str, Any] | None:
        view = await held(client, code)
        return view if view and len(view["BanTin"]) >= len(expected) else None

    view = await eventually(arrived, timeout=20)
    assert view is not None, await held(client, code)
    return view


async def acknowledged(client: httpx.AsyncClient, people: People, code: str, *, count: int = 1
                       ) -> list[dict[str, Any]]:
    """The dossier's sync messages once there are ``count`` or more and the sender has recorded
    every acknowledgement."""
    async def all_sent() -> list[dict[str, Any]] | None:
        rows = await sync_rows(client, people, code)
        return rows if len(rows) >= count and {m["state"] for m in rows} == {"sent"} else None

    rows = await eventually(all_sent, timeout=20)
    assert rows, "the sender recorded the portal's acknowledgements"
    return list(rows)


async def sync_rows(client: httpx.AsyncClient, people: People, code: str
                    ) -> list[dict[str, Any]]:
    answer = await client.get(f"/integration/dossiers/{code}/sync", headers=people.admin)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def pending(client: httpx.AsyncClient, people: People, code: str, count: int) -> None:
    """Waits until the dossier has ``count`` sync messages, the last one not sent yet."""
    async def written() -> bool:
        rows = await sync_rows(client, people, code)
        return len(rows) == count and [r["state"] for r in rows][-1] == "pending"

    assert await eventually(written, timeout=20), await sync_rows(client, people, code)


def assert_exactly_once_in_order(view: dict[str, Any], expected: list[int]) -> None:
    messages = view["BanTin"]
    assert [m["TrangThaiHoSo"] for m in messages] == expected
    assert [m["SoThuTu"] for m in messages] == list(range(1, len(expected) + 1))
    assert view["SoBanTinTrungLap"] == 0 and view["SoBanTinSaiThuTu"] == 0


class TestPushToTheNationalPortal:
    async def test_every_status_change_arrives_once_and_in_order(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await submit(client, people)
        for path, body in FULL_PATH:
            await act(client, people, code, path, body)
        view = await portal_statuses(client, code, FULL_STATUSES)
        assert_exactly_once_in_order(view, FULL_STATUSES)
        first, last = view["BanTin"][0], view["BanTin"][-1]
        assert first["MaHoSo"] == code and first["MaTTHC"] == LLTP and first["KenhThucHien"] == 2
        assert len(first["NgayNopHoSo"]) == 14 and first["NgayNopHoSo"].isdigit()
        assert last["NgayKetThucXuLy"] and last["NgayTiepNhan"] and last["NgayHenTra"]
        rows = await acknowledged(client, people, code)
        assert [m["kind"] for m in rows] == ["dossier"] + ["progress"] * 6

    async def test_a_portal_down_for_a_while_loses_and_duplicates_nothing(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await submit(client, people)
        assert (await client.post(f"{SIMULATOR}/admin/down")).json() == {"HoatDong": False}
        try:
            for path, body in FULL_PATH:
                await act(client, people, code, path, body)

            async def retried() -> bool:
                rows = (await client.get(f"/integration/dossiers/{code}/sync",
                                         headers=people.admin)).json()
                return len(rows) == 7 and any(r["attempts"] >= 2 for r in rows)

            assert await eventually(retried, timeout=20)
        finally:
            await client.post(f"{SIMULATOR}/admin/up")
        view = await portal_statuses(client, code, FULL_STATUSES)
        assert_exactly_once_in_order(view, FULL_STATUSES)

    async def test_reconciliation_pushes_again_what_the_portal_lost(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await submit(client, people)
        await act(client, people, code, "receive", {})
        await portal_statuses(client, code, [1, 2])
        await acknowledged(client, people, code)  # reconciliation skips dossiers in flight
        await client.delete(f"{SIMULATOR}/api/hoso/{code}")
        report = await client.post("/integration/reconciliation", headers=people.admin)
        assert report.status_code == 200, report.text
        assert code in report.json()["repushed"]

        async def restored() -> dict[str, Any] | None:
            view = await held(client, code)
            return view if view and view["TrangThaiHoSo"] == 2 else None

        assert await eventually(restored, timeout=20)
        again = await client.post("/integration/reconciliation", headers=people.admin)
        assert code not in again.json()["repushed"]

    async def test_reconciliations_at_once_all_answer_and_keep_the_order(
            self, app_and_client: tuple[FastAPI, httpx.AsyncClient], people: People) -> None:
        """Several reconciliations at once (an administrator's, the hourly job's, another
        process's) each take the dossier's next sequence: none fails on another's (a 500 seen
        once in CI), and the messages stay numbered 1, 2, 3, … for the portal."""
        app, client = app_and_client
        code = await submit(client, people)
        await acknowledged(client, people, code)
        await client.delete(f"{SIMULATOR}/api/hoso/{code}")
        answers = await asyncio.gather(*(client.post("/integration/reconciliation",
                                                     headers=people.admin) for _ in range(3)))
        assert [a.status_code for a in answers] == [200, 200, 200]
        sender = app.state.national_sender
        async with sender.sessionmaker() as session:
            row = (await dossiers_by_code(session, [code]))[0]
        await asyncio.gather(*(sender._repush(row) for _ in range(4)))  # no lock between them
        async with sender.sessionmaker() as session:
            sequences = [m.sequence for m in await for_dossier(session, code)]
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
        assert len(sequences) >= 6  # the submission, at least one reconciliation, the four

    async def test_a_round_pushes_each_kind_in_one_call(
            self, app_and_client: tuple[FastAPI, httpx.AsyncClient], people: People) -> None:
        app, client = app_and_client
        sender, simulator = app.state.national_sender, simulator_of(app)
        synced = [await submit(client, people) for _ in range(3)]
        for code in synced:
            await acknowledged(client, people, code)
        await sender.stop()  # the rounds are taken by hand: several dossiers wait for one
        try:
            for code in synced:
                await act(client, people, code, "receive", {})
                await pending(client, people, code, 2)
            fresh = [await submit(client, people) for _ in range(3)]
            for code in fresh:
                await pending(client, people, code, 1)
            before = Counter(simulator.state.calls)
            assert await sender.push_due() >= 6
            calls = Counter(simulator.state.calls)
            calls.subtract(before)
            assert +calls == {"DongBoHoSoMC": 1, "CapNhatTienDoHoSoMC": 1}
        finally:
            sender.start()
        for code in synced:
            assert_exactly_once_in_order(await portal_statuses(client, code, [1, 2]), [1, 2])
            await acknowledged(client, people, code, count=2)
        for code in fresh:
            assert_exactly_once_in_order(await portal_statuses(client, code, [1]), [1])
            await acknowledged(client, people, code)

    async def test_a_progress_of_a_dossier_the_portal_lost_sends_the_whole_dossier(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await submit(client, people)
        await acknowledged(client, people, code)
        await client.delete(f"{SIMULATOR}/api/hoso/{code}")
        await act(client, people, code, "receive", {})
        rows = await acknowledged(client, people, code, count=2)
        assert [r["kind"] for r in rows] == ["dossier", "progress"]
        view = await held(client, code)
        assert view and view["NguonHoSo"] == "province" and view["TrangThaiHoSo"] == 2
        assert [(m["SoThuTu"], m["TrangThaiHoSo"]) for m in view["BanTin"]] == [(2, 2)]


def national_message(code: str, sequence: int, status: int = 1) -> dict[str, Any]:
    """A message as the province builds it."""
    now = datetime.now(UTC)
    return dossier_message({"code": code, "procedure_code": LLTP, "agency_id": "H56.14",
                            "channel": "online", "status_code": status, "submitted_at": now,
                            "at": now, "action": "submit"}, sequence=sequence)


def new_code() -> str:
    """A dossier code only the simulator will hear of."""
    return f"H56.14-MOPHONG-{uuid.uuid4().hex[:12]}"


class TestTheSimulatorsPushCalls:
    async def test_each_message_of_a_call_is_answered_on_its_own(
            self, client: httpx.AsyncClient) -> None:
        code, lost = new_code(), new_code()
        first = await client.post(f"{SIMULATOR}/api/DongBoHoSoMC",
                                  json={"data": [national_message(code, 1)]})
        assert [i["MaLoi"] for i in first.json()["KetQua"]] == ["00"], first.text
        bad = {"MaHoSo": code, "SoThuTu": "3", "MaTTHC": LLTP, "MaCoQuan": "H56.14",
               "KenhThucHien": 2, "TrangThaiHoSo": 11, "NgayHenTra": "2026-12-01T17:00:00"}
        answer = await client.post(f"{SIMULATOR}/api/CapNhatTienDoHoSoMC", json={"data": [
            national_message(code, 2, status=2), bad, national_message(lost, 2, status=2)]})
        assert answer.status_code == 200 and answer.json()["MaLoi"] == "00", answer.text
        items = answer.json()["KetQua"]
        assert [(i["MaHoSo"], i["SoThuTu"], i["MaLoi"]) for i in items] == [
            (code, 2, "00"), (code, "3", "01"), (lost, 2, "04")]
        fields = {e["TruongDuLieu"] for e in items[1]["LoiChiTiet"]}
        assert {"SoThuTu", "TrangThaiHoSo", "NgayHenTra"} <= fields
        view = await held(client, code)
        assert view and [m["TrangThaiHoSo"] for m in view["BanTin"]] == [1, 2]
        assert await held(client, lost) is None

    async def test_the_messages_of_a_dossier_in_one_call_apply_in_sequence(
            self, client: httpx.AsyncClient) -> None:
        code = new_code()
        answer = await client.post(f"{SIMULATOR}/api/DongBoHoSoMC", json={"data": [
            national_message(code, 1), national_message(code, 2, status=2),
            national_message(code, 2, status=2), national_message(code, 5, status=4)]})
        assert answer.status_code == 200, answer.text
        items = answer.json()["KetQua"]
        assert [i["MaLoi"] for i in items] == ["00", "00", "02", "05"]
        assert items[3]["SoThuTuMongDoi"] == 3
        view = await held(client, code)
        assert view and [m["SoThuTu"] for m in view["BanTin"]] == [1, 2]
        assert (view["SoBanTinTrungLap"], view["SoBanTinSaiThuTu"]) == (1, 1)

    async def test_odd_values_in_a_malformed_message_are_not_echoed(
            self, client: httpx.AsyncClient) -> None:
        body = b'{"data": [{"MaHoSo": 5.5, "SoThuTu": 1e400}, {"MaHoSo": ["x"], "SoThuTu": true}]}'
        answer = await client.post(f"{SIMULATOR}/api/DongBoHoSoMC", content=body,
                                   headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        assert [(i["MaHoSo"], i["SoThuTu"], i["MaLoi"]) for i in answer.json()["KetQua"]] == [
            (None, None, "01"), (None, None, "01")]

    @pytest.mark.parametrize("shape", ["a list", "no data", "no message", "101 messages",
                                       "data not a list"])
    async def test_a_malformed_call_is_refused_whole(self, client: httpx.AsyncClient,
                                                     shape: str) -> None:
        code = new_code()
        message = national_message(code, 1)
        body = {"a list": [message], "no data": {"BanTin": [message]}, "no message": {"data": []},
                "101 messages": {"data": [message] * 101},
                "data not a list": {"data": message}}[shape]
        for name in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC"):
            answer = await client.post(f"{SIMULATOR}/api/{name}", json=body)
            assert answer.status_code == 400 and answer.json()["MaLoi"] == "01", answer.text
            assert answer.json()["LoiChiTiet"] and "KetQua" not in answer.json()
        assert await held(client, code) is None


class TestDossiersFromTheNationalPortal:
    async def test_a_dossier_submitted_nationally_appears_here_and_its_status_flows_back(
            self, client: httpx.AsyncClient, people: People) -> None:
        answer = await client.post(f"{SIMULATOR}/citizen/dossiers", json={
            "MaTTHC": LLTP, "MaCoQuan": "H56.14",
            "ChuHoSo": {"HoVaTen": "Lê Thị Hoa", "SoDinhDanh": "038190001234"},
            "DuLieuBieuMau": {"muc_dich": "Xin việc"}})
        assert answer.status_code == 201, answer.text
        code = answer.json()["MaHoSo"]
        local = await client.get(f"/api/v1/dossiers/{code}", headers=people.officer)
        assert local.status_code == 200, local.text
        assert local.json()["code"] == code and local.json()["status_code"] == 1
        await act(client, people, code, "receive", {})
        view = await portal_statuses(client, code, [1, 2])
        assert view["NguonHoSo"] == "national"
        assert_exactly_once_in_order(view, [1, 2])
        status = await client.get(f"/integration/dossiers/{code}", headers=people.portal())
        assert status.json()["TrangThaiHoSo"] == 2
        # Local codes of the agency's day continue after the national one: never repeated.
        assert await submit(client, people) > code

    async def test_the_same_dossier_sent_again_is_answered_as_it_is(
            self, client: httpx.AsyncClient, people: People) -> None:
        body = national_body("5901")
        first = await client.post("/integration/dossiers", headers=people.portal(), json=body)
        assert first.status_code == 201, first.text
        again = await client.post("/integration/dossiers", headers=people.portal(), json=body)
        assert again.status_code == 200 and again.json()["MaHoSo"] == body["MaHoSo"]

    @pytest.mark.parametrize(("change", "code"), [
        ({"MaHoSo": "not a code"}, "validation_failed"),
        ({"NgayNopHoSo": "2026-11-28"}, "validation_failed"),
        ({"ChuHoSo": {"HoVaTen": "A", "SoDinhDanh": "123"}}, "validation_failed"),
        ({"MaTTHC": "9.999999.000.00.00.H56"}, "unknown_procedure"),
        ({"MaCoQuan": "H56.15"}, "invalid_dossier_code"),
        ({"DuLieuBieuMau": {"muc_dich": 5}}, "invalid_form_data"),
    ])
    async def test_bad_input_is_a_4xx_problem(self, client: httpx.AsyncClient, people: People,
                                              change: dict[str, Any], code: str) -> None:
        answer = await client.post("/integration/dossiers", headers=people.portal(),
                                   json={**national_body("5902"), **change})
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code

    async def test_only_the_national_portal_may_call(self, client: httpx.AsyncClient,
                                                     people: People) -> None:
        body = national_body("5903")
        assert (await client.post("/integration/dossiers", json=body)).status_code == 401
        bad = {"Authorization": "Bearer not-a-token"}
        assert (await client.post("/integration/dossiers", headers=bad,
                                  json=body)).status_code == 401
        for headers in (people.applicant, people.officer, people.portal(scope="axis")):
            answer = await client.post("/integration/dossiers", headers=headers, json=body)
            assert answer.status_code == 403 and answer.json()["code"] == "national_portal_only"
        assert (await client.post("/integration/reconciliation",
                                  headers=people.portal())).status_code == 403


class TestCatalogue:
    async def test_the_catalogue_in_the_national_format(self, client: httpx.AsyncClient) -> None:
        listed = await client.get("/integration/procedures")
        assert listed.status_code == 200
        items = {item["MaTTHC"]: item for item in listed.json()["result"]}
        assert items[LLTP]["MucDo"] in (2, 3, 4) and items[LLTP]["TenTTHC"]
        one = await client.get(f"/integration/procedures/{LLTP}")
        assert one.json() == items[LLTP]


def national_body(number: str) -> dict[str, Any]:
    now = datetime.now(VN_TZ)
    return {"MaHoSo": f"H56.14-{now:%y%m%d}-{number}", "MaTTHC": LLTP, "MaCoQuan": "H56.14",
            "NgayNopHoSo": f"{now:%Y%m%d%H%M%S}",
            "ChuHoSo": {"HoVaTen": "Trần Văn Nam", "SoDinhDanh": "038090005678"},
            "DuLieuBieuMau": {"muc_dich": "Xin việc"}}

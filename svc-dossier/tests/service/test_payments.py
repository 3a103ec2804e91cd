"""Online payment of a dossier's fees through the national payment platform, as the applicant,
the officers and the platform see it. The platform is svc-dossier's own SIMULATOR (mounted at
/simulators/payment), reached over the app's ASGI transport; the rest is real: database, NATS,
the lifecycle, MaXacThuc both ways."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy
from starlette.routing import Mount

from egov_testing import NatsServer, TestIssuer, free_port, serve_in_process
from svc_dossier.main import create_app
from svc_dossier.payments.protocol import Notification, national_time
from svc_dossier.settings import DEMO_PAYMENT_SECRET, DossierSettings

LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp H56.14
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc"}}
NOTIFICATIONS = "/api/v1/payments/notifications"


def simulator_of(app: FastAPI) -> FastAPI:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/simulators/payment")
    simulator: FastAPI = mount.app  # type: ignore[assignment]
    return simulator


@pytest.fixture(scope="module")
async def app_and_client(dossier_settings: DossierSettings, issuer: TestIssuer
                         ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(dossier_settings, jwks_fetcher=issuer.jwks)
    async with serve_in_process(app) as client:
        platform = app.state.payment_platform
        platform.base_url, platform.http = "http://testserver/simulators/payment", client
        simulator_of(app).state.http = client  # its callbacks reach this app
        yield app, client


@pytest.fixture
def client(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_and_client[1]


@pytest.fixture
def find_dossier_event(nats_server: NatsServer) -> Any:
    """The event on a NATS subject about one dossier that satisfies ``match`` (reads the stream
    from its start; other modules' databases may have reused the same dossier code)."""

    async def find(subject: str, code: str, match: Any = lambda event: True) -> dict[str, Any]:
        nc = await nats.connect(nats_server.url)
        try:
            sub = await nc.jetstream().subscribe(
                subject, ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
            while True:
                event: dict[str, Any] = json.loads((await sub.next_msg(timeout=10)).data)
                if event.get("subject") == code and match(event):
                    return event
        finally:
            await nc.close()

    return find


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen",
                                        username="038090001234")
        self.other_citizen = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        self.officer = issuer.headers(kind="official", agency_id="H56.14",
                                      roles=["one_stop_officer", "processing_officer"])


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def awaiting_payment(client: httpx.AsyncClient, people: People,
                           amount: int | None = None) -> str:
    """A dossier received, handed to the processing unit and asked to pay (status 6)."""
    submitted = await client.post("/api/v1/dossiers", headers=people.applicant, json=LLTP_BODY)
    assert submitted.status_code == 201, submitted.text
    code = str(submitted.json()["code"])
    steps: list[tuple[str, dict[str, Any]]] = [
        ("receive", {}), ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3}),
        ("request-payment", {"amount": amount})]
    for path, body in steps:
        answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=people.officer,
                                   json=body)
        assert answer.status_code == 200, answer.text
    return code


async def dossier(client: httpx.AsyncClient, people: People, code: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v1/dossiers/{code}", headers=people.applicant)
    return dict(answer.json())


async def actions(client: httpx.AsyncClient, people: People, code: str) -> list[str]:
    answer = await client.get(f"/api/v1/dossiers/{code}/history", headers=people.officer)
    return [entry["action"] for entry in answer.json()["entries"]]


async def start(client: httpx.AsyncClient, people: People, code: str) -> dict[str, Any]:
    answer = await client.post(f"/api/v1/dossiers/{code}/payments", headers=people.applicant)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def payer_chooses(client: httpx.AsyncClient, payment: dict[str, Any], action: str
                        ) -> httpx.Response:
    """The payer's browser on the platform's page: look, then press a button."""
    path = urlsplit(payment["payment_url"]).path
    page = await client.get(path)
    assert page.status_code == 200 and "MÔ PHỎNG" in page.text
    assert f"{payment['amount']:,} ₫".replace(",", ".") in page.text  # 200.000 ₫
    return await client.post(path, data={"action": action})


def notification(reference: str, amount: int, *, secret: str = DEMO_PAYMENT_SECRET,
                 **changes: Any) -> dict[str, Any]:
    message = Notification(error_code="00", partner="H56", reference=reference,
                           transaction_id="GD-" + uuid.uuid4().hex[:8], amount=amount,
                           time=national_time(datetime.now(UTC))).signed(secret)
    return {**message.wire(), **changes}


class TestPayOnline:
    async def test_the_applicant_pays_and_the_dossier_moves_on(
        self, client: httpx.AsyncClient, people: People, find_dossier_event: Any
    ) -> None:
        code = await awaiting_payment(client, people, amount=200_000)
        payment = await start(client, people, code)
        assert payment["status"] == "pending" and payment["amount"] == 200_000
        assert payment["payment_url"] and payment["reference"].startswith(code)
        again = await start(client, people, code)  # the open payment, not a second one
        assert again["reference"] == payment["reference"]

        back = await payer_chooses(client, payment, "pay")
        assert back.status_code == 303
        assert f"MaThamChieu={payment['reference']}" in back.headers["location"]

        assert (await dossier(client, people, code))["status_code"] == 4
        assert (await actions(client, people, code))[-1] == "payment_received"
        listed = await client.get(f"/api/v1/dossiers/{code}/payments", headers=people.officer)
        paid = listed.json()[0]
        assert paid["status"] == "paid" and paid["receipt_number"].startswith("BL-")
        assert paid["paid_at"].endswith("+07:00") and paid["payment_url"] is None
        receipt = await client.get(f"/api/v1/payments/{payment['reference']}/receipt",
                                   headers=people.applicant)
        assert receipt.status_code == 200, receipt.text
        assert receipt.json()["amount"] == 200_000 and receipt.json()["dossier_code"] == code
        assert receipt.json()["procedure_name"] == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
        event = await find_dossier_event("dossier.dossier.payment_received", code,
                                         lambda e: e["data"].get("amount") == 200_000)
        assert event["data"]["amount"] == 200_000 and event["data"]["status_code"] == 4

    async def test_a_payer_who_gives_up_leaves_the_dossier_waiting(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await awaiting_payment(client, people)
        first = await start(client, people, code)
        await payer_chooses(client, first, "cancel")
        assert (await dossier(client, people, code))["status_code"] == 6
        second = await start(client, people, code)  # a new attempt
        assert second["reference"] != first["reference"]

    async def test_a_lost_callback_is_caught_up_by_reconciliation(
        self, app_and_client: tuple[FastAPI, httpx.AsyncClient], people: People
    ) -> None:
        app, client = app_and_client
        code = await awaiting_payment(client, people)
        payment = await start(client, people, code)
        simulator = simulator_of(app)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}") as dead:
            simulator.state.http = dead  # the platform's callback never arrives
            try:
                await payer_chooses(client, payment, "pay")
            finally:
                simulator.state.http = client
        assert (await dossier(client, people, code))["status_code"] == 6
        reconciled = await client.post(f"/api/v1/payments/{payment['reference']}/reconcile",
                                       headers=people.officer)
        assert reconciled.status_code == 200, reconciled.text
        assert reconciled.json()["status"] == "paid"
        assert (await dossier(client, people, code))["status_code"] == 4


class TestCallbacksThatChangeNothing:
    async def expect_unchanged(self, client: httpx.AsyncClient, people: People, code: str,
                               body: Any, status: int, outcome: str) -> None:
        before = await actions(client, people, code)
        answer = await client.post(NOTIFICATIONS, json=body)
        assert answer.status_code == status, answer.text
        if status >= 400:
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["code"] == outcome
        assert (await dossier(client, people, code))["status_code"] in (4, 6)
        assert await actions(client, people, code) == before  # no history, so no event

    async def test_a_forged_callback_is_refused(self, client: httpx.AsyncClient,
                                                people: People) -> None:
        code = await awaiting_payment(client, people)
        payment = await start(client, people, code)
        forged = notification(payment["reference"], payment["amount"], secret="doan-mo")
        await self.expect_unchanged(client, people, code, forged, 400, "invalid_checksum")
        tampered = {**notification(payment["reference"], payment["amount"]), "MaLoi": "00",
                    "MaGiaoDich": "GD-GIA-MAO"}
        await self.expect_unchanged(client, people, code, tampered, 400, "invalid_checksum")
        assert (await dossier(client, people, code))["status_code"] == 6

    async def test_a_callback_for_another_amount_is_refused(self, client: httpx.AsyncClient,
                                                            people: People) -> None:
        code = await awaiting_payment(client, people)
        payment = await start(client, people, code)
        cheaper = notification(payment["reference"], payment["amount"] - 1_000)
        await self.expect_unchanged(client, people, code, cheaper, 400, "amount_mismatch")

    @pytest.mark.parametrize(("body", "status", "outcome"), [
        ({"MaLoi": "00"}, 400, "malformed"),
        ("not an object", 400, "malformed"),
        ({"MaLoi": "00", "MaDoiTac": "H99", "MaThamChieu": "x", "MaGiaoDich": "y",
          "SoTien": 1, "ThoiGianGD": "20261128000000", "MaXacThuc": "0" * 64}, 400,
         "unknown_partner"),
        # Found by the fuzzer: a checksum with non-ASCII characters was a 500.
        ({"MaLoi": "00", "MaDoiTac": "H56", "MaThamChieu": "x", "MaGiaoDich": "y",
          "SoTien": 1, "ThoiGianGD": "20261128000000", "MaXacThuc": "ữ" * 64}, 400,
         "invalid_checksum"),
    ])
    async def test_malformed_callbacks_are_refused(self, client: httpx.AsyncClient,
                                                   body: Any, status: int,
                                                   outcome: str) -> None:
        answer = await client.post(NOTIFICATIONS, json=body)
        assert answer.status_code == status and answer.json()["code"] == outcome

    async def test_the_refusals_are_documented(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()
        responses = document["paths"][NOTIFICATIONS]["post"]["responses"]
        assert {"200", "400", "404", "503"} <= set(responses)
        assert "application/problem+json" in responses["400"]["content"]

    async def test_an_unknown_reference_is_not_found(self, client: httpx.AsyncClient) -> None:
        answer = await client.post(NOTIFICATIONS, json=notification("H56.14-000000-0000-X", 1))
        assert answer.status_code == 404 and answer.json()["code"] == "unknown_reference"

    async def test_a_replayed_callback_is_acknowledged_and_changes_nothing(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await awaiting_payment(client, people)
        payment = await start(client, people, code)
        genuine = notification(payment["reference"], payment["amount"])
        first = await client.post(NOTIFICATIONS, json=genuine)
        assert first.status_code == 200 and first.json()["MaLoi"] == "00"
        assert (await dossier(client, people, code))["status_code"] == 4
        await self.expect_unchanged(client, people, code, genuine, 200, "replayed")
        assert (await actions(client, people, code)).count("payment_received") == 1


class TestWhoMayPay:
    async def test_only_the_applicant_opens_a_payment_and_only_when_asked(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await awaiting_payment(client, people)
        other = await client.post(f"/api/v1/dossiers/{code}/payments",
                                  headers=people.other_citizen)
        assert other.status_code == 404 and other.json()["code"] == "dossier_not_found"
        officer = await client.post(f"/api/v1/dossiers/{code}/payments", headers=people.officer)
        assert officer.status_code == 403 and officer.json()["code"] == "not_the_applicant"
        anonymous = await client.post(f"/api/v1/dossiers/{code}/payments")
        assert anonymous.status_code == 401

        submitted = await client.post("/api/v1/dossiers", headers=people.applicant,
                                      json=LLTP_BODY)
        early = await client.post(f"/api/v1/dossiers/{submitted.json()['code']}/payments",
                                  headers=people.applicant)
        assert early.status_code == 409 and early.json()["code"] == "payment_not_requested"

    async def test_receipts_and_payments_are_the_applicants_and_officers_only(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await awaiting_payment(client, people)
        payment = await start(client, people, code)
        unpaid = await client.get(f"/api/v1/payments/{payment['reference']}/receipt",
                                  headers=people.applicant)
        assert unpaid.status_code == 409 and unpaid.json()["code"] == "not_paid"
        stranger = await client.get(f"/api/v1/payments/{payment['reference']}/receipt",
                                    headers=people.other_citizen)
        assert stranger.status_code == 404
        listed = await client.get(f"/api/v1/dossiers/{code}/payments",
                                  headers=people.other_citizen)
        assert listed.status_code == 404


class TestSimulatorOutsideDemo:
    async def test_answers_nothing_when_demo_mode_is_off(
        self, app_and_client: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        app, client = app_and_client
        simulator = simulator_of(app)
        simulator.state.enabled = False
        try:
            answer = await client.post("/simulators/payment/api/transactions", json={})
        finally:
            simulator.state.enabled = True
        assert answer.status_code == 503 and answer.json()["MaLoi"] == "99"

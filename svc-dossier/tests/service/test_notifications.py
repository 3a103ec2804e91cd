"""Notifications to applicants, through the API, a real SMTP server (aiosmtpd) and the SMS
simulator: told of each status change, preferences respected, retried until delivered."""

from __future__ import annotations

import email
import email.policy
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from egov_shared.observability import EVENTS_CONSUMED
from egov_testing import Databases, NatsServer, TestIssuer, eventually, free_port, serve_in_process
from svc_dossier.main import create_app
from svc_dossier.models import applicant_notification, messaging
from svc_dossier.notifications.senders import SmsSimulator
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp, 200 000 đồng
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
DURABLE = "dossier-notifications"


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self.mailbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Service:
    client: httpx.AsyncClient
    settings: DossierSettings
    sms: SmsSimulator
    issuer: TestIssuer

    def applicant(self) -> dict[str, str]:
        return self.issuer.headers(sub=uuid.uuid4().hex, kind="citizen")

    def officer(self) -> dict[str, str]:
        return self.issuer.headers(kind="official", agency_id="H56.14", roles=[
            "one_stop_officer", "processing_officer", "leader"])

    async def rows(self, code: str) -> list[Any]:
        engine = create_async_engine(self.settings.database_url)
        try:
            async with engine.connect() as conn:
                query = select(applicant_notification).where(
                    applicant_notification.c.dossier_code == code)
                return list((await conn.execute(query.order_by("id"))).all())
        finally:
            await engine.dispose()

    async def outbox_event(self, code: str, event: str) -> dict[str, Any]:
        engine = create_async_engine(self.settings.database_url)
        try:
            async with engine.connect() as conn:
                payloads = (await conn.execute(select(messaging.outbox.c.payload))).scalars()
                found = [json.loads(p) for p in payloads]
        finally:
            await engine.dispose()
        return next(e for e in found if e["subject"] == code
                    and e["type"] == f"vn.egov.dossier.{event}.v1")

    async def handled(self, event_id: str) -> bool:
        engine = create_async_engine(self.settings.database_url)
        try:
            async with engine.connect() as conn:
                query = select(messaging.inbox.c.event_id).where(
                    messaging.inbox.c.consumer == DURABLE, messaging.inbox.c.event_id == event_id)
                return (await conn.execute(query)).first() is not None
        finally:
            await engine.dispose()


async def running(databases: Databases, nats_server: NatsServer, issuer: TestIssuer,
                  tmp: Path, **overrides: Any) -> AsyncIterator[Service]:
    settings = DossierSettings(
        database_url=databases.new_url("notifications"), nats_url=nats_server.url, demo=True,
        log_level="WARNING", forms_dir=str(tmp / "forms"), mail_drop_dir=str(tmp / "mail"),
        notification_poll_seconds=0.05, notification_retry_base_seconds=0.05,
        notification_retry_max_seconds=0.2, **overrides)
    app = create_app(settings, jwks_fetcher=issuer.jwks)
    async with serve_in_process(app) as client:
        sms = app.state.notification_senders.sms
        assert isinstance(sms, SmsSimulator)
        yield Service(client, settings, sms, issuer)


@pytest.fixture(scope="class")
def smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="class")
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    with SmtpServer(smtp_port) as box:
        yield box


@pytest.fixture(scope="class")
async def service(databases: Databases, nats_server: NatsServer, issuer: TestIssuer,
                  smtp_port: int, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[Service]:
    async for svc in running(databases, nats_server, issuer, tmp_path_factory.mktemp("n"),
                             smtp_url=f"smtp://127.0.0.1:{smtp_port}"):
        yield svc


async def prefer(svc: Service, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = await svc.client.put("/api/v1/notification-preferences", headers=headers, json=body)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def act(svc: Service, code: str, path: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = await svc.client.post(f"/api/v1/dossiers/{code}/{path}",
                              headers=headers or svc.officer(), json=body or {})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def submit(svc: Service, headers: dict[str, str]) -> str:
    r = await svc.client.post("/api/v1/dossiers", headers=headers, json=LLTP_BODY)
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def appointed_words(iso: str) -> str:
    """How the email words the appointed time: ``09 giờ 05 phút, ngày 14 tháng 12 năm 2026``."""
    due = datetime.fromisoformat(iso)
    assert str(due.utcoffset()) == "7:00:00"  # answered in Vietnam time
    month = f"{due.month:02d}" if due.month <= 2 else str(due.month)
    return f"{due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {month} năm {due.year}"


def unique_mail() -> tuple[str, str]:
    tail = uuid.uuid4().int % 10**8
    return f"cong.dan.{uuid.uuid4().hex[:8]}@example.vn", f"09{tail:08d}"


class TestToldOfEachChange:
    async def test_online_applicant_gets_the_receipt_by_email_and_sms(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        applicant = service.applicant()
        address, phone = unique_mail()
        prefs = await prefer(service, applicant, email=address, phone=phone[:4] + " " + phone[4:])
        assert prefs["phone"] == "+84" + phone[1:] and prefs["saved"] is True
        code = await submit(service, applicant)
        received = await act(service, code, "receive")

        mails = await eventually(lambda: _async(mailbox.to(address)))
        assert len(mails) == 1
        mail = mails[0]
        assert mail["Subject"] == f"Hồ sơ {code} đã được tiếp nhận"
        body = mail.get_content()
        assert "Cấp Phiếu lý lịch tư pháp" in body and "Kính gửi Ông/Bà" in body
        assert f"Thời gian hẹn trả kết quả: {appointed_words(received['due_at'])}." in body
        assert "Trạng thái hồ sơ: Được tiếp nhận." in body
        texts = await eventually(lambda: _async(service.sms.sent_to("+84" + phone[1:])))
        assert len(texts) == 1 and code in texts[0].text
        due = datetime.fromisoformat(received["due_at"])
        assert f"Hẹn trả kết quả: {due:%H:%M} ngày {due:%d/%m/%Y}." in texts[0].text
        assert len(texts[0].text) <= 160
        rows = await eventually(lambda: _all_sent(service, code, 2))
        assert {r.channel for r in rows} == {"email", "sms"} and rows[0].attempts == 1

    async def test_counter_applicant_is_told_at_the_contact_typed_at_the_counter(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        address, phone = unique_mail()
        r = await service.client.post("/api/v1/dossiers", headers=service.officer(), json={
            **LLTP_BODY, "channel": "counter", "applicant": {
                "id_number": "038190004321", "full_name": "Trần Văn Bình",
                "email": address, "phone": phone}})
        assert r.status_code == 201, r.text
        code, due = r.json()["code"], r.json()["due_at"]
        mails = await eventually(lambda: _async(mailbox.to(address)))
        assert mails[0]["Subject"] == f"Hồ sơ {code} đã được tiếp nhận"
        body = mails[0].get_content()
        assert appointed_words(due) in body
        assert "038190004321" not in body and "Trần Văn Bình" not in body  # minimisation
        sms = await eventually(lambda: _async(service.sms.sent_to("+84" + phone[1:])))
        assert code in sms[0].text and "038190004321" not in sms[0].text

    async def test_supplement_and_payment_say_what_is_needed(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        applicant = service.applicant()
        address, _ = unique_mail()
        await prefer(service, applicant, email=address, sms_enabled=False)
        code = await submit(service, applicant)
        await act(service, code, "receive")
        await act(service, code, "request-supplement", {
            "reason": "Thiếu bản sao giấy khai sinh", "missing": ["Bản sao giấy khai sinh"]})
        await act(service, code, "supplement", headers=applicant)
        await act(service, code, "hand-over", {"to_agency_id": "H56.14.02", "deadline_days": 3})
        await act(service, code, "request-payment")
        mails = await eventually(lambda: _async(
            mailbox.to(address) if len(mailbox.to(address)) >= 3 else []))
        subjects = [m["Subject"] for m in mails]
        assert subjects == [f"Hồ sơ {code} đã được tiếp nhận",
                            f"Hồ sơ {code} cần bổ sung giấy tờ",
                            f"Hồ sơ {code}: đề nghị nộp phí, lệ phí"]
        supplement, payment = mails[1].get_content(), mails[2].get_content()
        assert "Lý do: Thiếu bản sao giấy khai sinh." in supplement
        assert "  - Bản sao giấy khai sinh" in supplement
        assert "nghĩa vụ tài chính: 200.000 đồng." in payment


class TestPreferencesRespected:
    async def test_sms_off_sends_email_only(self, service: Service, mailbox: Mailbox) -> None:
        applicant = service.applicant()
        address, phone = unique_mail()
        await prefer(service, applicant, email=address, phone=phone, sms_enabled=False)
        code = await submit(service, applicant)
        await act(service, code, "receive")
        await eventually(lambda: _async(mailbox.to(address)))
        assert [r.channel for r in await service.rows(code)] == ["email"]
        assert service.sms.sent_to("+84" + phone[1:]) == []

    async def test_a_muted_optional_message_is_not_sent(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        applicant = service.applicant()
        address, _ = unique_mail()
        await prefer(service, applicant, email=address, sms_enabled=False,
                     muted_events=["withdrawn"])
        code = await submit(service, applicant)
        await act(service, code, "withdraw", {"reason": "Không còn nhu cầu"}, headers=applicant)
        event = await service.outbox_event(code, "withdrawn")
        assert await eventually(lambda: service.handled(event["id"]))
        assert await service.rows(code) == []

    async def test_without_contact_or_preferences_an_online_applicant_gets_nothing(
        self, service: Service
    ) -> None:
        code = await submit(service, service.applicant())
        await act(service, code, "receive")
        event = await service.outbox_event(code, "received")
        assert await eventually(lambda: service.handled(event["id"]))
        assert await service.rows(code) == []

    async def test_without_preferences_the_contact_given_with_the_dossier_is_told(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        applicant = service.applicant()
        address, phone = unique_mail()
        r = await service.client.post("/api/v1/dossiers", headers=applicant, json={
            **LLTP_BODY, "contact": {"email": address, "phone": phone}})
        assert r.status_code == 201, r.text
        code = r.json()["code"]
        assert r.json()["contact"] == {"email": address, "phone": "+84" + phone[1:]}
        await act(service, code, "receive")
        mails = await eventually(lambda: _async(mailbox.to(address)))
        assert mails[0]["Subject"] == f"Hồ sơ {code} đã được tiếp nhận"
        sms = await eventually(lambda: _async(service.sms.sent_to("+84" + phone[1:])))
        assert code in sms[0].text

    async def test_saved_preferences_win_over_the_contact_given_with_the_dossier(
        self, service: Service, mailbox: Mailbox
    ) -> None:
        applicant = service.applicant()
        preferred, _ = unique_mail()
        given, _ = unique_mail()
        await prefer(service, applicant, email=preferred, sms_enabled=False)
        r = await service.client.post("/api/v1/dossiers", headers=applicant,
                                      json={**LLTP_BODY, "contact": {"email": given}})
        code = r.json()["code"]
        await act(service, code, "receive")
        await eventually(lambda: _async(mailbox.to(preferred)))
        assert mailbox.to(given) == []

    @pytest.mark.parametrize(("contact", "code"), [
        ({"email": "not-an-address"}, "invalid_email"),
        ({"phone": "0123"}, "invalid_phone"),
    ])
    async def test_a_malformed_contact_is_refused_and_nothing_is_stored(
        self, service: Service, contact: dict[str, str], code: str
    ) -> None:
        applicant = service.applicant()
        r = await service.client.post("/api/v1/dossiers", headers=applicant,
                                      json={**LLTP_BODY, "contact": contact})
        assert r.status_code == 422 and r.json()["code"] == code, r.text
        mine = await service.client.get("/api/v1/dossiers", headers=applicant)
        assert mine.json() == []

    async def test_a_counter_dossier_takes_the_applicants_contact_not_a_separate_one(
        self, service: Service
    ) -> None:
        r = await service.client.post("/api/v1/dossiers", headers=service.officer(), json={
            **LLTP_BODY, "channel": "counter", "contact": {"email": "a@example.vn"},
            "applicant": {"id_number": "038190004321", "full_name": "Trần Văn Bình"}})
        assert r.status_code == 422 and r.json()["code"] == "contact_online_only", r.text


class TestOnceOnly:
    async def test_the_same_event_delivered_twice_gives_one_notification(
        self, service: Service, mailbox: Mailbox, nats_server: NatsServer
    ) -> None:
        applicant = service.applicant()
        address, _ = unique_mail()
        await prefer(service, applicant, email=address, sms_enabled=False)
        code = await submit(service, applicant)
        await act(service, code, "receive")
        await eventually(lambda: _all_sent(service, code, 1))
        event = await service.outbox_event(code, "received")
        duplicates = EVENTS_CONSUMED.labels(DURABLE, "duplicate")
        before = duplicates._value.get()
        nc = await nats.connect(nats_server.url)
        await nc.jetstream().publish("dossier.dossier.received", json.dumps(event).encode(),
                                     headers={"Nats-Msg-Id": uuid.uuid4().hex})
        await nc.close()
        assert await eventually(lambda: _async(duplicates._value.get() > before))
        assert len(await service.rows(code)) == 1 and len(mailbox.to(address)) == 1


class TestPreferencesApi:
    async def test_unsaved_preferences_answer_defaults(self, service: Service) -> None:
        r = await service.client.get("/api/v1/notification-preferences",
                                     headers=service.applicant())
        assert r.status_code == 200
        body = r.json()
        assert body["saved"] is False and body["muted_events"] == []
        assert "received" in body["essential_events"] and "withdrawn" in body["optional_events"]

    async def test_saved_preferences_read_back(self, service: Service) -> None:
        applicant = service.applicant()
        await prefer(service, applicant, email="An@Example.VN", phone="+84 912 345 678",
                     muted_events=["returned"])
        body = (await service.client.get("/api/v1/notification-preferences",
                                         headers=applicant)).json()
        assert (body["email"], body["phone"], body["muted_events"]) == (
            "An@example.vn", "+84912345678", ["returned"])

    @pytest.mark.parametrize(("body", "code"), [
        ({"email": "not-an-address", "sms_enabled": False}, "invalid_email"),
        ({"phone": "0212345678", "email_enabled": False}, "invalid_phone"),  # a landline
        ({"phone": "091234567", "email_enabled": False}, "invalid_phone"),
        ({"phone": "0912345678"}, "email_required"),
        ({"email": "a@example.vn"}, "phone_required"),
        ({"email": "a@example.vn", "sms_enabled": False, "muted_events": ["received"]},
         "essential_event"),
        ({"email": "a@example.vn", "sms_enabled": False, "muted_events": ["spam"]},
         "unknown_event"),
    ])
    async def test_invalid_preferences_are_refused(self, service: Service, body: dict[str, Any],
                                                   code: str) -> None:
        r = await service.client.put("/api/v1/notification-preferences",
                                     headers=service.applicant(), json=body)
        assert r.status_code == 422 and r.json()["code"] == code

    async def test_only_applicants_have_preferences(self, service: Service) -> None:
        r = await service.client.get("/api/v1/notification-preferences",
                                     headers=service.officer())
        assert r.status_code == 403 and r.json()["code"] == "applicants_only"
        r = await service.client.get("/api/v1/notification-preferences")
        assert r.status_code == 401



@pytest.fixture(scope="class")
async def without_mail_server(databases: Databases, nats_server: NatsServer, issuer: TestIssuer,
                              smtp_port: int, request: pytest.FixtureRequest,
                              tmp_path_factory: pytest.TempPathFactory
                              ) -> AsyncIterator[Service]:
    """Nothing listens on ``smtp_port`` (yet); the class sets ``max_attempts``."""
    async for svc in running(databases, nats_server, issuer, tmp_path_factory.mktemp("n"),
                             smtp_url=f"smtp://127.0.0.1:{smtp_port}",
                             notification_max_attempts=request.cls.max_attempts):
        yield svc


async def received_online(svc: Service, address: str) -> tuple[str, dict[str, Any]]:
    applicant = svc.applicant()
    await prefer(svc, applicant, email=address, sms_enabled=False)
    code = await submit(svc, applicant)
    return code, await act(svc, code, "receive")  # 200: the mail server is not its concern


class TestMailServerDown:
    max_attempts = 50  # about ten seconds of retries: the server comes up long before

    async def test_the_mail_is_retried_and_sent_when_the_server_comes_up(
        self, without_mail_server: Service, smtp_port: int
    ) -> None:
        svc = without_mail_server
        address, _ = unique_mail()
        code, received = await received_online(svc, address)
        assert received["status_code"] == 2

        async def retried() -> list[Any]:
            rows = await svc.rows(code)
            return [r for r in rows if r.attempts >= 2 and r.status == "pending"]

        [row] = await eventually(retried)
        assert row.last_error and "Connection" in row.last_error
        with SmtpServer(smtp_port) as mailbox:
            mails = await eventually(lambda: _async(mailbox.to(address)))
            assert mails[0]["Subject"] == f"Hồ sơ {code} đã được tiếp nhận"
        [sent] = await eventually(lambda: _all_sent(svc, code, 1))
        assert sent.attempts >= row.attempts >= 2 and sent.last_error is None


class TestMailServerNeverComes:
    max_attempts = 3

    async def test_the_mail_is_marked_failed_after_the_last_attempt(
        self, without_mail_server: Service
    ) -> None:
        svc = without_mail_server
        address, _ = unique_mail()
        code, _ = await received_online(svc, address)

        async def failed() -> list[Any]:
            return [r for r in await svc.rows(code) if r.status == "failed"]

        [row] = await eventually(failed)
        assert row.attempts == 3 and "ConnectionRefusedError" in (row.last_error or "")
        r = await svc.client.get(f"/api/v1/dossiers/{code}", headers=svc.officer())
        assert r.status_code == 200 and r.json()["status_code"] == 2

async def _async(value: Any) -> Any:
    return value


async def _all_sent(svc: Service, code: str, count: int) -> list[Any]:
    rows = await svc.rows(code)
    return rows if len(rows) == count and all(r.status == "sent" for r in rows) else []

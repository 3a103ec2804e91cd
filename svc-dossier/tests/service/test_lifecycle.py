"""The dossier lifecycle through svc-dossier's API: from submission to the returned result."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import VN_TZ
from egov_testing import NatsServer, TestIssuer
from svc_dossier.calendar.service import WorkCalendar
from svc_dossier.dossiers import lifecycle
from svc_dossier.dossiers.state import TRANSITIONS, Action, Status
from svc_dossier.models import dossier, messaging
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"  # Lý lịch tư pháp, Sở Tư pháp H56.14, 10 days, 200 000 đ
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
AGENCY = "H56.14"
UNIT = "H56.14.02"  # a unit inside the Sở


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def official(issuer: TestIssuer, *roles: str, agency: str = AGENCY) -> dict[str, str]:
    return issuer.headers(kind="official", roles=list(roles), agency_id=agency)


class Actors:
    def __init__(self, issuer: TestIssuer) -> None:
        self.applicant_id = uuid.uuid4().hex
        self.applicant = issuer.headers(sub=self.applicant_id, kind="citizen",
                                        username="038090001234")
        self.one_stop = official(issuer, "one_stop_officer")
        self.processing = official(issuer, "processing_officer")
        self.leader = official(issuer, "leader")
        self.every_officer = official(issuer, "one_stop_officer", "processing_officer", "leader")


@pytest.fixture
def actors(issuer: TestIssuer) -> Actors:
    return Actors(issuer)


@pytest.fixture(scope="module")
async def engine(dossier_settings: DossierSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(dossier_settings.database_url)
    yield engine
    await engine.dispose()


async def submit(client: httpx.AsyncClient, actors: Actors) -> str:
    r = await client.post("/api/v1/dossiers", headers=actors.applicant,
                          json=LLTP_BODY)
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


async def act(client: httpx.AsyncClient, headers: dict[str, str], code: str, path: str,
              body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    r = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=headers, json=body)
    assert r.status_code == status, r.text
    result: dict[str, Any] = r.json()
    return result


HAND_OVER = {"to_agency_id": UNIT, "deadline_days": 3}
DECISION = {"outcome": "approved", "result_file": "kq/LLTP-0001.pdf"}

# A valid body for each action, and who performs it in the tests.
BODIES: dict[Action, dict[str, Any]] = {
    Action.RECEIVE: {}, Action.REFUSE: {"reason": "Không thuộc thẩm quyền"},
    Action.REQUEST_SUPPLEMENT: {"reason": "Thiếu giấy tờ", "missing": ["Bản sao CCCD"]},
    Action.SUPPLEMENT: {}, Action.HAND_OVER: HAND_OVER, Action.REQUEST_PAYMENT: {},
    Action.PAYMENT_RECEIVED: {"amount": 200_000}, Action.DECIDE: DECISION,
    Action.RETURN_RESULT: {}, Action.WITHDRAW: {"reason": "Không còn nhu cầu"},
    Action.STOP: {"reason": "Người nộp không đến nhận"},
    Action.APOLOGISE: {"reason": "Cần xác minh thêm", "new_due_at": "2099-12-31T17:00:00+07:00"},
}


def path_of(action: Action) -> str:
    return action.value.replace("_", "-")


def performer(actors: Actors, action: Action) -> dict[str, str]:
    return actors.applicant if action == Action.WITHDRAW else actors.every_officer


async def dossier_in(client: httpx.AsyncClient, actors: Actors, status: Status) -> str:
    """A fresh online dossier driven to ``status`` through the API."""
    code = await submit(client, actors)
    steps: dict[Status, list[Action]] = {
        Status.SUBMITTED: [], Status.RECEIVED: [Action.RECEIVE],
        Status.REFUSED: [Action.REFUSE], Status.PROCESSING: [Action.RECEIVE, Action.HAND_OVER],
        Status.SUPPLEMENT_REQUESTED: [Action.RECEIVE, Action.REQUEST_SUPPLEMENT],
        Status.PAYMENT_REQUESTED: [Action.RECEIVE, Action.HAND_OVER, Action.REQUEST_PAYMENT],
        Status.WITHDRAWN: [Action.WITHDRAW], Status.STOPPED: [Action.RECEIVE, Action.STOP],
        Status.DECIDED: [Action.RECEIVE, Action.HAND_OVER, Action.DECIDE],
        Status.RETURNED: [Action.RECEIVE, Action.HAND_OVER, Action.DECIDE,
                          Action.RETURN_RESULT],
    }
    for action in steps[status]:
        await act(client, performer(actors, action), code, path_of(action), BODIES[action])
    return code


async def history(client: httpx.AsyncClient, headers: dict[str, str],
                  code: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/dossiers/{code}/history", headers=headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def outbox_rows(engine: AsyncEngine, code: str) -> int:
    query = select(func.count()).select_from(messaging.outbox).where(
        messaging.outbox.c.payload.contains(f'"subject":"{code}"'))
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(lifecycle, "utcnow", lambda: moment.astimezone(UTC))


class TestHappyPath:
    async def test_online_dossier_from_submission_to_returned_result(
        self, client: httpx.AsyncClient, actors: Actors, nats_server: NatsServer
    ) -> None:
        nc = await nats.connect(nats_server.url)
        sub = await nc.jetstream().subscribe("dossier.dossier.>", stream="DOSSIER",
                                             deliver_policy=nats.js.api.DeliverPolicy.NEW)
        code = await submit(client, actors)
        received = await act(client, actors.one_stop, code, "receive", {"note": "Đủ giấy tờ"})
        assert received["status_code"] == 2 and received["received_at"].endswith("+07:00")
        handed = await act(client, actors.processing, code, "hand-over", HAND_OVER)
        assert handed["status_code"] == 4 and handed["status"] == "Đang xử lý"
        paying = await act(client, actors.one_stop, code, "request-payment")
        assert paying["status_code"] == 6
        await act(client, actors.one_stop, code, "payment-received", {"reference": "BL-01"})
        decided = await act(client, actors.leader, code, "decide", DECISION)
        assert decided["status_code"] == 9 and decided["status"] == "Đã xử lý xong"
        done = await act(client, actors.one_stop, code, "return-result")
        assert done["status_code"] == 10 and done["status"] == "Đã trả kết quả"
        assert done["completed_at"] and done["timeliness"] == "early"

        officer_view = await history(client, actors.one_stop, code)
        assert [e["action"] for e in officer_view["entries"]] == [
            "submit", "receive", "hand_over", "request_payment", "payment_received", "decide",
            "return_result"]
        assert [e["to_status"] for e in officer_view["entries"]] == [1, 2, 4, 6, 4, 9, 10]
        assert officer_view["entries"][1]["note"] == "Đủ giấy tờ"
        assert officer_view["entries"][3]["data"]["amount"] == 200_000  # the procedure's fee
        assert [(h["from_agency_id"], h["to_agency_id"]) for h in officer_view["hops"]] == [
            (AGENCY, UNIT)]
        applicant_view = await history(client, actors.applicant, code)
        assert applicant_view["entries"][1]["note"] is None
        assert applicant_view["entries"][1]["actor_id"] is None
        assert applicant_view["entries"][0]["actor_id"] == actors.applicant_id

        types = []
        while not types or types[-1] != "vn.egov.dossier.returned.v1":
            event = json.loads((await sub.next_msg(timeout=10)).data)
            if event["subject"] == code:
                types.append(event["type"])
                last = event
        await nc.close()
        assert types == [f"vn.egov.dossier.{e}.v1" for e in (
            "submitted", "received", "handed_over", "payment_requested", "payment_received",
            "decided", "returned")]
        data = last["data"]
        assert (data["status_code_before"], data["status_code"]) == (9, 10)
        assert data["timeliness"] == "early" and data["procedure_code"] == LLTP
        assert data["agency_id"] == AGENCY and data["channel"] == "online"
        assert data["actor_kind"] == "official" and "processing_working_hours" in data
        # Returned early: within the hours the statutory duration allows from receipt.
        assert 0 <= data["processing_working_hours"] < data["statutory_working_hours"]
        assert "038090001234" not in json.dumps(last)

    async def test_counter_dossier_starts_received(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        r = await client.post("/api/v1/dossiers", headers=actors.one_stop, json={
            **LLTP_BODY, "channel": "counter",
            "applicant": {"id_number": "038190004321", "full_name": "Trần Văn Bình"}})
        code = r.json()["code"]
        problem = await act(client, actors.one_stop, code, "receive", status=409)
        assert problem["code"] == "illegal_transition" and problem["current_status_code"] == 2
        await act(client, actors.processing, code, "hand-over", HAND_OVER)

    async def test_hops_chain_with_their_own_deadlines(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        code = await dossier_in(client, actors, Status.PROCESSING)
        await act(client, actors.processing, code, "hand-over",
                  {"to_agency_id": "H56.14.03", "deadline_days": 2})
        hops = (await history(client, actors.processing, code))["hops"]
        assert [(h["from_agency_id"], h["to_agency_id"]) for h in hops] == [
            (AGENCY, UNIT), (UNIT, "H56.14.03")]
        assert hops[0]["handed_on_at"] is not None and hops[1]["handed_on_at"] is None
        for body, problem_code in [({"to_agency_id": "H56.16", "deadline_days": 1},
                                    "agency_outside_dossier"),
                                   ({"to_agency_id": "H56.14.03", "deadline_days": 1},
                                    "same_unit")]:
            r = await client.post(f"/api/v1/dossiers/{code}/hand-over",
                                  headers=actors.processing, json=body)
            assert r.status_code == 422 and r.json()["code"] == problem_code

    async def test_payment_received_from_the_payments_slice(
        self, client: httpx.AsyncClient, actors: Actors, engine: AsyncEngine
    ) -> None:
        code = await dossier_in(client, actors, Status.PAYMENT_REQUESTED)
        outbox = Outbox(messaging.outbox, source="svc-dossier")
        async with engine.connect() as conn:
            from sqlalchemy.ext.asyncio import AsyncSession
            async with AsyncSession(bind=conn) as session, session.begin():
                row = await lifecycle.payment_received(session, outbox, code=code,
                                                       amount=200_000, reference="GD-42")
        assert row.status_code == 4
        entry = (await history(client, actors.one_stop, code))["entries"][-1]
        assert entry["action"] == "payment_received" and entry["actor_kind"] == "system"
        assert entry["data"] == {"amount": 200_000, "reference": "GD-42"}


class TestSupplement:
    async def test_only_once(self, client: httpx.AsyncClient, actors: Actors) -> None:
        code = await dossier_in(client, actors, Status.SUPPLEMENT_REQUESTED)
        back = await act(client, actors.applicant, code, "supplement", {"documents": ["cccd"]})
        assert back["status_code"] == 2  # the status before the request
        await act(client, actors.processing, code, "hand-over", HAND_OVER)
        again = await act(client, actors.one_stop, code, "request-supplement",
                          BODIES[Action.REQUEST_SUPPLEMENT], status=409)
        assert again["code"] == "supplement_already_requested"
        assert (await client.get(f"/api/v1/dossiers/{code}",
                                 headers=actors.one_stop)).json()["status_code"] == 4

    async def test_pause_extends_the_due_time_by_office_hours_waited(
        self, client: httpx.AsyncClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        code = await submit(client, actors)
        freeze(monkeypatch, vn(2026, 12, 7, 8, 0))  # Monday
        due = (await act(client, actors.one_stop, code, "receive"))["due_at"]
        await act(client, actors.processing, code, "hand-over", HAND_OVER)
        freeze(monkeypatch, vn(2026, 12, 8, 9, 0))
        paused = await act(client, actors.processing, code, "request-supplement",
                           BODIES[Action.REQUEST_SUPPLEMENT])
        assert paused["status_code"] == 5 and paused["due_at"] == due
        freeze(monkeypatch, vn(2026, 12, 8, 14, 0))  # 09:00–11:30 and 13:30–14:00: 3 hours
        resumed = await act(client, actors.one_stop, code, "supplement")
        expected = WorkCalendar().add_working_hours(datetime.fromisoformat(due), 3)
        assert resumed["status_code"] == 4
        assert datetime.fromisoformat(resumed["due_at"]) == expected
        entry = (await history(client, actors.one_stop, code))["entries"][-1]
        assert entry["data"]["paused_working_hours"] == 3
        assert entry["actor_kind"] == "official"  # taken at the counter


class TestIllegalTransitions:
    @pytest.mark.parametrize(("action", "status"), [
        (a, s) for a, t in TRANSITIONS.items() for s in Status if s not in t.sources])
    async def test_answers_409_and_changes_nothing(
        self, client: httpx.AsyncClient, actors: Actors, engine: AsyncEngine,
        action: Action, status: Status,
    ) -> None:
        code = await dossier_in(client, actors, status)
        before = await history(client, actors.one_stop, code)
        events = await outbox_rows(engine, code)
        headers = actors.applicant if action == Action.WITHDRAW else actors.every_officer
        problem = await act(client, headers, code, path_of(action), BODIES[action], status=409)
        assert problem["code"] == "illegal_transition"
        assert problem["current_status_code"] == status and problem["action"] == action.value
        assert await history(client, actors.one_stop, code) == before
        assert await outbox_rows(engine, code) == events


class TestConcurrentActions:
    async def test_hand_overs_at_once_move_the_dossier_once(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        """Officers press "Chuyển xử lý" together: one moves the dossier, the others are told
        it is already at that unit (never a 500 from the hop's unique sequence)."""
        code = await dossier_in(client, actors, Status.RECEIVED)
        answers = await asyncio.gather(*(
            client.post(f"/api/v1/dossiers/{code}/hand-over", headers=actors.processing,
                        json=HAND_OVER) for _ in range(4)))
        assert sorted(a.status_code for a in answers) == [200, 422, 422, 422], [
            a.text for a in answers]
        assert {a.json()["code"] for a in answers if a.status_code == 422} == {"same_unit"}
        assert len((await history(client, actors.one_stop, code))["hops"]) == 1


class TestWhoMayAct:
    async def test_officer_of_another_subtree_gets_404(
        self, client: httpx.AsyncClient, actors: Actors, issuer: TestIssuer
    ) -> None:
        code = await submit(client, actors)
        other = official(issuer, "one_stop_officer", agency="H56.16")
        problem = await act(client, other, code, "receive", status=404)
        assert problem["code"] == "dossier_not_found"
        r = await client.get(f"/api/v1/dossiers/{code}/history", headers=other)
        assert r.status_code == 404

    async def test_citizen_gets_404_on_anothers_dossier(
        self, client: httpx.AsyncClient, actors: Actors, issuer: TestIssuer
    ) -> None:
        code = await submit(client, actors)
        stranger = issuer.headers(kind="citizen", username="038090009999")
        assert (await act(client, stranger, code, "withdraw", status=404))["code"] == (
            "dossier_not_found")
        r = await client.get(f"/api/v1/dossiers/{code}/history", headers=stranger)
        assert r.status_code == 404

    @pytest.mark.parametrize(("who", "path", "body"), [
        ("applicant", "receive", {}),
        ("processing", "receive", {}),
        ("admin", "receive", {}),
        ("one_stop", "withdraw", {}),
        ("leader", "refuse", {"reason": "x"}),
    ])
    async def test_wrong_role_gets_403(
        self, client: httpx.AsyncClient, actors: Actors, issuer: TestIssuer, who: str,
        path: str, body: dict[str, Any]
    ) -> None:
        code = await submit(client, actors)
        headers = (official(issuer, "admin") if who == "admin" else getattr(actors, who))
        assert (await act(client, headers, code, path, body, status=403))["code"] == (
            "action_not_allowed")

    async def test_applicant_withdraws_own_dossier(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        code = await dossier_in(client, actors, Status.SUPPLEMENT_REQUESTED)
        assert (await act(client, actors.applicant, code, "withdraw"))["status_code"] == 7

    @pytest.mark.parametrize(("path", "body", "problem_code"), [
        ("refuse", {}, "validation_failed"),
        ("request-supplement", {"reason": "Thiếu", "missing": []}, "validation_failed"),
        ("stop", {"reason": ""}, "validation_failed"),
    ])
    async def test_reason_is_required(
        self, client: httpx.AsyncClient, actors: Actors, path: str, body: dict[str, Any],
        problem_code: str,
    ) -> None:
        code = await dossier_in(client, actors, Status.RECEIVED)
        assert (await act(client, actors.every_officer, code, path, body, status=422))[
            "code"] == problem_code


class TestDeadlines:
    async def test_late_return_and_apology(
        self, client: httpx.AsyncClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        code = await submit(client, actors)
        freeze(monkeypatch, vn(2026, 12, 7, 8, 0))
        received = await act(client, actors.one_stop, code, "receive")
        await act(client, actors.processing, code, "hand-over", HAND_OVER)
        apology = {"reason": "Cần xác minh", "new_due_at": "2027-01-05T17:00:00+07:00"}
        not_late = await act(client, actors.leader, code, "apologise", apology, status=409)
        assert not_late["code"] == "not_late"
        freeze(monkeypatch, vn(2026, 12, 31, 10, 0))  # after the 10 working days
        apologised = await act(client, actors.leader, code, "apologise", apology)
        assert apologised["due_at"] == "2027-01-05T17:00:00+07:00"
        assert apologised["status_code"] == 4
        entry = (await history(client, actors.applicant, code))["entries"][-1]
        assert entry["reason"] == "Cần xác minh" and entry["data"]["due_at_before"] == (
            received["due_at"])
        await act(client, actors.leader, code, "decide", DECISION)
        freeze(monkeypatch, vn(2027, 1, 6, 8, 0))
        done = await act(client, actors.one_stop, code, "return-result")
        assert done["timeliness"] == "late"

    @pytest.mark.parametrize(("returned", "expected"), [
        (vn(2026, 12, 18, 16, 0), "early"),
        (vn(2026, 12, 21, 7, 30), "on_time"),
        (vn(2026, 12, 21, 10, 0), "late"),
    ])
    async def test_timeliness(
        self, client: httpx.AsyncClient, actors: Actors, monkeypatch: pytest.MonkeyPatch,
        returned: datetime, expected: str,
    ) -> None:
        code = await submit(client, actors)
        freeze(monkeypatch, vn(2026, 12, 7, 8, 0))  # 10 working days: due 21/12 08:00
        received = await act(client, actors.one_stop, code, "receive")
        assert received["due_at"] == "2026-12-21T08:00:00+07:00"
        await act(client, actors.processing, code, "hand-over", HAND_OVER)
        await act(client, actors.leader, code, "decide", DECISION)
        freeze(monkeypatch, returned)
        done = await act(client, actors.one_stop, code, "return-result")
        assert done["timeliness"] == expected

    async def test_after_15h_rule_counts_from_next_morning(
        self, client: httpx.AsyncClient, actors: Actors, engine: AsyncEngine,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        code = await submit(client, actors)
        async with engine.begin() as conn:  # this module's own database
            await conn.execute(text("UPDATE procedure SET after_15h_next_day = true, "
                                    "online_duration = 1 WHERE code = :c"), {"c": LLTP})
        try:
            freeze(monkeypatch, vn(2026, 12, 7, 15, 30))
            received = await act(client, actors.one_stop, code, "receive")
        finally:
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE procedure SET after_15h_next_day = false, "
                                        "online_duration = NULL WHERE code = :c"), {"c": LLTP})
        assert received["due_at"] == "2026-12-08T17:00:00+07:00"

    async def test_overdue_dossier_is_flagged_in_the_queue(
        self, client: httpx.AsyncClient, actors: Actors, engine: AsyncEngine
    ) -> None:
        code = await dossier_in(client, actors, Status.PROCESSING)
        async with engine.begin() as conn:
            await conn.execute(update(dossier).where(dossier.c.code == code).values(
                due_at=datetime(2026, 1, 5, 1, tzinfo=UTC)))
        r = await client.get("/api/v1/dossiers", headers=actors.one_stop,
                             params={"queue": "overdue", "limit": 200})
        assert code in [d["code"] for d in r.json()]

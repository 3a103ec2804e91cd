"""Submitting and reading dossiers through svc-dossier's API."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Any

import httpx
import nats
import pytest

from egov_testing import NatsServer, TestIssuer

LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp H56.14
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
INFO_ONLY = "1.001612.000.00.00.H56"


def citizen(issuer: TestIssuer, sub: str | None = None) -> dict[str, str]:
    return issuer.headers(sub=sub or uuid.uuid4().hex, kind="citizen", username="038090001234")


class TestSubmitOnline:
    async def test_citizen_gets_code_status_and_due_time(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer),
                              json={"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc"}})
        assert r.status_code == 201, r.text
        body = r.json()
        assert re.fullmatch(r"H56\.14-\d{6}-\d{4}", body["code"])
        assert body["status_code"] == 1 and body["status"] == "Mới đăng ký"
        assert body["due_at"].endswith("+07:00") and body["submitted_at"].endswith("+07:00")
        assert body["form_data"] == {"muc_dich": "Xin việc"}
        assert r.headers["location"] == f"/api/v1/dossiers/{body['code']}"

    async def test_submission_event_reaches_jetstream(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        sub = await js.subscribe("dossier.dossier.submitted", stream="DOSSIER",
                                 deliver_policy=nats.js.api.DeliverPolicy.NEW)
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer),
                              json=LLTP_BODY)
        code = r.json()["code"]
        event = None
        while event is None or event["subject"] != code:
            msg = await sub.next_msg(timeout=10)
            event = json.loads(msg.data)
        assert event["type"] == "vn.egov.dossier.submitted.v1"
        assert event["specversion"] == "1.0" and event["agency"] == "H56.14"
        assert event["data"]["procedure_code"] == LLTP and event["data"]["channel"] == "online"
        assert msg.headers["Nats-Msg-Id"] == event["id"]
        await nc.close()

    async def test_codes_are_consecutive_under_concurrency(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        async def submit() -> str:
            r = await client.post("/api/v1/dossiers", headers=citizen(issuer),
                                  json=LLTP_BODY)
            assert r.status_code == 201, r.text
            return str(r.json()["code"])

        codes = await asyncio.gather(*(submit() for _ in range(50)))  # the figure
        numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
        assert numbers == list(range(numbers[0], numbers[0] + 50))


class TestRefusals:
    async def test_anonymous_gets_401_problem(self, client: httpx.AsyncClient) -> None:
        r = await client.post("/api/v1/dossiers", json=LLTP_BODY)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "unauthorized"

    async def test_forged_token_is_refused(self, client: httpx.AsyncClient) -> None:
        other = TestIssuer()  # a key the service has never seen
        r = await client.post("/api/v1/dossiers", headers=other.headers(kind="citizen"),
                              json=LLTP_BODY)
        assert r.status_code == 401 and r.json()["code"] == "invalid_token"

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"procedure_code": "9.999999.000.00.00.H56"}, "unknown_procedure"),
            ({"procedure_code": INFO_ONLY}, "procedure_not_submittable"),
            ({**LLTP_BODY, "channel": "fax"}, "validation_failed"),
            ({"procedure_code": LLTP, "agency_id": "not an agency"}, "validation_failed"),
            ({"procedure_code": LLTP, "form_data": "text"}, "validation_failed"),
            ({"procedure_code": LLTP}, "invalid_form_data"),  # its form needs the purpose
            ({"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc",
                                                    "so_luong_phieu": 99}}, "invalid_form_data"),
        ],
    )
    async def test_bad_input_gets_422_and_leaves_nothing(
        self, client: httpx.AsyncClient, issuer: TestIssuer, body: dict, code: str
    ) -> None:
        sub = uuid.uuid4().hex
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer, sub), json=body)
        assert r.status_code == 422 and r.json()["code"] == code
        mine = await client.get("/api/v1/dossiers", headers=citizen(issuer, sub))
        assert mine.json() == []

    async def test_malformed_json_is_422_not_500(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post("/api/v1/dossiers", headers={**citizen(issuer),
                              "content-type": "application/json"}, content=b"{not json")
        assert r.status_code == 422

    async def test_nul_characters_are_422_not_500(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = citizen(issuer)
        officer = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56.14")
        answers = [
            await client.get("/api/v1/dossiers", params={"q": "a\x00b"}, headers=headers),
            await client.get("/api/v1/procedures/a%00b"),
            await client.post("/api/v1/dossiers", headers=headers,
                              json={"procedure_code": LLTP, "form_data": {"a": "b\x00"}}),
            await client.post("/api/v1/dossiers", headers=officer, json={
                **LLTP_BODY, "channel": "counter",
                "applicant": {"id_number": "038190004321", "full_name": "A\x00"}}),
        ]
        assert [r.status_code for r in answers] == [422] * 4, [r.text for r in answers]
        assert {r.json()["code"] for r in answers} == {"nul_character"}

    async def test_huge_body_is_413(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        big = {"procedure_code": LLTP, "form_data": {"x": "a" * 2_000_000}}
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer), json=big)
        assert r.status_code == 413 and r.json()["code"] == "payload_too_large"

    async def test_officer_cannot_submit_online(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = issuer.headers(kind="official", roles=["processing_officer"],
                                 agency_id="H56.14")
        r = await client.post("/api/v1/dossiers", headers=headers, json=LLTP_BODY)
        assert r.status_code == 403


class TestIdempotency:
    async def test_replay_returns_same_dossier_and_creates_nothing(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = {**citizen(issuer), "Idempotency-Key": uuid.uuid4().hex}
        first = await client.post("/api/v1/dossiers", headers=headers,
                                  json=LLTP_BODY)
        again = await client.post("/api/v1/dossiers", headers=headers,
                                  json=LLTP_BODY)
        assert first.status_code == again.status_code == 201
        assert again.json()["code"] == first.json()["code"]
        assert again.headers["idempotent-replayed"] == "true"
        mine = await client.get("/api/v1/dossiers", headers=headers)
        assert [d["code"] for d in mine.json()] == [first.json()["code"]]

    async def test_same_key_other_request_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = {**citizen(issuer), "Idempotency-Key": uuid.uuid4().hex}
        await client.post("/api/v1/dossiers", headers=headers, json=LLTP_BODY)
        r = await client.post("/api/v1/dossiers", headers=headers,
                              json={"procedure_code": LLTP, "form_data": {"a": 1}})
        assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"


class TestVisibility:
    async def test_citizen_sees_own_but_not_others(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        owner, stranger = uuid.uuid4().hex, uuid.uuid4().hex
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer, owner),
                              json=LLTP_BODY)
        code = r.json()["code"]
        assert (await client.get(f"/api/v1/dossiers/{code}",
                                 headers=citizen(issuer, owner))).status_code == 200
        other = await client.get(f"/api/v1/dossiers/{code}", headers=citizen(issuer, stranger))
        assert other.status_code == 404 and other.json()["code"] == "dossier_not_found"

    async def test_officer_sees_subtree_only(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        code = (await client.post("/api/v1/dossiers", headers=citizen(issuer),
                                  json=LLTP_BODY)).json()["code"]
        inside = issuer.headers(kind="official", roles=["processing_officer"], agency_id="H56.14")
        province = issuer.headers(kind="official", roles=["leader"], agency_id="H56")
        outside = issuer.headers(kind="official", roles=["processing_officer"],
                                 agency_id="H56.16")
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=inside)).status_code == 200
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=province)).status_code == 200
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=outside)).status_code == 404
        listed = await client.get("/api/v1/dossiers", headers=outside)
        assert code not in [d["code"] for d in listed.json()]

    async def test_public_lookup_shows_no_personal_data(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post("/api/v1/dossiers", headers=citizen(issuer),
                              json={"procedure_code": LLTP, "form_data": {
                                  "muc_dich": "Xin việc", "noi_cu_tru": "Lê Thị B"}})
        public = await client.get(f"/api/v1/public/dossiers/{r.json()['code']}")
        assert public.status_code == 200
        assert "Lê Thị B" not in public.text and "038090001234" not in public.text
        assert public.json()["status_code"] == 1


class TestCounterAndSearch:
    async def test_counter_submission_is_received_and_searchable_without_diacritics(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        officer = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56.14")
        r = await client.post("/api/v1/dossiers", headers=officer, json={
            **LLTP_BODY, "channel": "counter",
            "applicant": {"id_number": "038190004321", "full_name": "Nguyễn Thị Đào"},
        })
        assert r.status_code == 201, r.text
        assert r.json()["status_code"] == 2 and r.json()["received_at"]
        found = await client.get("/api/v1/dossiers", params={"q": "nguyen thi dao"},
                                 headers=officer)
        assert r.json()["code"] in [d["code"] for d in found.json()]

    async def test_counter_submission_needs_an_applicant(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        officer = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56.14")
        r = await client.post("/api/v1/dossiers", headers=officer,
                              json={**LLTP_BODY, "channel": "counter"})
        assert r.status_code == 422 and r.json()["code"] == "applicant_required"


REPRESENTATIVE = {"id_number": "038085001122", "full_name": "Trần Văn Bình",
                  "relationship": "cha", "authorisation": "Cha của người chưa thành niên"}


class TestAuthorisedRepresentative:
    async def test_an_officer_records_who_files_for_the_applicant(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        officer = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56.14")
        r = await client.post("/api/v1/dossiers", headers=officer, json={
            **LLTP_BODY, "channel": "post",
            "applicant": {"id_number": "038208004321", "full_name": "Trần Thị Mai"},
            "representative": REPRESENTATIVE})
        assert r.status_code == 201, r.text
        seen = await client.get(f"/api/v1/dossiers/{r.json()['code']}", headers=officer)
        assert seen.json()["representative"] == {**REPRESENTATIVE, "phone": None}
        assert seen.json()["applicant"]["full_name"] == "Trần Thị Mai"
        assert "representative" not in seen.json()["form_data"]

    @pytest.mark.parametrize(("change", "code"), [
        ({"channel": "online"}, "representative_not_online"),
        ({"representative": {"id_number": "038085001122", "full_name": "Trần Văn Bình"}},
         "validation_failed"),  # no authorisation shown
    ])
    async def test_refusals(self, client: httpx.AsyncClient, issuer: TestIssuer,
                            change: dict[str, Any], code: str) -> None:
        body: dict[str, Any] = {
            **LLTP_BODY, "channel": "counter", "representative": REPRESENTATIVE,
            "applicant": {"id_number": "038208004321", "full_name": "Trần Thị Mai"}, **change}
        headers = (citizen(issuer) if body["channel"] == "online" else issuer.headers(
            kind="official", roles=["one_stop_officer"], agency_id="H56.14"))
        if body["channel"] == "online":
            body.pop("applicant")
        r = await client.post("/api/v1/dossiers", headers=headers, json=body)
        assert r.status_code == 422 and r.json()["code"] == code, r.text


class TestCatalogueAndCalendar:
    async def test_catalogue_is_public_and_searchable_without_diacritics(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await client.get("/api/v1/procedures", params={"q": "ly lich tu phap"})
        assert [p["code"] for p in r.json()] == [LLTP]
        assert len((await client.get("/api/v1/procedures")).json()) >= 10

    async def test_due_date_endpoint(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/api/v1/calendar/due-date", params={
            "agency": "H56.14", "start": "2026-12-07T10:00:00+07:00", "duration": 1})
        assert r.json() == {"due_at": "2026-12-08T10:00:00+07:00"}

    @pytest.mark.parametrize("start", ["9999-12-30T10:00:00+07:00", "0001-01-01T10:00:00+07:00"])
    async def test_due_date_refuses_starts_outside_the_supported_years(
        self, client: httpx.AsyncClient, start: str
    ) -> None:
        r = await client.get("/api/v1/calendar/due-date", params={
            "agency": "H56.14", "start": start, "duration": 3650})
        assert r.status_code == 422 and r.json()["code"] == "start_out_of_range"

    async def test_due_date_rejects_bad_agency(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/api/v1/calendar/due-date", params={
            "agency": "xx", "start": "2026-12-07T10:00:00+07:00", "duration": 1})
        assert r.status_code == 422 and r.json()["code"] == "invalid_agency_id"

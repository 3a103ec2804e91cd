"""The applicant rates a finished dossier, once, in the categories of the satisfaction survey
that feed the national service index."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from egov_testing import NatsServer, TestIssuer

LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56", "form_data": {"muc_dich": "Xin việc"}}
GOOD = {"access": 5, "procedure": 4, "officer": 5, "result": 4}


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.applicant_id = uuid.uuid4().hex
        self.applicant = issuer.headers(sub=self.applicant_id, kind="citizen",
                                        username="038090001234")
        self.other_citizen = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        self.officer = issuer.headers(kind="official", agency_id="H56.14",
                                      roles=["one_stop_officer", "processing_officer", "leader"])
        self.outsider = issuer.headers(kind="official", agency_id="H56.16",
                                       roles=["one_stop_officer"])


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def submitted(client: httpx.AsyncClient, people: People) -> str:
    answer = await client.post("/api/v1/dossiers", headers=people.applicant, json=LLTP_BODY)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


async def returned(client: httpx.AsyncClient, people: People) -> str:
    """Received, processed, decided and its result returned (status 10)."""
    code = await submitted(client, people)
    for path, body in (("receive", {}),
                       ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3}),
                       ("decide", {"outcome": "approved", "result_note": "Đã cấp Phiếu"}),
                       ("return-result", {})):
        answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=people.officer,
                                   json=body)
        assert answer.status_code == 200, answer.text
    return code


async def rate(client: httpx.AsyncClient, headers: dict[str, str], code: str,
               body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/v1/dossiers/{code}/rating", headers=headers, json=body)


async def rated_event(nats_server: NatsServer, code: str) -> dict[str, Any]:
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().subscribe(
            "dossier.dossier.rated", ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        while True:
            event: dict[str, Any] = json.loads((await sub.next_msg(timeout=10)).data)
            if event["subject"] == code and event["data"]["scores"] == GOOD:
                return event
    finally:
        await nc.close()


class TestRate:
    async def test_the_applicant_rates_a_returned_dossier_once(
        self, client: httpx.AsyncClient, people: People, nats_server: NatsServer
    ) -> None:
        code = await returned(client, people)
        seen_by_applicant = (await client.get(f"/api/v1/dossiers/{code}",
                                              headers=people.applicant)).json()
        assert seen_by_applicant["result"]["outcome"] == "approved"
        assert seen_by_applicant["result"]["result_note"] == "Đã cấp Phiếu"
        assert seen_by_applicant["result"]["decided_at"].endswith("+07:00")
        assert seen_by_applicant["rated_at"] is None  # so a screen offers the rating form
        answer = await rate(client, people.applicant, code,
                            {"scores": GOOD, "comment": "Cán bộ hướng dẫn tận tình."})
        assert answer.status_code == 201, answer.text
        rating = answer.json()
        assert rating["average"] == 4.5 and rating["satisfied"] is True
        assert rating["labels"]["access"] == "Rất hài lòng"
        assert rating["rated_at"].endswith("+07:00")
        again = await rate(client, people.applicant, code, {"scores": GOOD})
        assert again.status_code == 409 and again.json()["code"] == "already_rated"
        detail = (await client.get(f"/api/v1/dossiers/{code}", headers=people.applicant)).json()
        assert detail["rated_at"] == rating["rated_at"]

        seen = await client.get(f"/api/v1/dossiers/{code}/rating", headers=people.officer)
        assert seen.json()["comment"] == "Cán bộ hướng dẫn tận tình."
        event = await rated_event(nats_server, code)
        assert event["type"] == "vn.egov.dossier.rated.v1" and event["agency"] == "H56.14"
        assert event["data"]["satisfied"] is True and "comment" not in event["data"]

    async def test_a_withdrawn_dossier_may_be_rated_too(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await submitted(client, people)
        withdrawn = await client.post(f"/api/v1/dossiers/{code}/withdraw",
                                      headers=people.applicant, json={"reason": "Nộp nhầm"})
        assert withdrawn.status_code == 200, withdrawn.text
        low = {"access": 2, "procedure": 3, "officer": 3, "result": 2, "feedback": 1}
        answer = await rate(client, people.applicant, code, {"scores": low})
        assert answer.status_code == 201 and answer.json()["satisfied"] is False
        assert answer.json()["labels"]["feedback"] == "Rất không hài lòng"


class TestRefusals:
    async def test_an_unfinished_dossier_cannot_be_rated(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await submitted(client, people)
        assert (await client.get(f"/api/v1/dossiers/{code}",
                                 headers=people.applicant)).json()["result"] is None
        answer = await rate(client, people.applicant, code, {"scores": GOOD})
        assert answer.status_code == 409 and answer.json()["code"] == "dossier_not_finished"
        missing = await client.get(f"/api/v1/dossiers/{code}/rating", headers=people.applicant)
        assert missing.status_code == 404 and missing.json()["code"] == "not_rated"

    async def test_only_the_applicant_rates_and_only_insiders_read(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await returned(client, people)
        other = await rate(client, people.other_citizen, code, {"scores": GOOD})
        assert other.status_code == 404 and other.json()["code"] == "dossier_not_found"
        officer = await rate(client, people.officer, code, {"scores": GOOD})
        assert officer.status_code == 403 and officer.json()["code"] == "not_the_applicant"
        assert (await rate(client, {}, code, {"scores": GOOD})).status_code == 401
        await rate(client, people.applicant, code, {"scores": GOOD})
        outsider = await client.get(f"/api/v1/dossiers/{code}/rating", headers=people.outsider)
        assert outsider.status_code == 404

    @pytest.mark.parametrize("body", [
        {"scores": {**GOOD, "access": 6}},
        {"scores": {**GOOD, "officer": 0}},
        {"scores": {"access": 5}},
        {"scores": {**GOOD, "speed": 5}},
        {"scores": GOOD, "comment": "x" * 2001},
        {"scores": {**GOOD, "result": "5"}},
    ])
    async def test_bad_scores_are_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, people: People, body: dict[str, Any]
    ) -> None:
        code = await returned(client, people)
        answer = await rate(client, people.applicant, code, body)
        assert answer.status_code == 422 and answer.json()["code"] == "validation_failed"
        missing = await client.get(f"/api/v1/dossiers/{code}/rating", headers=people.applicant)
        assert missing.status_code == 404

"""POST /api/v1/citizens: what a citizen sees when registering, and what other services hear."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from egov_testing import NatsServer

REFUSALS = [
    ({"id_number": "12345"}, "invalid_id_number"),
    ({"id_number": "999195001234"}, "id_number_unknown_province"),
    ({"id_number": "0381950012345"}, "invalid_id_number"),
    ({"id_number": "038395001234"}, "id_number_birth_year_mismatch"),  # 2000s century digit
    ({"date_of_birth": "1996-03-14"}, "id_number_birth_year_mismatch"),
    ({"date_of_birth": "2095-03-14"}, "invalid_date_of_birth"),
    ({"sex": "male"}, "id_number_sex_mismatch"),
    ({"phone": None, "email": None}, "contact_required"),
    ({"phone": "12ab"}, "invalid_phone"),
    ({"email": "hoa-at-example"}, "invalid_email"),
    ({"email": "ho\u0000a@example.vn"}, "nul_character"),  # the shared request guard
    ({"full_name": "Nguyễn\u0000 Hoa"}, "nul_character"),
    ({"password": "abcdefgh"}, "weak_password"),
    ({"password": "12345678"}, "weak_password"),
    ({"password": "short1"}, "weak_password"),
    ({"full_name": "X"}, "invalid_full_name"),
    ({"sex": "other"}, "validation_failed"),
    ({"date_of_birth": "14/03/1995"}, "validation_failed"),
    ({"date_of_birth": 795139200}, "validation_failed"),
    ({"id_number": 38195001234}, "validation_failed"),
    ({"full_name": "A" * 10_000}, "validation_failed"),
]


class TestRegisterCitizen:
    async def test_creates_the_account(self, client: httpx.AsyncClient,
                                       citizen: dict[str, Any]) -> None:
        answer = await client.post("/api/v1/citizens", json=citizen)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["username"] == citizen["id_number"] == body["id_number"]
        assert body["kind"] == "citizen" and body["assurance_level"] == 1
        assert body["full_name"] == "Nguyễn Thị Hoa" and body["roles"] == []
        assert body["date_of_birth"] == "1995-03-14" and body["sex"] == "female"
        assert "password" not in answer.text and "argon2" not in answer.text

    @pytest.mark.parametrize(("changes", "code"), REFUSALS)
    async def test_refuses_with_a_stable_code(self, client: httpx.AsyncClient,
                                              citizen: dict[str, Any],
                                              changes: dict[str, Any], code: str) -> None:
        answer = await client.post("/api/v1/citizens", json={**citizen, **changes})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code

    async def test_refuses_a_password_containing_the_id_number(
        self, client: httpx.AsyncClient, citizen: dict[str, Any]
    ) -> None:
        weak = {**citizen, "password": f"a{citizen['id_number']}"}
        answer = await client.post("/api/v1/citizens", json=weak)
        assert answer.json()["code"] == "weak_password"

    async def test_refuses_a_future_date_of_birth(self, client: httpx.AsyncClient,
                                                  citizen: dict[str, Any]) -> None:
        tomorrow = date.today() + timedelta(days=2)
        answer = await client.post("/api/v1/citizens",
                                   json={**citizen, "date_of_birth": tomorrow.isoformat()})
        assert answer.json()["code"] == "invalid_date_of_birth"

    async def test_a_second_registration_is_a_conflict(self, client: httpx.AsyncClient,
                                                       citizen: dict[str, Any]) -> None:
        assert (await client.post("/api/v1/citizens", json=citizen)).status_code == 201
        again = await client.post("/api/v1/citizens", json={**citizen, "phone": "0987654321"})
        assert again.status_code == 409
        assert again.json()["code"] == "account_exists"

    async def test_a_refused_registration_leaves_nothing_behind(
        self, client: httpx.AsyncClient, citizen: dict[str, Any], browser: Any
    ) -> None:
        refused = await client.post("/api/v1/citizens", json={**citizen, "password": "weak"})
        assert refused.status_code == 422
        page = await client.get("/oauth2/authorize", params=browser.authorize_params(
            browser.pkce()[1]))
        cannot_sign_in = await browser.submit(page.text, citizen["id_number"], "weak")
        assert "không đúng" in cannot_sign_in.text
        assert (await client.post("/api/v1/citizens", json=citizen)).status_code == 201

    async def test_malformed_bodies_are_client_errors(self, client: httpx.AsyncClient) -> None:
        for body in (b"{", b"[]", b"null", b"x" * 2_000_000):
            answer = await client.post("/api/v1/citizens", content=body,
                                       headers={"content-type": "application/json"})
            assert 400 <= answer.status_code < 500


class TestAccountRegisteredEvent:
    async def test_reaches_jetstream_as_a_cloudevent(
        self, client: httpx.AsyncClient, citizen: dict[str, Any], nats_server: NatsServer
    ) -> None:
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream()
            sub = await js.subscribe(
                "identity.account.registered", stream="IDENTITY", ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
            )
            answer = await client.post("/api/v1/citizens", json=citizen)
            account_id = answer.json()["id"]
            event = await _next_event_about(sub, account_id)
        finally:
            await nc.close()
        assert event["specversion"] == "1.0"
        assert event["type"] == "vn.egov.identity.account.registered.v1"
        assert event["source"] == "/svc-identity"
        assert event["data"]["account_id"] == account_id
        assert event["data"]["kind"] == "citizen"
        assert event["data"]["assurance_level"] == 1
        assert citizen["id_number"] not in json.dumps(event)  # no personal data travels


async def _next_event_about(sub: Any, subject: str) -> dict[str, Any]:
    while True:
        msg = await sub.next_msg(timeout=10)
        event: dict[str, Any] = json.loads(msg.data)
        if event.get("subject") == subject:
            assert msg.headers["Nats-Msg-Id"] == event["id"]
            return event

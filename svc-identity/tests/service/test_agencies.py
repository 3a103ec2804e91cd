"""The agency tree: read by anyone, administered by the administrators of a subtree."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from svc_identity.models import AuditEvent

NEW_PASSWORD = "Mat-khau-2026"


def new_group() -> str:
    return uuid.uuid4().hex[:8].upper()


def new_legacy_id() -> str:
    groups = random.randrange(1000), random.randrange(100), random.randrange(100)
    return "{:03d}.{:02d}.{:02d}.H56".format(*groups)


_SIGNED_IN: dict[str, tuple[float, dict[str, str]]] = {}


async def bearer(tokens: Any, username: str, password: str | None = None) -> dict[str, str]:
    """Bearer headers through the ``tokens`` helper, reused for ten minutes (tokens last
    fifteen): an administrator's TOTP code is accepted once, so each new sign-in of theirs may
    wait for the next 30-second step."""
    cached = _SIGNED_IN.get(username)
    if cached is None or time.monotonic() - cached[0] > 600:
        headers = await (tokens.bearer(username, password) if password
                         else tokens.bearer(username))
        cached = _SIGNED_IN[username] = (time.monotonic(), headers)
    return cached[1]


def child_of(parent_id: str, **changes: Any) -> dict[str, Any]:
    return {"id": f"{parent_id}.{new_group()}", "parent_id": parent_id,
            "name": "Phòng Hành chính tư pháp", "kind": "division", **changes}


async def department_admin(client: httpx.AsyncClient, tokens: Any, agency_id: str
                           ) -> dict[str, str]:
    """An administrator of ``agency_id`` created by the platform administrator, signed in."""
    username = f"qt.{uuid.uuid4().hex[:10]}"
    created = await client.post("/api/v1/officials", headers=await bearer(tokens, "admin"), json={
        "username": username, "full_name": "Quản trị Sở", "agency_id": agency_id,
        "roles": ["admin"], "password": NEW_PASSWORD})
    assert created.status_code == 201, created.text
    return await bearer(tokens, username, NEW_PASSWORD)


class TestListAgencies:
    async def test_the_demo_province_tree(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/api/v1/agencies")
        assert answer.status_code == 200
        agencies = {a["id"]: a for a in answer.json()}
        assert agencies["H56"] == {
            "id": "H56", "legacy_id": "000.00.00.H56", "name": "UBND tỉnh Thanh Hóa",
            "parent_id": None, "kind": "province", "valid_from": None, "valid_to": None,
            "successor_id": None, "office_hours": None,
        }
        assert agencies["H56.20"]["kind"] == "service_centre"
        assert agencies["H56.14"]["name"] == "Sở Tư pháp tỉnh Thanh Hóa"
        assert agencies["H56.14"]["legacy_id"] == "000.00.14.H56"
        assert agencies["H56.100"]["kind"] == "commune"
        assert all(a["parent_id"] in agencies for a in agencies.values() if a["parent_id"])

    async def test_children_of_one_agency(self, client: httpx.AsyncClient) -> None:
        children = (await client.get("/api/v1/agencies", params={"parent_id": "H56"})).json()
        ids = {a["id"] for a in children}
        assert {"H56.20", "H56.14", "H56.100", "H56.101"} <= ids and "H56" not in ids
        none = await client.get("/api/v1/agencies", params={"parent_id": "H56.10"})
        assert none.json() == []  # no test adds agencies under H56.10

    @pytest.mark.parametrize("parent_id", ["h56", "000.00.00.H56", "Z99", "H56." + "1" * 40])
    async def test_a_malformed_parent_id_is_a_validation_error(
        self, client: httpx.AsyncClient, parent_id: str
    ) -> None:
        answer = await client.get("/api/v1/agencies", params={"parent_id": parent_id})
        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_failed"

    async def test_agencies_in_force_on_a_day(self, client: httpx.AsyncClient) -> None:
        before = {a["id"] for a in (await client.get(
            "/api/v1/agencies", params={"valid_on": "2025-06-30"})).json()}
        after = {a["id"] for a in (await client.get(
            "/api/v1/agencies", params={"valid_on": "2025-07-01"})).json()}
        assert "H56.14" in before and "H56.100" not in before  # communes start on 1 July 2025
        assert {"H56.14", "H56.100", "H56.101"} <= after

    @pytest.mark.parametrize("valid_on", ["30/06/2025", "2025-02-30", "1751241600", "tomorrow"])
    async def test_a_malformed_day_is_a_validation_error(
        self, client: httpx.AsyncClient, valid_on: str
    ) -> None:
        answer = await client.get("/api/v1/agencies", params={"valid_on": valid_on})
        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_failed"


class TestGetAgency:
    async def test_by_its_current_id(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/api/v1/agencies/H56.14")
        assert answer.status_code == 200
        assert answer.json()["name"] == "Sở Tư pháp tỉnh Thanh Hóa"
        assert answer.json()["parent_id"] == "H56"

    async def test_by_its_legacy_id_answers_the_current_form(
        self, client: httpx.AsyncClient
    ) -> None:
        answer = await client.get("/api/v1/agencies/000.00.14.H56")
        assert answer.status_code == 200
        assert answer.json()["id"] == "H56.14"
        assert answer.json()["legacy_id"] == "000.00.14.H56"

    @pytest.mark.parametrize("agency_id", ["H56.99", "999.99.99.H56", "h56", "not-an-id"])
    async def test_unknown_or_malformed_is_not_found(self, client: httpx.AsyncClient,
                                                     agency_id: str) -> None:
        answer = await client.get(f"/api/v1/agencies/{agency_id}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "agency_not_found"


class TestCreateAgency:
    async def test_an_administrator_adds_a_child(self, client: httpx.AsyncClient,
                                                 tokens: Any) -> None:
        legacy_id = new_legacy_id()
        hours = {"fri": [["07:30", "11:30"]], "mon": [["07:00", "11:30"], ["13:30", "17:00"]]}
        body = child_of("H56.14", legacy_id=legacy_id, valid_from="2025-07-01",
                        office_hours=hours)
        answer = await client.post("/api/v1/agencies", json=body,
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert created["id"] == body["id"] and created["parent_id"] == "H56.14"
        assert created["office_hours"] == {"mon": hours["mon"], "fri": hours["fri"]}
        assert list(created["office_hours"]) == ["mon", "fri"]  # week order
        again = await client.get(f"/api/v1/agencies/{legacy_id}")
        assert again.json() == created
        children = await client.get("/api/v1/agencies", params={"parent_id": "H56.14"})
        assert body["id"] in {a["id"] for a in children.json()}

    async def test_is_audited(self, client: httpx.AsyncClient, tokens: Any,
                              identity: Any) -> None:
        body = child_of("H56.14")
        answer = await client.post("/api/v1/agencies", json=body,
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 201
        events = await audit_events(identity, body["id"])
        assert [(e.action, e.target_type, e.outcome) for e in events] == [
            ("agency.created", "agency", "success")]
        assert events[0].actor_id is not None and events[0].ip is not None

    @pytest.mark.parametrize("agency_id", ["H56.16.01", "H56.14.01.02", "H56.1401",
                                           "H57.14.01", "H56"])
    async def test_the_id_must_nest_one_level_under_the_parent(
        self, client: httpx.AsyncClient, tokens: Any, agency_id: str
    ) -> None:
        answer = await client.post("/api/v1/agencies", json=child_of("H56.14", id=agency_id),
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "agency_id_not_nested"

    @pytest.mark.parametrize("agency_id", ["H56.14.", "H56.14.ab", "h56.14.01",
                                           "H56.14." + "1" * 30])
    async def test_a_malformed_id_is_a_validation_error(
        self, client: httpx.AsyncClient, tokens: Any, agency_id: str
    ) -> None:
        answer = await client.post("/api/v1/agencies", json=child_of("H56.14", id=agency_id),
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "validation_failed"

    @pytest.mark.parametrize(("changes", "code"), [
        ({"legacy_id": "00.00.14.H56"}, "invalid_legacy_id"),
        ({"legacy_id": "H56.14"}, "invalid_legacy_id"),
        ({"kind": "district"}, "validation_failed"),
        ({"name": " "}, "invalid_name"),
        ({"valid_from": "2025-07-01", "valid_to": "2025-06-30"}, "invalid_validity"),
        ({"valid_from": "01/07/2025"}, "validation_failed"),
        ({"successor_id": "H56.99"}, "successor_not_found"),
        ({"office_hours": {"monday": [["07:00", "11:30"]]}}, "invalid_office_hours"),
        ({"office_hours": {"mon": [["7:00", "11:30"]]}}, "invalid_office_hours"),
        ({"office_hours": {"mon": [["07:00", "24:00"]]}}, "invalid_office_hours"),
        ({"office_hours": {"mon": [["11:30", "07:00"]]}}, "invalid_office_hours"),
        ({"office_hours": {"mon": [["13:30", "17:00"], ["07:00", "11:30"]]}},
         "invalid_office_hours"),
        ({"office_hours": {"mon": [["07:00", "12:00"], ["11:30", "17:00"]]}},
         "invalid_office_hours"),
        ({"office_hours": {"mon": [["07:00"]]}}, "invalid_office_hours"),
        ({"office_hours": {"mon": "07:00-11:30"}}, "invalid_office_hours"),
        ({"office_hours": [["07:00", "11:30"]]}, "validation_failed"),
    ])
    async def test_refuses_with_a_stable_code(self, client: httpx.AsyncClient, tokens: Any,
                                              changes: dict[str, Any], code: str) -> None:
        body = child_of("H56.14", **changes)
        answer = await client.post("/api/v1/agencies", json=body,
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code
        assert (await client.get(f"/api/v1/agencies/{body['id']}")).status_code == 404

    async def test_a_taken_id_or_legacy_id_is_a_conflict(self, client: httpx.AsyncClient,
                                                         tokens: Any) -> None:
        headers = await bearer(tokens, "admin")
        body = child_of("H56.14", legacy_id=new_legacy_id())
        assert (await client.post("/api/v1/agencies", json=body, headers=headers)
                ).status_code == 201
        same_id = await client.post("/api/v1/agencies", headers=headers,
                                    json={**body, "legacy_id": None})
        assert same_id.status_code == 409 and same_id.json()["code"] == "agency_exists"
        same_legacy = await client.post("/api/v1/agencies", headers=headers,
                                        json=child_of("H56.14", legacy_id=body["legacy_id"]))
        assert same_legacy.status_code == 409
        assert same_legacy.json()["code"] == "legacy_id_taken"
        demo_legacy = await client.post("/api/v1/agencies", headers=headers,
                                        json=child_of("H56.14", legacy_id="000.00.14.H56"))
        assert demo_legacy.json()["code"] == "legacy_id_taken"

    async def test_an_unknown_parent_is_not_found(self, client: httpx.AsyncClient,
                                                  tokens: Any) -> None:
        answer = await client.post("/api/v1/agencies", json=child_of("H56.99"),
                                   headers=await bearer(tokens, "admin"))
        assert answer.status_code == 404 and answer.json()["code"] == "agency_not_found"

    async def test_officials_without_the_admin_role_are_forbidden(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        for username in ("lanhdao", "chuyenvien"):
            answer = await client.post("/api/v1/agencies", json=child_of("H56.14"),
                                       headers=await bearer(tokens, username))
            assert answer.status_code == 403 and answer.json()["code"] == "admin_required"
        anonymous = await client.post("/api/v1/agencies", json=child_of("H56.14"))
        assert anonymous.status_code == 401

    async def test_a_department_admin_adds_only_inside_their_subtree(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        headers = await department_admin(client, tokens, "H56.14")
        inside = await client.post("/api/v1/agencies", json=child_of("H56.14"),
                                   headers=headers)
        assert inside.status_code == 201, inside.text
        for parent_id in ("H56.16", "H56"):
            body = child_of(parent_id)
            outside = await client.post("/api/v1/agencies", json=body, headers=headers)
            assert outside.status_code == 404 and outside.json()["code"] == "agency_not_found"
            assert (await client.get(f"/api/v1/agencies/{body['id']}")).status_code == 404


class TestChangeAgency:
    async def test_an_administrator_changes_an_agency(self, client: httpx.AsyncClient,
                                                      tokens: Any) -> None:
        headers = await bearer(tokens, "admin")
        body = child_of("H56.14", legacy_id=new_legacy_id())
        agency_id = (await client.post("/api/v1/agencies", json=body, headers=headers)
                     ).json()["id"]
        hours = {"sat": [["07:30", "11:00"]]}
        changes = {"name": "  Phòng   Phổ biến pháp luật ", "kind": "unit",
                   "valid_from": "2025-07-01", "valid_to": "2026-12-31",
                   "successor_id": "H56.14", "office_hours": hours, "legacy_id": None}
        answer = await client.patch(f"/api/v1/agencies/{agency_id}", json=changes,
                                    headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "id": agency_id, "parent_id": "H56.14", "name": "Phòng Phổ biến pháp luật",
            "kind": "unit", "legacy_id": None, "valid_from": "2025-07-01",
            "valid_to": "2026-12-31", "successor_id": "H56.14", "office_hours": hours,
        }
        assert (await client.get(f"/api/v1/agencies/{agency_id}")).json() == answer.json()

    async def test_only_the_fields_sent_change(self, client: httpx.AsyncClient,
                                               tokens: Any) -> None:
        headers = await bearer(tokens, "admin")
        body = child_of("H56.14", legacy_id=new_legacy_id(), valid_from="2025-07-01")
        agency_id = (await client.post("/api/v1/agencies", json=body, headers=headers)
                     ).json()["id"]
        answer = await client.patch(f"/api/v1/agencies/{agency_id}",
                                    json={"valid_to": "2025-12-31"}, headers=headers)
        assert answer.json()["legacy_id"] == body["legacy_id"]
        assert answer.json()["name"] == body["name"]
        refused = await client.patch(f"/api/v1/agencies/{agency_id}",
                                     json={"valid_from": "2026-01-01"}, headers=headers)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_validity"
        ended = await client.get("/api/v1/agencies", params={"valid_on": "2026-01-01"})
        assert agency_id not in {a["id"] for a in ended.json()}

    @pytest.mark.parametrize(("changes", "code"), [
        ({"name": None}, "validation_failed"),
        ({"kind": None}, "validation_failed"),
        ({"kind": "ministry"}, "validation_failed"),
        ({"successor_id": "SELF"}, "invalid_successor"),
        ({"successor_id": "H56.99"}, "successor_not_found"),
        ({"legacy_id": "000.00.14.H56"}, "legacy_id_taken"),
        ({"office_hours": {"sun": [["17:00", "17:00"]]}}, "invalid_office_hours"),
    ])
    async def test_refuses_with_a_stable_code(self, client: httpx.AsyncClient, tokens: Any,
                                              changes: dict[str, Any], code: str) -> None:
        headers = await bearer(tokens, "admin")
        agency_id = (await client.post("/api/v1/agencies", json=child_of("H56.14"),
                                       headers=headers)).json()["id"]
        if changes.get("successor_id") == "SELF":
            changes = {"successor_id": agency_id}
        answer = await client.patch(f"/api/v1/agencies/{agency_id}", json=changes,
                                    headers=headers)
        assert answer.json()["code"] == code, answer.text
        assert answer.status_code == (409 if code == "legacy_id_taken" else 422)

    async def test_a_cycle_of_successors_is_refused(self, client: httpx.AsyncClient,
                                                    tokens: Any) -> None:
        headers = await bearer(tokens, "admin")
        first, second = [(await client.post("/api/v1/agencies", json=child_of("H56.14"),
                                            headers=headers)).json()["id"] for _ in range(2)]
        ok = await client.patch(f"/api/v1/agencies/{first}", json={"successor_id": second},
                                headers=headers)
        assert ok.status_code == 200
        cycle = await client.patch(f"/api/v1/agencies/{second}", json={"successor_id": first},
                                   headers=headers)
        assert cycle.status_code == 422 and cycle.json()["code"] == "invalid_successor"

    async def test_outside_the_subtree_is_not_found(self, client: httpx.AsyncClient,
                                                    tokens: Any) -> None:
        headers = await department_admin(client, tokens, "H56.14")
        own = await client.patch("/api/v1/agencies/H56.14", headers=headers,
                                 json={"office_hours": {"mon": [["07:00", "11:30"]]}})
        assert own.status_code == 200, own.text
        for agency_id in ("H56.16", "H56", "H56.99"):
            answer = await client.patch(f"/api/v1/agencies/{agency_id}", headers=headers,
                                        json={"name": "Đổi tên"})
            assert answer.status_code == 404 and answer.json()["code"] == "agency_not_found"
        assert (await client.get("/api/v1/agencies/H56.16")).json()["name"] == (
            "Sở Xây dựng tỉnh Thanh Hóa")
        await client.patch("/api/v1/agencies/H56.14", headers=headers,
                           json={"office_hours": None})

    async def test_officials_without_the_admin_role_are_forbidden(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        answer = await client.patch("/api/v1/agencies/H56.14", json={"name": "Đổi tên"},
                                    headers=await bearer(tokens, "lanhdao"))
        assert answer.status_code == 403


async def audit_events(identity: Any, target_id: str) -> list[AuditEvent]:
    async with identity.app.state.runtime.sessionmaker() as session:
        query = select(AuditEvent).where(AuditEvent.target_id == target_id).order_by(
            AuditEvent.id)
        return list((await session.execute(query)).scalars().all())

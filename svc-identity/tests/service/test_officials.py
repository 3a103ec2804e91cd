"""/api/v1/officials: administrators manage the officials of their agency's subtree, and only
those; what they and the rest of the platform see (answers, events, the audit log)."""

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
OFFICIALS = "/api/v1/officials"

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


def new_username() -> str:
    return f"cb.{uuid.uuid4().hex[:12]}"


def new_word() -> str:
    """A made-up name part (names take no digits), so that a search finds only our official."""
    return "".join(random.choice("bcdghklmnpqrstvx") + random.choice("aeiouy")
                   for _ in range(5)).capitalize()


def official(agency_id: str = "H56.14", roles: tuple[str, ...] = ("processing_officer",),
             **changes: Any) -> dict[str, Any]:
    return {"username": new_username(), "full_name": "Nguyễn Văn An", "agency_id": agency_id,
            "position": "Chuyên viên", "email": "an@example.vn", "phone": "0912 345 678",
            "roles": list(roles), "password": NEW_PASSWORD, **changes}


async def create(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
                 ) -> dict[str, Any]:
    answer = await client.post(OFFICIALS, json=official(**fields), headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def platform_admin(tokens: Any) -> dict[str, str]:
    return await bearer(tokens, "admin")


async def department_admin(client: httpx.AsyncClient, tokens: Any, agency_id: str = "H56.14"
                           ) -> tuple[dict[str, Any], dict[str, str]]:
    """An administrator of ``agency_id``, created by the platform administrator, signed in."""
    account = await create(client, await platform_admin(tokens), agency_id=agency_id,
                           roles=("admin",), full_name="Quản trị Sở")
    return account, await tokens.bearer(account["username"], NEW_PASSWORD)


async def my_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    me: str = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    return me


async def new_agency(client: httpx.AsyncClient, headers: dict[str, str], parent_id: str,
                     **changes: Any) -> str:
    body = {"id": f"{parent_id}.{uuid.uuid4().hex[:8].upper()}", "parent_id": parent_id,
            "name": "Phòng Hành chính tư pháp", "kind": "division", **changes}
    answer = await client.post("/api/v1/agencies", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(body["id"])


async def audit_events(identity: Any, target_id: str) -> list[AuditEvent]:
    async with identity.app.state.runtime.sessionmaker() as session:
        query = (select(AuditEvent).where(AuditEvent.target_id == target_id)
                 .order_by(AuditEvent.id))
        return list((await session.execute(query)).scalars().all())


async def cannot_sign_in(browser: Any, username: str, password: str) -> bool:
    page = await browser.client.get("/oauth2/authorize",
                                    params=browser.authorize_params(browser.pkce()[1]))
    answer = await browser.submit(page.text, username, password)
    return answer.status_code != 302 and "code=" not in answer.headers.get("location", "")


class TestCreateOfficial:
    async def test_creates_an_official_who_can_sign_in(self, client: httpx.AsyncClient,
                                                       tokens: Any) -> None:
        body = official(full_name="  Trần   Thị Bình ")
        answer = await client.post(OFFICIALS, json=body, headers=await platform_admin(tokens))
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert {k: created[k] for k in ("username", "full_name", "agency_id", "position",
                                        "email", "phone", "roles", "active", "disabled_at")} == {
            "username": body["username"], "full_name": "Trần Thị Bình", "agency_id": "H56.14",
            "position": "Chuyên viên", "email": "an@example.vn", "phone": "0912345678",
            "roles": ["processing_officer"], "active": True, "disabled_at": None}
        assert created["totp_enabled"] is False and created["totp_required"] is False
        assert created["created_at"].endswith("+07:00")
        for secret in ("password", "argon2", "totp_secret", NEW_PASSWORD):
            assert secret not in answer.text
        me = await client.get("/api/v1/me",
                              headers=await tokens.bearer(body["username"], NEW_PASSWORD))
        assert me.json()["id"] == created["id"] and me.json()["kind"] == "official"
        assert me.json()["roles"] == ["processing_officer"]
        assert me.json()["agency_id"] == "H56.14" and me.json()["assurance_level"] == 2

    async def test_a_leader_or_admin_needs_a_second_factor(self, client: httpx.AsyncClient,
                                                           tokens: Any) -> None:
        leader = await create(client, await platform_admin(tokens),
                              roles=("leader", "processing_officer"))
        assert leader["roles"] == ["leader", "processing_officer"]
        assert leader["totp_required"] is True and leader["totp_enabled"] is False

    async def test_is_announced_and_audited(self, client: httpx.AsyncClient, tokens: Any,
                                            find_event: Any, identity: Any) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers, roles=("clerk",))
        registered = await find_event("identity.account.registered", created["id"])
        assert registered["type"] == "vn.egov.identity.account.registered.v1"
        assert registered["agency"] == "H56.14"
        assert registered["data"]["kind"] == "official"
        assert registered["data"]["agency_id"] == "H56.14"
        assert registered["data"]["assurance_level"] == 2
        granted = await find_event("identity.role.granted", created["id"])
        assert granted["data"]["role"] == "clerk"
        assert granted["data"]["changed_by"] == await my_id(client, headers)
        actions = [e.action for e in await audit_events(identity, created["id"])]
        assert actions == ["official.created", "role.granted"]

    @pytest.mark.parametrize(("changes", "code"), [
        ({"username": "ab"}, "invalid_username"),
        ({"username": "Nguyen.An"}, "invalid_username"),
        ({"username": "nguyen van an"}, "invalid_username"),
        ({"username": "038195001234"}, "invalid_username"),  # looks like a citizen's ID number
        ({"username": "a" * 65}, "validation_failed"),
        ({"password": "abcdefgh"}, "weak_password"),
        ({"password": "short1"}, "weak_password"),
        ({"password": "USERNAME-1"}, "weak_password"),
        ({"roles": ["mayor"]}, "unknown_role"),
        ({"roles": "admin"}, "validation_failed"),
        ({"full_name": "X"}, "invalid_full_name"),
        ({"full_name": "Nguyễn Văn 2"}, "invalid_full_name"),
        ({"phone": "12ab"}, "invalid_phone"),
        ({"email": "an-at-example"}, "invalid_email"),
        ({"agency_id": "h56.14"}, "validation_failed"),
        ({"agency_id": "000.00.14.H56"}, "validation_failed"),
        ({"password": None}, "validation_failed"),
    ])
    async def test_refuses_with_a_stable_code(self, client: httpx.AsyncClient, tokens: Any,
                                              changes: dict[str, Any], code: str) -> None:
        body = {**official(), **changes}
        if body["password"] == "USERNAME-1":
            body["password"] = f"{body['username']}-1"
        answer = await client.post(OFFICIALS, json=body, headers=await platform_admin(tokens))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code

    async def test_a_taken_username_is_a_conflict(self, client: httpx.AsyncClient,
                                                  tokens: Any) -> None:
        headers = await platform_admin(tokens)
        body = official()
        assert (await client.post(OFFICIALS, json=body, headers=headers)).status_code == 201
        for username in (body["username"], "chuyenvien"):
            again = await client.post(OFFICIALS, json={**body, "username": username},
                                      headers=headers)
            assert again.status_code == 409 and again.json()["code"] == "username_taken"

    async def test_an_unknown_agency_is_not_found(self, client: httpx.AsyncClient,
                                                  tokens: Any) -> None:
        answer = await client.post(OFFICIALS, json=official(agency_id="H56.99"),
                                   headers=await platform_admin(tokens))
        assert answer.status_code == 404 and answer.json()["code"] == "agency_not_found"

    async def test_a_dissolved_agency_takes_no_new_officials(self, client: httpx.AsyncClient,
                                                             tokens: Any) -> None:
        headers = await platform_admin(tokens)
        dissolved = await new_agency(client, headers, "H56.14", valid_to="2025-06-30")
        answer = await client.post(OFFICIALS, json=official(agency_id=dissolved),
                                   headers=headers)
        assert answer.status_code == 422 and answer.json()["code"] == "agency_dissolved"


class TestOnlyAdministrators:
    @pytest.mark.parametrize("username", ["chuyenvien", "baocao", "motcua"])
    async def test_other_officials_are_forbidden(self, client: httpx.AsyncClient, tokens: Any,
                                                 username: str) -> None:
        headers = await bearer(tokens, username)
        someone = await my_id(client, await bearer(tokens, "vanthu"))
        for answer in (
            await client.get(OFFICIALS, headers=headers),
            await client.post(OFFICIALS, json=official(), headers=headers),
            await client.get(f"{OFFICIALS}/{someone}", headers=headers),
            await client.post(f"{OFFICIALS}/{someone}/roles", json={"role": "admin"},
                              headers=headers),
            await client.post(f"{OFFICIALS}/{someone}/disable", headers=headers),
        ):
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "admin_required"

    async def test_citizens_are_forbidden_and_strangers_unauthorized(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        assert (await client.post("/api/v1/citizens", json=citizen)).status_code == 201
        headers = await tokens.bearer(citizen["id_number"], citizen["password"])
        assert (await client.get(OFFICIALS, headers=headers)).status_code == 403
        anonymous = await client.get(OFFICIALS)
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"


class TestColleagues:
    """/officials/colleagues: any official sees the active officials of their own subtree,
    without contact details; a drafter picks the signer there."""

    async def test_an_official_finds_the_leaders_of_the_agency(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        answer = await client.get(f"{OFFICIALS}/colleagues", params={"role": "leader"},
                                  headers=await bearer(tokens, "vanthu"))
        assert answer.status_code == 200, answer.text
        leaders = {c["username"]: c for c in answer.json()}  # other tests add leaders too
        assert all("leader" in c["roles"] for c in leaders.values())
        assert "chuyenvien" not in leaders and "vanthu" not in leaders
        assert leaders["lanhdao"]["full_name"] == "Lê Văn Cường"
        assert leaders["lanhdao"]["agency_id"] == "H56.14"
        assert "email" not in leaders["lanhdao"] and "phone" not in leaders["lanhdao"]

    async def test_only_the_own_subtree_and_only_active_officials(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        admin = await platform_admin(tokens)
        elsewhere = await create(client, admin, agency_id="H56.16")
        gone = await create(client, admin, agency_id="H56.14")
        assert (await client.post(f"{OFFICIALS}/{gone['id']}/disable",
                                  headers=admin)).status_code == 200
        answer = await client.get(f"{OFFICIALS}/colleagues",
                                  headers=await bearer(tokens, "chuyenvien"))
        names = {c["username"] for c in answer.json()}
        assert {"chuyenvien", "lanhdao", "vanthu"} <= names
        assert elsewhere["username"] not in names and gone["username"] not in names
        assert {c["agency_id"] for c in answer.json()} == {"H56.14"}

    async def test_citizens_are_forbidden(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        assert (await client.post("/api/v1/citizens", json=citizen)).status_code == 201
        headers = await tokens.bearer(citizen["id_number"], citizen["password"])
        answer = await client.get(f"{OFFICIALS}/colleagues", headers=headers)
        assert answer.status_code == 403


class TestListOfficials:
    async def test_filters_by_agency_role_and_state(self, client: httpx.AsyncClient,
                                                    tokens: Any) -> None:
        headers = await platform_admin(tokens)
        division = await new_agency(client, headers, "H56.14")
        first = await create(client, headers, agency_id=division, username="a." + new_username())
        second = await create(client, headers, agency_id=division, roles=("clerk",),
                              username="b." + new_username())
        await client.post(f"{OFFICIALS}/{second['id']}/disable", headers=headers)

        async def ids(**params: Any) -> list[str]:
            answer = await client.get(OFFICIALS, headers=headers,
                                      params={"agency_id": division, **params})
            assert answer.status_code == 200, answer.text
            return [o["id"] for o in answer.json()]

        assert await ids() == [first["id"], second["id"]]  # by username
        assert await ids(role="clerk") == [second["id"]]
        assert await ids(active="false") == [second["id"]]
        assert await ids(active="true") == [first["id"]]
        assert await ids(limit=1, offset=1) == [second["id"]]
        assert await ids(role="leader") == []

    async def test_an_agency_filter_covers_its_subtree(self, client: httpx.AsyncClient,
                                                       tokens: Any) -> None:
        headers = await platform_admin(tokens)
        division = await new_agency(client, headers, "H56.14")
        below = await create(client, headers, agency_id=division)
        answer = await client.get(OFFICIALS, headers=headers, params={"agency_id": "H56.14"})
        found = {o["username"]: o for o in answer.json()}
        assert {"chuyenvien", "lanhdao", "vanthu", below["username"]} <= set(found)
        assert "motcua" not in found and "admin" not in found
        assert all(o["agency_id"] == "H56.14" or o["agency_id"].startswith("H56.14.")
                   for o in found.values())

    async def test_search_ignores_diacritics_and_case(self, client: httpx.AsyncClient,
                                                      tokens: Any) -> None:
        headers = await platform_admin(tokens)
        word = new_word()
        created = await create(client, headers, full_name=f"Đặng Thị Ánh {word}")
        for q in (f"dang thi anh {word.lower()}", f"ĐẶNG THỊ ÁNH {word.upper()}", word,
                  created["username"][3:]):
            answer = await client.get(OFFICIALS, headers=headers, params={"q": q})
            assert [o["id"] for o in answer.json()] == [created["id"]], q

    @pytest.mark.parametrize("params", [{"agency_id": "h56"}, {"limit": 0}, {"limit": 501},
                                        {"active": "maybe"}, {"q": "x" * 201}])
    async def test_malformed_filters_are_validation_errors(
        self, client: httpx.AsyncClient, tokens: Any, params: dict[str, Any]
    ) -> None:
        answer = await client.get(OFFICIALS, headers=await platform_admin(tokens),
                                  params=params)
        assert answer.status_code == 422 and answer.json()["code"] == "validation_failed"


class TestGetOfficial:
    async def test_answers_what_was_created(self, client: httpx.AsyncClient,
                                            tokens: Any) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        answer = await client.get(f"{OFFICIALS}/{created['id']}", headers=headers)
        assert answer.status_code == 200 and answer.json() == created

    async def test_an_unknown_id_or_a_citizen_is_not_found(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        citizen_id = (await client.post("/api/v1/citizens", json=citizen)).json()["id"]
        for account_id in (str(uuid.uuid4()), citizen_id):
            answer = await client.get(f"{OFFICIALS}/{account_id}",
                                      headers=await platform_admin(tokens))
            assert answer.status_code == 404 and answer.json()["code"] == "official_not_found"


class TestChangeOfficial:
    async def test_changes_the_fields_sent(self, client: httpx.AsyncClient, tokens: Any,
                                           identity: Any) -> None:
        headers = await platform_admin(tokens)
        division = await new_agency(client, headers, "H56.14")
        created = await create(client, headers)
        changes = {"full_name": "Nguyễn Văn   Ân", "position": None, "phone": "+84912000111",
                   "email": "an.nv@thanhhoa.gov.vn", "agency_id": division}
        answer = await client.patch(f"{OFFICIALS}/{created['id']}", json=changes,
                                    headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {**created, **changes, "full_name": "Nguyễn Văn Ân"}
        unchanged = await client.patch(f"{OFFICIALS}/{created['id']}", json={},
                                       headers=headers)
        assert unchanged.json() == answer.json()
        moved = next(e for e in await audit_events(identity, created["id"])
                     if e.action == "official.updated")
        assert moved.details["from_agency_id"] == "H56.14"
        assert moved.details["to_agency_id"] == division

    @pytest.mark.parametrize(("changes", "status", "code"), [
        ({"full_name": None}, 422, "validation_failed"),
        ({"agency_id": None}, 422, "validation_failed"),
        ({"full_name": "X"}, 422, "invalid_full_name"),
        ({"phone": "0912"}, 422, "invalid_phone"),
        ({"email": "an@"}, 422, "invalid_email"),
        ({"agency_id": "H56.99"}, 404, "agency_not_found"),
    ])
    async def test_refuses_with_a_stable_code(self, client: httpx.AsyncClient, tokens: Any,
                                              changes: dict[str, Any], status: int,
                                              code: str) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        answer = await client.patch(f"{OFFICIALS}/{created['id']}", json=changes,
                                    headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (status, code)
        assert (await client.get(f"{OFFICIALS}/{created['id']}", headers=headers)
                ).json() == created

    async def test_an_administrator_does_not_move_themselves(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        account, headers = await department_admin(client, tokens)
        division = await new_agency(client, headers, "H56.14")
        answer = await client.patch(f"{OFFICIALS}/{account['id']}", headers=headers,
                                    json={"agency_id": division})
        assert answer.status_code == 409 and answer.json()["code"] == "cannot_change_self"
        renamed = await client.patch(f"{OFFICIALS}/{account['id']}", headers=headers,
                                     json={"full_name": "Lê Thị Quản Trị"})
        assert renamed.status_code == 200


class TestRoles:
    async def test_grant_and_revoke(self, client: httpx.AsyncClient, tokens: Any) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        roles = f"{OFFICIALS}/{created['id']}/roles"
        granted = await client.post(roles, json={"role": "leader"}, headers=headers)
        assert granted.status_code == 200, granted.text
        assert granted.json()["roles"] == ["leader", "processing_officer"]
        assert granted.json()["totp_required"] is True
        again = await client.post(roles, json={"role": "leader"}, headers=headers)
        assert again.status_code == 409 and again.json()["code"] == "role_already_held"
        revoked = await client.delete(f"{roles}/leader", headers=headers)
        assert revoked.status_code == 200 and revoked.json()["roles"] == ["processing_officer"]
        assert revoked.json()["totp_required"] is False
        gone = await client.delete(f"{roles}/leader", headers=headers)
        assert gone.status_code == 404 and gone.json()["code"] == "role_not_held"
        me = await client.get("/api/v1/me",
                              headers=await tokens.bearer(created["username"], NEW_PASSWORD))
        assert me.json()["roles"] == ["processing_officer"]

    @pytest.mark.parametrize(("body", "code"), [({"role": "mayor"}, "unknown_role"),
                                                ({"role": ""}, "unknown_role"),
                                                ({}, "validation_failed")])
    async def test_an_unknown_role_is_refused(self, client: httpx.AsyncClient, tokens: Any,
                                              body: dict[str, Any], code: str) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        answer = await client.post(f"{OFFICIALS}/{created['id']}/roles", json=body,
                                   headers=headers)
        assert answer.status_code == 422 and answer.json()["code"] == code

    async def test_changes_are_audited_with_who_when_and_where(
        self, client: httpx.AsyncClient, tokens: Any, identity: Any
    ) -> None:
        headers = {**await platform_admin(tokens), "X-Forwarded-For": "203.0.113.7",
                   "User-Agent": "trinh-duyet-kiem-thu"}
        created = await create(client, headers, roles=())
        roles = f"{OFFICIALS}/{created['id']}/roles"
        await client.post(roles, json={"role": "clerk"}, headers=headers)
        await client.delete(f"{roles}/clerk", headers=headers)
        events = [e for e in await audit_events(identity, created["id"])
                  if e.action.startswith("role.")]
        assert [(e.action, e.details, e.outcome) for e in events] == [
            ("role.granted", {"role": "clerk"}, "success"),
            ("role.revoked", {"role": "clerk"}, "success")]
        admin_id = await my_id(client, headers)
        for event in events:
            assert (event.actor_id, event.actor_kind) == (admin_id, "official")
            assert (event.ip, event.user_agent) == ("203.0.113.7", "trinh-duyet-kiem-thu")
            assert event.agency_id == "H56.14" and event.at is not None

    async def test_changes_are_announced(self, client: httpx.AsyncClient, tokens: Any,
                                         find_event: Any) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers, roles=())
        roles = f"{OFFICIALS}/{created['id']}/roles"
        await client.post(roles, json={"role": "clerk"}, headers=headers)
        await client.delete(f"{roles}/clerk", headers=headers)
        granted = await find_event("identity.role.granted", created["id"])
        revoked = await find_event("identity.role.revoked", created["id"])
        assert granted["type"] == "vn.egov.identity.role.granted.v1"
        assert revoked["type"] == "vn.egov.identity.role.revoked.v1"
        admin_id = await my_id(client, headers)
        for event in (granted, revoked):
            assert event["data"]["account_id"] == created["id"]
            assert event["data"]["role"] == "clerk" and event["data"]["agency_id"] == "H56.14"
            assert event["data"]["changed_by"] == admin_id and event["agency"] == "H56.14"

    async def test_an_administrator_keeps_their_own_admin_role(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        account, headers = await department_admin(client, tokens)
        answer = await client.delete(f"{OFFICIALS}/{account['id']}/roles/admin",
                                     headers=headers)
        assert answer.status_code == 409 and answer.json()["code"] == "cannot_change_self"
        other = await client.post(f"{OFFICIALS}/{account['id']}/roles",
                                  json={"role": "clerk"}, headers=headers)
        assert other.json()["roles"] == ["admin", "clerk"]

    async def test_a_revoked_administrator_loses_access_at_once(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        account, headers = await department_admin(client, tokens)
        assert (await client.get(OFFICIALS, headers=headers)).status_code == 200
        revoked = await client.delete(f"{OFFICIALS}/{account['id']}/roles/admin",
                                      headers=await platform_admin(tokens))
        assert revoked.status_code == 200
        answer = await client.get(OFFICIALS, headers=headers)  # same, still unexpired token
        assert answer.status_code == 403 and answer.json()["code"] == "admin_required"


class TestDisableOfficial:
    async def test_a_disabled_official_cannot_sign_in_until_enabled(
        self, client: httpx.AsyncClient, tokens: Any, browser: Any
    ) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        disabled = await client.post(f"{OFFICIALS}/{created['id']}/disable", headers=headers)
        assert disabled.status_code == 200, disabled.text
        assert disabled.json()["active"] is False
        assert disabled.json()["disabled_at"].endswith("+07:00")
        assert await cannot_sign_in(browser, created["username"], NEW_PASSWORD)
        again = await client.post(f"{OFFICIALS}/{created['id']}/disable", headers=headers)
        assert again.json() == disabled.json()  # nothing changes the second time
        enabled = await client.post(f"{OFFICIALS}/{created['id']}/enable", headers=headers)
        assert enabled.json()["active"] is True and enabled.json()["disabled_at"] is None
        assert await tokens.bearer(created["username"], NEW_PASSWORD)

    async def test_sign_ins_from_before_stay_ended_after_enabling(
        self, client: httpx.AsyncClient, tokens: Any, browser: Any
    ) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        signed_in = await browser.sign_in(created["username"], NEW_PASSWORD)
        issued = (await browser.exchange(signed_in.code, signed_in.verifier)).json()
        await client.post(f"{OFFICIALS}/{created['id']}/disable", headers=headers)
        await client.post(f"{OFFICIALS}/{created['id']}/enable", headers=headers)
        refreshed = await client.post("/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": issued["refresh_token"],
            "client_id": "egov-portal"})
        assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
        page = await browser.client.get("/oauth2/authorize",
                                        params=browser.authorize_params(browser.pkce()[1]))
        assert page.status_code == 200 and 'name="password"' in page.text  # no SSO any more

    async def test_is_announced_and_audited(self, client: httpx.AsyncClient, tokens: Any,
                                            find_event: Any, identity: Any) -> None:
        headers = await platform_admin(tokens)
        created = await create(client, headers)
        await client.post(f"{OFFICIALS}/{created['id']}/disable", headers=headers)
        await client.post(f"{OFFICIALS}/{created['id']}/disable", headers=headers)
        await client.post(f"{OFFICIALS}/{created['id']}/enable", headers=headers)
        event = await find_event("identity.account.disabled", created["id"])
        assert event["type"] == "vn.egov.identity.account.disabled.v1"
        assert event["data"]["kind"] == "official" and event["data"]["agency_id"] == "H56.14"
        assert event["data"]["disabled_by"] == await my_id(client, headers)
        actions = [e.action for e in await audit_events(identity, created["id"])
                   if e.action.startswith("account.")]
        assert actions == ["account.disabled", "account.enabled"]

    async def test_an_administrator_does_not_disable_themselves(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        account, headers = await department_admin(client, tokens)
        answer = await client.post(f"{OFFICIALS}/{account['id']}/disable", headers=headers)
        assert answer.status_code == 409 and answer.json()["code"] == "cannot_change_self"
        assert (await client.get(OFFICIALS, headers=headers)).status_code == 200

    async def test_a_disabled_administrator_loses_access_at_once(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        account, headers = await department_admin(client, tokens)
        await client.post(f"{OFFICIALS}/{account['id']}/disable",
                          headers=await platform_admin(tokens))
        answer = await client.get(OFFICIALS, headers=headers)
        assert answer.status_code == 403 and answer.json()["code"] == "admin_required"


class TestDepartmentAdministrator:
    """The rule that must hold: an administrator of agency A cannot see or change officials
    of an agency outside A's subtree."""

    async def test_manages_the_officials_of_their_subtree(self, client: httpx.AsyncClient,
                                                          tokens: Any) -> None:
        _, headers = await department_admin(client, tokens, "H56.14")
        division = await new_agency(client, headers, "H56.14")
        created = await create(client, headers, agency_id="H56.14")
        url = f"{OFFICIALS}/{created['id']}"
        assert (await client.get(url, headers=headers)).json() == created
        moved = await client.patch(url, json={"agency_id": division}, headers=headers)
        assert moved.status_code == 200 and moved.json()["agency_id"] == division
        granted = await client.post(f"{url}/roles", json={"role": "clerk"}, headers=headers)
        assert granted.status_code == 200
        assert (await client.post(f"{url}/disable", headers=headers)).status_code == 200
        listed = await client.get(OFFICIALS, headers=headers, params={"active": "false"})
        assert created["id"] in {o["id"] for o in listed.json()}

    async def test_never_sees_officials_outside(self, client: httpx.AsyncClient,
                                                tokens: Any) -> None:
        outside = await create(client, await platform_admin(tokens), agency_id="H56.16",
                               full_name="Vũ Thị Ngoài")
        _, headers = await department_admin(client, tokens, "H56.14")
        listed = (await client.get(OFFICIALS, headers=headers, params={"limit": 500})).json()
        assert listed and all(o["agency_id"] == "H56.14" or o["agency_id"].startswith("H56.14.")
                              for o in listed)
        usernames = {o["username"] for o in listed}
        assert {"chuyenvien", "lanhdao", "vanthu"} <= usernames
        assert not usernames & {"admin", "motcua", "baocao", outside["username"]}
        for params in ({"agency_id": "H56.16"}, {"agency_id": "H56"},
                       {"q": outside["username"]}, {"q": "vu thi ngoai"}):
            answer = await client.get(OFFICIALS, headers=headers, params=params)
            assert answer.status_code == 200 and answer.json() == [], params

    async def test_cannot_reach_or_change_officials_outside(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        platform = await platform_admin(tokens)
        outside = await create(client, platform, agency_id="H56.16", roles=("clerk",))
        _, headers = await department_admin(client, tokens, "H56.14")
        url = f"{OFFICIALS}/{outside['id']}"
        for answer in (
            await client.get(url, headers=headers),
            await client.patch(url, json={"full_name": "Đổi Tên"}, headers=headers),
            await client.patch(url, json={"agency_id": "H56.14"}, headers=headers),
            await client.post(f"{url}/roles", json={"role": "admin"}, headers=headers),
            await client.delete(f"{url}/roles/clerk", headers=headers),
            await client.post(f"{url}/disable", headers=headers),
            await client.post(f"{url}/enable", headers=headers),
            await client.get(f"{OFFICIALS}/{await my_id(client, platform)}", headers=headers),
        ):
            assert answer.status_code == 404, answer.text
            assert answer.json()["code"] == "official_not_found"  # as if it did not exist
        assert (await client.get(url, headers=platform)).json() == outside

    async def test_cannot_create_or_move_officials_outside(self, client: httpx.AsyncClient,
                                                           tokens: Any) -> None:
        _, headers = await department_admin(client, tokens, "H56.14")
        for agency_id in ("H56.16", "H56", "H56.20"):
            body = official(agency_id=agency_id)
            answer = await client.post(OFFICIALS, json=body, headers=headers)
            assert answer.status_code == 404 and answer.json()["code"] == "agency_not_found"
        mine = await create(client, headers, agency_id="H56.14")
        moved = await client.patch(f"{OFFICIALS}/{mine['id']}", json={"agency_id": "H56.16"},
                                   headers=headers)
        assert moved.status_code == 404 and moved.json()["code"] == "agency_not_found"
        assert (await client.get(f"{OFFICIALS}/{mine['id']}", headers=headers)
                ).json()["agency_id"] == "H56.14"

"""Business accounts: a citizen opens the account of the business they legally represent;
who sees which business; what other services hear."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
PASSWORD = "Doanh-nghiep-2026"


def fresh_tax_code(branch: int | None = None) -> str:
    """A valid, never-seen tax code of Thanh Hóa (prefix 28), or one of its branches."""
    while True:
        first_nine = f"28{random.randrange(1, 10**7):07d}"
        check = 10 - sum(w * int(d) for w, d in zip(WEIGHTS, first_nine, strict=True)) % 11
        if check < 10:
            head = f"{first_nine}{check}"
            return head if branch is None else f"{head}-{branch:03d}"


def business(**changes: Any) -> dict[str, Any]:
    body = {"tax_code": fresh_tax_code(), "name": "Công ty TNHH Thương mại & Dịch vụ Hạc Thành",
            "password": PASSWORD, "email": "lienhe@hacthanh.vn", "phone": "0237 385 2000"}
    return {**body, **changes}


async def bearer(client: httpx.AsyncClient, tokens: Any, username: str,
                 password: str | None = None) -> dict[str, str]:
    """Signs ``username`` in from a fresh browser: no single sign-on carried over from the
    previous person (the client is shared)."""
    client.cookies.clear()
    headers: dict[str, str] = await (tokens.bearer(username) if password is None
                                     else tokens.bearer(username, password))
    return headers


async def signed_in_citizen(client: httpx.AsyncClient, tokens: Any,
                            citizen: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Registers ``citizen`` and signs them in: their account and Authorization header."""
    answer = await client.post("/api/v1/citizens", json=citizen)
    assert answer.status_code == 201, answer.text
    return answer.json(), await bearer(client, tokens, citizen["id_number"], citizen["password"])


async def register(client: httpx.AsyncClient, headers: dict[str, str],
                   body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/api/v1/businesses", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def another(citizen: dict[str, Any]) -> dict[str, Any]:
    """A second citizen: same shape, another fresh ID number (same birth year and sex)."""
    number = citizen["id_number"][:6] + f"{random.randrange(10**6):06d}"
    return {**citizen, "id_number": number, "full_name": "Trần Thị Ngọc"}


class TestRegisterBusiness:
    async def test_the_citizen_becomes_its_legal_representative(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        person, headers = await signed_in_citizen(client, tokens, citizen)
        body = business()
        answer = await client.post("/api/v1/businesses", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert created["tax_code"] == created["username"] == body["tax_code"]
        assert created["name"] == "Công ty TNHH Thương mại & Dịch vụ Hạc Thành"
        assert created["legal_representative"] == {"id": person["id"],
                                                   "full_name": "Nguyễn Thị Hoa"}
        assert created["assurance_level"] == 1 and created["head_office_tax_code"] is None
        assert created["phone"] == "02373852000" and created["active"] is True
        assert created["created_at"].endswith("+07:00")
        assert answer.headers["location"] == f"/api/v1/businesses/{body['tax_code']}"
        assert PASSWORD not in answer.text and "argon2" not in answer.text

    async def test_a_branch_names_its_head_office(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        branch = fresh_tax_code(branch=2)
        created = await register(client, headers, business(
            tax_code=branch.replace("-", " - "), name="Chi nhánh Quảng Phú"))
        assert created["tax_code"] == branch
        assert created["head_office_tax_code"] == branch[:10]

    async def test_the_business_signs_in_with_its_tax_code(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        created = await register(client, headers, business())
        as_business = await bearer(client, tokens, created["tax_code"], PASSWORD)
        me = (await client.get("/api/v1/me", headers=as_business)).json()
        assert me["kind"] == "business" and me["username"] == created["tax_code"]
        assert me["full_name"] == created["name"]
        itself = await client.get("/api/v1/businesses", headers=as_business)
        assert [b["id"] for b in itself.json()] == [created["id"]]

    @pytest.mark.parametrize(("tax_code", "reason"), [
        ("0100233480", "check_digit"), ("2800000020", "check_digit"),
        ("010023348", "length"), ("01002334881", "length"), ("0100233488-01", "length"),
        ("01002334AB", "format"), ("0100233488-000", "component"),
    ])
    async def test_an_invalid_tax_code_is_refused_and_nothing_is_created(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        tax_code: str, reason: str,
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        answer = await client.post("/api/v1/businesses", json=business(tax_code=tax_code),
                                   headers=headers)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "invalid_tax_code"
        assert answer.json()["field"] == "tax_code" and answer.json()["reason"] == reason
        assert (await client.get("/api/v1/businesses", headers=headers)).json() == []

    @pytest.mark.parametrize(("changes", "code"), [
        ({"name": "X"}, "invalid_business_name"),
        ({"password": "abcdefgh"}, "weak_password"),
        ({"email": "lienhe-at-hacthanh"}, "invalid_email"),
        ({"phone": "12ab"}, "invalid_phone"),
        ({"tax_code": 2800000027}, "validation_failed"),
        ({"name": "A" * 10_000}, "validation_failed"),
    ])
    async def test_other_refusals_have_a_stable_code(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        changes: dict[str, Any], code: str,
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        answer = await client.post("/api/v1/businesses", json=business(**changes),
                                   headers=headers)
        assert answer.status_code == 422 and answer.json()["code"] == code

    async def test_a_password_built_on_the_tax_code_is_weak(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        body = business()
        body["password"] = f"dn{body['tax_code']}"
        answer = await client.post("/api/v1/businesses", json=body, headers=headers)
        assert answer.json()["code"] == "weak_password"

    async def test_a_tax_code_has_one_account_however_it_is_typed(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, first = await signed_in_citizen(client, tokens, citizen)
        _, second = await signed_in_citizen(client, tokens, another(citizen))
        branch = fresh_tax_code(branch=7)
        await register(client, first, business(tax_code=branch))
        for typed, headers in ((branch, first), (branch.replace("-", ""), second)):
            again = await client.post("/api/v1/businesses", json=business(tax_code=typed),
                                      headers=headers)
            assert again.status_code == 409 and again.json()["code"] == "account_exists"

    async def test_only_a_signed_in_citizen_may_register_one(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        anonymous = await client.post("/api/v1/businesses", json=business())
        assert anonymous.status_code == 401
        officer = await client.post("/api/v1/businesses", json=business(),
                                    headers=await bearer(client, tokens, "motcua"))
        assert officer.status_code == 403
        _, headers = await signed_in_citizen(client, tokens, citizen)
        created = await register(client, headers, business())
        as_business = await bearer(client, tokens, created["tax_code"], PASSWORD)
        by_a_business = await client.post("/api/v1/businesses", json=business(),
                                          headers=as_business)
        assert by_a_business.status_code == 403


class TestLevelOfAssurance:
    async def test_a_verified_representative_gives_level_2_to_a_new_business(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        checked = await client.post("/api/v1/verifications/counter", headers=(
            await bearer(client, tokens, "motcua")), json={
            "id_number": citizen["id_number"], "full_name": citizen["full_name"],
            "date_of_birth": citizen["date_of_birth"], "document": "chip_id_card"})
        assert checked.status_code == 200, checked.text
        headers = await bearer(client, tokens, citizen["id_number"], citizen["password"])
        created = await register(client, headers, business())
        assert created["assurance_level"] == 2


class TestWhoSeesWhich:
    async def test_a_citizen_lists_only_the_businesses_they_represent(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, mine = await signed_in_citizen(client, tokens, citizen)
        _, theirs = await signed_in_citizen(client, tokens, another(citizen))
        head = fresh_tax_code()
        branch = f"{head}-001"
        await register(client, mine, business(tax_code=head))
        await register(client, mine, business(tax_code=branch, name="Chi nhánh Hạc Thành"))
        other = await register(client, theirs, business())
        listed = (await client.get("/api/v1/businesses", headers=mine)).json()
        assert [b["tax_code"] for b in listed] == [head, branch]
        only = await client.get("/api/v1/businesses", params={"tax_code": branch},
                                headers=mine)
        assert [b["tax_code"] for b in only.json()] == [branch]
        not_mine = await client.get("/api/v1/businesses",
                                    params={"tax_code": other["tax_code"]}, headers=mine)
        assert not_mine.json() == []

    async def test_a_business_that_is_not_yours_is_not_found(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, mine = await signed_in_citizen(client, tokens, citizen)
        _, theirs = await signed_in_citizen(client, tokens, another(citizen))
        created = await register(client, mine, business())
        path = f"/api/v1/businesses/{created['tax_code']}"
        assert (await client.get(path, headers=mine)).json()["id"] == created["id"]
        hidden = await client.get(path, headers=theirs)
        unknown = await client.get(f"/api/v1/businesses/{fresh_tax_code()}", headers=theirs)
        invalid = await client.get("/api/v1/businesses/0100233480", headers=theirs)
        for answer in (hidden, unknown, invalid):
            assert answer.status_code == 404
            assert answer.json()["code"] == "business_not_found"
        assert hidden.json()["detail"] == unknown.json()["detail"]

    async def test_the_business_itself_sees_itself_only(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        first = await register(client, headers, business())
        second = await register(client, headers, business())
        as_first = await bearer(client, tokens, first["tax_code"], PASSWORD)
        own = await client.get(f"/api/v1/businesses/{first['tax_code']}", headers=as_first)
        assert own.status_code == 200
        sibling = await client.get(f"/api/v1/businesses/{second['tax_code']}",
                                   headers=as_first)
        assert sibling.status_code == 404

    async def test_a_one_stop_officer_looks_a_business_up_by_tax_code(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        person, headers = await signed_in_citizen(client, tokens, citizen)
        created = await register(client, headers, business(tax_code=fresh_tax_code(branch=3)))
        officer = await bearer(client, tokens, "motcua")
        found = await client.get("/api/v1/businesses",
                                 params={"tax_code": created["tax_code"].replace("-", "")},
                                 headers=officer)
        assert [b["id"] for b in found.json()] == [created["id"]]
        assert found.json()[0]["legal_representative"]["id"] == person["id"]
        one = await client.get(f"/api/v1/businesses/{created['tax_code']}", headers=officer)
        assert one.status_code == 200 and one.json()["name"] == created["name"]
        unknown = await client.get("/api/v1/businesses", params={"tax_code": fresh_tax_code()},
                                   headers=officer)
        assert unknown.status_code == 200 and unknown.json() == []

    async def test_an_officer_must_name_a_valid_tax_code(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        officer = await bearer(client, tokens, "motcua")
        browsing = await client.get("/api/v1/businesses", headers=officer)
        assert browsing.status_code == 422 and browsing.json()["code"] == "tax_code_required"
        invalid = await client.get("/api/v1/businesses", params={"tax_code": "0100233480"},
                                   headers=officer)
        assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_tax_code"

    async def test_other_officials_see_no_business(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        created = await register(client, headers, business())
        processing = await bearer(client, tokens, "chuyenvien")
        one = await client.get(f"/api/v1/businesses/{created['tax_code']}", headers=processing)
        assert one.status_code == 404
        listed = await client.get("/api/v1/businesses",
                                  params={"tax_code": created["tax_code"]}, headers=processing)
        assert listed.status_code == 403
        assert (await client.get("/api/v1/businesses")).status_code == 401


class TestBusinessRegisteredEvent:
    async def test_reaches_jetstream_with_kind_business(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any], find_event: Any,
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        body = business()
        created = await register(client, headers, body)
        event = await find_event("identity.account.registered", created["id"])
        assert event["type"] == "vn.egov.identity.account.registered.v1"
        assert event["data"]["kind"] == "business"
        assert event["data"]["account_id"] == created["id"]
        assert event["data"]["assurance_level"] == 1
        assert body["tax_code"] not in json.dumps(event)  # no identifying data travels


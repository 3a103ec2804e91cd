"""Registers (sổ văn bản đi / đến) through svc-docflow's API: an agency's defaults on first
use, registers for particular types, who may keep them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from egov_testing import TestIssuer

AGENCY = "H56.14"


@pytest.fixture(scope="module")
def clerk(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers(kind="official", roles=["clerk"], agency_id=AGENCY)


def assert_problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code, r.json()


async def registers(client: httpx.AsyncClient, headers: dict[str, str],
                    **params: str) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/registers", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


def new_register(**fields: Any) -> dict[str, Any]:
    return {"direction": "outgoing", "name": f"Sổ quyết định {uuid.uuid4().hex[:6]}",
            "issuer_notation": "STP", **fields}


class TestDefaultRegisters:
    async def test_an_agency_gets_its_outgoing_and_incoming_registers_on_first_use(
        self, client: httpx.AsyncClient, clerk: dict[str, str]
    ) -> None:
        found = {r["direction"]: r for r in await registers(client, clerk)}
        assert found["outgoing"]["name"] == "Sổ văn bản đi"
        assert found["outgoing"]["issuer_notation"] == "STP"  # Sở Tư pháp
        assert found["incoming"]["name"] == "Sổ văn bản đến"
        assert found["incoming"]["issuer_notation"] is None
        assert all(r["doc_types"] is None and r["active"] for r in found.values())
        assert len(await registers(client, clerk)) == 2  # made once

    async def test_a_peoples_committee_is_ubnd(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        commune_clerk = issuer.headers(kind="official", roles=["clerk"], agency_id="H56.101")
        outgoing = await registers(client, commune_clerk, direction="outgoing")
        assert [r["issuer_notation"] for r in outgoing] == ["UBND"]


class TestCreateRegister:
    async def test_a_clerk_keeps_a_separate_register_for_decisions(
        self, client: httpx.AsyncClient, clerk: dict[str, str]
    ) -> None:
        body = new_register(doc_types=["QĐ"])
        r = await client.post("/api/v1/registers", headers=clerk, json=body)
        assert r.status_code == 201, r.text
        assert (r.json()["doc_types"], r.json()["last_number"]) == (["QĐ"], 0)
        again = await client.post("/api/v1/registers", headers=clerk,
                                  json=new_register(doc_types=["QĐ", "TB"]))
        assert_problem(again, 409, "doc_type_claimed")
        general = await client.post("/api/v1/registers", headers=clerk, json=new_register())
        assert_problem(general, 409, "general_register_exists")

    async def test_bad_registers_are_422_and_write_nothing(
        self, client: httpx.AsyncClient, clerk: dict[str, str]
    ) -> None:
        before = await registers(client, clerk)
        cases = [(new_register(doc_types=["XX"]), "unknown_doc_type"),
                 (new_register(issuer_notation=None, doc_types=["CT"]),
                  "issuer_notation_required"),
                 (new_register(issuer_notation="QĐ-STP"), "validation_failed"),
                 (new_register(direction="sideways"), "validation_failed")]
        for body, code in cases:
            assert_problem(await client.post("/api/v1/registers", headers=clerk, json=body),
                           422, code)
        assert await registers(client, clerk) == before

    async def test_a_register_for_another_agency_is_403(
        self, client: httpx.AsyncClient, clerk: dict[str, str]
    ) -> None:
        r = await client.post("/api/v1/registers", headers=clerk,
                              json=new_register(agency_id="H56.16", doc_types=["CT"]))
        assert_problem(r, 403, "agency_not_covered")

    async def test_an_administrator_keeps_the_registers_of_the_subtree(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        admin = issuer.headers(kind="official", roles=["admin"], agency_id="H56")
        r = await client.post("/api/v1/registers", headers=admin,
                              json=new_register(agency_id="H56.16", issuer_notation="SXD",
                                                doc_types=["CT"]))
        assert r.status_code == 201 and r.json()["agency_id"] == "H56.16"


class TestWhoMay:
    async def test_others_are_refused_or_see_nothing(
        self, client: httpx.AsyncClient, clerk: dict[str, str], issuer: TestIssuer
    ) -> None:
        mine = (await registers(client, clerk))[0]
        leader = issuer.headers(kind="official", roles=["leader"], agency_id=AGENCY)
        citizen = issuer.headers(kind="citizen")
        for headers in (leader, citizen):
            assert_problem(await client.get("/api/v1/registers", headers=headers), 403,
                           "forbidden")
        other_clerk = issuer.headers(kind="official", roles=["clerk"], agency_id="H56.16")
        assert_problem(await client.get(f"/api/v1/registers/{mine['id']}", headers=other_clerk),
                       404, "register_not_found")
        assert_problem(await client.post(f"/api/v1/registers/{mine['id']}/deactivate",
                                         headers=other_clerk), 404, "register_not_found")
        assert_problem(await client.get("/api/v1/registers", headers=other_clerk,
                                        params={"agency": AGENCY}), 403, "agency_not_covered")


class TestChangeAndDeactivate:
    async def test_a_register_is_renamed_renotated_and_deactivated(
        self, client: httpx.AsyncClient, clerk: dict[str, str]
    ) -> None:
        r = await client.post("/api/v1/registers", headers=clerk,
                              json=new_register(doc_types=["HD"]))
        register_id = r.json()["id"]
        changed = await client.patch(f"/api/v1/registers/{register_id}", headers=clerk,
                                     json={"issuer_notation": "STPTH"})
        assert changed.status_code == 200 and changed.json()["issuer_notation"] == "STPTH"
        off = await client.post(f"/api/v1/registers/{register_id}/deactivate", headers=clerk)
        assert off.status_code == 200 and off.json()["active"] is False
        again = await client.post(f"/api/v1/registers/{register_id}/deactivate", headers=clerk)
        assert again.status_code == 200 and again.json()["active"] is False
        # Its types are free again for a new register.
        replacement = await client.post("/api/v1/registers", headers=clerk,
                                        json=new_register(doc_types=["HD"]))
        assert replacement.status_code == 201, replacement.text

"""GET /api/v1/agencies: the demo province's tree, public."""

from __future__ import annotations

import httpx
import pytest


class TestListAgencies:
    async def test_the_demo_province_tree(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/api/v1/agencies")
        assert answer.status_code == 200
        agencies = {a["id"]: a for a in answer.json()}
        assert agencies["H56"] == {
            "id": "H56", "legacy_id": "000.00.00.H56", "name": "UBND tỉnh Thanh Hóa",
            "parent_id": None, "kind": "province", "valid_from": None, "valid_to": None,
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
        none = await client.get("/api/v1/agencies", params={"parent_id": "H56.14"})
        assert none.json() == []

    @pytest.mark.parametrize("parent_id", ["h56", "000.00.00.H56", "Z99", "H56." + "1" * 40])
    async def test_a_malformed_parent_id_is_a_validation_error(
        self, client: httpx.AsyncClient, parent_id: str
    ) -> None:
        answer = await client.get("/api/v1/agencies", params={"parent_id": parent_id})
        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_failed"

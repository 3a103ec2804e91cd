"""The procedure catalogue through svc-dossier's API: reading, administration, access."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text, update

from egov_shared.db import create_engine, create_sessionmaker
from egov_testing import Databases, TestIssuer
from svc_dossier.main import MIGRATIONS
from svc_dossier.models import procedure as procedure_table
from svc_dossier.procedures.demo import load_demo_procedures
from svc_dossier.settings import DossierSettings

BIRTH = "1.001193.000.00.00.H56"  # Đăng ký khai sinh, H56.100
CRIMINAL_RECORD = "2.000748.000.00.00.H56"  # Sở Tư pháp H56.14
BUSINESS_REGISTRATION = "2.001610.000.00.00.H56"


def new_code() -> str:
    return f"3.{random.randrange(10**6):06d}.000.00.00.H56"


def admin(issuer: TestIssuer, agency_id: str = "H56") -> dict[str, str]:
    return issuer.headers(kind="official", roles=["admin"], agency_id=agency_id)


def procedure(code: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code, "name": "Cấp giấy phép kinh doanh karaoke", "field": "Văn hóa",
        "agency_id": "H56.14", "duration": 5, "online_level": "full",
        "fees": [{"name": "Phí thẩm định", "amount": 4_000_000},
                 {"name": "Lệ phí", "amount": 50_000}],
        "components": [{"code": "TP01", "name": "Đơn đề nghị", "reusable": False},
                       {"code": "TP02", "name": "Bản sao CCCD", "reusable": True,
                        "required": False}],
    }
    return {**body, **changes}


async def create(client: httpx.AsyncClient, issuer: TestIssuer, **changes: Any) -> dict[str, Any]:
    answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                               json=procedure(new_code(), **changes))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


class TestReadingTheCatalogue:
    async def test_a_demo_procedure_has_components_fees_and_its_national_level(
        self, client: httpx.AsyncClient
    ) -> None:
        birth = (await client.get(f"/api/v1/procedures/{BIRTH}")).json()
        names = [c["name"] for c in birth["components"]]
        assert "Tờ khai đăng ký khai sinh" in names
        assert any(n.startswith("Giấy chứng sinh") for n in names)
        assert birth["after_15h_next_day"] is True and birth["active"] is True
        assert birth["form_schema"]["type"] == "object"
        assert birth["national_level"] == 4 and birth["total_fee"] == 0
        record = (await client.get(f"/api/v1/procedures/{CRIMINAL_RECORD}")).json()
        assert record["total_fee"] == 200_000
        assert any(c["reusable"] for c in record["components"])

    @pytest.mark.parametrize("code", [BIRTH, CRIMINAL_RECORD, BUSINESS_REGISTRATION])
    async def test_the_commonly_online_procedures_have_a_form(
        self, client: httpx.AsyncClient, code: str
    ) -> None:
        assert (await client.get(f"/api/v1/procedures/{code}")).json()["form_schema"]

    async def test_filters_by_field_without_diacritics(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/v1/procedures", params={"field": "ho tich"})).json()
        assert len(listed) >= 4 and {p["field"] for p in listed} == {"Hộ tịch"}

    async def test_filters_by_online_level(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/v1/procedures",
                                   params={"online_level": "partial", "limit": 200})).json()
        assert listed and {p["online_level"] for p in listed} == {"partial"}

    async def test_filters_by_agency_subtree(self, client: httpx.AsyncClient) -> None:
        own = (await client.get("/api/v1/procedures", params={"agency": "H56.10"})).json()
        assert own and {p["agency_id"] for p in own} == {"H56.10"}  # not H56.100
        whole = (await client.get("/api/v1/procedures",
                                  params={"agency": "H56", "limit": 200})).json()
        assert {"H56.10", "H56.100", "H56.14"} <= {p["agency_id"] for p in whole}

    async def test_search_ignores_diacritics(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/v1/procedures", params={"q": "ly lich tu phap"})).json()
        assert [p["code"] for p in listed] == [CRIMINAL_RECORD]

    async def test_an_unknown_code_is_404(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/api/v1/procedures/9.999999.000.00.00.H56")
        assert answer.status_code == 404 and answer.json()["code"] == "procedure_not_found"


class TestCreating:
    async def test_an_admin_creates_a_procedure(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        code = new_code()
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(code, form_schema={"type": "object"}))
        assert answer.status_code == 201, answer.text
        assert answer.headers["location"] == f"/api/v1/procedures/{code}"
        body = (await client.get(f"/api/v1/procedures/{code}")).json()
        assert body["total_fee"] == 4_050_000 and body["duration_unit"] == "working_days"
        assert [c["code"] for c in body["components"]] == ["TP01", "TP02"]
        assert body["components"][1]["media_types"] == [
            "application/pdf", "image/jpeg", "image/png"]
        listed = (await client.get("/api/v1/procedures", params={"q": "karaoke"})).json()
        assert code in [p["code"] for p in listed]

    async def test_the_same_code_twice_is_409(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(BIRTH, agency_id="H56.100"))
        assert answer.status_code == 409 and answer.json()["code"] == "procedure_exists"

    @pytest.mark.parametrize("code", [
        "1.001193", "1.001193.000.00.00", "1.01193.000.00.00.H56", "1.001193.000.00.00.Z56",
        "1.001193.000.00.00.h56", "x.001193.000.00.00.H56", "1.001193.000.00.00.H56 ",
    ])
    async def test_a_malformed_code_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, code: str
    ) -> None:
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(code))
        assert answer.status_code == 422
        assert answer.json()["code"] == "invalid_procedure_code"
        assert "Mã thủ tục" in answer.json()["detail"]

    @pytest.mark.parametrize("changes", [
        {"fees": [{"name": "Lệ phí", "amount": -1}]},
        {"fees": [{"name": "Lệ phí", "amount": 1.5}]},
        {"fees": [{"name": "Lệ phí", "amount": "50000"}]},
        {"duration": 0}, {"duration": 3651}, {"online_duration": 0},
        {"online_level": "level4"}, {"duration_unit": "hours"},
        {"required_assurance_level": 3}, {"agency_id": "h56.14"},
        {"components": [{"code": "TP 01", "name": "Đơn"}]},
    ])
    async def test_out_of_range_fields_are_422(
        self, client: httpx.AsyncClient, issuer: TestIssuer, changes: dict[str, Any]
    ) -> None:
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(new_code(), **changes))
        assert answer.status_code == 422 and answer.json()["code"] == "validation_failed"

    async def test_component_codes_are_unique(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        components = [{"code": "TP01", "name": "Đơn"}, {"code": "TP01", "name": "Tờ khai"}]
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(new_code(), components=components))
        assert answer.status_code == 422
        assert answer.json()["code"] == "duplicate_component_code"
        assert answer.json()["component_codes"] == ["TP01"]

    @pytest.mark.parametrize("schema", [
        {"type": "object", "properties": {"a": {"type": "no-such-type"}}},
        {"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}},
        {"type": "array"},
        {"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}},
    ])
    async def test_an_invalid_form_schema_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, schema: dict[str, Any]
    ) -> None:
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(new_code(), form_schema=schema))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_form_schema"
        assert answer.json()["detail"].startswith("Lược đồ biểu mẫu không hợp lệ")

    async def test_a_huge_form_schema_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        schema = {"type": "object", "properties": {
            f"truong_{i}": {"type": "string", "description": "x" * 100} for i in range(1000)}}
        answer = await client.post("/api/v1/procedures", headers=admin(issuer),
                                   json=procedure(new_code(), form_schema=schema))
        assert answer.status_code == 422 and answer.json()["code"] == "form_schema_too_large"

    async def test_the_same_code_at_the_same_time_is_one_201_and_409s(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        """Found by the access matrix (issue 10): two administrators creating one code at
        once both passed the existence check, and the second insert answered 500."""
        body = procedure(new_code())
        answers = await asyncio.gather(*(client.post(
            "/api/v1/procedures", headers=admin(issuer), json=body) for _ in range(4)))
        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [
            a.text for a in answers]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {
            "procedure_exists"}


class TestAccess:
    async def test_anonymous_writes_are_401(self, client: httpx.AsyncClient) -> None:
        for method, path in [("POST", ""), ("PUT", f"/{BIRTH}"), ("PATCH", f"/{BIRTH}"),
                             ("DELETE", f"/{BIRTH}"), ("POST", "/import")]:
            answer = await client.request(method, f"/api/v1/procedures{path}", json={})
            assert answer.status_code == 401, (method, path)
            assert answer.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("kind, roles", [("citizen", []), ("official", ["one_stop_officer"])])
    async def test_a_non_admin_is_403(
        self, client: httpx.AsyncClient, issuer: TestIssuer, kind: str, roles: list[str]
    ) -> None:
        headers = issuer.headers(kind=kind, roles=roles, agency_id="H56")
        created = await client.post("/api/v1/procedures", headers=headers,
                                    json=procedure(new_code()))
        patched = await client.patch(f"/api/v1/procedures/{BIRTH}", headers=headers,
                                     json={"duration": 2})
        deleted = await client.delete(f"/api/v1/procedures/{BIRTH}", headers=headers)
        for answer in (created, patched, deleted):
            assert answer.status_code == 403 and answer.json()["code"] == "admin_required"
        assert (await client.get(f"/api/v1/procedures/{BIRTH}")).json()["duration"] == 1

    async def test_an_admin_of_another_subtree_sees_404_on_existing_procedures(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer)  # Sở Tư pháp H56.14
        other = admin(issuer, "H56.16")
        path = f"/api/v1/procedures/{created['code']}"
        replacement = {k: v for k, v in procedure("x", agency_id="H56.16").items() if k != "code"}
        for answer in (await client.patch(path, headers=other, json={"duration": 9}),
                       await client.put(path, headers=other, json=replacement),
                       await client.delete(path, headers=other)):
            assert answer.status_code == 404 and answer.json()["code"] == "procedure_not_found"
        assert (await client.get(path)).json()["duration"] == 5

    async def test_an_admin_cannot_create_outside_their_subtree(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        answer = await client.post("/api/v1/procedures", headers=admin(issuer, "H56.16"),
                                   json=procedure(new_code(), agency_id="H56.14"))
        assert answer.status_code == 403 and answer.json()["code"] == "agency_not_covered"

    async def test_an_admin_cannot_move_a_procedure_out_of_their_subtree(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        code = (await client.post("/api/v1/procedures", headers=admin(issuer, "H56.14"),
                                  json=procedure(new_code()))).json()["code"]
        answer = await client.patch(f"/api/v1/procedures/{code}",
                                    headers=admin(issuer, "H56.14"), json={"agency_id": "H56.16"})
        assert answer.status_code == 403 and answer.json()["code"] == "agency_not_covered"


class TestUpdating:
    async def test_put_replaces_every_field(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, after_15h_next_day=True, online_duration=3)
        body = {k: v for k, v in procedure("x").items() if k != "code"}
        body.update(name="Cấp lại giấy phép", fees=[], components=[])
        answer = await client.put(f"/api/v1/procedures/{created['code']}",
                                  headers=admin(issuer), json=body)
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["name"] == "Cấp lại giấy phép" and got["fees"] == [] and got["total_fee"] == 0
        assert got["after_15h_next_day"] is False and got["online_duration"] is None

    async def test_patch_changes_only_what_it_names(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, online_duration=3,
                               form_schema={"type": "object"})
        answer = await client.patch(f"/api/v1/procedures/{created['code']}",
                                    headers=admin(issuer),
                                    json={"duration": 7, "form_schema": None})
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["duration"] == 7 and got["form_schema"] is None
        assert got["online_duration"] == 3 and got["fees"] == created["fees"]

    async def test_patch_validates_the_result(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer)
        path = f"/api/v1/procedures/{created['code']}"
        cleared = await client.patch(path, headers=admin(issuer), json={"name": None})
        assert cleared.status_code == 422 and cleared.json()["code"] == "validation_failed"
        bad = await client.patch(path, headers=admin(issuer),
                                 json={"form_schema": {"type": "object", "required": "a"}})
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_form_schema"

    async def test_an_unknown_procedure_is_404(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        answer = await client.patch(f"/api/v1/procedures/{new_code()}", headers=admin(issuer),
                                    json={"duration": 2})
        assert answer.status_code == 404 and answer.json()["code"] == "procedure_not_found"


class TestDeactivating:
    async def test_a_deactivated_procedure_leaves_the_public_list_but_stays_readable(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, name="Thủ tục sắp bãi bỏ")
        path = f"/api/v1/procedures/{created['code']}"
        answer = await client.delete(path, headers=admin(issuer))
        assert answer.status_code == 200 and answer.json()["active"] is False
        public = (await client.get("/api/v1/procedures", params={"q": "sap bai bo"})).json()
        assert public == []
        assert (await client.get(path)).json()["active"] is False
        listed = await client.get("/api/v1/procedures", headers=admin(issuer),
                                  params={"q": "sap bai bo", "include_inactive": True})
        assert [p["code"] for p in listed.json()] == [created["code"]]

    async def test_only_an_admin_lists_inactive_procedures(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        anonymous = await client.get("/api/v1/procedures", params={"include_inactive": True})
        assert anonymous.status_code == 401
        citizen = await client.get("/api/v1/procedures", params={"include_inactive": True},
                                   headers=issuer.headers(kind="citizen"))
        assert citizen.status_code == 403

    async def test_an_admin_of_another_subtree_does_not_see_it(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, name="Thủ tục ẩn của Sở Tư pháp")
        await client.delete(f"/api/v1/procedures/{created['code']}", headers=admin(issuer))
        listed = await client.get("/api/v1/procedures", headers=admin(issuer, "H56.16"),
                                  params={"q": "thu tuc an cua", "include_inactive": True})
        assert listed.json() == []

    async def test_it_comes_back_with_patch(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, name="Thủ tục khôi phục")
        path = f"/api/v1/procedures/{created['code']}"
        await client.delete(path, headers=admin(issuer))
        restored = await client.patch(path, headers=admin(issuer), json={"active": True})
        assert restored.json()["active"] is True
        listed = (await client.get("/api/v1/procedures", params={"q": "khoi phuc"})).json()
        assert [p["code"] for p in listed] == [created["code"]]


MARRIAGE = "1.000894.000.00.00.H56"  # loaded by an earlier version: no components yet
DEATH = "1.000656.000.00.00.H56"  # its components emptied by an administrator


class TestTheDemoLoader:
    async def test_fills_new_fields_of_untouched_rows_and_keeps_admin_edits(
        self, client: httpx.AsyncClient, issuer: TestIssuer, dossier_settings: DossierSettings
    ) -> None:
        edited = await client.patch(f"/api/v1/procedures/{DEATH}", headers=admin(issuer),
                                    json={"components": [], "after_15h_next_day": False})
        assert edited.status_code == 200, edited.text
        engine = create_engine(dossier_settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                await session.execute(update(procedure_table)
                                      .where(procedure_table.c.code == MARRIAGE)
                                      .values(components=[]))
                assert await load_demo_procedures(session) == 0
        finally:
            await engine.dispose()
        marriage = (await client.get(f"/api/v1/procedures/{MARRIAGE}")).json()
        assert marriage["components"][0]["name"] == "Tờ khai đăng ký kết hôn"
        death = (await client.get(f"/api/v1/procedures/{DEATH}")).json()
        assert death["components"] == [] and death["after_15h_next_day"] is False


def _upgrade_with_an_old_procedure(connection: Connection) -> list[Any]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "0005")
    connection.execute(text(
        "INSERT INTO procedure (code, name, name_folded, field, agency_id, duration, "
        "duration_unit, online_level, fees, created_at) VALUES ('9.999998', 'Thủ tục cũ', "
        "'thu tuc cu', 'Đất đai', 'H56', 1, 'working_days', 'full', '[]', '2026-11-01')"))
    command.upgrade(config, "0006")
    return list(connection.execute(text(
        "SELECT field_folded, active, updated_at FROM procedure WHERE code = '9.999998'")))


class TestTheCatalogueMigration:
    async def test_existing_procedures_are_active_with_a_folded_field(
        self, databases: Databases
    ) -> None:
        engine = create_engine(databases.new_url("dossier"))
        try:
            async with engine.begin() as connection:
                rows = await connection.run_sync(_upgrade_with_an_old_procedure)
        finally:
            await engine.dispose()
        assert [tuple(r) for r in rows] == [("dat dai", True, None)]

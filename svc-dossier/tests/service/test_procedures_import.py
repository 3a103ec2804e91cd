"""Importing the national catalogue (LayThuTuc) and rendering procedures in its format."""

from __future__ import annotations

import random
from typing import Any

import httpx

from egov_testing import TestIssuer

BIRTH = "1.001193.000.00.00.H56"


def new_code() -> str:
    return f"1.{random.randrange(10**6):06d}.000.00.00.H56"


def admin(issuer: TestIssuer, agency_id: str = "H56") -> dict[str, str]:
    return issuer.headers(kind="official", roles=["admin"], agency_id=agency_id)


def national(code: str, **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "MaTTHC": code, "TenTTHC": "Đăng ký hoạt động văn phòng luật sư",
        "MaLinhVuc": "LS", "TenLinhVuc": "Luật sư",
        "CoQuanThucHien": [{"MaCoQuan": "H56.14", "TenCoQuan": "Sở Tư pháp"}],
        "ThoiHanGiaiQuyet": 10, "DonViTinh": "Ngày làm việc",
        "PhiLePhi": [{"MoTa": "Lệ phí đăng ký hoạt động", "SoTien": "100.000"}],
        "ThanhPhanHoSo": [{"TenGiayTo": "Giấy đề nghị đăng ký hoạt động", "BatBuoc": 1,
                           "SoBan": 1},
                          {"TenGiayTo": "Quyết định thành lập", "BatBuoc": 0, "SoBan": 2}],
        "MucDo": 3,
    }
    return {**item, **changes}


async def import_items(client: httpx.AsyncClient, issuer: TestIssuer, body: Any,
                       agency_id: str = "H56") -> dict[str, Any]:
    answer = await client.post("/api/v1/procedures/import", headers=admin(issuer, agency_id),
                               json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


class TestImport:
    async def test_valid_items_are_created(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        first, second = new_code(), new_code()
        report = await import_items(client, issuer, {"result": [
            national(first), national(second, MucDo=4, ThoiHanGiaiQuyet={
                "ThoiGian": 15, "DonViTinh": "Ngày"})]})
        assert (report["created"], report["refused"]) == (2, 0)
        assert [i["result"] for i in report["items"]] == ["created", "created"]
        got = (await client.get(f"/api/v1/procedures/{first}")).json()
        assert got["field"] == "Luật sư" and got["field_code"] == "LS"
        assert got["agency_id"] == "H56.14" and got["online_level"] == "partial"
        assert got["fees"] == [{"name": "Lệ phí đăng ký hoạt động", "amount": 100_000}]
        assert [(c["code"], c["required"], c["copies"]) for c in got["components"]] == [
            ("TP01", True, 1), ("TP02", False, 2)]
        other = (await client.get(f"/api/v1/procedures/{second}")).json()
        assert other["online_level"] == "full" and other["duration_unit"] == "calendar_days"

    async def test_invalid_items_are_refused_and_the_others_kept(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        good = new_code()
        report = await import_items(client, issuer, [
            national("1.23"),
            national(new_code(), TenTTHC=""),
            national(new_code(), DonViTinh="Giờ"),
            national(new_code(), PhiLePhi=[{"MoTa": "Phí", "SoTien": -5}]),
            national(new_code(), MucDo=7),
            national(new_code(), CoQuanThucHien=[{"MaCoQuan": "000.00.14.H56"}]),
            "not an object",
            national(["1.001193.000.00.00.H56"]),
            national(new_code(), ThoiHanGiaiQuyet="9" * 5000),
            national(good),
            national(good),
        ])
        codes = [i["error_code"] for i in report["items"]]
        assert codes == ["invalid_procedure_code", "missing_national_field",
                         "unsupported_duration_unit", "validation_failed",
                         "invalid_national_item", "legacy_agency_id", "invalid_national_item",
                         "missing_national_field", "invalid_national_item",
                         None, "duplicate_in_import"]
        assert report["created"] == 1 and report["refused"] == 10
        assert all(i["reason"] for i in report["items"] if i["result"] == "refused")
        assert "fees.0.amount" in report["items"][3]["reason"]
        assert (await client.get(f"/api/v1/procedures/{good}")).status_code == 200

    async def test_a_reimport_updates_and_keeps_local_settings(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        code = new_code()
        await import_items(client, issuer, [national(code)])
        path = f"/api/v1/procedures/{code}"
        current = (await client.get(path)).json()
        components = [{**current["components"][0], "reusable": True}, current["components"][1]]
        await client.patch(path, headers=admin(issuer), json={
            "components": components, "required_assurance_level": 2,
            "form_schema": {"type": "object"}})
        again = await import_items(client, issuer, [national(code)])
        assert again["items"][0]["result"] == "unchanged"
        changed = await import_items(client, issuer, [national(code, ThoiHanGiaiQuyet=7)])
        assert changed["items"][0]["result"] == "updated" and changed["updated"] == 1
        got = (await client.get(path)).json()
        assert got["duration"] == 7 and got["required_assurance_level"] == 2
        assert got["form_schema"] == {"type": "object"}
        assert got["components"][0]["reusable"] is True

    async def test_items_outside_the_admins_subtree_are_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        report = await import_items(client, issuer, [national(new_code()), national(BIRTH)],
                                    agency_id="H56.16")
        assert [i["error_code"] for i in report["items"]] == ["agency_not_covered"] * 2
        assert (await client.get(f"/api/v1/procedures/{BIRTH}")).json()["name"] == (
            "Đăng ký khai sinh")

    async def test_only_an_admin_imports(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        anonymous = await client.post("/api/v1/procedures/import", json=[national(new_code())])
        assert anonymous.status_code == 401
        officer = await client.post(
            "/api/v1/procedures/import", json=[national(new_code())],
            headers=issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56"))
        assert officer.status_code == 403 and officer.json()["code"] == "admin_required"

    async def test_an_empty_import_is_422(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        answer = await client.post("/api/v1/procedures/import", headers=admin(issuer),
                                   json={"result": []})
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_national_import"


class TestNationalFormat:
    async def test_a_procedure_in_national_field_names(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/api/v1/procedures/2.000748.000.00.00.H56/national")
        assert answer.status_code == 200
        got = answer.json()
        assert got["MaTTHC"] == "2.000748.000.00.00.H56" and got["MucDo"] == 4
        assert got["TenLinhVuc"] == "Lý lịch tư pháp" and got["DonViTinh"] == "Ngày làm việc"
        assert got["CoQuanThucHien"] == [{"MaCoQuan": "H56.14"}]
        assert got["PhiLePhi"] == [{"MoTa": "Phí cung cấp thông tin lý lịch tư pháp",
                                    "SoTien": 200_000}]
        assert got["ThanhPhanHoSo"][0]["TenGiayTo"] == "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"

    async def test_what_is_rendered_imports_back_unchanged(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        rendered = (await client.get(f"/api/v1/procedures/{BIRTH}/national")).json()
        report = await import_items(client, issuer, [rendered])
        assert report["items"][0]["result"] == "unchanged"

    async def test_an_unknown_code_is_404(self, client: httpx.AsyncClient) -> None:
        answer = await client.get(f"/api/v1/procedures/{new_code()}/national")
        assert answer.status_code == 404 and answer.json()["code"] == "procedure_not_found"

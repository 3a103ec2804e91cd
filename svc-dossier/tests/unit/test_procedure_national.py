"""The mapping between the national catalogue format (LayThuTuc) and ours (no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from svc_dossier.procedures.demo import DEMO_PROCEDURES
from svc_dossier.procedures.national import NationalFormatError, from_national, to_national
from svc_dossier.procedures.schemas import Procedure

ITEM: dict[str, Any] = {
    "MaTTHC": "2.000748.000.00.00.H56", "TenTTHC": "Cấp Phiếu lý lịch tư pháp",
    "MaLinhVuc": "LLTP", "TenLinhVuc": "Lý lịch tư pháp",
    "CoQuanThucHien": [{"MaCoQuan": "H56.14", "TenCoQuan": "Sở Tư pháp"}],
    "ThoiHanGiaiQuyet": 10, "DonViTinh": "Ngày làm việc", "ThoiHanGiaiQuyetTrucTuyen": 8,
    "PhiLePhi": [{"MoTa": "Phí cung cấp thông tin", "SoTien": 200000}],
    "ThanhPhanHoSo": [{"MaGiayTo": "TK", "TenGiayTo": "Tờ khai", "BatBuoc": 1, "SoBan": 1},
                      {"TenGiayTo": "Bản chụp CCCD", "BatBuoc": "0", "SoBan": "2"}],
    "MucDo": 4,
}


class TestFromNational:
    def test_every_field_maps(self) -> None:
        got = from_national(ITEM)
        assert got == {
            "code": "2.000748.000.00.00.H56", "name": "Cấp Phiếu lý lịch tư pháp",
            "field": "Lý lịch tư pháp", "field_code": "LLTP", "agency_id": "H56.14",
            "duration": 10, "duration_unit": "working_days", "online_duration": 8,
            "online_level": "full",
            "fees": [{"name": "Phí cung cấp thông tin", "amount": 200_000}],
            "components": [
                {"code": "TK", "name": "Tờ khai", "required": True, "copies": 1},
                {"code": "TP02", "name": "Bản chụp CCCD", "required": False, "copies": 2}],
        }

    @pytest.mark.parametrize(("level", "ours"), [(1, "info"), (2, "info"), ("3", "partial"),
                                                 (4, "full")])
    def test_mucdo_old_and_new(self, level: Any, ours: str) -> None:
        assert from_national({**ITEM, "MucDo": level})["online_level"] == ours

    @pytest.mark.parametrize("amount", ["200.000", "200,000 đồng", 200000.0, "200000"])
    def test_amounts_written_as_text(self, amount: Any) -> None:
        item = {**ITEM, "PhiLePhi": [{"MoTa": "Phí", "SoTien": amount}]}
        assert from_national(item)["fees"] == [{"name": "Phí", "amount": 200_000}]

    def test_other_shapes_of_field_agency_and_duration(self) -> None:
        item = {**ITEM, "LinhVuc": [{"MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch"}],
                "CoQuanThucHien": {"MaCoQuan": "000.00.00.H56"},
                "ThoiHanGiaiQuyet": {"ThoiGian": 15, "DonViTinh": "Ngày"}}
        del item["TenLinhVuc"], item["MaLinhVuc"]
        got = from_national(item)
        assert (got["field"], got["field_code"], got["agency_id"]) == ("Hộ tịch", "HT", "H56")
        assert (got["duration"], got["duration_unit"]) == (15, "calendar_days")

    @pytest.mark.parametrize(("change", "code"), [
        ({"MaTTHC": None}, "missing_national_field"),
        ({"TenLinhVuc": ""}, "missing_national_field"),
        ({"CoQuanThucHien": []}, "missing_national_field"),
        ({"CoQuanThucHien": [{"MaCoQuan": "000.00.14.H56"}]}, "legacy_agency_id"),
        ({"DonViTinh": "Tháng"}, "unsupported_duration_unit"),
        ({"ThoiHanGiaiQuyet": "mười"}, "invalid_national_item"),
        ({"MucDo": None}, "invalid_national_item"),
        ({"PhiLePhi": "miễn phí"}, "invalid_national_item"),
        ({"ThanhPhanHoSo": [{"BatBuoc": 1}]}, "missing_national_field"),
    ])
    def test_what_cannot_map_is_refused_with_a_code(self, change: dict[str, Any],
                                                    code: str) -> None:
        with pytest.raises(NationalFormatError) as caught:
            from_national({**ITEM, **change})
        assert caught.value.code == code and str(caught.value)


class TestToNational:
    @pytest.mark.parametrize("demo", DEMO_PROCEDURES, ids=lambda p: p["code"])
    def test_every_demo_procedure_round_trips(self, demo: dict[str, Any]) -> None:
        ours = Procedure.model_validate(demo).model_dump()
        back = from_national(to_national(ours))
        for name, value in back.items():
            if name == "components":
                assert value == [{k: c[k] for k in ("code", "name", "required", "copies")}
                                 for c in ours["components"]]
            else:
                assert value == ours[name], name

    def test_national_level_and_unit_names(self) -> None:
        ours = Procedure.model_validate({**DEMO_PROCEDURES[-1]}).model_dump()
        rendered = to_national(ours)
        assert rendered["MucDo"] == 2 and rendered["DonViTinh"] == "Ngày"
        assert rendered["HieuLuc"] == 1

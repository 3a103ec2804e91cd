"""What outgoing documents print and how registers are named (pure rules of NĐ 30/2020)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from svc_docflow.common.types import notation
from svc_docflow.outgoing.issuer import date_text, number_text, place_of
from svc_docflow.registers.numbering import issuer_notation_of, vn_year


class TestNumberAndDate:
    def test_numbers_below_ten_have_a_leading_zero(self) -> None:
        assert number_text(1, "QĐ-STP") == "Số: 01/QĐ-STP"
        assert number_text(123, "STP-VP") == "Số: 123/STP-VP"

    @pytest.mark.parametrize(("day", "expected"), [
        (date(2027, 1, 5), "Thanh Hóa, ngày 05 tháng 01 năm 2027"),
        (date(2027, 2, 28), "Thanh Hóa, ngày 28 tháng 02 năm 2027"),
        (date(2026, 3, 9), "Thanh Hóa, ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 28), "Thanh Hóa, ngày 28 tháng 11 năm 2026"),
    ])
    def test_days_below_ten_and_months_below_three_have_a_leading_zero(
        self, day: date, expected: str
    ) -> None:
        assert date_text("Thanh Hóa", day) == expected

    def test_the_place_is_the_province(self) -> None:
        assert place_of("UBND tỉnh Thanh Hóa") == "Thanh Hóa"
        assert place_of("UBND thành phố Hà Nội") == "Hà Nội"

    def test_the_numbering_year_is_vietnams(self) -> None:
        assert vn_year(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026
        assert vn_year(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2027


class TestIssuerNotation:
    @pytest.mark.parametrize(("name", "expected"), [
        ("Sở Tư pháp tỉnh Thanh Hóa", "STP"),
        ("Sở Kế hoạch và Đầu tư tỉnh Thanh Hóa", "SKHĐT"),
        ("Sở Lao động - Thương binh và Xã hội tỉnh Thanh Hóa", "SLĐTBXH"),
        ("UBND tỉnh Thanh Hóa", "UBND"),
        ("Ủy ban nhân dân xã Quảng Phú", "UBND"),
        ("Văn phòng UBND tỉnh Thanh Hóa", "VPUBND"),
        ("Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa", "TTPVHCC"),
    ])
    def test_derived_from_the_agency_name(self, name: str, expected: str) -> None:
        assert issuer_notation_of(name) == expected

    def test_a_cong_van_is_issuer_then_unit(self) -> None:
        assert notation("CV", "STP", "VP") == "STP-VP"
        assert notation("QĐ", "STP", None) == "QĐ-STP"

"""Business and verification rules of DOMAIN §7, without I/O: the tax code, business names,
and how a declared identity is compared with the one on record."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from egov_shared.errors import ValidationFailed
from svc_identity.businesses import validation
from svc_identity.models import Account
from svc_identity.population.client import PopulationRecord
from svc_identity.population.schemas import parse_birth_date
from svc_identity.verification.service import matches_population, same_name

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def with_check_digit(first_nine: str) -> str:
    """DOMAIN §7, written out independently of python-stdnum: 10 − (Σ wᵢdᵢ mod 11)."""
    check = 10 - sum(w * int(d) for w, d in zip(WEIGHTS, first_nine, strict=True)) % 11
    assert check < 10, "a check value of 10 is never issued"
    return first_nine + str(check)


def refusal(tax_code: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        validation.check_tax_code(tax_code)
    return info.value


class TestTaxCode:
    @pytest.mark.parametrize("tax_code",
                             ["0100233488", "2800000027", with_check_digit("280012345")])
    def test_accepts_ten_digits_with_the_right_check_digit(self, tax_code: str) -> None:
        assert validation.check_tax_code(tax_code) == tax_code

    def test_accepts_a_branch_and_keeps_the_dash(self) -> None:
        assert validation.check_tax_code("0314409058-002") == "0314409058-002"
        assert validation.head_office_of("0314409058-002") == "0314409058"
        assert validation.head_office_of("0314409058") is None

    @pytest.mark.parametrize(("typed", "canonical"), [
        (" 0100233488 ", "0100233488"), ("0314409058002", "0314409058-002"),
        ("0314409058 - 002", "0314409058-002"), ("01.00.233.488", "0100233488"),
    ])
    def test_separators_as_typed_give_one_canonical_form(self, typed: str,
                                                         canonical: str) -> None:
        assert validation.check_tax_code(typed) == canonical

    @pytest.mark.parametrize("tax_code", ["0100233480", "0100233489", "2800000020",
                                          "0314409059-002", "3800000090"])
    def test_refuses_a_wrong_check_digit(self, tax_code: str) -> None:
        refused = refusal(tax_code)
        assert refused.code == "invalid_tax_code" and refused.status == 422
        assert refused.extra["field"] == "tax_code"

    def test_a_check_value_of_ten_is_never_valid(self) -> None:
        # 380000009 weighs to a multiple of 11 plus 0: its check value would be 10.
        assert {refusal(f"380000009{d}").extra["reason"] for d in "0123456789"} == {
            "check_digit"}

    @pytest.mark.parametrize("tax_code", ["010023348", "01002334881", "0100233488-01",
                                          "0100233488-0001", ""])
    def test_refuses_a_wrong_length(self, tax_code: str) -> None:
        refused = refusal(tax_code)
        assert refused.code == "invalid_tax_code" and refused.extra["reason"] == "length"

    @pytest.mark.parametrize(("tax_code", "reason"), [
        ("01002334AB", "format"), ("0100233488/01", "format"),
        ("0100000008", "component"), ("0100233488-000", "component"),
    ])
    def test_refuses_other_malformed_codes_with_the_same_code(self, tax_code: str,
                                                              reason: str) -> None:
        refused = refusal(tax_code)
        assert refused.code == "invalid_tax_code" and refused.extra["reason"] == reason

    def test_lookups_canonicalise_or_answer_none(self) -> None:
        assert validation.canonical_tax_code("0314409058002") == "0314409058-002"
        assert validation.canonical_tax_code("0100233480") is None


class TestBusinessName:
    def test_keeps_digits_and_signs_and_normalises_spaces(self) -> None:
        name = validation.normalize_business_name("  Công ty TNHH  Thương mại & Dịch vụ 368 ")
        assert name == "Công ty TNHH Thương mại & Dịch vụ 368"

    def test_stores_nfc(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Công ty Hạc Thành")
        assert validation.normalize_business_name(decomposed) == "Công ty Hạc Thành"

    @pytest.mark.parametrize("name", ["", " ", "X", "Công ty\u0007 A"])
    def test_refuses_empty_or_unprintable_names(self, name: str) -> None:
        with pytest.raises(ValidationFailed) as info:
            validation.normalize_business_name(name)
        assert info.value.code == "invalid_business_name"


class TestNameComparison:
    @pytest.mark.parametrize("declared", [
        "Nguyễn Thị Hoa", "NGUYỄN THỊ HOA", "  nguyễn   thị hoa ",
        unicodedata.normalize("NFD", "Nguyễn Thị Hoa"),
    ])
    def test_case_spaces_and_unicode_form_do_not_matter(self, declared: str) -> None:
        assert same_name(declared, "Nguyễn Thị Hoa")

    @pytest.mark.parametrize("declared", ["Nguyen Thi Hoa", "Nguyễn Thị Hòa", "Nguyễn Hoa"])
    def test_diacritics_and_words_do(self, declared: str) -> None:
        assert not same_name(declared, "Nguyễn Thị Hoa")

    def test_d_with_stroke_is_not_d(self) -> None:
        assert same_name("ĐỖ VĂN ĐỨC", "Đỗ Văn Đức")
        assert not same_name("Do Van Duc", "Đỗ Văn Đức")


def account(**changes: object) -> Account:
    values: dict[str, object] = {"id_number": "038195001234", "full_name": "Nguyễn Thị Hoa",
                                 "date_of_birth": date(1995, 3, 14), "sex": "female"}
    return Account(**{**values, **changes})


def record(**changes: object) -> PopulationRecord:
    values: dict[str, object] = {"id_number": "038195001234", "full_name": "NGUYỄN THỊ HOA",
                                 "date_of_birth": date(1995, 3, 14), "sex": "female",
                                 "permanent_address": None}
    return PopulationRecord(**{**values, **changes})  # type: ignore[arg-type]


class TestPopulationMatch:
    def test_the_same_person_matches(self) -> None:
        assert matches_population(account(), record())

    @pytest.mark.parametrize("changes", [
        {"id_number": "038195009999"}, {"full_name": "Nguyễn Thị Hòa"},
        {"date_of_birth": date(1995, 3, 15)}, {"date_of_birth": None}, {"sex": "male"},
    ])
    def test_any_difference_does_not(self, changes: dict[str, object]) -> None:
        assert not matches_population(account(), record(**changes))


class TestBirthDateLayouts:
    @pytest.mark.parametrize("value", ["19950314", "14/03/1995"])
    def test_reads_both_layouts_of_the_national_records(self, value: str) -> None:
        assert parse_birth_date(value) == date(1995, 3, 14)

    @pytest.mark.parametrize("value", ["1995", "00/00/1995", "1995-03-14", "31/02/1995", ""])
    def test_anything_else_is_no_date(self, value: str) -> None:
        assert parse_birth_date(value) is None

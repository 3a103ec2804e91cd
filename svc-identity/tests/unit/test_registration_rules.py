"""The registration rules of DOMAIN §7, without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from egov_shared.errors import ValidationFailed
from svc_identity.accounts import validation


def refusal_code(check: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationFailed) as info:
        check(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


class TestBirthProvinceTable:
    def test_has_the_63_old_provinces(self) -> None:
        assert len(validation.BIRTH_PROVINCE_CODES) == 63
        assert validation.BIRTH_PROVINCE_CODES["038"] == "Thanh Hóa"
        assert validation.BIRTH_PROVINCE_CODES["001"] == "Hà Nội"
        assert validation.BIRTH_PROVINCE_CODES["079"] == "Hồ Chí Minh"


class TestIdNumber:
    def test_accepts_twelve_digits_with_a_province_code(self) -> None:
        validation.check_id_number("038095001234")

    @pytest.mark.parametrize("id_number", [
        "03809500123", "0380950012345", "03809500123A", "038 95001234", "",
    ])
    def test_refuses_malformed_numbers(self, id_number: str) -> None:
        assert refusal_code(validation.check_id_number, id_number) == "invalid_id_number"

    @pytest.mark.parametrize("id_number", ["003095001234", "999095001234", "039095001234"])
    def test_refuses_unknown_province_codes(self, id_number: str) -> None:
        assert (refusal_code(validation.check_id_number, id_number)
                == "id_number_unknown_province")

    @pytest.mark.parametrize(("year", "sex", "digit"), [
        (1995, "male", 0), (1995, "female", 1), (2003, "male", 2), (2003, "female", 3),
        (2101, "male", 4), (2101, "female", 5),
    ])
    def test_century_and_sex_digit(self, year: int, sex: str, digit: int) -> None:
        assert validation.century_sex_digit(year, sex) == digit

    def test_matches_declared_birth_year_and_sex(self) -> None:
        validation.check_id_number_matches(
            "038195001234", date_of_birth=date(1995, 3, 14), sex="female")
        validation.check_id_number_matches(
            "038203001234", date_of_birth=date(2003, 1, 2), sex="male")

    @pytest.mark.parametrize(("id_number", "born"), [
        ("038096001234", date(1995, 3, 14)),  # year digits 96 for 1995
        ("038295001234", date(1995, 3, 14)),  # 2000s digit for a 1995 birth
    ])
    def test_refuses_a_birth_year_mismatch(self, id_number: str, born: date) -> None:
        code = refusal_code(validation.check_id_number_matches, id_number,
                            date_of_birth=born, sex="male")
        assert code == "id_number_birth_year_mismatch"

    def test_refuses_a_sex_mismatch(self) -> None:
        code = refusal_code(validation.check_id_number_matches, "038195001234",
                            date_of_birth=date(1995, 3, 14), sex="male")
        assert code == "id_number_sex_mismatch"


class TestOtherFields:
    def test_date_of_birth_not_in_the_future(self) -> None:
        today = date(2026, 11, 22)
        validation.check_date_of_birth(today, today=today)
        code = refusal_code(validation.check_date_of_birth, date(2026, 11, 23), today=today)
        assert code == "invalid_date_of_birth"

    @pytest.mark.parametrize("password", ["short1", "onlyletters", "1234567890",
                                          "abc038095001234"])
    def test_refuses_weak_passwords(self, password: str) -> None:
        code = refusal_code(validation.check_password, password, id_number="038095001234")
        assert code == "weak_password"

    def test_accepts_a_sensible_password(self) -> None:
        validation.check_password("Mat-khau-2026", id_number="038095001234")

    def test_normalizes_contacts_and_names(self) -> None:
        assert validation.normalize_phone("0912 345 678") == "0912345678"
        assert validation.normalize_email(" An@Example.VN ") == "An@example.vn"
        assert validation.normalize_full_name("  Nguyễn   Văn  An ") == "Nguyễn Văn An"

    @pytest.mark.parametrize(("check", "value", "code"), [
        (validation.normalize_phone, "12345", "invalid_phone"),
        (validation.normalize_email, "not-an-email", "invalid_email"),
        (validation.normalize_full_name, "A1", "invalid_full_name"),
        (validation.normalize_full_name, "<script>", "invalid_full_name"),
    ])
    def test_refuses_malformed_contacts_and_names(self, check: object, value: str,
                                                  code: str) -> None:
        assert refusal_code(check, value) == code

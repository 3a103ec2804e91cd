"""Form validation of submissions against a procedure's JSON Schema (no I/O)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from egov_shared.errors import ValidationFailed
from svc_dossier.procedures.demo import BIRTH_FORM, BUSINESS_FORM, CRIMINAL_RECORD_FORM
from svc_dossier.procedures.forms import check_form_schema
from svc_dossier.procedures.service import validate_form

BIRTH = SimpleNamespace(form_schema=BIRTH_FORM)  # a row: attribute access
GOOD_BIRTH = {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-11-20", "gioi_tinh": "Nam",
              "noi_sinh": "Bệnh viện Đa khoa tỉnh Thanh Hóa", "ho_ten_me": "Lê Thị Thu"}


def failure(procedure: Any, form: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate_form(procedure, form)
    assert caught.value.code == "invalid_form_data" and caught.value.status == 422
    return caught.value


class TestWithoutASchema:
    @pytest.mark.parametrize("procedure", [SimpleNamespace(form_schema=None),
                                           {"form_schema": None}, object()])
    def test_any_object_is_accepted(self, procedure: Any) -> None:
        validate_form(procedure, {"bat_ky": ["gì", 1]})

    def test_something_else_than_an_object_is_refused(self) -> None:
        error = failure(SimpleNamespace(form_schema=None), ["a"])
        assert error.extra["pointer"] == "" and "đối tượng" in error.message


class TestWithASchema:
    def test_a_complete_form_passes(self) -> None:
        validate_form(BIRTH, GOOD_BIRTH)
        validate_form({"form_schema": CRIMINAL_RECORD_FORM}, {"muc_dich": "Xin việc"})

    def test_a_missing_field_names_its_pointer_in_vietnamese(self) -> None:
        error = failure(BIRTH, {k: v for k, v in GOOD_BIRTH.items() if k != "ho_ten_me"})
        assert error.extra["pointer"] == "/ho_ten_me"
        assert error.message == "Thiếu trường bắt buộc “ho_ten_me”."

    def test_a_wrong_value_deep_inside_is_located(self) -> None:
        form = {"ten_doanh_nghiep": "Doanh nghiệp tư nhân Minh Anh",
                "dia_chi_tru_so": "Số 1 Lê Lợi", "nganh_nghe": ["4711", "47"],
                "von_dau_tu": 500_000_000}
        error = failure({"form_schema": BUSINESS_FORM}, form)
        assert error.extra["pointer"] == "/nganh_nghe/1"
        assert error.message == "Trường “1” không đúng mẫu quy định."

    def test_formats_and_enums_are_checked(self) -> None:
        error = failure(BIRTH, {**GOOD_BIRTH, "ngay_sinh": "20/11/2026", "gioi_tinh": "X"})
        assert [e["pointer"] for e in error.extra["errors"]] == ["/gioi_tinh", "/ngay_sinh"]
        assert "định dạng date" in error.extra["errors"][1]["message"]

    def test_a_wrong_type_says_which_type(self) -> None:
        error = failure({"form_schema": CRIMINAL_RECORD_FORM},
                        {"muc_dich": "Xin việc", "so_luong_phieu": "hai"})
        assert error.extra["pointer"] == "/so_luong_phieu"
        assert error.message == "Trường “so_luong_phieu” phải là số nguyên."

    def test_pointers_escape_slashes_and_tildes(self) -> None:
        schema = {"type": "object", "required": ["a/b~c"]}
        assert failure({"form_schema": schema}, {}).extra["pointer"] == "/a~1b~0c"

    def test_every_failure_is_listed(self) -> None:
        error = failure(BIRTH, {})
        assert len(error.extra["errors"]) == 5


class TestCheckingASchema:
    @pytest.mark.parametrize("schema", [BIRTH_FORM, BUSINESS_FORM, CRIMINAL_RECORD_FORM,
                                        {"type": "object"},
                                        {"type": "object", "$defs": {"d": {"type": "string"}},
                                         "properties": {"a": {"$ref": "#/$defs/d"}}}])
    def test_usable_schemas_pass(self, schema: dict[str, Any]) -> None:
        check_form_schema(schema)

    @pytest.mark.parametrize(("schema", "pointer"), [
        ({"type": "object", "properties": {"a": {"minLength": -1}}}, "/properties/a/minLength"),
        ({"type": "string"}, "/type"),
        ({"properties": {}}, "/type"),
        ({"type": "object", "properties": {"a": {"$ref": "http://x/y.json"}}},
         "/properties/a/$ref"),
    ])
    def test_unusable_schemas_are_refused(self, schema: dict[str, Any], pointer: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            check_form_schema(schema)
        assert caught.value.code == "invalid_form_schema"
        assert caught.value.extra["pointer"] == pointer

    def test_size_is_limited(self) -> None:
        big = {"type": "object", "description": "ư" * 40_000}
        with pytest.raises(ValidationFailed) as caught:
            check_form_schema(big)
        assert caught.value.code == "form_schema_too_large"


class TestHostileSchemas:
    def _refused(self, schema: dict[str, Any]) -> str:
        with pytest.raises(ValidationFailed) as caught:
            check_form_schema(schema)
        assert caught.value.code == "invalid_form_schema"
        return caught.value.message

    @pytest.mark.parametrize("declared", [[1], 5, "http://example.com/unknown"])
    def test_an_unknown_schema_version(self, declared: Any) -> None:
        assert "$schema" in self._refused({"$schema": declared, "type": "object"})

    def test_a_known_older_version_is_accepted(self) -> None:
        check_form_schema({"$schema": "http://json-schema.org/draft-07/schema#",
                           "type": "object"})

    def test_deep_nesting(self) -> None:
        deep: dict[str, Any] = {"type": "object"}
        for _ in range(3000):
            deep = {"type": "object", "properties": {"a": deep}}
        assert "lồng quá" in self._refused(deep)

    def test_a_dangling_local_ref(self) -> None:
        schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}}
        assert "#/$defs/x" in self._refused(schema)

    def test_deeply_nested_data_under_a_recursive_schema(self) -> None:
        schema = {"type": "object", "$defs": {"n": {"type": "object", "properties": {
            "a": {"$ref": "#/$defs/n"}}}}, "properties": {"a": {"$ref": "#/$defs/n"}}}
        check_form_schema(schema)
        data: dict[str, Any] = {}
        for _ in range(5000):
            data = {"a": data}
        assert "sâu" in failure({"form_schema": schema}, data).message

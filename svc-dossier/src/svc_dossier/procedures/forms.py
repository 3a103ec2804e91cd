"""Application forms: checking an administrator's JSON Schema, validating submitted form data.

A form schema is JSON Schema (draft 2020-12 unless its ``$schema`` names another draft), at most
``MAX_FORM_SCHEMA_BYTES`` of JSON, with an object at its root, and only local ``$ref``s
(``#/$defs/…``): nothing is ever fetched from the network while a dossier is submitted.
Formats (``date``, ``email``, …) are checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaViolation
from referencing.exceptions import Unresolvable

from egov_shared.errors import ValidationFailed

MAX_FORM_SCHEMA_BYTES = 64 * 1024
MAX_FORM_SCHEMA_DEPTH = 64
MAX_REPORTED_ERRORS = 20
TYPE_NAMES = {"string": "chuỗi ký tự", "integer": "số nguyên", "number": "số",
              "boolean": "đúng/sai", "object": "đối tượng", "array": "danh sách",
              "null": "rỗng"}


def check_form_schema(schema: dict[str, Any]) -> None:
    """Raise ``invalid_form_schema`` (or ``form_schema_too_large``) for an unusable schema."""
    if _depth(schema) > MAX_FORM_SCHEMA_DEPTH:
        raise _invalid(f"lồng quá {MAX_FORM_SCHEMA_DEPTH} cấp", pointer="")
    size = len(json.dumps(schema, ensure_ascii=False).encode())
    if size > MAX_FORM_SCHEMA_BYTES:
        raise ValidationFailed(
            f"Lược đồ biểu mẫu quá lớn ({size} byte; tối đa {MAX_FORM_SCHEMA_BYTES}).",
            code="form_schema_too_large")
    cls = _validator_class(schema)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise _invalid(f"không đúng JSON Schema ({exc.message})",
                       pointer=_pointer(exc.absolute_path)) from None
    if schema.get("type") != "object":
        raise _invalid("gốc của lược đồ phải có \"type\": \"object\"", pointer="/type")
    for pointer, ref in _refs(schema, ""):
        if not ref.startswith("#"):
            raise _invalid(f"chỉ cho phép $ref nội bộ (bắt đầu bằng #), không phải “{ref}”",
                           pointer=pointer)
        if not _resolves(schema, ref):
            raise _invalid(f"$ref “{ref}” không trỏ tới phần nào của lược đồ", pointer=pointer)


def _validator_class(schema: dict[str, Any]) -> Any:
    """Draft 2020-12, or the known draft that ``$schema`` names."""
    if "$schema" not in schema:
        return Draft202012Validator
    known = (validators.validator_for(schema, default=None)
             if isinstance(schema["$schema"], str) else None)
    if known is None:
        raise _invalid("“$schema” không phải một phiên bản JSON Schema đã biết",
                       pointer="/$schema")
    return known


def _depth(node: Any) -> int:
    """Nesting depth, without recursion (a hostile schema must not exhaust the stack); stops
    counting once past the limit."""
    deepest, stack = 0, [(node, 1)]
    while stack and deepest <= MAX_FORM_SCHEMA_DEPTH:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, dict):
            stack.extend((child, depth + 1) for child in current.values())
        elif isinstance(current, list):
            stack.extend((child, depth + 1) for child in current)
    return deepest


def _resolves(schema: dict[str, Any], ref: str) -> bool:
    """A local JSON-pointer ``$ref`` (``#/$defs/x``) names a part of the schema; plain-name
    fragments (``#adresse``, an ``$anchor``) are left to the validator."""
    fragment = ref[1:]
    if fragment and not fragment.startswith("/"):
        return True
    node: Any = schema
    for raw in fragment.split("/")[1:]:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def validate_form(procedure: Any, form_data: Any) -> None:
    """Check a dossier's ``form_data`` against its procedure's form schema (a row, a model or a
    mapping with ``form_schema``). No schema: any object. Raises ``ValidationFailed`` with code
    ``invalid_form_data``, the first failing JSON pointer and every failure (up to 20)."""
    schema = (procedure.get("form_schema") if isinstance(procedure, Mapping)
              else getattr(procedure, "form_schema", None))
    if not isinstance(form_data, dict):
        raise _failed([("", "Dữ liệu biểu mẫu phải là một đối tượng JSON.")])
    if not schema:
        return
    try:
        cls = _validator_class(schema)
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(form_data), key=_order)
    except RecursionError:
        raise _failed([("", "Dữ liệu biểu mẫu lồng quá sâu.")]) from None
    except (Unresolvable, SchemaError, ValidationFailed) as exc:  # a stored schema gone bad
        raise ValidationFailed("Lược đồ biểu mẫu của thủ tục không dùng được; hãy báo quản "
                               "trị.", code="invalid_form_schema") from exc
    if errors:
        raise _failed([_describe(e) for e in errors[:MAX_REPORTED_ERRORS]])


def _order(error: SchemaViolation) -> tuple[str, str]:
    return _error_pointer(error), str(error.validator)


def _failed(problems: list[tuple[str, str]]) -> ValidationFailed:
    pointer, message = problems[0]
    return ValidationFailed(
        message, code="invalid_form_data",
        extra={"pointer": pointer,
               "errors": [{"pointer": p, "message": m} for p, m in problems]})


def _invalid(reason: str, *, pointer: str) -> ValidationFailed:
    return ValidationFailed(f"Lược đồ biểu mẫu không hợp lệ: {reason}.",
                            code="invalid_form_schema", extra={"pointer": pointer})


def _refs(node: Any, pointer: str) -> Iterable[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{_escape(str(key))}"
            if key == "$ref" and isinstance(value, str):
                yield here, value
            else:
                yield from _refs(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{pointer}/{i}")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _pointer(path: Iterable[Any]) -> str:
    return "".join(f"/{_escape(str(p))}" for p in path)


def _error_pointer(error: SchemaViolation) -> str:
    """Where the error is; for a missing property, where that property should be."""
    pointer = _pointer(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [p for p in error.validator_value if p not in error.instance]
        if missing:
            pointer += f"/{_escape(str(missing[0]))}"
    return pointer


def _describe(error: SchemaViolation) -> tuple[str, str]:
    pointer = _error_pointer(error)
    name = pointer.rsplit("/", 1)[-1] or "biểu mẫu"
    return pointer, _message(error, f"“{name}”" if pointer else "Biểu mẫu")


def _message(error: SchemaViolation, what: str) -> str:
    kind, value = str(error.validator), error.validator_value
    messages = {
        "required": f"Thiếu trường bắt buộc {what}.",
        "type": f"Trường {what} phải là {_type_name(value)}.",
        "enum": f"Giá trị của trường {what} không nằm trong các giá trị cho phép.",
        "const": f"Giá trị của trường {what} không đúng giá trị quy định.",
        "format": f"Trường {what} không đúng định dạng {value}.",
        "pattern": f"Trường {what} không đúng mẫu quy định.",
        "minLength": f"Trường {what} phải có ít nhất {value} ký tự.",
        "maxLength": f"Trường {what} chỉ được có tối đa {value} ký tự.",
        "minimum": f"Trường {what} phải lớn hơn hoặc bằng {value}.",
        "maximum": f"Trường {what} phải nhỏ hơn hoặc bằng {value}.",
        "minItems": f"Trường {what} phải có ít nhất {value} phần tử.",
        "maxItems": f"Trường {what} chỉ được có tối đa {value} phần tử.",
        "additionalProperties": f"{what} có trường không được khai báo trong biểu mẫu.",
    }
    return messages.get(kind, f"Trường {what} không hợp lệ ({error.message}).")


def _type_name(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    return " hoặc ".join(TYPE_NAMES.get(str(n), str(n)) for n in names)

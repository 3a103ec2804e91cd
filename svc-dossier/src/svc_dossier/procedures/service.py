"""Procedure catalogue use cases: administration, national import, form validation.

Never commits (the request's unit of work does). Writes need the role ``admin`` on an agency
covering the procedure's agency; a procedure outside the administrator's subtree answers 404,
as one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.text import fold
from svc_dossier.procedures import repository
from svc_dossier.procedures.forms import check_form_schema, validate_form
from svc_dossier.procedures.national import NationalFormatError, from_national
from svc_dossier.procedures.schemas import (
    ImportItemResult,
    ImportReport,
    ProcedureCreate,
    ProcedureFields,
    ProcedurePatch,
)

__all__ = ["validate_form"]  # the dossier slice validates form data with it

# National code (d.dddddd) + the legacy 13-character ID of the publishing agency, read right
# to left: 1.001193.000.00.00.H56 (province H56); lower legacy levels (…000.00.14.H56) too.
PROCEDURE_CODE = re.compile(
    r"^[1-9]\.[0-9]{6}\.[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Y][0-9]{2}$")
MAX_IMPORT_ITEMS = 500
FIELDS = tuple(ProcedureFields.model_fields)


def require_admin(principal: Principal) -> None:
    if not principal.has_role("admin"):
        raise Forbidden("Chỉ quản trị viên (vai trò admin) được sửa danh mục thủ tục.",
                        code="admin_required")


def check_code(code: str) -> None:
    if not PROCEDURE_CODE.fullmatch(code):
        raise ValidationFailed(
            f"Mã thủ tục “{code}” không đúng dạng: mã quốc gia d.dddddd và mã cơ quan công bố "
            "dạng 000.00.00.H56, ví dụ 1.001193.000.00.00.H56.",
            code="invalid_procedure_code")


def check_fields(fields: ProcedureFields) -> None:
    """What the field types cannot say: unique component codes, a usable form schema."""
    codes = [c.code for c in fields.components]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationFailed(
            f"Mã thành phần hồ sơ bị trùng: {', '.join(duplicates)}.",
            code="duplicate_component_code", extra={"component_codes": duplicates})
    if fields.form_schema is not None:
        check_form_schema(fields.form_schema)


def _require_covers(principal: Principal, agency_id: str) -> None:
    if not principal.covers_agency(agency_id):
        raise Forbidden(f"Cơ quan {agency_id} không thuộc phạm vi quản trị của bạn.",
                        code="agency_not_covered")


async def get_one(session: AsyncSession, code: str) -> Row[Any]:
    """One procedure for anyone, also an inactive one (dossiers still refer to it), which
    shows ``active: false``."""
    row = await repository.get(session, code)
    if row is None:
        raise NotFound(f"Không có thủ tục {code}.", code="procedure_not_found")
    return row


async def for_submission(session: AsyncSession, code: str) -> Row[Any]:
    """The procedure a new dossier names: it must exist and be active (kept a few seconds:
    every submission reads it)."""
    row = await repository.FOR_SUBMISSION.get(session, code,
                                              lambda: repository.get(session, code))
    if row is None:
        raise ValidationFailed(f"Không có thủ tục {code}.", code="unknown_procedure")
    if not row.active:
        raise ValidationFailed(f"Thủ tục {code} đã ngừng áp dụng; không thể nộp hồ sơ.",
                               code="procedure_inactive")
    return row


async def _owned(session: AsyncSession, principal: Principal, code: str) -> Row[Any]:
    require_admin(principal)
    row = await repository.get_for_update(session, code)
    if row is None or not principal.covers_agency(row.agency_id):
        raise NotFound(f"Không có thủ tục {code}.", code="procedure_not_found")
    return row


def fields_of(row: Row[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def _validated(values: dict[str, Any]) -> ProcedureFields:
    try:
        fields = ProcedureFields.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            f"Dữ liệu thủ tục không hợp lệ ({where}: {first['msg']}).", code="validation_failed",
            extra={"errors": [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]}
                              for e in exc.errors()]}) from None
    check_fields(fields)
    return fields


async def create(session: AsyncSession, principal: Principal, body: ProcedureCreate) -> Row[Any]:
    require_admin(principal)
    check_code(body.code)
    fields = _validated(body.model_dump(exclude={"code"}))
    _require_covers(principal, fields.agency_id)
    exists = Conflict(f"Thủ tục {body.code} đã có.", code="procedure_exists")
    if await repository.get(session, body.code) is not None:
        raise exists
    try:
        async with session.begin_nested():
            await repository.insert_procedure(session, {"code": body.code,
                                                        **fields.model_dump()})
    except IntegrityError as exc:  # a concurrent request created the same code
        raise exists from exc
    return await _reread(session, body.code)


async def replace(session: AsyncSession, principal: Principal, code: str,
                  body: ProcedureFields) -> Row[Any]:
    await _owned(session, principal, code)
    return await _save(session, principal, code, body.model_dump())


async def patch(session: AsyncSession, principal: Principal, code: str,
                body: ProcedurePatch) -> Row[Any]:
    row = await _owned(session, principal, code)
    return await _save(session, principal, code,
                       {**fields_of(row), **body.model_dump(exclude_unset=True)})


async def deactivate(session: AsyncSession, principal: Principal, code: str) -> Row[Any]:
    await _owned(session, principal, code)
    await repository.update_procedure(session, code, {"active": False})
    return await _reread(session, code)


async def _save(session: AsyncSession, principal: Principal, code: str,
                values: dict[str, Any]) -> Row[Any]:
    fields = _validated(values)
    _require_covers(principal, fields.agency_id)
    await repository.update_procedure(session, code, fields.model_dump())
    return await _reread(session, code)


async def _reread(session: AsyncSession, code: str) -> Row[Any]:
    row = await repository.get(session, code)
    assert row is not None
    return row


# -- import from the national catalogue -------------------------------------------------------

def national_items(body: Any) -> list[Any]:
    """The items of a ``LayThuTuc`` answer: a list, ``{"result": […]}`` (or ``data``,
    ``ThuTuc``), or one item."""
    if isinstance(body, dict):
        for key in ("result", "data", "ThuTuc"):
            if isinstance(body.get(key), list):
                body = body[key]
                break
        else:
            body = [body]
    if not isinstance(body, list) or not body:
        raise ValidationFailed("Không có thủ tục nào để nhập.", code="invalid_national_import")
    if len(body) > MAX_IMPORT_ITEMS:
        raise ValidationFailed(f"Mỗi lần nhập tối đa {MAX_IMPORT_ITEMS} thủ tục.",
                               code="too_many_items")
    return body


async def import_national(session: AsyncSession, principal: Principal, body: Any) -> ImportReport:
    """Upsert by code, item by item: a refused item does not stop the others."""
    require_admin(principal)
    results: list[ImportItemResult] = []
    seen: set[str] = set()
    for index, item in enumerate(national_items(body)):
        code = _str(item.get("MaTTHC")) if isinstance(item, dict) else None
        try:
            if code in seen:
                raise ValidationFailed("Mã thủ tục lặp lại trong cùng lần nhập.",
                                       code="duplicate_in_import")
            outcome = await _import_one(session, principal, item)
        except (NationalFormatError, AppError) as exc:
            error_code = exc.code
            reason = exc.message if isinstance(exc, AppError) else str(exc)
            results.append(ImportItemResult(index=index, code=code, result="refused",
                                            error_code=error_code, reason=reason))
            continue
        seen.add(str(code))
        results.append(ImportItemResult(index=index, code=str(code), result=outcome))
    return _report(results)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def _import_one(session: AsyncSession, principal: Principal, item: Any) -> Any:
    national = from_national(item)
    code = national.pop("code")
    check_code(code)
    row = await repository.get_for_update(session, code)
    if row is not None and not principal.covers_agency(row.agency_id):
        raise Forbidden(f"Thủ tục {code} thuộc cơ quan ngoài phạm vi quản trị của bạn.",
                        code="agency_not_covered")
    current = fields_of(row) if row is not None else {}
    national["components"] = merge_components(current.get("components") or [],
                                              national["components"])
    fields = _validated({**current, **national})
    _require_covers(principal, fields.agency_id)
    values = fields.model_dump()
    if row is None:
        await repository.insert_procedure(session, {"code": code, **values})
        return "created"
    if values == _validated(current).model_dump():
        return "unchanged"
    await repository.update_procedure(session, code, values)
    return "updated"


def merge_components(current: list[dict[str, Any]],
                     imported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The national list decides which components exist; our own settings (reusable, media
    types, size) of a component with the same name survive a re-import."""
    ours = {fold(c["name"]): c for c in current}
    return [{**ours.get(fold(c["name"]), {}), **c} for c in imported]


def _report(results: list[ImportItemResult]) -> ImportReport:
    def count(kind: str) -> int:
        return sum(1 for r in results if r.result == kind)

    return ImportReport(created=count("created"), updated=count("updated"),
                        unchanged=count("unchanged"), refused=count("refused"), items=results)

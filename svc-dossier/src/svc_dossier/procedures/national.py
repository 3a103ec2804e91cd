"""The national catalogue format (Cổng Dịch vụ công quốc gia, ``LayThuTuc``) and ours.

One item of the national answer, as accepted by ``from_national`` and written by
``to_national``::

    {"MaTTHC": "1.001193.000.00.00.H56", "TenTTHC": "Đăng ký khai sinh",
     "MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch",          # or "LinhVuc": "Hộ tịch" | {…} | [{…}]
     "CoQuanThucHien": [{"MaCoQuan": "H56.100", "TenCoQuan": "UBND xã …"}],  # or "MaCoQuan"
     "ThoiHanGiaiQuyet": 1, "DonViTinh": "Ngày làm việc",  # or {"ThoiGian": 1, "DonViTinh": …}
     "ThoiHanGiaiQuyetTrucTuyen": 1,                      # optional
     "PhiLePhi": [{"MoTa": "Lệ phí …", "SoTien": 50000}],  # SoTien also "50.000"
     "ThanhPhanHoSo": [{"MaGiayTo": "TP01", "TenGiayTo": "Tờ khai …", "BatBuoc": 1,
                        "SoBan": 1}],
     "MucDo": 4}                                           # 4 toàn trình, 3 một phần, 2 info

Units: "Ngày làm việc" → working days; "Ngày", "Ngày lịch" → calendar days; anything else
(hours, months) is refused. ``MucDo`` 1 and 2 (the old levels of Nghị định 43/2011: information
and downloadable forms) → info, 3 → partial, 4 → full. ``MaCoQuan`` in the current form
(``H56.14``); of the legacy 13-character form only the provincial level (``000.00.00.H56`` →
``H56``) maps without the agency table, any other legacy ID is refused.
"""

from __future__ import annotations

import re
from typing import Any

from egov_shared.text import fold
from svc_dossier.procedures.schemas import NATIONAL_LEVEL

UNITS = {"ngay lam viec": "working_days", "ngay": "calendar_days", "ngay lich": "calendar_days"}
UNIT_NAMES = {"working_days": "Ngày làm việc", "calendar_days": "Ngày"}
LEVELS = {1: "info", 2: "info", 3: "partial", 4: "full"}
LEGACY_PROVINCE = re.compile(r"^000\.00\.00\.([A-Y][0-9]{2})$")
LEGACY_AGENCY = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Y][0-9]{2}$")


class NationalFormatError(ValueError):
    """An item that cannot be mapped; ``code`` is the stable refusal code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def from_national(item: dict[str, Any]) -> dict[str, Any]:
    """Our fields (as ``ProcedureCreate`` takes them) from one national item."""
    if not isinstance(item, dict):
        raise NationalFormatError("invalid_national_item", "Mỗi thủ tục phải là một đối tượng.")
    duration, unit = _duration(item)
    fields: dict[str, Any] = {
        "code": _text(item, "MaTTHC"),
        "name": _text(item, "TenTTHC"),
        **_field(item),
        "agency_id": _agency(item),
        "duration": duration,
        "duration_unit": unit,
        "online_level": _level(item.get("MucDo")),
        "fees": [_fee(f) for f in _list(item, "PhiLePhi")],
        "components": [_component(i, c) for i, c in enumerate(_list(item, "ThanhPhanHoSo"), 1)],
    }
    online = item.get("ThoiHanGiaiQuyetTrucTuyen")
    fields["online_duration"] = _int(online, "ThoiHanGiaiQuyetTrucTuyen") if online else None
    return fields


def to_national(procedure: dict[str, Any]) -> dict[str, Any]:
    """One procedure in the national field names (the inverse of ``from_national``)."""
    return {
        "MaTTHC": procedure["code"],
        "TenTTHC": procedure["name"],
        "MaLinhVuc": procedure.get("field_code"),
        "TenLinhVuc": procedure["field"],
        "CoQuanThucHien": [{"MaCoQuan": procedure["agency_id"]}],
        "ThoiHanGiaiQuyet": procedure["duration"],
        "DonViTinh": UNIT_NAMES[procedure["duration_unit"]],
        "ThoiHanGiaiQuyetTrucTuyen": procedure.get("online_duration"),
        "PhiLePhi": [{"MoTa": f["name"], "SoTien": f["amount"]} for f in procedure["fees"]],
        "ThanhPhanHoSo": [
            {"MaGiayTo": c["code"], "TenGiayTo": c["name"], "BatBuoc": int(c["required"]),
             "SoBan": c.get("copies", 1)}
            for c in procedure.get("components") or []
        ],
        "MucDo": NATIONAL_LEVEL[procedure["online_level"]],
        "HieuLuc": int(procedure.get("active", True)),
    }


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise NationalFormatError("missing_national_field", f"Thiếu trường {key}.")
    return value.strip()


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise NationalFormatError("invalid_national_item", f"Trường {key} phải là một danh sách.")
    return value


def _int(value: Any, key: str) -> int:
    """A whole number, also written as text with thousands separators ("50.000")."""
    if isinstance(value, bool):
        raise NationalFormatError("invalid_national_item", f"Trường {key} phải là số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    digits = re.sub(r"[.,\s]|đồng|VNĐ|VND|đ$", "", str(value), flags=re.IGNORECASE)
    if not digits.isdigit() or len(digits) > 15:
        raise NationalFormatError("invalid_national_item", f"Trường {key} phải là số nguyên.")
    return int(digits)


def _field(item: dict[str, Any]) -> dict[str, Any]:
    """LinhVuc as text, as an object or as a list of objects (the first one counts)."""
    value = item.get("LinhVuc")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        name, code = value.get("TenLinhVuc"), value.get("MaLinhVuc")
    else:
        name, code = item.get("TenLinhVuc") or value, item.get("MaLinhVuc")
    if not isinstance(name, str) or not name.strip():
        raise NationalFormatError("missing_national_field", "Thiếu trường TenLinhVuc.")
    return {"field": name.strip(), "field_code": str(code).strip() if code else None}


def _agency(item: dict[str, Any]) -> str:
    value = item.get("CoQuanThucHien")
    if isinstance(value, list):
        value = value[0] if value else None
    code = value.get("MaCoQuan") if isinstance(value, dict) else item.get("MaCoQuan") or value
    if not isinstance(code, str) or not code.strip():
        raise NationalFormatError("missing_national_field", "Thiếu trường MaCoQuan.")
    code = code.strip()
    if province := LEGACY_PROVINCE.match(code):
        return province.group(1)
    if LEGACY_AGENCY.match(code):
        raise NationalFormatError(
            "legacy_agency_id", f"Mã cơ quan {code} ở dạng cũ: hãy dùng mã định danh hiện hành.")
    return code


def _duration(item: dict[str, Any]) -> tuple[int, str]:
    value: Any = item.get("ThoiHanGiaiQuyet")
    unit_name: Any = item.get("DonViTinh")
    if isinstance(value, dict):
        value, unit_name = value.get("ThoiGian"), value.get("DonViTinh", unit_name)
    if value is None:
        raise NationalFormatError("missing_national_field", "Thiếu trường ThoiHanGiaiQuyet.")
    unit = UNITS.get(fold(str(unit_name or "Ngày làm việc")))
    if unit is None:
        raise NationalFormatError(
            "unsupported_duration_unit", f"Đơn vị thời hạn “{unit_name}” không được hỗ trợ "
                                         "(chỉ ngày làm việc hoặc ngày).")
    return _int(value, "ThoiHanGiaiQuyet"), unit


def _level(value: Any) -> str:
    try:
        return LEVELS[int(value)]
    except (TypeError, ValueError, KeyError):
        raise NationalFormatError("invalid_national_item",
                                  f"Mức độ (MucDo) “{value}” không hợp lệ: 2, 3 hoặc 4.") from None


def _fee(fee: Any) -> dict[str, Any]:
    if not isinstance(fee, dict):
        raise NationalFormatError("invalid_national_item", "Mỗi phí, lệ phí phải là một đối tượng.")
    name = fee.get("MoTa") or fee.get("TenPhiLePhi") or "Phí, lệ phí"
    return {"name": str(name).strip(), "amount": _int(fee.get("SoTien", 0), "SoTien")}


def _component(number: int, component: Any) -> dict[str, Any]:
    if not isinstance(component, dict):
        raise NationalFormatError("invalid_national_item",
                                  "Mỗi thành phần hồ sơ phải là một đối tượng.")
    return {
        "code": str(component.get("MaGiayTo") or f"TP{number:02d}").strip(),
        "name": _text(component, "TenGiayTo"),
        "required": _flag(component.get("BatBuoc", 1)),
        "copies": max(1, _int(component.get("SoBan", 1) or 1, "SoBan")),
    }


def _flag(value: Any) -> bool:
    """BatBuoc as 1/0, true/false or text ("1", "Có")."""
    if isinstance(value, str):
        return fold(value) in {"1", "true", "co", "x"}
    return bool(value)

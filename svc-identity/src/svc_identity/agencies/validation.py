"""Agency electronic IDs (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg): the current form,
read left to right (``H56.14``), and the legacy 13-character form read right to left
(``000.00.14.H56``), still carried by edXML packages and older systems. Also the pure checks
of what an administrator declares about an agency (no I/O); each failure raises
:class:`ValidationFailed` with a stable code."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN, is_agency_id
from egov_shared.errors import ValidationFailed

__all__ = ["AGENCY_ID_MAX_LENGTH", "AGENCY_ID_PATTERN", "AGENCY_KINDS", "LEGACY_ID_PATTERN",
           "WEEKDAYS", "check_child_id", "check_legacy_id", "check_validity", "is_agency_id",
           "is_legacy_id", "normalize_name", "normalize_office_hours"]

LEGACY_ID_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Y][0-9]{2}$"
_LEGACY_ID = re.compile(LEGACY_ID_PATTERN)
_GROUP = re.compile(r"^[0-9A-Z]+$")

# What an agency is; "division" (phòng, ban) and "unit" (đơn vị sự nghiệp) sit below the rest.
AGENCY_KINDS = ("province", "department", "service_centre", "commune", "division", "unit",
                "other")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")
MAX_RANGES_PER_DAY = 6


def _fail(code: str, message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, extra={"field": field})


def is_legacy_id(value: str) -> bool:
    return _LEGACY_ID.match(value) is not None


def check_child_id(agency_id: str, *, parent_id: str) -> None:
    """A child's ID is its parent's plus exactly one group (``H56.14`` → ``H56.14.01``): IDs
    nest, which is what makes a role on an agency cover its subtree."""
    prefix, dot, group = agency_id.rpartition(".")
    if not (is_agency_id(agency_id) and dot and prefix == parent_id and _GROUP.match(group)):
        raise _fail("agency_id_not_nested",
                    f"Mã định danh phải gồm mã cơ quan cha {parent_id} và một nhóm mới "
                    f"(ví dụ {parent_id}.01).", "id")


def check_legacy_id(legacy_id: str) -> None:
    if not is_legacy_id(legacy_id):
        raise _fail("invalid_legacy_id",
                    "Mã định danh cũ phải có dạng 000.00.00.H56 (13 ký tự).", "legacy_id")


def normalize_name(name: str) -> str:
    """NFC with single spaces, so that one name is stored one way whatever the keyboard."""
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    if len(clean) < 2 or not clean.isprintable():
        raise _fail("invalid_name", "Tên cơ quan không hợp lệ.", "name")
    return clean


def check_validity(valid_from: date | None, valid_to: date | None) -> None:
    """Both ends inclusive; an agency valid on a single day has ``valid_from == valid_to``."""
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise _fail("invalid_validity",
                    "Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực.", "valid_to")


def normalize_office_hours(hours: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Weekday keys ``mon``…``sun``, each a list of ``["HH:MM", "HH:MM"]`` ranges in order and
    not overlapping; a day left out (or with no range) is closed. Answers the days in week
    order."""
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise _hours_error(f"Ngày không hợp lệ: {', '.join(unknown)} (mon…sun).", unknown[0])
    return {day: _day_ranges(day, hours[day]) for day in WEEKDAYS if day in hours}


def _day_ranges(day: str, ranges: Any) -> list[list[str]]:
    if not isinstance(ranges, list) or len(ranges) > MAX_RANGES_PER_DAY:
        raise _hours_error(f"Giờ làm việc ngày {day}: tối đa {MAX_RANGES_PER_DAY} khoảng.", day)
    previous_end = ""
    for pair in ranges:
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(t, str) and _CLOCK.match(t) for t in pair)):
            raise _hours_error(f"Giờ làm việc ngày {day}: mỗi khoảng là [\"HH:MM\", \"HH:MM\"].",
                               day)
        start, end = pair  # "HH:MM" strings compare like the times they stand for
        if not start < end or start < previous_end:
            raise _hours_error(f"Giờ làm việc ngày {day}: các khoảng phải theo thứ tự, "
                               "bắt đầu trước khi kết thúc và không chồng lên nhau.", day)
        previous_end = end
    return [list(pair) for pair in ranges]


def _hours_error(message: str, day: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_office_hours",
                            extra={"field": "office_hours", "day": day})

"""Vietnamese wording of dates and times on forms, always in Vietnam time.

Nghị định 30/2020/NĐ-CP writes a day below 10 and the months 1 and 2 with a leading zero:
"ngày 05 tháng 01 năm 2026", "ngày 28 tháng 11 năm 2026".
"""

from __future__ import annotations

from datetime import date, datetime

from egov_shared.timeutil import to_vn

BLANK = "…………"  # a line left to fill in by hand


def day_words(day: date | datetime | None) -> str:
    if day is None:
        return BLANK
    if isinstance(day, datetime):
        day = _vn(day).date()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def moment_words(moment: datetime | None) -> str:
    """``10 giờ 05 phút, ngày 28 tháng 11 năm 2026``."""
    if moment is None:
        return BLANK
    shown = _vn(moment)
    return f"{shown.hour:02d} giờ {shown.minute:02d} phút, {day_words(shown)}"


def short_moment(moment: datetime | None) -> str:
    """For table cells: ``28/11/2026 10:05``."""
    if moment is None:
        return ""
    return f"{_vn(moment):%d/%m/%Y %H:%M}"


def place_and_date(place: str, day: date | datetime | None) -> str:
    """The dateline under the national motto: ``Thanh Hóa, ngày 28 tháng 11 năm 2026``."""
    return f"{place}, {day_words(day)}"


def _vn(moment: datetime) -> datetime:
    shown = to_vn(moment)
    assert shown is not None
    return shown

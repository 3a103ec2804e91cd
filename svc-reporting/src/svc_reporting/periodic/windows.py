"""Report periods (kỳ báo cáo) and their data cut-off windows (thời gian chốt số liệu), pure.

Nghị định 09/2019/NĐ-CP, Điều 12: a monthly report counts from the 15th of the previous month
to the 14th of the reporting month; quarterly from the 15th of the month before the quarter to
the 14th of its last month; six-monthly from 15 December of the previous year to 14 June (H1),
and from 15 June to 14 December (H2); annual from 15 December of the previous year to
14 December. Sectors define other windows (a calendar month, a cumulative nine-month report),
so a window is the rule of a report template:

- ``kind``: the period grammar (``2026-11``, ``2026-Q4``, ``2026-H1``, ``2026``);
- ``start_day``: the window starts on this day of the month BEFORE the period's first month and
  ends the day before it in the period's last month (15: NĐ 09's cut-off); 1 means calendar
  months (the 1st of the first month to the last day of the last month);
- ``cumulative``: from the start of the year (lũy kế từ đầu năm) to the period's end.

Windows are whole days in Asia/Ho_Chi_Minh: ``start`` 00:00:00 of the first day, ``end``
23:59:59 of the last day (inclusive, as the reports print it). The KPIs take the same window
half-open, up to the next midnight (``kpi_bounds``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args

from egov_shared.timeutil import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, VN_TZ

Kind = Literal["monthly", "quarterly", "half_year", "annual"]
KINDS: tuple[Kind, ...] = get_args(Kind)
NDS_09_START_DAY = 15
ROMAN = ("I", "II", "III", "IV")

_PATTERNS: dict[Kind, re.Pattern[str]] = {
    "monthly": re.compile(r"(\d{4})-(\d{2})"),
    "quarterly": re.compile(r"(\d{4})-Q(\d)"),
    "half_year": re.compile(r"(\d{4})-H(\d)"),
    "annual": re.compile(r"(\d{4})"),
}
_COUNT: dict[Kind, int] = {"monthly": 12, "quarterly": 4, "half_year": 2, "annual": 1}
_EXAMPLE: dict[Kind, str] = {"monthly": "2026-11", "quarterly": "2026-Q4",
                             "half_year": "2026-H1", "annual": "2026"}


class InvalidPeriod(ValueError):
    """The period does not name a period of that kind."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    year: int
    number: int  # the month, quarter or half (1 for a year)

    @property
    def months(self) -> int:
        return 12 // _COUNT[self.kind]

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.months + 1

    @property
    def last_month(self) -> int:
        return self.number * self.months

    def __str__(self) -> str:
        prefix = {"monthly": "", "quarterly": "Q", "half_year": "H"}
        if self.kind == "annual":
            return str(self.year)
        width = 2 if self.kind == "monthly" else 1
        return f"{self.year}-{prefix[self.kind]}{self.number:0{width}d}"


def parse_period(kind: Kind, text: str) -> Period:
    """``2026-11`` (monthly), ``2026-Q4``, ``2026-H1``, ``2026``; anything else raises."""
    found = _PATTERNS[kind].fullmatch(text)
    if found is None:
        raise InvalidPeriod(f"A {kind} period is written like {_EXAMPLE[kind]}.")
    year, number = int(found.group(1)), int(found.group(2)) if kind != "annual" else 1
    if not 1 <= number <= _COUNT[kind]:
        raise InvalidPeriod(f"{text} is not a {kind} period.")
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise InvalidPeriod(
            f"The year must lie in {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.")
    return Period(kind, year, number)


@dataclass(frozen=True)
class Window:
    first: date  # first day (Vietnam time)
    last: date  # last day, inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), VN_TZ)

    @property
    def end(self) -> datetime:
        """23:59:59 of the last day: the inclusive end the reports print."""
        return datetime.combine(self.last, time(23, 59, 59), VN_TZ)

    @property
    def kpi_bounds(self) -> tuple[datetime, datetime]:
        """Half-open, up to the next midnight: the KPIs' own convention."""
        return self.start, datetime.combine(self.last + timedelta(days=1), time(), VN_TZ)


@dataclass(frozen=True)
class WindowRule:
    kind: Kind
    start_day: int = NDS_09_START_DAY
    cumulative: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.start_day <= 28:  # every month has the day before it
            raise ValueError("start_day must be 1–28.")

    def window(self, period: Period) -> Window:
        if period.kind != self.kind:
            raise InvalidPeriod(f"This rule takes {self.kind} periods.")
        first_month = 1 if self.cumulative else period.first_month
        if self.start_day == 1:
            return Window(date(period.year, first_month, 1), _month_end(period.year,
                                                                         period.last_month))
        year, month = _month_before(period.year, first_month)
        return Window(date(year, month, self.start_day),
                      date(period.year, period.last_month, self.start_day - 1))

    def label(self, period: Period) -> str:
        """The period as Vietnamese reports name it: "Tháng 11/2026", "Quý IV/2026",
        "6 tháng đầu năm 2026", "9 tháng đầu năm 2026" (cumulative), "Năm 2026"."""
        months = period.last_month - (1 if self.cumulative else period.first_month) + 1
        if months == 12:
            return f"Năm {period.year}"
        if months > period.months or period.kind == "half_year":
            half = "đầu" if period.first_month == 1 or self.cumulative else "cuối"
            return f"{months} tháng {half} năm {period.year}"
        if period.kind == "quarterly":
            return f"Quý {ROMAN[period.number - 1]}/{period.year}"
        return f"Tháng {period.number}/{period.year}"


@dataclass(frozen=True)
class DeadlineRule:
    """The report is due by the end of ``day`` (Vietnam time) of the month in which the window
    closes, plus ``month_offset`` months (day 29–31 falls back to the month's last day)."""

    day: int = 20
    month_offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31 or not 0 <= self.month_offset <= 12:
            raise ValueError("day must be 1–31 and month_offset 0–12.")

    def due_at(self, window: Window) -> datetime:
        total = window.last.year * 12 + window.last.month - 1 + self.month_offset
        year, month = divmod(total, 12)
        day = min(self.day, calendar.monthrange(year, month + 1)[1])
        return datetime.combine(date(year, month + 1, day), time(23, 59, 59), VN_TZ)


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])

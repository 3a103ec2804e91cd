"""Working-day deadline arithmetic (pure, no I/O).

Durations in working days are counted in office hours: 8 a day, default sessions 07:00–11:30 and
13:30–17:00 Vietnam time. Weekends and public holidays are skipped; the lunar holidays and the
announced swaps come from the ``holidays`` package, and per-date overrides (extra day off, extra
working day) are applied on top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import VN_TZ

DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)),
                                                    (time(13, 30), time(17, 0)))
HOURS_PER_WORKING_DAY = 8
MAX_DURATION_DAYS = 3650


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in _public_holidays(day.year)

    def _sessions_on(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        for start, end in self.sessions:
            yield (datetime.combine(day, start, VN_TZ), datetime.combine(day, end, VN_TZ))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` office hours after ``start`` (lunch and closed days skipped)."""
        cursor = _as_vn(start)
        remaining = timedelta(hours=hours)
        day = cursor.date()
        for _ in range(MAX_DURATION_DAYS * 2):
            if self.is_working_day(day):
                for opens, closes in self._sessions_on(day):
                    begin = max(cursor, opens)
                    if begin >= closes:
                        continue
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("duration too long")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours between two moments (0 when ``end`` is not after ``start``)."""
        total = timedelta()
        cursor, end = _as_vn(start), _as_vn(end)
        day = cursor.date()
        while day <= end.date():
            if self.is_working_day(day):
                for opens, closes in self._sessions_on(day):
                    begin, finish = max(cursor, opens), min(end, closes)
                    if finish > begin:
                        total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 3600

    def end_of_office(self, day: date) -> datetime:
        return datetime.combine(day, self.sessions[-1][1], VN_TZ)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def due_at(self, start: datetime, duration: int, unit: str) -> datetime:
        """Due time of a dossier received at ``start`` with a statutory duration."""
        if not 0 < duration <= MAX_DURATION_DAYS:
            raise ValueError("duration out of range")
        if unit == "working_days":
            return self.add_working_hours(start, duration * HOURS_PER_WORKING_DAY)
        if unit == "calendar_days":
            last = _as_vn(start).date() + timedelta(days=duration)
            return self.end_of_office(self.next_working_day(last))
        raise ValueError(f"unknown unit {unit!r}")


def _as_vn(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def as_utc(moment: datetime) -> datetime:
    return _as_vn(moment).astimezone(UTC)


async def calendar_for(session: AsyncSession, agency_id: str) -> WorkCalendar:
    """The working calendar of ``agency_id``: its office hours and the override table."""
    del session, agency_id  # office hours per agency and overrides: not stored yet
    return WorkCalendar()


def extend_for_pause(calendar: WorkCalendar, due_at: datetime, paused_at: datetime,
                     resumed_at: datetime) -> datetime:
    """The due time after a supplement pause: the old one plus the office time spent waiting."""
    return calendar.add_working_hours(
        due_at, calendar.working_hours_between(paused_at, resumed_at))

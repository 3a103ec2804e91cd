"""Working-day deadline arithmetic (pure, no I/O).

Durations in working days are counted in office hours: ``hours_per_day`` (8) a day, default
sessions 07:00–11:30 and 13:30–17:00 Vietnam time. Weekends and public holidays are skipped;
the lunar holidays and the announced swapped days off come from the ``holidays`` package, and
per-date overrides (extra day off, extra working day such as a make-up Saturday) apply on top.
Naive datetimes are read as Vietnam time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from egov_shared.timeutil import VN_TZ

Sessions = tuple[tuple[time, time], ...]
Timeliness = Literal["early", "on_time", "late"]

DEFAULT_SESSIONS: Sessions = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
HOURS_PER_WORKING_DAY = 8
MAX_DURATION_DAYS = 3650
# "Received after 15:00 counts from the next working day" (a per-procedure rule).
AFTERNOON_CUTOFF = time(15, 0)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """``sessions`` is a standard day; ``weekly`` (Monday first, seven entries) gives each
    weekday its own, and a day with none there (a make-up Saturday) works a standard day."""

    sessions: Sessions = DEFAULT_SESSIONS
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    weekly: tuple[Sessions, ...] | None = None
    hours_per_day: float = HOURS_PER_WORKING_DAY

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in _public_holidays(day.year)

    def sessions_on(self, day: date) -> Sessions:
        if self.weekly is None:
            return self.sessions
        return self.weekly[day.weekday()] or self.sessions

    def _sessions_on(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        for start, end in self.sessions_on(day):
            yield (datetime.combine(day, start, VN_TZ), datetime.combine(day, end, VN_TZ))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` office hours after ``start`` (lunch and closed days skipped);
        zero hours is ``start`` itself."""
        if hours < 0:
            raise ValueError("negative duration")
        cursor = _as_vn(start)
        remaining = timedelta(hours=hours)
        if not remaining:
            return cursor
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

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.sessions_on(day)[0][0], VN_TZ)

    def end_of_office(self, day: date) -> datetime:
        return datetime.combine(day, self.sessions_on(day)[-1][1], VN_TZ)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def counting_start(self, received_at: datetime, after_15h_next_day: bool = False) -> datetime:
        return counting_start(self, received_at, after_15h_next_day=after_15h_next_day)

    def due_at(self, start: datetime, duration: int, unit: str,
               after_15h_next_day: bool = False) -> datetime:
        """Due time of a dossier received at ``start`` with a statutory duration.

        Received after closing (or on a closed day) counts from the next opening; with
        ``after_15h_next_day`` a dossier received after 15:00 on a working day counts from the
        next working day's opening. ``calendar_days`` end at closing time, moved to the next
        working day when the last day is not one."""
        if not 0 < duration <= MAX_DURATION_DAYS:
            raise ValueError("duration out of range")
        begin = self.counting_start(start, after_15h_next_day)
        if unit == "working_days":
            return self.add_working_hours(begin, duration * self.hours_per_day)
        if unit == "calendar_days":
            last = begin.date() + timedelta(days=duration)
            return self.end_of_office(self.next_working_day(last))
        raise ValueError(f"unknown unit {unit!r}")


def counting_start(calendar: WorkCalendar, received_at: datetime, *,
                   after_15h_next_day: bool, cutoff: time = AFTERNOON_CUTOFF) -> datetime:
    """Where the clock starts for a dossier received at ``received_at``: the moment itself,
    or, for a procedure with the after-15:00 rule and a dossier received on a working day
    later than ``cutoff`` (15:00:00 itself is still the same day), the next working day's
    opening."""
    moment = _as_vn(received_at)
    day = moment.date()
    if after_15h_next_day and calendar.is_working_day(day) and moment.time() > cutoff:
        return calendar.opening(calendar.next_working_day(day + timedelta(days=1)))
    return moment


def timeliness(completed_at: datetime, due_at: datetime,
               calendar: WorkCalendar | None = None) -> Timeliness:
    """Timeliness class of a result: ``late`` (quá hạn) when completed after ``due_at``,
    ``early`` (trước hạn) when completed on a calendar day (Vietnam time) before the due day,
    otherwise ``on_time`` (đúng hạn: on the due day, not after the due time). The rule needs no
    calendar; ``calendar`` is accepted so that callers holding one may pass it. Convert
    database values (UTC; naive on SQLite) with ``to_vn`` first."""
    del calendar
    done, due = _as_vn(completed_at), _as_vn(due_at)
    if done > due:
        return "late"
    return "early" if done.date() < due.date() else "on_time"


def _as_vn(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def as_utc(moment: datetime) -> datetime:
    return _as_vn(moment).astimezone(UTC)

"""Office hours (giờ làm việc) as stored and shown: ``{"mon": [["07:00", "11:30"], ...], ...}``.

Pure: checks an administrator's input (each refusal has a stable code) and turns the stored
form into the weekly sessions of a :class:`WorkCalendar`. Monday to Friday must each have
sessions; Saturday and Sunday may have some, used only on a make-up working day (which
otherwise works Monday's hours): the weekend never counts unless an override says so.
"""

from __future__ import annotations

import re
from datetime import time

from egov_shared.errors import ValidationFailed
from svc_dossier.calendar.arithmetic import DEFAULT_SESSIONS, Sessions

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKWEEK = WEEKDAYS[:5]
MAX_SESSIONS_PER_DAY = 4
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")

WeeklyHours = dict[str, list[list[str]]]


def format_sessions(sessions: Sessions) -> list[list[str]]:
    return [[opens.strftime("%H:%M"), closes.strftime("%H:%M")] for opens, closes in sessions]


DEFAULT_WEEKLY_HOURS: WeeklyHours = {day: format_sessions(DEFAULT_SESSIONS) for day in WORKWEEK}


def _parse_time(value: str, day: str) -> time:
    match = _HHMM.match(value)
    if match is None:
        raise ValidationFailed(f"{day}: {value[:20]!r} is not a time HH:MM (00:00–23:59).",
                               code="invalid_time", extra={"weekday": day})
    return time(int(match[1]), int(match[2]))


def parse_day(day: str, pairs: list[list[str]]) -> Sessions:
    """One weekday's sessions, each opening before its closing, in order, not overlapping."""
    if len(pairs) > MAX_SESSIONS_PER_DAY:
        raise ValidationFailed(f"{day}: at most {MAX_SESSIONS_PER_DAY} sessions a day.",
                               code="too_many_sessions", extra={"weekday": day})
    sessions: list[tuple[time, time]] = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValidationFailed(f"{day}: a session is [opening, closing].",
                                   code="invalid_session", extra={"weekday": day})
        opens, closes = _parse_time(pair[0], day), _parse_time(pair[1], day)
        if opens >= closes:
            raise ValidationFailed(f"{day}: a session must open before it closes.",
                                   code="session_not_ordered", extra={"weekday": day})
        if sessions and opens < sessions[-1][1]:
            raise ValidationFailed(f"{day}: sessions must be in order and not overlap.",
                                   code="sessions_overlap", extra={"weekday": day})
        sessions.append((opens, closes))
    return tuple(sessions)


def parse_weekly(hours: WeeklyHours) -> tuple[Sessions, ...]:
    """The seven weekdays' sessions, Monday first; refuses what an agency cannot mean."""
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise ValidationFailed(f"Unknown weekday {unknown[0][:10]!r}; use {', '.join(WEEKDAYS)}.",
                               code="unknown_weekday")
    weekly = tuple(parse_day(day, hours.get(day, [])) for day in WEEKDAYS)
    missing = [day for day, sessions in zip(WEEKDAYS, weekly, strict=True)
               if day in WORKWEEK and not sessions]
    if missing:
        raise ValidationFailed(f"{missing[0]}: Monday to Friday each need office hours.",
                               code="workday_without_sessions", extra={"weekday": missing[0]})
    return weekly


def canonical(weekly: tuple[Sessions, ...]) -> WeeklyHours:
    """The stored and shown form: weekdays in order, days without sessions left out."""
    return {day: format_sessions(s) for day, s in zip(WEEKDAYS, weekly, strict=True) if s}


def check_minutes_per_day(hours_per_day: float) -> int:
    minutes = hours_per_day * 60
    if not (30 <= minutes <= 24 * 60 and minutes == int(minutes)):
        raise ValidationFailed("hours_per_day must be a whole number of minutes, 0.5 to 24 hours.",
                               code="invalid_hours_per_day")
    return int(minutes)

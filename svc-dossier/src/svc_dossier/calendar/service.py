"""Each agency's working calendar: its office hours (own, inherited, or the default) and the
override table (province-wide and for its subtree) on top of the ``holidays`` package.

The arithmetic itself is pure (``arithmetic.py``); this module reads what it needs with two
primary-key/indexed queries per call and caches nothing across requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.agency import is_agency_id
from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.timeutil import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    in_supported_range,
    to_vn,
    utcnow,
)
from svc_dossier.calendar import office_hours, repository
from svc_dossier.calendar.arithmetic import (
    AFTERNOON_CUTOFF,
    DEFAULT_SESSIONS,
    HOURS_PER_WORKING_DAY,
    MAX_DURATION_DAYS,
    WorkCalendar,
    as_utc,
    counting_start,
    timeliness,
)
from svc_dossier.calendar.repository import PROVINCE_SCOPE
from svc_dossier.calendar.schemas import (
    CalendarUsed,
    DueDateExplained,
    OfficeHoursIn,
    OfficeHoursOut,
    OverrideIn,
    OverrideOut,
)

__all__ = [
    "AFTERNOON_CUTOFF", "DEFAULT_SESSIONS", "HOURS_PER_WORKING_DAY", "MAX_DURATION_DAYS",
    "AgencyCalendar", "WorkCalendar", "as_utc", "calendar_for", "counting_start",
    "extend_for_pause", "load_calendar", "timeliness",
]


@dataclass(frozen=True)
class AgencyCalendar:
    """An agency's calendar and where it comes from (shown by the due-date answer)."""

    calendar: WorkCalendar
    office_hours: OfficeHoursOut
    overrides: Sequence[Row[Any]]


def ancestry(agency_id: str) -> list[str]:
    """``H56.14.01`` → ``["H56", "H56.14", "H56.14.01"]`` (current-form IDs nest)."""
    parts = agency_id.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _depth(scope: str) -> int:
    return 0 if scope == PROVINCE_SCOPE else scope.count(".") + 1


async def effective_office_hours(session: AsyncSession, agency_id: str) -> OfficeHoursOut:
    """The agency's own hours, else its nearest ancestor's, else the platform default."""
    rows = await repository.office_hours_among(session, ancestry(agency_id))
    if not rows:
        return OfficeHoursOut(agency_id=agency_id, source="default", source_agency_id=None,
                              sessions=office_hours.DEFAULT_WEEKLY_HOURS,
                              hours_per_day=HOURS_PER_WORKING_DAY)
    row = max(rows, key=lambda r: _depth(r.agency_id))
    return OfficeHoursOut(
        agency_id=agency_id, source="own" if row.agency_id == agency_id else "inherited",
        source_agency_id=row.agency_id, sessions=row.sessions,
        hours_per_day=row.minutes_per_day / 60, updated_at=to_vn(row.updated_at))


def build_calendar(hours: OfficeHoursOut, overrides: Sequence[Row[Any]]) -> WorkCalendar:
    """Pure: the calendar of these hours and overrides; on one date the override of the most
    specific scope wins (an agency's own over its department's over the province's)."""
    weekly = office_hours.parse_weekly(hours.sessions)
    kinds: dict[date, str] = {}
    for row in sorted(overrides, key=lambda r: _depth(r.scope)):
        kinds[row.day] = row.kind
    return WorkCalendar(
        sessions=weekly[0], weekly=weekly, hours_per_day=hours.hours_per_day,
        extra_days_off=frozenset(d for d, k in kinds.items() if k == "day_off"),
        extra_working_days=frozenset(d for d, k in kinds.items() if k == "working_day"))


async def load_calendar(session: AsyncSession, agency_id: str) -> AgencyCalendar:
    """Kept a few seconds (``repository.CALENDARS``): every submission reads it."""
    async def load() -> AgencyCalendar:
        hours = await effective_office_hours(session, agency_id)
        overrides = await repository.overrides_for_scopes(
            session, [PROVINCE_SCOPE, *ancestry(agency_id)])
        return AgencyCalendar(build_calendar(hours, overrides), hours, overrides)

    calendar: AgencyCalendar = await repository.CALENDARS.get(session, agency_id, load)
    return calendar


async def calendar_for(session: AsyncSession, agency_id: str) -> WorkCalendar:
    """The working calendar of ``agency_id``: its office hours and the overrides for it."""
    return (await load_calendar(session, agency_id)).calendar


def extend_for_pause(calendar: WorkCalendar, due_at: datetime, paused_at: datetime,
                     resumed_at: datetime) -> datetime:
    """The due time after a supplement pause: the old one plus the office time spent waiting."""
    return calendar.add_working_hours(
        due_at, calendar.working_hours_between(paused_at, resumed_at))


# Administration -------------------------------------------------------------------------------


def check_agency_id(agency_id: str) -> None:
    if not is_agency_id(agency_id):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")


def ensure_administers(principal: Principal, agency_id: str | None) -> None:
    """An administrator of the agency's subtree; the whole province (``None``) needs a
    platform administrator (admin on a level-1 agency). The calendar is public, so refusing
    with 403 reveals nothing a 404 would hide."""
    if not principal.has_role("admin") or principal.agency_id is None:
        raise Forbidden("This needs an administrator.", code="forbidden")
    if agency_id is None and "." in principal.agency_id:
        raise Forbidden("A province-wide override needs a platform administrator.",
                        code="province_admin_required")
    if agency_id is not None and not principal.covers_agency(agency_id):
        raise Forbidden(f"Agency {agency_id} is outside your administration.",
                        code="agency_not_covered")


async def set_office_hours(session: AsyncSession, principal: Principal, agency_id: str,
                           data: OfficeHoursIn) -> OfficeHoursOut:
    check_agency_id(agency_id)
    ensure_administers(principal, agency_id)
    weekly = office_hours.parse_weekly(data.sessions)
    minutes = office_hours.check_minutes_per_day(data.hours_per_day)
    values = {"agency_id": agency_id, "sessions": office_hours.canonical(weekly),
              "minutes_per_day": minutes, "updated_by": principal.subject,
              "updated_at": utcnow()}
    try:
        async with session.begin_nested():
            await repository.save_office_hours(session, values)
    except IntegrityError:  # a concurrent first PUT inserted the row: the later one wins
        await repository.save_office_hours(session, values)
    return await effective_office_hours(session, agency_id)


async def reset_office_hours(session: AsyncSession, principal: Principal, agency_id: str) -> None:
    """Back to inheriting (idempotent)."""
    check_agency_id(agency_id)
    ensure_administers(principal, agency_id)
    await repository.delete_office_hours(session, agency_id)


def override_out(row: Row[Any]) -> OverrideOut:
    return OverrideOut(
        id=row.id, date=row.day, kind=row.kind, reason=row.reason,
        legal_reference=row.legal_reference, seeded=row.created_by == "seed",
        agency_id=None if row.scope == PROVINCE_SCOPE else row.scope,
        created_at=to_vn(row.created_at) or row.created_at)


def check_year(year: int) -> None:
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise ValidationFailed(
            f"`year` must lie in {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
            code="year_out_of_range")


async def list_overrides(session: AsyncSession, *, year: int | None,
                         agency_id: str | None) -> list[OverrideOut]:
    if year is not None:
        check_year(year)
    if agency_id is None:
        rows = await repository.list_overrides(session, year=year)
    else:
        check_agency_id(agency_id)
        rows = await repository.overrides_for_scopes(
            session, [PROVINCE_SCOPE, *ancestry(agency_id)], year=year)
    return [override_out(r) for r in rows]


async def add_override(session: AsyncSession, principal: Principal,
                       data: OverrideIn) -> OverrideOut:
    if data.agency_id is not None:
        check_agency_id(data.agency_id)
    if not in_supported_range(data.date):
        raise ValidationFailed("`date` must lie in the years 2000–2100.",
                               code="date_out_of_range")
    for name in ("reason", "legal_reference"):
        if not getattr(data, name).strip():
            raise ValidationFailed(f"`{name}` must not be blank.", code=f"{name}_required")
    ensure_administers(principal, data.agency_id)
    scope = data.agency_id or PROVINCE_SCOPE
    if await repository.find_override(session, data.date, scope) is not None:
        raise _duplicate(data)
    values = {"day": data.date, "kind": data.kind, "scope": scope,
              "reason": data.reason.strip(), "legal_reference": data.legal_reference.strip(),
              "created_by": principal.subject, "created_at": utcnow()}
    try:
        async with session.begin_nested():
            row = await repository.add_override(session, values)
    except IntegrityError as exc:  # a concurrent request added the same date and scope
        raise _duplicate(data) from exc
    return override_out(row)


def _duplicate(data: OverrideIn) -> Conflict:
    where = data.agency_id or "the province"
    return Conflict(f"{where} already has an override on {data.date.isoformat()}.",
                    code="override_exists")


async def delete_override(session: AsyncSession, principal: Principal, override_id: int) -> None:
    row = await repository.get_override(session, override_id)
    if row is None:
        raise NotFound(f"No override {override_id}.", code="override_not_found")
    ensure_administers(principal, None if row.scope == PROVINCE_SCOPE else row.scope)
    await repository.delete_override(session, override_id)


# The public due-date calculator ---------------------------------------------------------------


@dataclass(frozen=True)
class DueDateQuery:
    start: datetime
    agency: str | None = None
    duration: int | None = None
    unit: str | None = None
    after_15h_next_day: bool | None = None
    procedure: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class DeadlineTerms:
    agency_id: str
    duration: int
    unit: str
    after_15h_next_day: bool
    procedure_code: str | None = None


def _explicit_terms(q: DueDateQuery) -> DeadlineTerms:
    if q.channel is not None:
        raise ValidationFailed("`channel` chooses a procedure's duration: give `procedure`.",
                               code="channel_without_procedure")
    if q.agency is None:
        raise ValidationFailed("Give `agency` (or `procedure`).", code="agency_required")
    if q.duration is None:
        raise ValidationFailed("Give `duration` (or `procedure`).", code="duration_required")
    return DeadlineTerms(q.agency, q.duration, q.unit or "working_days",
                         bool(q.after_15h_next_day))


async def deadline_terms(session: AsyncSession, q: DueDateQuery) -> DeadlineTerms:
    """What to count: the query's own terms, or the catalogue's for ``procedure``."""
    if q.procedure is None:
        return _explicit_terms(q)
    if q.duration is not None or q.unit is not None or q.after_15h_next_day is not None:
        raise ValidationFailed("With `procedure`, the catalogue sets duration, unit and the "
                               "15:00 rule: leave them out.", code="procedure_sets_duration")
    row = await repository.procedure_deadline(session, q.procedure)
    if row is None:
        raise ValidationFailed(f"No procedure {q.procedure}.", code="unknown_procedure")
    duration = row.duration
    if q.channel == "online" and row.online_duration:
        duration = row.online_duration
    if not 0 < duration <= MAX_DURATION_DAYS or row.duration_unit not in UNITS:
        raise ValidationFailed("This procedure has no deadline to count.",
                               code="procedure_without_deadline")
    return DeadlineTerms(q.agency or row.agency_id, duration, row.duration_unit,
                         bool(row.after_15h_next_day), row.code)


UNITS = ("working_days", "calendar_days")


def _effective_overrides(rows: Sequence[Row[Any]], first: date, last: date) -> list[OverrideOut]:
    """The override that decides each date between ``first`` and ``last`` (most specific)."""
    by_day: dict[date, Row[Any]] = {}
    for row in sorted(rows, key=lambda r: _depth(r.scope)):
        if first <= row.day <= last:
            by_day[row.day] = row
    return [override_out(by_day[d]) for d in sorted(by_day)]


def _count(cal: WorkCalendar, start: datetime, terms: DeadlineTerms) -> datetime:
    try:
        due = cal.due_at(start, terms.duration, terms.unit, terms.after_15h_next_day)
    except ValueError:  # longer than the calendar walks (a long day count in short days)
        due = None
    if due is None or not in_supported_range(due.date()):  # holidays stop after 2100
        raise ValidationFailed(f"The due date falls after {LAST_SUPPORTED_YEAR}.",
                               code="due_date_out_of_range")
    return due


async def due_date(session: AsyncSession, q: DueDateQuery) -> DueDateExplained:
    if not in_supported_range(q.start.date()):
        raise ValidationFailed(
            f"`start` must lie in the years {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
            code="start_out_of_range")
    terms = await deadline_terms(session, q)
    check_agency_id(terms.agency_id)
    agency = await load_calendar(session, terms.agency_id)
    cal = agency.calendar
    begin = cal.counting_start(q.start, terms.after_15h_next_day)
    due = _count(cal, q.start, terms)
    return DueDateExplained(
        due_at=to_vn(due) or due, counted_from=to_vn(begin) or begin,
        working_hours=round(cal.working_hours_between(begin, due), 2),
        duration=terms.duration, unit=terms.unit,
        after_15h_next_day=terms.after_15h_next_day, procedure_code=terms.procedure_code,
        calendar=CalendarUsed(
            agency_id=terms.agency_id, office_hours=agency.office_hours,
            overrides_applied=_effective_overrides(agency.overrides, begin.date(), due.date())))

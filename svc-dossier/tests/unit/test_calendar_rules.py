"""Deadline rules: the holidays of 2026–2027, swap days, the 15:00 rule, supplement pauses,
office hours per weekday and their checks, override precedence, timeliness classes."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any

import pytest

from egov_shared.errors import ValidationFailed
from egov_shared.timeutil import VN_TZ
from svc_dossier.calendar import office_hours
from svc_dossier.calendar.arithmetic import WorkCalendar, counting_start, timeliness
from svc_dossier.calendar.schemas import OfficeHoursOut
from svc_dossier.calendar.service import ancestry, build_calendar, extend_for_pause

# 2026: Monday 31 August off (the holidays package knows), Saturday 22 August worked (it does
# not: the seeded override).
SWAP_2026 = WorkCalendar(extra_working_days=frozenset({date(2026, 8, 22)}))


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


class TestHolidays:
    cal = WorkCalendar()

    def test_tet_2026_week_is_skipped(self) -> None:
        # 16–20 Feb 2026 (Mon–Fri) are Tết days, with the weekends around them.
        assert self.cal.due_at(vn(2026, 2, 13, 7), 2, "working_days") == vn(2026, 2, 23, 17)

    def test_tet_2027_is_skipped(self) -> None:
        # 4–10 Feb 2027 (29 Tết to mùng 5); received after closing on the 3rd.
        assert [self.cal.is_working_day(date(2027, 2, d)) for d in (3, 4, 10, 11)] == [
            True, False, False, True]
        assert self.cal.due_at(vn(2027, 2, 3, 17, 30), 1, "working_days") == vn(2027, 2, 11, 17)

    def test_hung_kings_2026_falls_on_sunday_and_is_observed_on_monday(self) -> None:
        assert self.cal.due_at(vn(2026, 4, 24, 17), 1, "working_days") == vn(2026, 4, 28, 17)

    def test_hung_kings_2027_is_a_friday(self) -> None:
        assert self.cal.due_at(vn(2027, 4, 15, 18), 1, "working_days") == vn(2027, 4, 19, 17)

    def test_reunification_and_labour_day_2026(self) -> None:
        # Wed 29 Apr 13:30: 3.5 h that afternoon; Thu 30/4, Fri 1/5 and the weekend are off.
        assert self.cal.due_at(vn(2026, 4, 29, 13, 30), 1, "working_days") == vn(2026, 5, 4, 11, 30)

    def test_labour_day_2027_on_saturday_is_observed_on_monday(self) -> None:
        assert not self.cal.is_working_day(date(2027, 5, 3))
        assert self.cal.due_at(vn(2027, 4, 29, 17), 1, "working_days") == vn(2027, 5, 4, 17)

    def test_national_day_2027_is_thursday_and_friday(self) -> None:
        assert self.cal.due_at(vn(2027, 9, 1, 17), 1, "working_days") == vn(2027, 9, 6, 17)


class TestSwap2026:
    def test_without_the_override_saturday_22_august_is_no_working_day(self) -> None:
        assert not WorkCalendar().is_working_day(date(2026, 8, 22))
        assert WorkCalendar().due_at(vn(2026, 8, 21, 17), 1, "working_days") == vn(2026, 8, 24, 17)

    def test_the_make_up_saturday_counts(self) -> None:
        assert SWAP_2026.is_working_day(date(2026, 8, 22))
        assert SWAP_2026.due_at(vn(2026, 8, 21, 17), 1, "working_days") == vn(2026, 8, 22, 17)

    def test_the_swapped_monday_and_national_day_are_off(self) -> None:
        # Fri 28 Aug after closing: 31 Aug, 1 and 2 Sep off; one day ends Thu 3 Sep.
        assert SWAP_2026.due_at(vn(2026, 8, 28, 17), 1, "working_days") == vn(2026, 9, 3, 17)


class TestAfterThreeRule:
    cal = WorkCalendar()

    def test_after_15h_counts_from_the_next_working_day(self) -> None:
        start = vn(2026, 12, 7, 15, 30)
        assert self.cal.due_at(start, 1, "working_days", after_15h_next_day=True) == vn(
            2026, 12, 8, 17)

    def test_without_the_rule_the_afternoon_counts(self) -> None:
        assert self.cal.due_at(vn(2026, 12, 7, 15, 30), 1, "working_days") == vn(
            2026, 12, 8, 15, 30)

    def test_at_15h_sharp_the_same_day_counts(self) -> None:
        start = vn(2026, 12, 7, 15)
        assert counting_start(self.cal, start, after_15h_next_day=True) == start

    def test_friday_after_15h_counts_from_monday_morning(self) -> None:
        start = vn(2026, 12, 11, 16)
        assert self.cal.counting_start(start, True) == vn(2026, 12, 14, 7)

    def test_before_a_holiday_it_skips_the_holiday(self) -> None:
        start = vn(2026, 4, 29, 15, 1)  # Wed before 30/4–1/5 and a weekend
        assert counting_start(self.cal, start, after_15h_next_day=True) == vn(2026, 5, 4, 7)

    def test_a_weekend_receipt_is_unaffected(self) -> None:
        start = vn(2026, 12, 12, 16)  # Saturday: counts from Monday's opening either way
        assert self.cal.due_at(start, 1, "working_days", True) == vn(2026, 12, 14, 17)

    def test_calendar_days_count_from_the_next_working_day(self) -> None:
        due = self.cal.due_at(vn(2026, 12, 4, 16), 15, "calendar_days", True)  # Fri → Mon 7
        assert due == vn(2026, 12, 22, 17)


class TestSupplementPause:
    def test_pause_over_a_weekend_and_the_national_day(self) -> None:
        # Paused Fri 28 Aug 15:00 (2 h left that day) to Thu 3 Sep 09:00 (2 h): 4 office hours.
        due = extend_for_pause(SWAP_2026, vn(2026, 9, 3, 17), vn(2026, 8, 28, 15),
                               vn(2026, 9, 3, 9))
        assert due == vn(2026, 9, 4, 11)

    def test_pause_over_the_make_up_saturday_counts_it(self) -> None:
        paused, resumed = vn(2026, 8, 21, 17), vn(2026, 8, 24, 7)
        assert SWAP_2026.working_hours_between(paused, resumed) == 8
        assert WorkCalendar().working_hours_between(paused, resumed) == 0

    def test_pause_outside_office_hours_leaves_the_due_time(self) -> None:
        due = vn(2026, 12, 7, 17)
        assert extend_for_pause(WorkCalendar(), due, vn(2026, 12, 7, 18),
                                vn(2026, 12, 8, 6)) == due


WEEK = {"mon": [["07:30", "11:30"], ["13:30", "17:00"]],
        "tue": [["07:30", "11:30"], ["13:30", "17:00"]],
        "wed": [["07:30", "11:30"], ["13:30", "17:00"]],
        "thu": [["07:30", "11:30"], ["13:30", "17:00"]],
        "fri": [["07:30", "11:30"]]}


def hours(sessions: dict[str, list[list[str]]], per_day: float = 8) -> OfficeHoursOut:
    return OfficeHoursOut(agency_id="H56.14", source="own", source_agency_id="H56.14",
                          sessions=sessions, hours_per_day=per_day)


def override(day: date, kind: str, scope: str) -> Any:
    return SimpleNamespace(day=day, kind=kind, scope=scope)


class TestAgencyOfficeHours:
    def test_ancestry_runs_from_the_province_down(self) -> None:
        assert ancestry("H56.14.01") == ["H56", "H56.14", "H56.14.01"]

    def test_weekday_sessions_are_used(self) -> None:
        cal = build_calendar(hours(WEEK, 7.5), [])
        # Fri 07:30: 4 h that morning (afternoon closed), 3.5 h Monday from 07:30.
        assert cal.due_at(vn(2026, 12, 11, 7, 30), 1, "working_days") == vn(2026, 12, 14, 11)

    def test_a_make_up_saturday_works_mondays_hours(self) -> None:
        cal = build_calendar(hours(WEEK), [override(date(2026, 8, 22), "working_day", "*")])
        assert cal.sessions_on(date(2026, 8, 22)) == ((time(7, 30), time(11, 30)),
                                                      (time(13, 30), time(17, 0)))

    def test_the_most_specific_override_wins(self) -> None:
        rows = [override(date(2026, 12, 9), "working_day", "H56.14"),
                override(date(2026, 12, 9), "day_off", "*"),
                override(date(2026, 12, 10), "day_off", "H56")]
        cal = build_calendar(hours(office_hours.DEFAULT_WEEKLY_HOURS), rows)
        assert cal.is_working_day(date(2026, 12, 9))
        assert not cal.is_working_day(date(2026, 12, 10))

    def test_canonical_form_orders_days_and_drops_empty_ones(self) -> None:
        weekly = office_hours.parse_weekly({**WEEK, "sun": [], "sat": [["08:00", "11:00"]]})
        assert list(office_hours.canonical(weekly)) == ["mon", "tue", "wed", "thu", "fri", "sat"]

    @pytest.mark.parametrize(("sessions", "code"), [
        ({**WEEK, "fri": [["13:30", "17:00"], ["07:30", "11:30"]]}, "sessions_overlap"),
        ({**WEEK, "fri": [["07:30", "11:30"], ["11:00", "17:00"]]}, "sessions_overlap"),
        ({**WEEK, "fri": [["11:30", "07:30"]]}, "session_not_ordered"),
        ({**WEEK, "fri": [["7:30", "11:30"]]}, "invalid_time"),
        ({**WEEK, "fri": [["07:30", "24:00"]]}, "invalid_time"),
        ({**WEEK, "fri": [["07:30"]]}, "invalid_session"),
        ({**WEEK, "fri": []}, "workday_without_sessions"),
        ({**WEEK, "friday": [["07:30", "11:30"]]}, "unknown_weekday"),
        ({**WEEK, "fri": [["07:00", "08:00"]] * 5}, "too_many_sessions"),
    ])
    def test_bad_sessions_are_refused_with_a_code(
        self, sessions: dict[str, list[list[str]]], code: str
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            office_hours.parse_weekly(sessions)
        assert refused.value.code == code

    @pytest.mark.parametrize("per_day", [0, 0.25, 24.5, 7.99])
    def test_hours_per_day_must_be_whole_minutes_within_a_day(self, per_day: float) -> None:
        with pytest.raises(ValidationFailed) as refused:
            office_hours.check_minutes_per_day(per_day)
        assert refused.value.code == "invalid_hours_per_day"


class TestTimeliness:
    due = vn(2026, 12, 8, 10)

    @pytest.mark.parametrize(("completed", "expected"), [
        (vn(2026, 12, 7, 16), "early"),
        (vn(2026, 12, 8, 7), "on_time"),
        (vn(2026, 12, 8, 10), "on_time"),
        (vn(2026, 12, 8, 10, 1), "late"),
        (vn(2026, 12, 9, 8), "late"),
    ])
    def test_classes(self, completed: datetime, expected: str) -> None:
        assert timeliness(completed, self.due) == expected

    def test_the_due_day_is_a_vietnamese_day(self) -> None:
        # 16:30 UTC on the 7th is 23:30 on the 7th in Vietnam: a day early.
        completed = datetime.fromisoformat("2026-12-07T16:30:00+00:00")
        assert timeliness(completed, self.due, WorkCalendar()) == "early"

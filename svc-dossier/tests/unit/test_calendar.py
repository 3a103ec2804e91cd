"""Deadline arithmetic: office hours, lunch, weekends, Tết and swap days."""

from datetime import datetime

import pytest

from egov_shared.timeutil import VN_TZ
from svc_dossier.calendar.service import WorkCalendar


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


class TestWorkingDayDeadlines:
    cal = WorkCalendar()

    def test_one_day_from_opening_ends_at_closing(self) -> None:
        assert self.cal.due_at(vn(2026, 12, 7, 7, 0), 1, "working_days") == vn(2026, 12, 7, 17)

    def test_lunch_is_skipped(self) -> None:
        # 10:00 + 8 office hours: 1.5 h before lunch, 3.5 h after, 3 h next morning.
        assert self.cal.due_at(vn(2026, 12, 7, 10), 1, "working_days") == vn(2026, 12, 8, 10)

    def test_after_closing_counts_from_next_morning(self) -> None:
        assert self.cal.due_at(vn(2026, 12, 7, 18), 1, "working_days") == vn(2026, 12, 8, 17)

    def test_vietnam_culture_day_is_skipped(self) -> None:
        # 24 November (Ngày Văn hóa Việt Nam) is a public holiday from 2026.
        assert self.cal.due_at(vn(2026, 11, 23, 18), 1, "working_days") == vn(2026, 11, 25, 17)

    def test_friday_afternoon_runs_into_monday(self) -> None:
        assert self.cal.due_at(vn(2026, 12, 11, 15), 1, "working_days") == vn(2026, 12, 14, 15)

    def test_tet_is_skipped(self) -> None:
        # Tết Bính Ngọ 2026: 17 Feb; the holiday week runs 14–22 Feb (holidays package).
        due = self.cal.due_at(vn(2026, 2, 13, 7), 2, "working_days")
        assert due.date() > vn(2026, 2, 22).date()
        assert self.cal.is_working_day(due.date())

    def test_swap_day_off_is_skipped(self) -> None:
        # 2026: Monday 31 August is a day off (swapped), 1–2 September National Day.
        assert not self.cal.is_working_day(vn(2026, 8, 31).date())
        due = self.cal.due_at(vn(2026, 8, 28, 17), 1, "working_days")
        assert due == vn(2026, 9, 3, 17)

    def test_calendar_days_end_on_a_working_day(self) -> None:
        due = self.cal.due_at(vn(2026, 11, 20, 9), 15, "calendar_days")  # lands on Sat 5 Dec
        assert due == vn(2026, 12, 7, 17)

    @pytest.mark.parametrize("duration", [0, -1, 100_000])
    def test_duration_out_of_range_is_refused(self, duration: int) -> None:
        with pytest.raises(ValueError):
            self.cal.due_at(vn(2026, 11, 23, 7), duration, "working_days")

"""Report windows per Nghị định 09/2019 and the rules templates define, in Vietnam time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from egov_shared.timeutil import VN_TZ
from svc_reporting.periodic.templates import STANDARD, Template
from svc_reporting.periodic.windows import (
    DeadlineRule,
    InvalidPeriod,
    Kind,
    Period,
    WindowRule,
    parse_period,
)


def window(kind: Kind, period: str, **rule: object) -> tuple[date, date]:
    w = WindowRule(kind, **rule).window(parse_period(kind, period))  # type: ignore[arg-type]
    return w.first, w.last


class TestTheIssueExamples:
    def test_monthly_report_for_november_2026(self) -> None:
        w = WindowRule("monthly").window(parse_period("monthly", "2026-11"))
        assert w.start == datetime(2026, 10, 15, 0, 0, 0, tzinfo=VN_TZ)
        assert w.end == datetime(2026, 11, 14, 23, 59, 59, tzinfo=VN_TZ)
        assert w.start.isoformat() == "2026-10-15T00:00:00+07:00"
        assert w.end.isoformat() == "2026-11-14T23:59:59+07:00"

    def test_annual_report_for_2026(self) -> None:
        assert window("annual", "2026") == (date(2025, 12, 15), date(2026, 12, 14))


class TestMonthly:
    def test_january_starts_in_december_of_the_previous_year(self) -> None:
        assert window("monthly", "2026-01") == (date(2025, 12, 15), date(2026, 1, 14))

    def test_december(self) -> None:
        assert window("monthly", "2026-12") == (date(2026, 11, 15), date(2026, 12, 14))

    def test_march_of_a_leap_year_covers_29_february(self) -> None:
        first, last = window("monthly", "2028-03")
        assert (first, last) == (date(2028, 2, 15), date(2028, 3, 14))
        assert (last - first).days + 1 == 29  # 15–29 Feb and 1–14 Mar

    def test_march_of_a_common_year(self) -> None:
        first, last = window("monthly", "2027-03")
        assert (last - first).days + 1 == 28


class TestQuarterly:
    @pytest.mark.parametrize(("period", "first", "last"), [
        ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
        ("2026-Q2", date(2026, 3, 15), date(2026, 6, 14)),
        ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14)),
        ("2026-Q4", date(2026, 9, 15), date(2026, 12, 14)),
    ])
    def test_from_the_15th_before_the_quarter_to_the_14th_of_its_last_month(
        self, period: str, first: date, last: date
    ) -> None:
        assert window("quarterly", period) == (first, last)

    def test_consecutive_quarters_leave_no_gap_and_no_overlap(self) -> None:
        q3, q4 = window("quarterly", "2026-Q3"), window("quarterly", "2026-Q4")
        q1_next = window("quarterly", "2027-Q1")
        assert q4[0] == q3[1] + timedelta(days=1)
        assert q1_next[0] == q4[1] + timedelta(days=1)


class TestHalfYear:
    def test_first_half(self) -> None:
        assert window("half_year", "2026-H1") == (date(2025, 12, 15), date(2026, 6, 14))

    def test_second_half(self) -> None:
        assert window("half_year", "2026-H2") == (date(2026, 6, 15), date(2026, 12, 14))

    def test_the_halves_make_the_year(self) -> None:
        h1, h2 = window("half_year", "2024-H1"), window("half_year", "2024-H2")
        year = window("annual", "2024")
        assert (h1[0], h2[1]) == year
        assert h2[0] == h1[1] + timedelta(days=1)


class TestAnnual:
    def test_a_leap_year_window_has_366_days(self) -> None:
        first, last = window("annual", "2024")  # 15/12/2023 – 14/12/2024, 29/02/2024 inside
        assert (last - first).days + 1 == 366

    def test_a_common_year_window_has_365_days(self) -> None:
        first, last = window("annual", "2026")
        assert (last - first).days + 1 == 365


class TestTemplateRules:
    def test_cumulative_nine_months(self) -> None:
        assert window("quarterly", "2026-Q3", cumulative=True) == (date(2025, 12, 15),
                                                                  date(2026, 9, 14))

    def test_cumulative_first_quarter_is_the_quarter(self) -> None:
        assert window("quarterly", "2026-Q1", cumulative=True) == window("quarterly",
                                                                          "2026-Q1")

    def test_calendar_month(self) -> None:
        assert window("monthly", "2026-11", start_day=1) == (date(2026, 11, 1),
                                                             date(2026, 11, 30))

    def test_calendar_february_of_a_leap_year(self) -> None:
        assert window("monthly", "2028-02", start_day=1) == (date(2028, 2, 1),
                                                             date(2028, 2, 29))
        assert window("monthly", "2027-02", start_day=1)[1] == date(2027, 2, 28)

    def test_calendar_quarter_and_year(self) -> None:
        assert window("quarterly", "2026-Q4", start_day=1) == (date(2026, 10, 1),
                                                               date(2026, 12, 31))
        assert window("annual", "2026", start_day=1) == (date(2026, 1, 1), date(2026, 12, 31))

    def test_another_cut_off_day(self) -> None:
        assert window("monthly", "2026-01", start_day=20) == (date(2025, 12, 20),
                                                              date(2026, 1, 19))

    def test_a_start_day_every_month_has(self) -> None:
        with pytest.raises(ValueError, match="start_day"):
            WindowRule("monthly", start_day=29)

    def test_the_rule_takes_only_its_kind(self) -> None:
        with pytest.raises(InvalidPeriod):
            WindowRule("monthly").window(Period("annual", 2026, 1))


class TestBounds:
    def test_kpi_bounds_are_half_open_at_the_next_midnight(self) -> None:
        w = WindowRule("monthly").window(parse_period("monthly", "2026-11"))
        start, end = w.kpi_bounds
        assert start == w.start
        assert end == datetime(2026, 11, 15, tzinfo=VN_TZ)
        assert end - w.end == timedelta(seconds=1)


class TestPeriods:
    @pytest.mark.parametrize(("kind", "text"), [
        ("monthly", "2026-13"), ("monthly", "2026-00"), ("monthly", "2026-1"),
        ("monthly", "2026-Q4"), ("quarterly", "2026-Q5"), ("quarterly", "2026-Q0"),
        ("quarterly", "2026-11"), ("half_year", "2026-H3"), ("half_year", "2026"),
        ("annual", "2026-11"), ("annual", "26"), ("annual", "1999"), ("annual", "2101"),
        ("monthly", " 2026-11"),
    ])
    def test_a_period_that_does_not_match_its_kind_is_refused(self, kind: Kind,
                                                               text: str) -> None:
        with pytest.raises(InvalidPeriod):
            parse_period(kind, text)

    @pytest.mark.parametrize(("kind", "text"), [
        ("monthly", "2026-11"), ("quarterly", "2026-Q4"), ("half_year", "2026-H1"),
        ("annual", "2026"),
    ])
    def test_periods_print_as_they_are_written(self, kind: Kind, text: str) -> None:
        assert str(parse_period(kind, text)) == text

    @pytest.mark.parametrize(("kind", "text", "rule", "label"), [
        ("monthly", "2026-11", {}, "Tháng 11/2026"),
        ("quarterly", "2026-Q4", {}, "Quý IV/2026"),
        ("half_year", "2026-H1", {}, "6 tháng đầu năm 2026"),
        ("half_year", "2026-H2", {}, "6 tháng cuối năm 2026"),
        ("annual", "2026", {}, "Năm 2026"),
        ("quarterly", "2026-Q3", {"cumulative": True}, "9 tháng đầu năm 2026"),
        ("quarterly", "2026-Q4", {"cumulative": True}, "Năm 2026"),
    ])
    def test_labels(self, kind: Kind, text: str, rule: dict[str, object], label: str) -> None:
        assert WindowRule(kind, **rule).label(parse_period(kind, text)) == label  # type: ignore[arg-type]


class TestDeadlines:
    def test_monthly_report_is_due_on_the_20th_after_the_cut_off(self) -> None:
        w = WindowRule("monthly").window(parse_period("monthly", "2026-11"))
        assert DeadlineRule(20).due_at(w) == datetime(2026, 11, 20, 23, 59, 59, tzinfo=VN_TZ)

    def test_a_month_offset_crosses_the_year(self) -> None:
        w = WindowRule("annual").window(parse_period("annual", "2026"))
        assert DeadlineRule(10, month_offset=1).due_at(w).date() == date(2027, 1, 10)

    def test_day_31_in_a_short_month_is_its_last_day(self) -> None:
        w = WindowRule("monthly", start_day=1).window(parse_period("monthly", "2028-01"))
        assert DeadlineRule(31, month_offset=1).due_at(w).date() == date(2028, 2, 29)

    def test_the_standard_templates_are_due_after_their_window_closes(self) -> None:
        assert all(not t.problems() for t in STANDARD)

    def test_a_deadline_before_the_window_closes_is_a_problem(self) -> None:
        template = Template("X", "Thử", WindowRule("monthly", start_day=1), DeadlineRule(20),
                            ("dossiers",))
        assert "the deadline falls before the window closes" in template.problems()

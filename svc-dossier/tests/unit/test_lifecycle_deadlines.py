"""The lifecycle's deadline rules: the after-15:00 start and the timeliness classes."""

from datetime import datetime
from types import SimpleNamespace

import pytest

from egov_shared.timeutil import VN_TZ
from svc_dossier.calendar.service import WorkCalendar
from svc_dossier.dossiers.deadlines import clock_start, due_at_for, timeliness


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


CAL = WorkCalendar()


class TestClockStart:
    def test_after_15h_counts_from_next_working_morning(self) -> None:
        # Friday 15:01 → Monday 07:00; 15:00 itself is not "after 15:00".
        assert clock_start(CAL, vn(2026, 12, 11, 15, 1), True) == vn(2026, 12, 14, 7, 0)
        assert clock_start(CAL, vn(2026, 12, 11, 15, 0), True) == vn(2026, 12, 11, 15, 0)

    def test_before_15h_counts_at_once(self) -> None:
        assert clock_start(CAL, vn(2026, 12, 11, 14, 59), True) == vn(2026, 12, 11, 14, 59)

    def test_without_the_rule_counts_at_once(self) -> None:
        assert clock_start(CAL, vn(2026, 12, 11, 16, 0), False) == vn(2026, 12, 11, 16, 0)


class TestDueAt:
    def test_online_duration_applies_online_only(self) -> None:
        proc = SimpleNamespace(duration=5, online_duration=1, duration_unit="working_days",
                               after_15h_next_day=False)
        start = vn(2026, 12, 7, 7, 0)
        assert due_at_for(CAL, proc, "online", start) == vn(2026, 12, 7, 17, 0)
        assert due_at_for(CAL, proc, "counter", start) == vn(2026, 12, 11, 17, 0)


class TestTimeliness:
    @pytest.mark.parametrize(("completed", "expected"), [
        (vn(2026, 12, 20, 23, 59), "early"),
        (vn(2026, 12, 21, 0, 0), "on_time"),
        (vn(2026, 12, 21, 10, 0), "on_time"),
        (vn(2026, 12, 21, 10, 1), "late"),
    ])
    def test_classes(self, completed: datetime, expected: str) -> None:
        assert timeliness(completed, vn(2026, 12, 21, 10, 0)) == expected

"""A target's progress against its plan, in the steering committee's classes: pure logic.

Higher is better: progress = actual / plan, achieved when actual ≥ plan. Lower is better
(hours, a time ratio): progress = plan / actual, achieved when actual ≤ plan. Progress is
rounded to 4 decimals and the class is read from that rounded figure, so that what is shown
(70.00 %) and its class always agree."""

from __future__ import annotations

from datetime import date
from typing import Literal

Direction = Literal["higher", "lower"]
ProgressClass = Literal["achieved", "at_least_70", "from_50_to_70", "below_50", "no_data"]
LABELS: dict[ProgressClass, str] = {
    "achieved": "Đạt, vượt kế hoạch",
    "at_least_70": "Đạt từ 70 % kế hoạch",
    "from_50_to_70": "Đạt từ 50 % đến dưới 70 % kế hoạch",
    "below_50": "Đạt dưới 50 % kế hoạch",
    "no_data": "Chưa có số liệu",
}


def progress(actual: float | None, plan: float, direction: Direction
             ) -> tuple[float | None, ProgressClass]:
    """(progress as a fraction of the plan, class); ``actual`` None: no data yet."""
    if actual is None:
        return None, "no_data"
    achieved = actual >= plan if direction == "higher" else actual <= plan
    if direction == "higher":
        share = actual / plan if plan else 1.0
    else:
        share = plan / actual if actual else 1.0
    share = round(share, 4)
    return share, "achieved" if achieved else progress_class(share)


def progress_class(share: float) -> ProgressClass:
    if share >= 0.7:
        return "at_least_70"
    return "from_50_to_70" if share >= 0.5 else "below_50"


def year_window(year: int) -> tuple[date, date]:
    """The annual cut-off of Nghị định 09/2019/NĐ-CP: 15 December of the previous year to
    14 December, the window of the annual report the targets are reported in."""
    return date(year - 1, 12, 15), date(year, 12, 14)

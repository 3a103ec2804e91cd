"""Windows and buckets of the dashboard, in Vietnam calendar days (the read model's days are
already Asia/Ho_Chi_Minh days, so a bucket is a run of them): pure date arithmetic, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, cast, get_args

from egov_shared.errors import ValidationFailed
from egov_shared.timeutil import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, in_supported_range

BucketSize = Literal["day", "week", "month"]
BUCKET_SIZES: tuple[str, ...] = get_args(BucketSize)
# The most buckets one answer holds: a year of days, three years of weeks, five of months.
MAX_BUCKETS: dict[BucketSize, int] = {"day": 366, "week": 157, "month": 60}
# Without ``from``: the last 30 days, 12 weeks or 12 months, each up to ``to``.
DEFAULT_SPAN: dict[BucketSize, int] = {"day": 30, "week": 12, "month": 12}


@dataclass(frozen=True)
class Bucket:
    label: str  # 2026-10-31 · 2026-W44 (ISO week) · 2026-10
    first: date
    last: date  # inclusive; both clipped to the window


def bucket_size(value: str) -> BucketSize:
    if value not in BUCKET_SIZES:
        raise ValidationFailed(f"`bucket` must be one of {', '.join(BUCKET_SIZES)}.",
                               code="invalid_bucket", extra={"allowed": list(BUCKET_SIZES)})
    return cast(BucketSize, value)


def period_start(day: date, size: BucketSize) -> date:
    if size == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if size == "month":
        return day.replace(day=1)
    return day


def next_period(start: date, size: BucketSize) -> date:
    if size == "day":
        return start + timedelta(days=1)
    if size == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def label(start: date, size: BucketSize) -> str:
    if size == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}" if size == "month" else start.isoformat()


def default_first(last: date, size: BucketSize) -> date:
    start = period_start(last, size)
    for _ in range(DEFAULT_SPAN[size] - 1):
        start = period_start(start - timedelta(days=1), size)
    return start


def window(first: date | None, last: date | None, today: date,
           default_first: Callable[[date], date]) -> tuple[date, date]:
    """Whole Vietnam days, ``to`` inclusive (default today); without ``from``,
    ``default_first(to)``."""
    last = last or today
    if not in_supported_range(last) or (first is not None and not in_supported_range(first)):
        raise ValidationFailed(
            f"The window must lie in the years {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
            code="invalid_window")
    first = first or default_first(last)
    if last < first:
        raise ValidationFailed("`to` is before `from`.", code="invalid_window")
    return first, last


def buckets(first: date, last: date, size: BucketSize) -> list[Bucket]:
    """The buckets covering ``first``…``last``, zero-filled by construction (every one is
    there); the first and the last are clipped to the window."""
    found: list[Bucket] = []
    start = period_start(first, size)
    while start <= last:
        end = next_period(start, size)
        found.append(Bucket(label(start, size), max(start, first),
                            min(end - timedelta(days=1), last)))
        if len(found) > MAX_BUCKETS[size]:
            raise ValidationFailed(
                f"At most {MAX_BUCKETS[size]} {size} buckets per answer: shorten the window "
                "or choose a larger bucket.", code="window_too_large",
                extra={"max_buckets": MAX_BUCKETS[size]})
        start = end
    return found

"""Time: store UTC, show Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_vn(moment: datetime | None) -> datetime | None:
    """For display and API answers: every date shown is in Vietnam time (+07:00)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; we always store UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ)


# Dates the platform reasons about (deadlines, report windows). Outside them date arithmetic
# overflows (year 9999) or the time zone falls back to local mean time (before 1906).
FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR = 2000, 2100


def in_supported_range(day: date) -> bool:
    return FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR

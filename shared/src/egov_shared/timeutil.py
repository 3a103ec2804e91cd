"""Time: store UTC, show Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, datetime
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

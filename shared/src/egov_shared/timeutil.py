"""Time: store UTC, show Asia/Ho_Chi_Minh."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text_only(value: Any) -> Any:
    """Pydantic reads a number, or a text of digits, as Unix seconds ("-414" is a moment of
    1969): a moment sent by a client must be written out, ISO 8601 with its offset."""
    if isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and _ISO_MOMENT.match(value)):
        raise ValueError("expected an ISO 8601 date and time, e.g. 2026-11-29T08:00:00+07:00")
    return value


def _with_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("the time needs its offset, e.g. +07:00")
    return value


# A moment a client sends (a query parameter, a body field): ISO 8601 text with its offset.
Moment = Annotated[datetime, BeforeValidator(_iso_text_only), AfterValidator(_with_offset)]


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

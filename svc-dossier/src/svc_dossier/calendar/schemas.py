"""Calendar API shapes: office hours, overrides, the due-date answer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

OverrideKind = Literal["day_off", "working_day"]
Unit = Literal["working_days", "calendar_days"]
WeeklyHours = dict[str, list[list[str]]]


class OfficeHoursIn(BaseModel):
    sessions: WeeklyHours = Field(
        max_length=7, description='{"mon": [["07:00", "11:30"], ["13:30", "17:00"]], ...}; '
        "Monday to Friday required, Saturday/Sunday only for make-up working days")
    hours_per_day: float = Field(8, description="Office hours one working day of a duration "
                                 "counts (whole minutes, 0.5–24)")


class OfficeHoursOut(BaseModel):
    agency_id: str
    source: Literal["own", "inherited", "default"]
    source_agency_id: str | None = Field(description="The agency whose hours apply; null for "
                                         "the platform default")
    sessions: WeeklyHours
    hours_per_day: float
    updated_at: dt.datetime | None = None


class OverrideIn(BaseModel):
    date: dt.date
    kind: OverrideKind
    reason: str = Field(min_length=1, max_length=500)
    legal_reference: str = Field(min_length=1, max_length=255,
                                 description='e.g. "Thông báo 7393/TB-BNV"')
    agency_id: str | None = Field(None, max_length=35, description="The subtree it applies to; "
                                  "null for the whole province")


class OverrideOut(BaseModel):
    id: int
    date: dt.date
    kind: OverrideKind
    reason: str
    legal_reference: str
    agency_id: str | None = Field(description="null: the whole province")
    seeded: bool = Field(description="Added by the platform's migration (a known swap order), "
                         "not by an administrator")
    created_at: dt.datetime


class CalendarUsed(BaseModel):
    agency_id: str
    office_hours: OfficeHoursOut
    overrides_applied: list[OverrideOut] = Field(
        description="Overrides of this agency's calendar dated from the start to the due day")


class DueDate(BaseModel):
    due_at: dt.datetime


class DueDateExplained(DueDate):
    counted_from: dt.datetime = Field(description="Where the clock started: the receipt, the next "
                                   "opening, or the next working day under the 15:00 rule")
    working_hours: float = Field(description="Office hours between counted_from and due_at")
    duration: int
    unit: Unit
    after_15h_next_day: bool
    procedure_code: str | None = None
    calendar: CalendarUsed

"""Dashboard answers: compact, chart-ready (one list of buckets, one list of values per series
aligned with it), counts for an agency's subtree over whole Vietnam days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from svc_reporting.dashboard.catalogue import Kind


class BucketOut(BaseModel):
    label: str = Field(description="2026-10-31 (day), 2026-W44 (ISO week), 2026-10 (month)")
    first: date
    last: date = Field(description="Inclusive; the first and last buckets are clipped to the "
                                   "window")


class SeriesOut(BaseModel):
    name: str
    kind: Kind
    unit: str
    formula: str = Field(description="How each value is computed from the bucket's counts "
                                     "(sum(x): the metric's measure, else its count)")
    values: list[int | float | None] = Field(
        description="One per bucket; counts are zero-filled, a ratio is null when its "
                    "denominator is zero")


class SeriesAnswer(BaseModel):
    agency_id: str
    first: date
    last: date
    bucket: Literal["day", "week", "month"]
    time_zone: str = "Asia/Ho_Chi_Minh"
    buckets: list[BucketOut]
    series: list[SeriesOut]


class Figures(BaseModel):
    """The headline figures of a period (rates as in the KPI endpoint's)."""

    submitted: int = 0
    online: int = 0  # submitted online
    received: int = 0
    completed: int = 0
    on_time: int = 0  # completed early or on time (đúng hạn)
    late: int = 0
    rated: int = 0
    satisfied: int = 0
    paid: int = 0
    paid_online: int = 0
    online_rate: float | None = None  # online / submitted
    on_time_rate: float | None = None  # on_time / completed
    satisfaction_rate: float | None = None  # satisfied / rated
    online_payment_rate: float | None = None  # paid_online / paid


class AgencyFigures(Figures):
    agency_id: str
    overdue_now: int | None = None  # in progress past due, when the window ends today


class AgencyBreakdown(BaseModel):
    agency_id: str
    window_start: datetime
    window_end: datetime
    sort: str
    order: Literal["asc", "desc"]
    total: AgencyFigures  # the whole subtree (children and the agency's own dossiers)
    agencies: list[AgencyFigures]  # each child agency with any figure, sorted


class PeriodFigures(Figures):
    first: date
    last: date


class Overview(BaseModel):
    agency_id: str
    as_of: datetime
    today: PeriodFigures
    month: PeriodFigures  # this month to date
    year: PeriodFigures  # this year to date
    in_progress: int  # received and not finished
    overdue_now: int  # of those, past their due time

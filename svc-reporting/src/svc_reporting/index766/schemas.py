"""Answers of the 766 index endpoints: every result names the version that produced it and
shows, for each sub-indicator, its numerator, denominator, ratio and points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from egov_shared.agency import AGENCY_ID_PATTERN


class IndicatorResult(BaseModel):
    code: str
    name: str
    source: Literal["counts", "manual"]
    numerator_metrics: list[str]
    denominator_metrics: list[str]
    numerator: int | None  # counts over the window (None for a manual indicator)
    denominator: int | None
    ratio: float | None  # 0–1; None: nothing to divide by, or no manual value
    max_points: float
    points: float
    scoring: str  # proportional | thresholds
    empty: bool  # scored by ``when_empty`` (full or zero points)
    manual_agency_id: str | None = None  # where the manual value was recorded
    manual_valid_from: date | None = None


class GroupResult(BaseModel):
    code: str
    name: str
    max_points: float
    points: float
    indicators: list[IndicatorResult]


class IndexResult(BaseModel):
    agency_id: str
    window_start: datetime
    window_end: datetime
    version: str
    version_effective_from: date
    total: float
    max_points: float = 100.0
    groups: list[GroupResult]


class RankedAgency(BaseModel):
    rank: int  # 1 is the best; equal totals share a rank
    agency_id: str
    total: float
    groups: dict[str, float]  # group code → points


class Ranking(BaseModel):
    """The index of each child agency of ``agency_id`` that has any counts in the window."""

    agency_id: str
    window_start: datetime
    window_end: datetime
    version: str
    agencies: list[RankedAgency]


class VersionSummary(BaseModel):
    version: str
    name: str
    effective_from: date
    shipped: bool  # in the package: never changes
    current: bool  # the latest effective today
    used: bool  # an index was computed with it: it no longer changes
    created_by: str | None = None
    created_at: datetime | None = None


class VersionList(BaseModel):
    current: str
    versions: list[VersionSummary]


class ManualValueIn(BaseModel):
    """A ratio for an indicator the platform cannot count, for an agency and its subtree from
    ``valid_from`` (Vietnam date) until a later value."""

    model_config = ConfigDict(extra="forbid")

    agency_id: Annotated[str, Field(max_length=35, pattern=AGENCY_ID_PATTERN)]
    indicator: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_.]{0,19}$")]
    valid_from: date
    ratio: Annotated[float, Field(ge=0, le=1)]
    note: Annotated[str, Field(min_length=1, max_length=2000)]
    evidence_url: HttpUrl | None = None


class ManualValue(BaseModel):
    agency_id: str
    indicator: str
    valid_from: date
    ratio: float
    note: str | None
    evidence_url: str | None
    recorded_by: str
    recorded_at: datetime

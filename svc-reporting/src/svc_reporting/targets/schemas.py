"""Targets (chỉ tiêu) of the steering committee: what is planned, how the actual value is
obtained, and the progress shown in the committee's classes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from egov_shared.agency import AGENCY_ID_PATTERN
from egov_shared.timeutil import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR
from svc_reporting.targets.progress import Direction, ProgressClass
from svc_reporting.targets.sources import Unit

Year = Annotated[int, Field(ge=FIRST_SUPPORTED_YEAR + 1, le=LAST_SUPPORTED_YEAR)]
PlanValue = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Note = Annotated[str, Field(min_length=1, max_length=2000)]


class KpiSource(BaseModel):
    """Computed live for the owner agency over the year's window (``sources.py`` lists the
    paths)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["kpi"]
    path: Annotated[str, Field(min_length=1, max_length=80)]


class ManualSource(BaseModel):
    """Entered by hand with evidence (``PUT /targets/{id}/actual``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["manual"]


Source = Annotated[KpiSource | ManualSource, Field(discriminator="kind")]


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
    name: Name
    unit: Unit
    plan_value: PlanValue
    direction: Direction = "higher"
    owner_agency_id: Annotated[str, Field(max_length=35, pattern=AGENCY_ID_PATTERN)]
    source: Source
    note: Note | None = None


class TargetPatch(BaseModel):
    """The year, code and owner identify a target and do not change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    unit: Unit | None = None
    plan_value: PlanValue | None = None
    direction: Direction | None = None
    source: Source | None = None
    note: Note | None = None


class ActualIn(BaseModel):
    """A hand-entered actual value: a note and a link or a reference to an uploaded file."""

    model_config = ConfigDict(extra="forbid")

    value: PlanValue
    note: Note
    evidence_url: HttpUrl | None = None
    evidence_file: Annotated[str | None, Field(min_length=1, max_length=300)] = None


class Evidence(BaseModel):
    note: str | None
    url: str | None
    file: str | None
    recorded_by: str
    recorded_at: datetime


class Target(BaseModel):
    id: int
    year: int
    code: str
    name: str
    unit: Unit
    plan_value: float
    direction: Direction
    owner_agency_id: str
    source: Source
    note: str | None
    window_start: datetime  # the annual window (15 Dec – 14 Dec, Vietnam time)
    window_end: datetime
    actual: float | None  # in the target's unit; None: no data yet
    progress: float | None  # of the plan, as a fraction (0.7 = 70 %)
    progress_class: ProgressClass
    progress_label: str
    evidence: Evidence | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class TargetList(BaseModel):
    year: int
    agency_id: str  # the targets owned by this agency's subtree
    targets: list[Target]
    summary: dict[ProgressClass, int]  # how many targets in each class

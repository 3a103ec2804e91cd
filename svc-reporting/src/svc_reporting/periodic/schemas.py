"""Periodic reports in the API (DESIGN §3): times in Vietnam time with their offset; a window
is whole days, ``window_end`` being 23:59:59 of its last day (inclusive)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from egov_shared.agency import AGENCY_ID_PATTERN
from svc_reporting.periodic.state import ReportStatus, SubmissionStatus
from svc_reporting.periodic.windows import Kind

TEMPLATE_CODE = r"^[A-Z0-9][A-Z0-9-]{0,39}$"
Section = Literal["dossiers", "rates", "payments", "digitisation", "satisfaction",
                  "processing", "documents", "accounts", "index766"]
WINDOW_END = "23:59:59 of the window's last day, Vietnam time: the end is inclusive."


class GenerateRequest(BaseModel):
    kind: Kind
    period: str = Field(max_length=8, examples=["2026-11", "2026-Q4", "2026-H1", "2026"],
                        description="`YYYY-MM`, `YYYY-Qn`, `YYYY-Hn` or `YYYY`, by kind.")
    agency_id: str = Field(max_length=35, pattern=AGENCY_ID_PATTERN,
                           description="The agency whose subtree the report counts.")
    template: str | None = Field(
        default=None, max_length=40, description="A template code; default: the standard "
                                                 "one-stop-shop report of the kind.")


class CorrectionRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=2000, description="Lý do điều chỉnh.")
    recompute: bool = Field(
        default=True, description="Recompute the figures from the read model (late events); "
                                  "false keeps the corrected version's figures.")


class NoteRequest(BaseModel):
    note: str | None = Field(max_length=5000, description="The officer's explanation "
                                                          "(thuyết minh), printed with it.")


class Submission(BaseModel):
    status: SubmissionStatus
    late: bool = Field(description="Requested after the template's deadline.")
    requested_at: datetime
    requested_by: str
    attempts: int
    next_attempt_at: datetime | None = Field(description="The next send or status query.")
    receipt_id: str | None = Field(description="The national system's receipt (MaTiepNhan).")
    delivered_at: datetime | None
    decided_at: datetime | None
    reason: str | None = Field(description="Why the national system rejected it.")
    last_error: str | None


class ReportSummary(BaseModel):
    id: str
    template: str
    template_name: str
    kind: Kind
    period: str
    period_label: str = Field(examples=["Tháng 11/2026"])
    agency_id: str
    window_start: datetime
    window_end: datetime = Field(description=WINDOW_END)
    deadline_at: datetime
    version: int
    corrects: str | None = Field(description="The version this one corrects.")
    correction_reason: str | None
    status: ReportStatus
    generated_at: datetime
    generated_by: str
    note: str | None
    content_hash: str = Field(description="sha256 of the canonical JSON of `content`.")
    submission: Submission | None


class Report(ReportSummary):
    content: dict[str, Any] = Field(
        description="What the report says: template, period, window and `sections` (the KPI "
                    "groups of the template, as GET /api/v1/reports/kpis answers them).")


class WindowRuleModel(BaseModel):
    start_day: int = Field(default=15, ge=1, le=28, description=(
        "The window starts on this day of the month before the period's first month and "
        "ends the day before it in its last month (15: NĐ 09/2019); 1: calendar months."))
    cumulative: bool = Field(default=False, description="From the start of the year.")


class DeadlineModel(BaseModel):
    day: int = Field(default=20, ge=1, le=31)
    month_offset: int = Field(default=0, ge=0, le=12, description=(
        "Months after the month in which the window closes."))


class TemplateBody(BaseModel):
    name: str = Field(min_length=3, max_length=300)
    kind: Kind
    window: WindowRuleModel = WindowRuleModel()
    deadline: DeadlineModel = DeadlineModel()
    sections: list[Section] = Field(min_length=1, max_length=9)


class TemplateOut(TemplateBody):
    code: str
    recipient: str
    standard: bool = Field(description="Seeded at start-up (a standard report).")

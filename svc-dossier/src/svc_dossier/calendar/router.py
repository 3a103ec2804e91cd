"""Public due-date calculator: frontends show the appointed time before submission."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from egov_shared.access import access
from egov_shared.agency import is_agency_id
from egov_shared.errors import ValidationFailed, problem_responses
from egov_shared.timeutil import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, in_supported_range
from svc_dossier.calendar.service import MAX_DURATION_DAYS, WorkCalendar

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])


class DueDate(BaseModel):
    due_at: datetime


@router.get("/due-date", response_model=DueDate, openapi_extra=access("public"),
            responses=problem_responses(ValidationFailed))
async def due_date(
    agency: Annotated[str, Query(max_length=35, description="Agency ID (current form)")],
    start: Annotated[datetime, Query(description="ISO 8601; without offset it is Vietnam time")],
    duration: Annotated[int, Query(gt=0, le=MAX_DURATION_DAYS)],
    unit: Annotated[Literal["working_days", "calendar_days"], Query()] = "working_days",
) -> DueDate:
    """Access: public."""
    if not is_agency_id(agency):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")
    if not in_supported_range(start.date()):
        raise ValidationFailed(
            f"`start` must lie in the years {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
            code="start_out_of_range")
    return DueDate(due_at=WorkCalendar().due_at(start, duration, unit))

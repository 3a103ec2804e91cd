"""Public due-date calculator: frontends show the appointed time before submission."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from egov_shared.errors import ValidationFailed, problem_responses
from svc_dossier.calendar.service import MAX_DURATION_DAYS, WorkCalendar

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])
AGENCY_ID = re.compile(r"^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$")


class DueDate(BaseModel):
    due_at: datetime


@router.get("/due-date", response_model=DueDate, responses=problem_responses(ValidationFailed))
async def due_date(
    agency: Annotated[str, Query(max_length=35, description="Agency ID (current form)")],
    start: Annotated[datetime, Query(description="ISO 8601; without offset it is Vietnam time")],
    duration: Annotated[int, Query(gt=0, le=MAX_DURATION_DAYS)],
    unit: Annotated[Literal["working_days", "calendar_days"], Query()] = "working_days",
) -> DueDate:
    """Access: public."""
    if not AGENCY_ID.match(agency):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")
    return DueDate(due_at=WorkCalendar().due_at(start, duration, unit))

"""The working calendar: the public due-date calculator (frontends show the appointed time
before submission), each agency's office hours, and the override table (swap orders)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_dossier.calendar import service
from svc_dossier.calendar.schemas import (
    DueDate,
    DueDateExplained,
    OfficeHoursIn,
    OfficeHoursOut,
    OverrideIn,
    OverrideOut,
    Unit,
)
from svc_dossier.calendar.service import MAX_DURATION_DAYS, DueDateQuery

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
AgencyPath = Annotated[str, Path(max_length=35, description="Agency ID (current form)")]
ADMIN_ERRORS = problem_responses(Unauthorized, Forbidden, ValidationFailed)


@router.get("/due-date", response_model=DueDate | DueDateExplained, openapi_extra=access("public"),
            responses=problem_responses(ValidationFailed))
async def due_date(
    session: SessionDep,
    start: Annotated[datetime, Query(description="ISO 8601; without offset it is Vietnam time")],
    agency: Annotated[str | None, Query(
        max_length=35, description="Agency ID (current form); with `procedure`, defaults to "
        "the procedure's agency")] = None,
    duration: Annotated[int | None, Query(gt=0, le=MAX_DURATION_DAYS)] = None,
    unit: Annotated[Unit | None, Query(description="Default working_days")] = None,
    after_15h_next_day: Annotated[bool | None, Query(
        description="Received after 15:00 counts from the next working day")] = None,
    procedure: Annotated[str | None, Query(
        max_length=64, description="A procedure code: duration, unit and the 15:00 rule come "
        "from the catalogue (then leave those out)")] = None,
    channel: Annotated[Literal["online", "counter", "post"] | None, Query(
        description="With `procedure`: `online` counts the online duration where shorter")
    ] = None,
    explain: Annotated[bool, Query(
        description="Also answer the office hours counted and the calendar used")] = False,
) -> DueDate | DueDateExplained:
    """Access: public. The due time (+07:00) of a dossier received at `start`; with
    `explain`, also where the clock started, the office hours counted, and the calendar used
    (office hours and their source, the overrides in the period)."""
    answer = await service.due_date(session, DueDateQuery(
        start=start, agency=agency, duration=duration, unit=unit,
        after_15h_next_day=after_15h_next_day, procedure=procedure, channel=channel))
    return answer if explain else DueDate(due_at=answer.due_at)


@router.get("/office-hours/{agency_id}", response_model=OfficeHoursOut,
            openapi_extra=access("public"), responses=problem_responses(ValidationFailed))
async def get_office_hours(agency_id: AgencyPath, session: SessionDep) -> OfficeHoursOut:
    """Access: public. The agency's effective office hours and where they come from (its own,
    an ancestor's, or the platform default)."""
    service.check_agency_id(agency_id)
    return await service.effective_office_hours(session, agency_id)


@router.put("/office-hours/{agency_id}", response_model=OfficeHoursOut,
            openapi_extra=access("admin"), responses=ADMIN_ERRORS)
async def put_office_hours(agency_id: AgencyPath, data: OfficeHoursIn, session: SessionDep,
                           principal: AdminDep) -> OfficeHoursOut:
    """Access: admin covering the agency. Sets the agency's own office hours (its subtree
    inherits them unless it has its own)."""
    return await service.set_office_hours(session, principal, agency_id, data)


@router.delete("/office-hours/{agency_id}", status_code=status.HTTP_204_NO_CONTENT,
               openapi_extra=access("admin"), responses=ADMIN_ERRORS)
async def delete_office_hours(agency_id: AgencyPath, session: SessionDep,
                              principal: AdminDep) -> Response:
    """Access: admin covering the agency. Back to inheriting (idempotent)."""
    await service.reset_office_hours(session, principal, agency_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/overrides", response_model=list[OverrideOut], openapi_extra=access("public"),
            responses=problem_responses(ValidationFailed))
async def list_overrides(
    session: SessionDep,
    year: Annotated[int | None, Query(description="Only this year's")] = None,
    agency: Annotated[str | None, Query(
        max_length=35, description="Only those applying to this agency")] = None,
) -> list[OverrideOut]:
    """Access: public. Extra days off and extra working days, with their legal reference."""
    return await service.list_overrides(session, year=year, agency_id=agency)


@router.post("/overrides", response_model=OverrideOut, status_code=status.HTTP_201_CREATED,
             openapi_extra=access("admin"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed, Conflict))
async def add_override(data: OverrideIn, session: SessionDep,
                       principal: AdminDep) -> OverrideOut:
    """Access: admin covering `agency_id`; a province-wide one (no `agency_id`) needs a
    platform administrator. One override per date and scope (409 `override_exists`)."""
    return await service.add_override(session, principal, data)


@router.delete("/overrides/{override_id}", status_code=status.HTTP_204_NO_CONTENT,
               openapi_extra=access("admin"),
               responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def delete_override(override_id: Annotated[int, Path(ge=1, le=2**62)],
                          session: SessionDep, principal: AdminDep) -> Response:
    """Access: admin covering the override's agency (platform administrator for a
    province-wide one)."""
    await service.delete_override(session, principal, override_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

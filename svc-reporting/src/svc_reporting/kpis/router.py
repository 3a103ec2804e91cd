"""KPI endpoints."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from egov_shared.access import access
from egov_shared.agency import is_agency_id
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import Forbidden, Unauthorized, ValidationFailed, problem_responses
from egov_shared.timeutil import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    VN_TZ,
    in_supported_range,
)
from svc_reporting.kpis import service
from svc_reporting.kpis.schemas import Kpis
from svc_reporting.settings import ReportingSettings

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
REPORT_READERS = ("reporting_officer", "leader")


def _window(start: date | None, end: date | None) -> tuple[date, date]:
    """Whole days in Vietnam time, ``to`` inclusive; default: the current month to date."""
    today = datetime.now(VN_TZ).date()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        raise ValidationFailed("`to` is before `from`.", code="invalid_window")
    if not (in_supported_range(start) and in_supported_range(end)):
        raise ValidationFailed(
            f"The window must lie in the years {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
            code="invalid_window")
    return start, end


def window_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(), VN_TZ),
            datetime.combine(last + timedelta(days=1), time(), VN_TZ))


@router.get("/kpis", response_model=Kpis, openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def kpis(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require_roles(*REPORT_READERS))],
    agency: Annotated[str, Query(max_length=35, description="Agency ID; counts its subtree")],
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Kpis:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree."""
    if not is_agency_id(agency):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")
    if not principal.covers_agency(agency):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")
    first, last = _window(from_, to)
    settings = runtime.settings
    assert isinstance(settings, ReportingSettings)
    return await service.kpis(session, agency_id=agency, province_id=settings.province_id,
                              first=first, last=last, window=window_bounds(first, last),
                              now=datetime.now(VN_TZ))

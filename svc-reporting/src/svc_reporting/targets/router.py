"""Target endpoints (chỉ tiêu of the steering committee for digital transformation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.timeutil import VN_TZ, utcnow
from svc_reporting.index766.router import covered
from svc_reporting.kpis.router import REPORT_READERS
from svc_reporting.settings import ReportingSettings
from svc_reporting.targets import schemas as s
from svc_reporting.targets import service
from svc_reporting.targets.service import Actuals

router = APIRouter(prefix="/api/v1/reports/targets", tags=["reports"])
Reader = Annotated[Principal, Depends(require_roles(*REPORT_READERS))]
Editor = Annotated[Principal, Depends(require_roles("reporting_officer"))]
TargetId = Annotated[int, Path(ge=1, le=2**63 - 1)]
READ_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed)
WRITE_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)


def actuals(session: SessionDep, runtime: RuntimeDep) -> Actuals:
    settings = runtime.settings
    assert isinstance(settings, ReportingSettings)
    return Actuals(session, settings.province_id, utcnow())


ActualsDep = Annotated[Actuals, Depends(actuals)]


@router.get("", response_model=s.TargetList, openapi_extra=access("official"),
            responses=READ_ERRORS)
async def list_targets(
    session: SessionDep, principal: Reader, live: ActualsDep,
    year: Annotated[int | None, Query(ge=2001, le=2100)] = None,
    agency: Annotated[str | None, Query(max_length=35,
                                        description="Owner; default: your agency")] = None,
) -> s.TargetList:
    """Access: reporting officers, leaders and administrators, for owners in their subtree.

    The year's targets (default: the current year) owned by the agency's subtree, each with
    its actual value, progress and class."""
    owner = agency or principal.agency_id
    if owner is None:
        raise Forbidden("You hold no agency.", code="agency_not_covered")
    covered(principal, owner)
    return await service.listing(session, year=year or datetime.now(VN_TZ).year,
                                 agency_id=owner, actuals=live)


@router.post("", response_model=s.Target, status_code=201, openapi_extra=access("official"),
             responses=WRITE_ERRORS)
async def create_target(session: SessionDep, principal: Editor, live: ActualsDep,
                        body: s.TargetIn) -> s.Target:
    """Access: reporting officers and administrators, for owners in their subtree."""
    covered(principal, body.owner_agency_id)
    return await service.create(session, body, principal=principal, actuals=live)


@router.get("/{target_id}", response_model=s.Target, openapi_extra=access("official"),
            responses=READ_ERRORS)
async def get_target(session: SessionDep, principal: Reader, live: ActualsDep,
                     target_id: TargetId) -> s.Target:
    """Access: reporting officers, leaders and administrators, for owners in their subtree."""
    return await service.one(session, target_id, principal=principal, actuals=live)


@router.patch("/{target_id}", response_model=s.Target, openapi_extra=access("official"),
              responses=WRITE_ERRORS)
async def change_target(session: SessionDep, principal: Editor, live: ActualsDep,
                        target_id: TargetId, body: s.TargetPatch) -> s.Target:
    """Access: reporting officers and administrators, for owners in their subtree."""
    return await service.change(session, target_id, body, principal=principal, actuals=live)


@router.delete("/{target_id}", status_code=204, openapi_extra=access("official"),
               responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def delete_target(session: SessionDep, principal: Editor, target_id: TargetId) -> Response:
    """Access: reporting officers and administrators, for owners in their subtree."""
    await service.remove(session, target_id, principal=principal)
    return Response(status_code=204)


@router.put("/{target_id}/actual", response_model=s.Target, openapi_extra=access("official"),
            responses=WRITE_ERRORS)
async def record_actual(session: SessionDep, principal: Editor, live: ActualsDep,
                        target_id: TargetId, body: s.ActualIn) -> s.Target:
    """Access: reporting officers and administrators, for owners in their subtree.

    Records the actual value of a manual target with its evidence (who and when are kept)."""
    return await service.record_actual(session, target_id, body, principal=principal,
                                       actuals=live)

"""The 766 index endpoints (QĐ 766/QĐ-TTg): the index of an agency's subtree, the ranking of
its child agencies, the versioned configuration and the manually recorded indicators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from egov_shared.access import access
from egov_shared.agency import is_agency_id
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
from egov_shared.timeutil import VN_TZ, utcnow
from svc_reporting.index766 import schemas as s
from svc_reporting.index766 import service
from svc_reporting.index766.config import IndexVersion
from svc_reporting.kpis.router import REPORT_READERS, window_bounds
from svc_reporting.kpis.router import _window as whole_days

router = APIRouter(prefix="/api/v1/reports/index-766", tags=["reports"])
Reader = Annotated[Principal, Depends(require_roles(*REPORT_READERS))]
Recorder = Annotated[Principal, Depends(require_roles("reporting_officer"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
AgencyQuery = Annotated[str, Query(max_length=35, description="Agency ID; its subtree")]
VersionQuery = Annotated[str | None, Query(
    max_length=20, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$",
    description="A version of the configuration; default: the one in effect on `to`")]
FromQuery = Annotated[date | None, Query(alias="from")]
ToQuery = Annotated[date | None, Query()]
READ_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed)
WRITE_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)


def covered(principal: Principal, agency: str) -> str:
    """The KPIs' rule: an agency ID in the caller's subtree (403 otherwise)."""
    if not is_agency_id(agency):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")
    if not principal.covers_agency(agency):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")
    return agency


@router.get("", response_model=s.IndexResult, openapi_extra=access("official"),
            responses=READ_ERRORS)
async def index_766(session: SessionDep, principal: Reader, agency: AgencyQuery,
                    version: VersionQuery = None, from_: FromQuery = None,
                    to: ToQuery = None) -> s.IndexResult:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.

    The index of the agency's subtree over whole Vietnam days `from`–`to` (default: this
    month to date), with the version that produced it and every sub-indicator's counts."""
    covered(principal, agency)
    first, last = whole_days(from_, to)
    return await service.index_for(session, agency_id=agency, first=first, last=last,
                                   window=window_bounds(first, last), version=version,
                                   now=utcnow())


@router.get("/ranking", response_model=s.Ranking, openapi_extra=access("official"),
            responses=READ_ERRORS)
async def ranking(session: SessionDep, principal: Reader, agency: AgencyQuery,
                  version: VersionQuery = None, from_: FromQuery = None,
                  to: ToQuery = None) -> s.Ranking:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.

    The index of each child agency of `agency` that has counts in the window, best first."""
    covered(principal, agency)
    first, last = whole_days(from_, to)
    return await service.ranking(session, parent_id=agency, first=first, last=last,
                                 window=window_bounds(first, last), version=version,
                                 now=utcnow())


@router.get("/versions", response_model=s.VersionList, openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden))
async def versions(session: SessionDep, _: Reader) -> s.VersionList:
    """Access: reporting officers, leaders and administrators."""
    known = await service.known_versions(session)
    return service.version_list(known, datetime.now(VN_TZ).date())


@router.get("/versions/{version}", response_model=IndexVersion,
            openapi_extra=access("official"), responses=READ_ERRORS)
async def version_document(session: SessionDep, _: Reader, version: str) -> IndexVersion:
    """Access: reporting officers, leaders and administrators. The whole configuration."""
    return (await service.resolve(session, version, datetime.now(VN_TZ).date())).config


@router.post("/versions", response_model=IndexVersion, status_code=201,
             openapi_extra=access("admin"), responses=WRITE_ERRORS)
async def add_version(session: SessionDep, principal: Admin, body: IndexVersion
                      ) -> IndexVersion:
    """Access: administrators. Adds a version; the latest effective one is the current."""
    await service.add_version(session, body, principal=principal, now=utcnow())
    return body


@router.put("/versions/{version}", response_model=IndexVersion,
            openapi_extra=access("admin"), responses=WRITE_ERRORS)
async def replace_version(session: SessionDep, _: Admin, version: str, body: IndexVersion
                          ) -> IndexVersion:
    """Access: administrators. Corrects an added version no index has been computed with."""
    await service.replace_version(session, version, body, now=utcnow())
    return body


@router.get("/manual-values", response_model=list[s.ManualValue],
            openapi_extra=access("official"), responses=READ_ERRORS)
async def manual_values(session: SessionDep, principal: Reader, agency: AgencyQuery
                        ) -> list[s.ManualValue]:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.

    The values recorded for the agency and the agencies under it."""
    return await service.manual_values(session, covered(principal, agency))


@router.put("/manual-values", response_model=s.ManualValue,
            openapi_extra=access("official"), responses=WRITE_ERRORS)
async def record_manual_value(session: SessionDep, principal: Recorder, body: s.ManualValueIn
                              ) -> s.ManualValue:
    """Access: reporting officers and administrators, for agencies in their subtree.

    Records (or corrects) the ratio of a manual indicator from a date on; it applies to the
    agency's subtree unless an agency below has its own."""
    covered(principal, body.agency_id)
    return await service.record_manual_value(session, body, principal=principal, now=utcnow())

"""Dashboard data endpoints: a time series, a breakdown by child agency, an overview."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from egov_shared.access import access
from egov_shared.agency import is_agency_id
from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import Forbidden, Unauthorized, ValidationFailed, problem_responses
from egov_shared.timeutil import VN_TZ
from svc_reporting.dashboard import buckets as b
from svc_reporting.dashboard import schemas as s
from svc_reporting.dashboard import service
from svc_reporting.dashboard.catalogue import DEFAULT_SERIES, parse_series
from svc_reporting.kpis.router import REPORT_READERS, window_bounds

router = APIRouter(prefix="/api/v1/reports/dashboard", tags=["dashboard"])
ReaderDep = Annotated[Principal, Depends(require_roles(*REPORT_READERS))]
AgencyQuery = Annotated[str, Query(max_length=35, description="Agency ID; counts its subtree")]
FromQuery = Annotated[date | None, Query(alias="from", description="Vietnam day, inclusive")]
ToQuery = Annotated[date | None, Query(description="Vietnam day, inclusive; default today")]
# A live screen polls: a short private cache, and an ETag to answer 304 when nothing changed.
CACHE_CONTROL = "private, max-age=15"
ERRORS = problem_responses(Unauthorized, Forbidden, ValidationFailed)


def covered_agency(principal: Principal, agency: str) -> str:
    if not is_agency_id(agency):
        raise ValidationFailed("Not an agency ID.", code="invalid_agency_id")
    if not principal.covers_agency(agency):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")
    return agency


def cached(request: Request, answer: BaseModel, *, volatile: set[str] | None = None) -> Response:
    """The answer with a short private cache and a weak ETag over its figures (``volatile``
    fields, like the time of the answer, left out): 304 when the client has them already."""
    body = answer.model_dump_json().encode()
    figures = answer.model_dump_json(exclude=volatile).encode() if volatile else body
    etag = 'W/"' + hashlib.blake2b(figures, digest_size=12).hexdigest() + '"'
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "Vary": "Authorization"}
    known = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in known or etag[2:] in known:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _today() -> date:
    return datetime.now(VN_TZ).date()


@router.get("/series", response_model=s.SeriesAnswer, openapi_extra=access("official"),
            responses=ERRORS)
async def series(
    request: Request, session: SessionDep, principal: ReaderDep, agency: AgencyQuery,
    from_: FromQuery = None, to: ToQuery = None,
    metrics: Annotated[str, Query(max_length=1000, description=(
        "Comma-separated series: read-model counts (submitted, completed_in_time, …) and "
        "named series (online_rate, on_time_rate, satisfaction_rate, …)"))] = DEFAULT_SERIES,
    bucket: Annotated[str, Query(description="day, week (ISO) or month")] = "day",
) -> Any:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.

    Values per bucket of Vietnam days, zero-filled; without ``from``, the last 30 days, 12
    weeks or 12 months up to ``to``."""
    agency = covered_agency(principal, agency)
    size, wanted = b.bucket_size(bucket), parse_series(metrics)
    first, last = b.window(from_, to, _today(), lambda end: b.default_first(end, size))
    return cached(request, await service.series(
        session, agency_id=agency, first=first, last=last, size=size, wanted=wanted))


@router.get("/agencies", response_model=s.AgencyBreakdown, openapi_extra=access("official"),
            responses=ERRORS)
async def agencies(
    request: Request, session: SessionDep, principal: ReaderDep, agency: AgencyQuery,
    from_: FromQuery = None, to: ToQuery = None,
    sort: Annotated[str, Query(description=", ".join(service.SORT_FIELDS))] = "submitted",
    order: Annotated[str, Query(description="asc or desc")] = "desc",
) -> Any:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.

    One row per child agency with any figure in the window (or an overdue dossier); default
    window: the current month to date."""
    agency = covered_agency(principal, agency)
    if sort not in service.SORT_FIELDS or order not in ("asc", "desc"):
        raise ValidationFailed("Unknown sort field or order.", code="invalid_sort",
                               extra={"allowed": list(service.SORT_FIELDS)})
    first, last = b.window(from_, to, _today(), lambda end: end.replace(day=1))
    return cached(request, await service.agencies(
        session, agency_id=agency, first=first, last=last, window=window_bounds(first, last),
        now=datetime.now(VN_TZ), sort=sort, order="asc" if order == "asc" else "desc"))


@router.get("/overview", response_model=s.Overview, openapi_extra=access("official"),
            responses=ERRORS)
async def overview(request: Request, session: SessionDep, principal: ReaderDep) -> Any:
    """Access: reporting officers, leaders and administrators, for their own agency.

    Today, this month and this year to date (Vietnam time), in progress and overdue now."""
    if principal.agency_id is None:
        raise Forbidden("Your account belongs to no agency.", code="no_agency")
    return cached(request, await service.overview(
        session, agency_id=principal.agency_id, now=datetime.now(VN_TZ)), volatile={"as_of"})

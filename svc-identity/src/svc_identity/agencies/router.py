"""HTTP routes of the agency tree: reading it (public) and its administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from egov_shared.app import SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_identity.access import access
from svc_identity.accounts.schemas import IsoDate
from svc_identity.agencies import service
from svc_identity.agencies.schemas import AgencyChanges, AgencyCreate, AgencyOut
from svc_identity.agencies.validation import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from svc_identity.audit.service import Origin

router = APIRouter(prefix="/api/v1", tags=["agencies"])

ParentId = Annotated[
    str | None,
    Query(max_length=AGENCY_ID_MAX_LENGTH, pattern=AGENCY_ID_PATTERN,
          description="Only the direct children of this agency (current-form ID)."),
]
ValidOn = Annotated[
    IsoDate | None,
    Query(description="Only the agencies in force that day (YYYY-MM-DD; validity dates are "
                      "inclusive)."),
]
AgencyKey = Annotated[str, Path(max_length=AGENCY_ID_MAX_LENGTH,
                                description="Current-form agency ID.")]


@router.get(
    "/agencies", response_model=list[AgencyOut], openapi_extra=access("public"),
    responses=problem_responses(ValidationFailed),
)
async def list_agencies(session: SessionDep, parent_id: ParentId = None,
                        valid_on: ValidOn = None) -> list[AgencyOut]:
    """Access: public, because citizens choose where to submit. The tree as a flat list."""
    agencies = await service.list_agencies(session, parent_id=parent_id, valid_on=valid_on)
    return [AgencyOut.model_validate(a) for a in agencies]


@router.get(
    "/agencies/{agency_id}", response_model=AgencyOut, openapi_extra=access("public"),
    responses=problem_responses(NotFound),
)
async def get_agency(
    agency_id: Annotated[str, Path(max_length=AGENCY_ID_MAX_LENGTH,
                                   description="Current form (H56.14) or legacy 13-character "
                                               "form (000.00.14.H56).")],
    session: SessionDep,
) -> AgencyOut:
    """Access: public. One agency by either form of its ID; it answers the current form."""
    return AgencyOut.model_validate(await service.get_agency(session, agency_id))


@router.post(
    "/agencies", status_code=201, response_model=AgencyOut,
    openapi_extra=access("admin"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict),
)
async def create_agency(body: AgencyCreate, request: Request, session: SessionDep,
                        principal: PrincipalDep) -> AgencyOut:
    """Access: administrators (role ``admin``) whose agency covers ``parent_id``; a parent
    outside their subtree answers 404. The new ID is the parent's plus one group. Audited."""
    agency = await service.create_agency(session, principal=principal, data=body,
                                         origin=Origin.of(request))
    return AgencyOut.model_validate(agency)


@router.patch(
    "/agencies/{agency_id}", response_model=AgencyOut, openapi_extra=access("admin"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict),
)
async def change_agency(agency_id: AgencyKey, body: AgencyChanges, request: Request,
                        session: SessionDep, principal: PrincipalDep) -> AgencyOut:
    """Access: administrators (role ``admin``) whose agency covers this one; others get 404.
    Only the fields sent change; ``null`` clears an optional one. Audited."""
    agency = await service.change_agency(session, principal=principal, agency_id=agency_id,
                                         changes=body.changed(), origin=Origin.of(request))
    return AgencyOut.model_validate(agency)

"""HTTP routes of business accounts: ``POST/GET /api/v1/businesses`` and
``GET /api/v1/businesses/{tax_code}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, PrincipalDep, require_kind
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_identity.access import access
from svc_identity.audit.service import Origin
from svc_identity.businesses import service
from svc_identity.businesses.schemas import BusinessOut, BusinessRegistration

router = APIRouter(prefix="/api/v1", tags=["businesses"])

CitizenDep = Annotated[Principal, Depends(require_kind("citizen"))]
TaxCodeQuery = Annotated[str | None, Query(max_length=32, examples=["0100233488"],
                                           description="Only the business with this tax code.")]


@router.post(
    "/businesses", status_code=201, response_model=BusinessOut,
    openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict),
)
async def register_business(
    body: BusinessRegistration, principal: CitizenDep, request: Request, response: Response,
    session: SessionDep, runtime: RuntimeDep,
) -> BusinessOut:
    """Access: a signed-in citizen, who becomes the business's legal representative.

    The tax code is checked (check digit included) and becomes the business's username; the
    business starts at its representative's level of assurance. Emits
    ``identity.account.registered`` (kind ``business``)."""
    business, representative = await service.register_business(
        session, outbox=runtime.outbox, representative_id=principal.subject, data=body,
        origin=Origin.of(request),
    )
    response.headers["Location"] = f"/api/v1/businesses/{business.tax_code}"
    return BusinessOut.of(business, representative)


@router.get(
    "/businesses", response_model=list[BusinessOut], openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, Forbidden, ValidationFailed),
)
async def list_businesses(
    principal: PrincipalDep, session: SessionDep, tax_code: TaxCodeQuery = None,
) -> list[BusinessOut]:
    """Access: a citizen sees the businesses they represent, a business sees itself; an
    official with the role one_stop_officer (or admin) looks one up by ``tax_code``."""
    found = await service.list_visible(session, principal, tax_code)
    return [BusinessOut.of(business, representative) for business, representative in found]


@router.get(
    "/businesses/{tax_code}", response_model=BusinessOut, openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, NotFound),
)
async def get_business(
    tax_code: Annotated[str, Path(max_length=32)], principal: PrincipalDep, session: SessionDep,
) -> BusinessOut:
    """Access: the business's legal representative, the business itself, and officials with
    the role one_stop_officer (or admin); anyone else gets 404."""
    business, representative = await service.get_visible(session, principal, tax_code)
    return BusinessOut.of(business, representative)

"""HTTP routes of verification: ``POST /api/v1/verifications/counter``,
``POST /api/v1/verifications/population`` and ``GET /api/v1/verifications/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, PrincipalDep, require_kind, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_identity.access import access
from svc_identity.audit.service import Origin
from svc_identity.deps import SettingsDep
from svc_identity.population.client import PopulationClient
from svc_identity.verification import service
from svc_identity.verification.schemas import AssuranceOut, CounterVerification, VerificationOut

router = APIRouter(prefix="/api/v1/verifications", tags=["verification"])

OfficerDep = Annotated[Principal, Depends(require_roles("one_stop_officer"))]
CitizenDep = Annotated[Principal, Depends(require_kind("citizen"))]


def population_client(settings: SettingsDep) -> PopulationClient:
    return PopulationClient.from_settings(settings)


PopulationDep = Annotated[PopulationClient, Depends(population_client)]


@router.post(
    "/counter", response_model=VerificationOut, openapi_extra=access("official"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict),
)
async def verify_at_counter(
    body: CounterVerification, officer: OfficerDep, request: Request, session: SessionDep,
    runtime: RuntimeDep,
) -> VerificationOut:
    """Access: an official with the role one_stop_officer (or admin).

    The officer checked the person's chip ID card (or VNeID) at the counter; what it shows must
    match the account with that ID number (name and date of birth), else 422
    ``identity_mismatch``. Raises the account, and the businesses it represents, to level 2
    and emits ``identity.account.verified`` for each."""
    account, businesses = await service.verify_at_counter(
        session, outbox=runtime.outbox, officer=officer, data=body, origin=Origin.of(request))
    return VerificationOut.of_verified(account, businesses)


@router.post(
    "/population", response_model=VerificationOut, openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict,
                                ServiceUnavailable),
)
async def verify_with_population_db(
    principal: CitizenDep, population: PopulationDep, request: Request, session: SessionDep,
    runtime: RuntimeDep,
) -> VerificationOut:
    """Access: a signed-in citizen, for their own account.

    Looks the citizen up in the national population database and compares ID number, full
    name, date of birth and sex: a match raises the account (and the businesses it
    represents) to level 2; no record or any difference is 422 ``population_mismatch``; the
    database unreachable is 503 ``population_db_unavailable`` and changes nothing."""
    account, businesses = await service.verify_with_population_db(
        session, outbox=runtime.outbox, population=population, principal=principal,
        origin=Origin.of(request))
    return VerificationOut.of_verified(account, businesses)


@router.get(
    "/me", response_model=AssuranceOut, openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, NotFound),
)
async def my_assurance(principal: PrincipalDep, session: SessionDep) -> AssuranceOut:
    """Access: any signed-in account, about itself: its level of assurance now (a token's
    ``acr`` shows the level at sign-in) and how and when it was verified."""
    return AssuranceOut.of(await service.get_assurance(session, principal.subject))

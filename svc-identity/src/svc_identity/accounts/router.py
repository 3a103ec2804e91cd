"""HTTP routes of accounts: ``POST /api/v1/citizens`` and ``GET /api/v1/me``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import Conflict, NotFound, Unauthorized, ValidationFailed, problem_responses
from svc_identity.access import access
from svc_identity.accounts import service
from svc_identity.accounts.schemas import AccountOut, CitizenRegistration, MeOut

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post(
    "/citizens", status_code=201, response_model=AccountOut, openapi_extra=access("public"),
    responses=problem_responses(ValidationFailed, Conflict),
)
async def register_citizen(
    body: CitizenRegistration, session: SessionDep, runtime: RuntimeDep
) -> AccountOut:
    """Self-registration of a citizen (level of assurance 1 until verified in person)."""
    # "Not in the future" is judged on the Vietnamese calendar day, where the person lives.
    today = datetime.now(VIETNAM).date()
    account = await service.register_citizen(
        session, outbox=runtime.outbox, data=body, today=today
    )
    return AccountOut.of(account)


@router.get(
    "/me", response_model=MeOut, openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, NotFound),
)
async def me(principal: PrincipalDep, session: SessionDep) -> MeOut:
    """The caller's identity, roles and agency, as stored now (not as the token remembers)."""
    return MeOut.of(await service.get_profile(session, principal.subject))

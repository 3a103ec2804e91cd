"""HTTP routes of officials' administration: ``/api/v1/officials…``.

Access, for every route but ``/colleagues``: an official with the role ``admin`` whose agency
covers the official concerned (and, to create or move one, the destination agency). An official
or an agency outside that subtree answers 404, exactly like one that does not exist.
``/colleagues``: any official, for the active officials of their own agency's subtree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.timeutil import VN_TZ
from svc_identity.access import access
from svc_identity.agencies.validation import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from svc_identity.audit.service import Origin
from svc_identity.officials import service
from svc_identity.officials.schemas import (
    Colleague,
    OfficialChanges,
    OfficialCreate,
    OfficialOut,
    RoleGrant,
)

router = APIRouter(prefix="/api/v1/officials", tags=["officials"])

OfficialId = Annotated[str, Path(max_length=36)]
AgencyFilter = Annotated[str | None, Query(
    max_length=AGENCY_ID_MAX_LENGTH, pattern=AGENCY_ID_PATTERN,
    description="Only this agency and its subtree (inside yours).")]
_ADMIN = access("admin")  # an administrator covering the agency concerned (see above)


def _today() -> datetime:
    return datetime.now(VN_TZ)  # an agency's validity dates are Vietnamese calendar days


@router.get("", response_model=list[OfficialOut], openapi_extra=_ADMIN,
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def list_officials(
    session: SessionDep, principal: PrincipalDep, agency_id: AgencyFilter = None,
    q: Annotated[str | None, Query(max_length=200, description="Name or username; "
                                   "diacritic-insensitive")] = None,
    role: Annotated[str | None, Query(max_length=64)] = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OfficialOut]:
    """Access: administrators; the officials of their agency's subtree, sorted by username."""
    found = await service.list_officials(session, principal, agency_id=agency_id, q=q,
                                         role=role, active=active, limit=limit, offset=offset)
    return [OfficialOut.of(a) for a in found]


@router.get("/colleagues", response_model=list[Colleague], openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def list_colleagues(
    session: SessionDep, principal: PrincipalDep,
    role: Annotated[str | None, Query(max_length=64, description="Only holders of this role, "
                                      "e.g. ``leader`` (the signers)")] = None,
) -> list[Colleague]:
    """Access: officials; the active officials of their own agency and its subtree (names,
    positions and roles, no contact details), sorted by username."""
    return [Colleague.of(a) for a in await service.colleagues(session, principal, role=role)]


@router.post("", status_code=201, response_model=OfficialOut, openapi_extra=_ADMIN,
             responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed,
                                         Conflict))
async def create_official(body: OfficialCreate, request: Request, session: SessionDep,
                          runtime: RuntimeDep, principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering ``agency_id``. Emits ``identity.account.registered``
    and ``identity.role.granted`` for each role."""
    account = await service.create_official(
        session, runtime.outbox, principal=principal, data=body, origin=Origin.of(request),
        today=_today().date())
    return OfficialOut.of(account)


@router.get("/{official_id}", response_model=OfficialOut, openapi_extra=_ADMIN,
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def get_official(official_id: OfficialId, session: SessionDep,
                       principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency; others get 404."""
    return OfficialOut.of(await service.get_official(session, principal, official_id))


@router.patch("/{official_id}", response_model=OfficialOut, openapi_extra=_ADMIN,
              responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed,
                                          Conflict))
async def change_official(official_id: OfficialId, body: OfficialChanges, request: Request,
                          session: SessionDep, principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency (and the new one, to move them).
    Nobody moves themselves (409 ``cannot_change_self``)."""
    account = await service.change_official(
        session, principal=principal, official_id=official_id, changes=body.changed(),
        origin=Origin.of(request), today=_today().date())
    return OfficialOut.of(account)


@router.post("/{official_id}/roles", response_model=OfficialOut, openapi_extra=_ADMIN,
             responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed,
                                         Conflict))
async def grant_role(official_id: OfficialId, body: RoleGrant, request: Request,
                     session: SessionDep, runtime: RuntimeDep,
                     principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency. The role applies on that agency
    and its subtree. Emits ``identity.role.granted``; audited."""
    account = await service.grant_role(session, runtime.outbox, principal=principal,
                                       official_id=official_id, role=body.role,
                                       origin=Origin.of(request))
    return OfficialOut.of(account)


@router.delete("/{official_id}/roles/{role}", response_model=OfficialOut, openapi_extra=_ADMIN,
               responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict))
async def revoke_role(official_id: OfficialId, role: Annotated[str, Path(max_length=64)],
                      request: Request, session: SessionDep, runtime: RuntimeDep,
                      principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency; nobody revokes their own
    ``admin`` role. Emits ``identity.role.revoked``; audited."""
    account = await service.revoke_role(session, runtime.outbox, principal=principal,
                                        official_id=official_id, role=role,
                                        origin=Origin.of(request))
    return OfficialOut.of(account)


@router.post("/{official_id}/disable", response_model=OfficialOut, openapi_extra=_ADMIN,
             responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict))
async def disable_official(official_id: OfficialId, request: Request, session: SessionDep,
                           runtime: RuntimeDep, principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency, never on themselves. The
    official can no longer sign in. Emits ``identity.account.disabled``; audited."""
    account = await service.disable_official(session, runtime.outbox, principal=principal,
                                             official_id=official_id, origin=Origin.of(request))
    return OfficialOut.of(account)


@router.post("/{official_id}/enable", response_model=OfficialOut, openapi_extra=_ADMIN,
             responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def enable_official(official_id: OfficialId, request: Request, session: SessionDep,
                          principal: PrincipalDep) -> OfficialOut:
    """Access: administrators covering the official's agency. Audited."""
    account = await service.enable_official(session, principal=principal,
                                            official_id=official_id, origin=Origin.of(request))
    return OfficialOut.of(account)

"""HTTP routes of the audit log: ``GET /api/v1/audit``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_kind, require_roles
from egov_shared.errors import Forbidden, Unauthorized, ValidationFailed, problem_responses
from egov_shared.timeutil import Moment
from svc_identity.access import access
from svc_identity.admin.service import is_platform_admin
from svc_identity.audit import repository, seals, verify
from svc_identity.audit.schemas import (
    AccessEntryOut,
    AuditEventOut,
    VerificationOut,
    VerificationProblem,
)

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", response_model=list[AuditEventOut], openapi_extra=access("admin"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def list_audit_events(
    session: SessionDep,
    principal: Principal = Depends(require_roles("admin")),
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[Moment | None, Query(description="ISO 8601 with its offset")] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEventOut]:
    """Access: administrators. Newest first; administrators of an agency see the entries of
    its subtree, platform administrators every entry (citizens' sign-ins too). Page with
    ``before_id`` = the last id seen."""
    scope = None if is_platform_admin(principal) else principal.agency_id
    events = await repository.list_events(session, agency_id=scope, action=action,
                                          target_id=target_id, since=since, limit=limit,
                                          before_id=before_id)
    return [AuditEventOut.of(e) for e in events]


@router.get("/audit/verify", response_model=VerificationOut, openapi_extra=access("admin"),
            responses=problem_responses(Unauthorized, Forbidden))
async def verify_audit_log(request: Request, session: SessionDep,
                           principal: Principal = Depends(require_roles("admin"))
                           ) -> VerificationOut:
    """Access: platform administrators (the province's; others 403 ``platform_admin_only``).
    The whole chain recomputed and every seal checked, as ``python -m svc_identity
    audit-verify`` does; ``ok`` false names the first broken entry."""
    if not is_platform_admin(principal):
        raise Forbidden("Only platform administrators verify the audit log.",
                        code="platform_admin_only")
    keys = await seals.public_keys(session, request.app.state.secret_box)
    report = await verify.verify(session, keys)
    return VerificationOut(
        ok=report.ok, entries=report.entries, seals=report.seals, unchained=report.unchained,
        problems=[VerificationProblem(seq=p.seq, entry_id=p.entry_id, message=p.en,
                                      message_vi=p.vi) for p in report.problems])


@router.get("/me/access-log", response_model=list[AccessEntryOut],
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden))
async def my_access_log(
    session: SessionDep,
    principal: Principal = Depends(require_kind("citizen", "business")),
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[AccessEntryOut]:
    """Access: citizens and businesses, their own entries only (others 403). Who (an
    official's name and agency) read or downloaded their dossiers, what and when; newest
    first, paged with ``before_id``. Officials' addresses are not shown."""
    rows = await repository.access_log(session, principal.subject, limit=limit,
                                       before_id=before_id)
    return [AccessEntryOut.of(row.AuditEvent, row.agency_name) for row in rows]

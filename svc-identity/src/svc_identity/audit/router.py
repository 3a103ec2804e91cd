"""HTTP routes of the audit log: ``GET /api/v1/audit``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import Forbidden, ValidationFailed, problem_responses
from svc_identity.access import access
from svc_identity.admin.service import is_platform_admin
from svc_identity.audit import repository
from svc_identity.audit.schemas import AuditEventOut

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", response_model=list[AuditEventOut], openapi_extra=access("admin"),
            responses=problem_responses(Forbidden, ValidationFailed))
async def list_audit_events(
    session: SessionDep,
    principal: Principal = Depends(require_roles("admin")),
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEventOut]:
    """Access: administrators. Newest first; administrators of an agency see the entries of
    its subtree, platform administrators every entry (citizens' sign-ins too). Page with
    ``before_id`` = the last id seen."""
    if since is not None and since.tzinfo is None:
        raise ValidationFailed("since needs a time zone offset.", code="invalid_since")
    scope = None if is_platform_admin(principal) else principal.agency_id
    events = await repository.list_events(session, agency_id=scope, action=action,
                                          target_id=target_id, since=since, limit=limit,
                                          before_id=before_id)
    return [AuditEventOut.of(e) for e in events]

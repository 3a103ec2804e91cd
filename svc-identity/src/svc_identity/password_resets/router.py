"""HTTP routes of password reset (public) and password change (the signed-in person)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_kind
from egov_shared.errors import Forbidden, Unauthorized, ValidationFailed, problem_responses
from svc_identity.access import access
from svc_identity.audit.service import Origin
from svc_identity.deps import MailerDep, SettingsDep
from svc_identity.oidc.service import utc_now
from svc_identity.password_resets import service
from svc_identity.password_resets.schemas import PasswordChange, ResetConfirm, ResetRequest

router = APIRouter(prefix="/api/v1", tags=["accounts"])
# a person with a password: a partner system's token (a client) has no account to change
PersonDep = Annotated[Principal, Depends(require_kind("citizen", "business", "official"))]


@router.post("/password-resets", status_code=202, openapi_extra=access("public"),
             response_class=Response,
             responses=problem_responses(ValidationFailed))
async def request_password_reset(body: ResetRequest, request: Request, session: SessionDep,
                                 settings: SettingsDep, mailer: MailerDep) -> Response:
    """Access: public. Sends a reset link to the account's e-mail address, if there is such
    an account with an address; the answer is the same either way."""
    await service.request_reset(session, username=body.username, mailer=mailer,
                                settings=settings, origin=Origin.of(request), now=utc_now())
    return Response(status_code=202)


@router.post("/password-resets/confirm", status_code=204, openapi_extra=access("public"),
             responses=problem_responses(ValidationFailed))
async def confirm_password_reset(body: ResetConfirm, request: Request,
                                 session: SessionDep) -> Response:
    """Access: public (the token is the proof). Sets the new password; the token is spent."""
    await service.confirm_reset(session, token=body.token, new_password=body.new_password,
                                origin=Origin.of(request), now=utc_now())
    return Response(status_code=204)


@router.post("/me/password", status_code=204, openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def change_password(body: PasswordChange, request: Request, principal: PersonDep,
                          session: SessionDep) -> Response:
    """Access: authenticated (a person, for their own account). Every other session and
    refresh token of the account ends."""
    await service.change_password(session, account_id=principal.subject,
                                  current_password=body.current_password,
                                  new_password=body.new_password, origin=Origin.of(request),
                                  now=utc_now())
    return Response(status_code=204)

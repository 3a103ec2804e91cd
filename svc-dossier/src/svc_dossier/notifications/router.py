"""Notification preferences: a citizen's or business's own."""

from __future__ import annotations

from fastapi import APIRouter

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import Forbidden, Unauthorized, ValidationFailed, problem_responses
from svc_dossier.notifications import service
from svc_dossier.notifications.schemas import Preferences, PreferencesUpdate

router = APIRouter(tags=["notifications"])
PATH = "/api/v1/notification-preferences"


@router.get(PATH, response_model=Preferences, openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden))
async def get_preferences(session: SessionDep, principal: PrincipalDep) -> Preferences:
    """Access: authenticated: a citizen or business, their own (officials 403
    ``applicants_only``). Unsaved preferences answer ``saved: false`` with the contact the
    sign-in token carries, as a suggestion."""
    return await service.get_preferences(session, principal)


@router.put(PATH, response_model=Preferences, openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def put_preferences(body: PreferencesUpdate, session: SessionDep,
                          principal: PrincipalDep) -> Preferences:
    """Access: authenticated: a citizen or business, their own. Where their dossiers'
    notifications go (email, SMS, each on or off) and which non-essential ones they decline.
    422: ``invalid_email``, ``invalid_phone``, ``email_required``, ``phone_required``,
    ``unknown_event``, ``essential_event``."""
    return await service.put_preferences(session, principal, body)

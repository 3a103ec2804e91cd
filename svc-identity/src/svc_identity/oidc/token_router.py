"""HTTP routes of the OIDC provider's back channel: token, revocation, introspection.
Answers follow RFC 6749 §5 (JSON ``error``), never problem+json, as OAuth clients expect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from egov_shared.app import SessionDep
from svc_identity.access import access
from svc_identity.audit.service import Origin
from svc_identity.deps import KeyRingDep, SettingsDep
from svc_identity.oidc import grants, service
from svc_identity.oidc.clients import authenticate_client
from svc_identity.oidc.errors import OAuthError
from svc_identity.oidc.router import NO_STORE, form_params
from svc_identity.oidc.schemas import OAuthErrorBody, TokenResponse
from svc_identity.oidc.validation import MalformedParams
from svc_identity.settings import IdentitySettings

router = APIRouter(tags=["oidc"])

_FIELDS = ("grant_type", "code", "redirect_uri", "client_id", "code_verifier", "refresh_token",
           "scope", "client_secret", "client_assertion_type", "client_assertion", "token",
           "token_type_hint")


def _form(required: list[str]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": required,
            "properties": {name: {"type": "string"} for name in _FIELDS},
        }}}}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorBody}, 401: {"model": OAuthErrorBody}}


def oauth_error(exc: OAuthError) -> JSONResponse:
    body = OAuthErrorBody(error=exc.error, error_description=exc.description)
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="egov"'
    return JSONResponse(body.model_dump(), status_code=exc.status, headers=headers)


def _endpoints(settings: IdentitySettings, path: str) -> tuple[str, ...]:
    """What a client assertion's ``aud`` may name: the endpoint or the issuer."""
    issuer = settings.token_issuer.rstrip("/")
    return (f"{issuer}{path}", f"{issuer}/oauth2/token", settings.token_issuer, issuer)


@router.post("/oauth2/token", response_model=TokenResponse, responses=_ERRORS,
             openapi_extra={**access("client"), **_form(["grant_type"])})
async def token(request: Request, session: SessionDep, settings: SettingsDep,
                keyring: KeyRingDep) -> JSONResponse:
    """Access: an OAuth client (public clients by client_id with PKCE; confidential ones by
    secret or private_key_jwt). Grants: authorization_code, refresh_token,
    client_credentials."""
    now = service.utc_now()
    try:
        params = await form_params(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "Missing parameter: grant_type.")
        client = await authenticate_client(
            session, params, authorization=request.headers.get("authorization"),
            endpoint_urls=_endpoints(settings, "/oauth2/token"), now=now)
        if grant_type == "authorization_code":
            answer = await grants.exchange_code(session, params, client, keyring=keyring,
                                                settings=settings, now=now)
        elif grant_type == "refresh_token":
            answer = await grants.refresh(session, params, client, keyring=keyring,
                                          settings=settings, origin=Origin.of(request), now=now)
        elif grant_type == "client_credentials":
            answer = await grants.client_credentials(params, client, keyring=keyring,
                                                     settings=settings, now=now)
        else:
            raise OAuthError("unsupported_grant_type", "Unsupported grant_type.")
    except MalformedParams:
        return oauth_error(OAuthError("invalid_request", "Malformed or repeated parameter."))
    except OAuthError as exc:
        # Returned, not raised: the unit of work commits, so a spent code or a revoked
        # refresh-token family stays so.
        return oauth_error(exc)
    return JSONResponse(answer.model_dump(exclude_none=True), headers=NO_STORE)


@router.post("/oauth2/revoke", responses=_ERRORS,
             openapi_extra={**access("client"), **_form(["token"])})
async def revoke(request: Request, session: SessionDep, settings: SettingsDep,
                 keyring: KeyRingDep) -> JSONResponse:
    """Access: an OAuth client, for its own tokens (RFC 7009). Answers 200 for unknown
    tokens too, so that nothing can be learnt by probing."""
    now = service.utc_now()
    try:
        params = await form_params(request)
        client = await authenticate_client(
            session, params, authorization=request.headers.get("authorization"),
            endpoint_urls=_endpoints(settings, "/oauth2/revoke"), now=now)
        await grants.revoke(session, params, client, keyring=keyring, settings=settings,
                            now=now)
    except MalformedParams:
        return oauth_error(OAuthError("invalid_request", "Malformed or repeated parameter."))
    except OAuthError as exc:
        return oauth_error(exc)
    return JSONResponse({}, headers=NO_STORE)


@router.post("/oauth2/introspect", responses=_ERRORS,
             openapi_extra={**access("client"), **_form(["token"])})
async def introspect(request: Request, session: SessionDep, settings: SettingsDep,
                     keyring: KeyRingDep) -> JSONResponse:
    """Access: a confidential OAuth client (a resource server or partner system), RFC 7662.
    Answers ``{"active": false}`` for anything not live: unknown, expired, revoked, or of a
    disabled account."""
    now = service.utc_now()
    try:
        params = await form_params(request)
        client = await authenticate_client(
            session, params, authorization=request.headers.get("authorization"),
            endpoint_urls=_endpoints(settings, "/oauth2/introspect"), now=now)
        if client.auth_method == "none":
            raise OAuthError("invalid_client", "Introspection needs client authentication.",
                             status=401)
        info = await grants.introspect(session, params, keyring=keyring, settings=settings,
                                       now=now)
    except MalformedParams:
        return oauth_error(OAuthError("invalid_request", "Malformed or repeated parameter."))
    except OAuthError as exc:
        return oauth_error(exc)
    return JSONResponse(info, headers=NO_STORE)

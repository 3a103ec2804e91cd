"""HTTP routes of the OIDC provider: discovery, JWKS, authorize (HTML), token, userinfo."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from egov_shared.app import SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import Unauthorized, problem_responses
from svc_identity.access import access
from svc_identity.accounts import service as accounts
from svc_identity.deps import KeyRingDep, SettingsDep
from svc_identity.oidc import pages, service
from svc_identity.oidc.errors import AuthorizeRedirectError, InvalidAuthorizeRequest, OAuthError
from svc_identity.oidc.schemas import Discovery, OAuthErrorBody, TokenResponse, UserInfo
from svc_identity.oidc.validation import MalformedParams, single_params
from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.oidc")
router = APIRouter(tags=["oidc"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
_TOKEN_FORM: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["grant_type", "code", "redirect_uri", "client_id"],
        "properties": {name: {"type": "string"} for name in (
            "grant_type", "code", "redirect_uri", "client_id", "code_verifier")},
    }}}}}
AuthorizeFailure = MalformedParams | InvalidAuthorizeRequest | AuthorizeRedirectError


async def _form_params(request: Request) -> dict[str, str]:
    try:
        async with request.form() as form:
            return single_params(form.multi_items())
    except (HTTPException, MultiPartException) as exc:
        raise MalformedParams("body") from exc


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    """Adds the parameters to the redirect URI, keeping any query it already has."""
    parts = urlsplit(uri)
    added = urlencode([(k, v) for k, v in params.items() if v is not None])
    query = f"{parts.query}&{added}" if parts.query else added
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302,
                            headers=NO_STORE)


def _authorize_failure(exc: AuthorizeFailure, settings: IdentitySettings) -> Response:
    if isinstance(exc, AuthorizeRedirectError):
        return _redirect(exc.redirect_uri, {"error": exc.error,
                                            "error_description": exc.description,
                                            "state": exc.state, "iss": settings.token_issuer})
    if isinstance(exc, InvalidAuthorizeRequest):
        return pages.error_page(exc.message)
    return pages.error_page("Yêu cầu đăng nhập không hợp lệ.")


@router.get("/.well-known/openid-configuration", response_model=Discovery,
            openapi_extra=access("public"))
async def openid_configuration(settings: SettingsDep) -> Discovery:
    """OIDC discovery; every URL is under the public issuer (the gateway)."""
    return service.discovery(settings.token_issuer)


@router.get("/.well-known/jwks.json", openapi_extra=access("public"))
async def jwks(keyring: KeyRingDep) -> JSONResponse:
    """Public signing keys; cacheable briefly, since services re-fetch on an unknown kid."""
    return JSONResponse(await keyring.jwks(), headers={"Cache-Control": "public, max-age=300"})


@router.get("/oauth2/authorize", response_class=HTMLResponse, openapi_extra=access("public"))
async def authorize_form(request: Request, session: SessionDep,
                         settings: SettingsDep) -> Response:
    """The login form for a valid authorization request; an error page otherwise."""
    try:
        params = single_params(request.query_params.multi_items())
        client, auth = await service.start_authorization(session, params)
    except (MalformedParams, InvalidAuthorizeRequest, AuthorizeRedirectError) as exc:
        return _authorize_failure(exc, settings)
    return pages.login_page(auth, client_name=client.name)


@router.post("/oauth2/authorize", response_class=HTMLResponse, openapi_extra=access("public"))
async def authorize_submit(request: Request, session: SessionDep,
                           settings: SettingsDep) -> Response:
    """Checks the credentials; on success redirects to the client with a single-use code."""
    try:
        params = await _form_params(request)
        client, auth = await service.start_authorization(session, params)
    except (MalformedParams, InvalidAuthorizeRequest, AuthorizeRedirectError) as exc:
        return _authorize_failure(exc, settings)
    username = params.get("username", "").strip()
    account = await accounts.authenticate(
        session, username=username, password=params.get("password", "")
    ) if username else None
    if account is None:
        log.info("login_failed", client_id=client.client_id)  # never the username: personal
        return pages.login_page(auth, client_name=client.name, username=username[:64],
                                error=WRONG_CREDENTIALS)
    code = await service.issue_code(session, auth, account,
                                    ttl_seconds=settings.auth_code_ttl_seconds,
                                    now=service.utc_now())
    log.info("login_succeeded", account_id=account.id, client_id=client.client_id)
    return _redirect(auth.redirect_uri, {"code": code, "state": auth.state,
                                         "iss": settings.token_issuer})


@router.post("/oauth2/token", response_model=TokenResponse, openapi_extra={
    **access("client"), **_TOKEN_FORM}, responses={
    400: {"model": OAuthErrorBody}, 401: {"model": OAuthErrorBody}})
async def token(request: Request, session: SessionDep, settings: SettingsDep,
                keyring: KeyRingDep) -> JSONResponse:
    """Exchanges an authorization code (with its PKCE verifier) for tokens."""
    try:
        params = await _form_params(request)
        tokens = await service.exchange_code(session, params, keyring=keyring,
                                             settings=settings, now=service.utc_now())
    except MalformedParams:
        return _oauth_error(OAuthError("invalid_request", "Malformed or repeated parameter."))
    except OAuthError as exc:
        # Returned, not raised: the unit of work commits, so a code claimed by a failed
        # exchange stays spent.
        return _oauth_error(exc)
    return JSONResponse(tokens.model_dump(exclude_none=True), headers=NO_STORE)


def _oauth_error(exc: OAuthError) -> JSONResponse:
    body = OAuthErrorBody(error=exc.error, error_description=exc.description)
    return JSONResponse(body.model_dump(), status_code=exc.status, headers=NO_STORE)


@router.get("/oauth2/userinfo", response_model=UserInfo, openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized))
async def userinfo(principal: PrincipalDep, session: SessionDep) -> UserInfo:
    """OIDC UserInfo for the bearer of an access token."""
    return await service.userinfo(session, principal)

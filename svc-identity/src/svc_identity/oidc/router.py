"""HTTP routes of the OIDC provider's browser side: discovery, JWKS, the authorization
endpoint (login form, second factor, single sign-on), logout and userinfo."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import Unauthorized, problem_responses
from svc_identity.access import access
from svc_identity.accounts.security import provisioning_uri
from svc_identity.audit.service import Origin
from svc_identity.deps import KeyRingDep, SecretBoxDep, SettingsDep
from svc_identity.models import Client, SsoSession
from svc_identity.oidc import pages, service, signin
from svc_identity.oidc import repository as oidc_repository
from svc_identity.oidc.errors import AuthorizeRedirectError, InvalidAuthorizeRequest
from svc_identity.oidc.keys import KeyRing
from svc_identity.oidc.logout import end_session
from svc_identity.oidc.schemas import Discovery, UserInfo
from svc_identity.oidc.validation import AuthorizationRequest, MalformedParams, single_params
from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.oidc")
router = APIRouter(tags=["oidc"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SSO_COOKIE = "egov_sso"
AuthorizeFailure = MalformedParams | InvalidAuthorizeRequest | AuthorizeRedirectError


async def form_params(request: Request) -> dict[str, str]:
    try:
        async with request.form() as form:
            return single_params(form.multi_items())
    except (HTTPException, MultiPartException) as exc:
        raise MalformedParams("body") from exc


def redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    """Adds the parameters to the redirect URI, keeping any query it already has."""
    parts = urlsplit(uri)
    added = urlencode([(k, v) for k, v in params.items() if v is not None])
    query = f"{parts.query}&{added}" if parts.query else added
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302,
                            headers=NO_STORE)


def _authorize_failure(exc: AuthorizeFailure, settings: IdentitySettings) -> Response:
    if isinstance(exc, AuthorizeRedirectError):
        return redirect(exc.redirect_uri, {"error": exc.error,
                                           "error_description": exc.description,
                                           "state": exc.state, "iss": settings.token_issuer})
    if isinstance(exc, InvalidAuthorizeRequest):
        return pages.error_page(exc.message)
    return pages.error_page("Yêu cầu đăng nhập không hợp lệ.")


@router.get("/.well-known/openid-configuration", response_model=Discovery,
            openapi_extra=access("public"))
async def openid_configuration(settings: SettingsDep) -> Discovery:
    """Access: public. OIDC discovery; every URL is under the public issuer (the gateway)."""
    return service.discovery(settings.token_issuer)


@router.get("/.well-known/jwks.json", openapi_extra=access("public"))
async def jwks(keyring: KeyRingDep) -> JSONResponse:
    """Access: public. Signing keys, including retired ones until their tokens expire;
    cacheable briefly, since services re-fetch on an unknown kid."""
    return JSONResponse(await keyring.jwks(), headers={"Cache-Control": "public, max-age=300"})


async def _current_sso(request: Request, session: AsyncSession,
                       now: datetime) -> tuple[SsoSession, str] | None:
    handle = request.cookies.get(SSO_COOKIE)
    if not handle or len(handle) > 128:
        return None
    sso_hash = signin.digest(handle)
    sso = await oidc_repository.live_sso_session(session, sso_hash, now=now)
    return (sso, sso_hash) if sso is not None else None


async def _code_redirect(session: AsyncSession, auth: AuthorizationRequest, sso: SsoSession,
                         sso_hash: str, settings: IdentitySettings, now: datetime) -> Response:
    code = await service.issue_code(session, auth, account_id=sso.account_id, sso=sso,
                                    sso_hash=sso_hash, ttl_seconds=settings.auth_code_ttl_seconds,
                                    now=now)
    return redirect(auth.redirect_uri, {"code": code, "state": auth.state,
                                        "iss": settings.token_issuer})


@router.get("/oauth2/authorize", response_class=HTMLResponse, openapi_extra=access("public"),
            responses=pages.PAGE_RESPONSES)
async def authorize_form(request: Request, session: SessionDep,
                         settings: SettingsDep) -> Response:
    """Access: public. With a live single sign-on session, straight back to the app with a
    code; otherwise the login form (``prompt=login`` forces it, ``prompt=none`` never shows
    it)."""
    now = service.utc_now()
    try:
        params = single_params(request.query_params.multi_items())
        client, auth = await service.start_authorization(session, params)
    except (MalformedParams, InvalidAuthorizeRequest, AuthorizeRedirectError) as exc:
        return _authorize_failure(exc, settings)
    current = await _current_sso(request, session, now)
    if current is not None and auth.prompt != "login":
        return await _code_redirect(session, auth, *current, settings, now)
    if auth.prompt == "none":
        return redirect(auth.redirect_uri, {"error": "login_required", "state": auth.state,
                                            "iss": settings.token_issuer})
    return pages.login_page(auth, client_name=client.name,
                            national_login=settings.national_login)


@router.post("/oauth2/authorize", response_class=HTMLResponse, openapi_extra=access("public"),
            responses=pages.PAGE_RESPONSES)
async def authorize_submit(request: Request, session: SessionDep, settings: SettingsDep,
                           runtime: RuntimeDep, box: SecretBoxDep) -> Response:
    """Access: public. The login form's steps: the password, then (when needed) the TOTP
    code; on success an SSO session cookie and a redirect to the app with a single-use code."""
    try:
        params = await form_params(request)
        client, auth = await service.start_authorization(session, params)
    except (MalformedParams, InvalidAuthorizeRequest, AuthorizeRedirectError) as exc:
        return _authorize_failure(exc, settings)
    ctx = signin.SignInContext(settings=settings, box=box, outbox=runtime.outbox,
                               origin=Origin.of(request), now=service.utc_now())
    username = params.get("username", "").strip()[:64]
    if params.get("login_challenge"):
        step = await signin.code_step(session, ctx, handle=params["login_challenge"],
                                      code=params.get("otp", ""))
    elif username:
        step = await signin.password_step(session, ctx, username=username,
                                          password=params.get("password", "")[:256])
    else:
        step = signin.Refused(signin.WRONG_CREDENTIALS)
    return await _render_step(session, step, auth, client, ctx, username)


async def _render_step(session: AsyncSession, step: signin.Step, auth: AuthorizationRequest,
                       client: Client, ctx: signin.SignInContext, username: str) -> Response:
    if isinstance(step, signin.Refused):
        log.info("login_refused", client_id=client.client_id)  # never the username: personal
        return pages.login_page(auth, client_name=client.name,
                                username="" if step.restart else username, error=step.message,
                                national_login=ctx.settings.national_login)
    if isinstance(step, signin.NeedsCode):
        if step.purpose == "enroll" and step.secret:
            uri = provisioning_uri(step.secret, account_name=step.account.username)
            return pages.enroll_page(auth, handle=step.handle, secret=step.secret, uri=uri,
                                     error=step.error)
        return pages.otp_page(auth, handle=step.handle, error=step.error)
    handle = await signin.complete(session, ctx, step)
    sso = await oidc_repository.live_sso_session(session, signin.digest(handle), now=ctx.now)
    assert sso is not None
    log.info("login_succeeded", account_id=step.account.id, client_id=client.client_id)
    response = await _code_redirect(session, auth, sso, signin.digest(handle), ctx.settings,
                                    ctx.now)
    response.set_cookie(SSO_COOKIE, handle, max_age=ctx.settings.sso_session_ttl_seconds,
                        httponly=True, samesite="lax", path="/",
                        secure=ctx.settings.token_issuer.startswith("https://"))
    return response


@router.get("/oauth2/logout", response_class=HTMLResponse, openapi_extra=access("public"),
            responses=pages.PAGE_RESPONSES)
async def logout(request: Request, session: SessionDep, settings: SettingsDep,
                 keyring: KeyRingDep) -> Response:
    """Access: public (OIDC RP-Initiated Logout 1.0). Ends the browser's single sign-on
    session and revokes the refresh tokens issued under it; back to the app when
    ``post_logout_redirect_uri`` is registered for it, else a confirmation page."""
    try:
        params = single_params(request.query_params.multi_items())
    except MalformedParams:
        return pages.error_page("Yêu cầu đăng xuất không hợp lệ.")
    return await _logout(request, session, params, settings, keyring)


@router.post("/oauth2/logout", response_class=HTMLResponse, openapi_extra=access("public"),
            responses=pages.PAGE_RESPONSES)
async def logout_form(request: Request, session: SessionDep, settings: SettingsDep,
                      keyring: KeyRingDep) -> Response:
    """Access: public. The same logout, with its parameters in a form body."""
    try:
        params = await form_params(request)
    except MalformedParams:
        return pages.error_page("Yêu cầu đăng xuất không hợp lệ.")
    return await _logout(request, session, params, settings, keyring)


async def _logout(request: Request, session: AsyncSession, params: dict[str, str],
                  settings: IdentitySettings, keyring: KeyRing) -> Response:
    response = await end_session(session, params, handle=request.cookies.get(SSO_COOKIE),
                                 origin=Origin.of(request), keyring=keyring, settings=settings)
    response.delete_cookie(SSO_COOKIE, path="/")
    return response


@router.get("/oauth2/userinfo", response_model=UserInfo, openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized))
async def userinfo(principal: PrincipalDep, session: SessionDep) -> UserInfo:
    """Access: authenticated (a person's access token). OIDC UserInfo."""
    return await service.userinfo(session, principal)

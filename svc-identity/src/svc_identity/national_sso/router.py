"""Sign-in with the national identity, from the login page: ``/oauth2/national/start`` sends
the browser to the national provider with a fresh ``state``, ``nonce`` and PKCE verifier (kept
in a sealed, short-lived cookie of this browser, together with the original authorization
request); ``/oauth2/national/callback`` takes the provider's code back, verifies the ID token,
maps the person to a local citizen account at level 2 and completes the original request as a
password sign-in would: an SSO session, then the app's code.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import RuntimeDep, SessionDep
from svc_identity.access import access
from svc_identity.audit import service as audit
from svc_identity.audit.service import Origin
from svc_identity.deps import SecretBoxDep, SettingsDep
from svc_identity.models import Account, Client
from svc_identity.national_sso import service as national
from svc_identity.national_sso.client import NationalIdProvider, NationalLoginFailed
from svc_identity.oidc import pages, signin
from svc_identity.oidc import repository as oidc_repository
from svc_identity.oidc import service as oidc
from svc_identity.oidc.errors import AuthorizeRedirectError, InvalidAuthorizeRequest
from svc_identity.oidc.router import NO_STORE, SSO_COOKIE, redirect
from svc_identity.oidc.validation import AuthorizationRequest, MalformedParams, s256, single_params
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.national_sso")
router = APIRouter(tags=["oidc"])

PENDING_COOKIE = "egov_national_login"
PENDING_PATH = "/oauth2/national"
PENDING_TTL_SECONDS = 600
UNAVAILABLE = ("Chưa kết nối được hệ thống định danh điện tử quốc gia. Vui lòng thử lại sau "
               "hoặc đăng nhập bằng mật khẩu.")
REFUSED = "Không xác thực được tài khoản định danh điện tử. Vui lòng đăng nhập lại."
EXPIRED = "Phiên đăng nhập đã hết hạn. Vui lòng quay lại ứng dụng và đăng nhập lại."


async def _authorization(session: AsyncSession, params: dict[str, str]
                         ) -> tuple[Client, AuthorizationRequest] | None:
    try:
        return await oidc.start_authorization(session, params)
    except (InvalidAuthorizeRequest, AuthorizeRedirectError):
        return None


@router.get("/oauth2/national/start", response_class=HTMLResponse,
            openapi_extra=access("public"), responses=pages.PAGE_RESPONSES)
async def national_start(request: Request, session: SessionDep, settings: SettingsDep,
                         box: SecretBoxDep) -> Response:
    """Access: public. From the login page to the national identity provider, carrying the
    app's authorization request (checked again here) in a sealed cookie."""
    try:
        params = single_params(request.query_params.multi_items())
    except MalformedParams:
        return pages.error_page("Yêu cầu đăng nhập không hợp lệ.")
    started = await _authorization(session, params)
    if started is None or not settings.national_login:
        return pages.error_page("Yêu cầu đăng nhập không hợp lệ.")
    provider = NationalIdProvider(settings)
    try:
        discovered = await provider.discovery()
    except NationalLoginFailed as exc:
        log.warning("national_provider_unavailable", reason=str(exc))
        return pages.error_page(UNAVAILABLE, status=503)
    state, nonce, verifier = (secrets.token_urlsafe(n) for n in (24, 24, 48))
    pending = {"state": state, "nonce": nonce, "verifier": verifier,
               "params": started[1].hidden_fields(),
               "expires": time.time() + PENDING_TTL_SECONDS}
    target = provider.authorization_url(discovered, state=state, nonce=nonce,
                                        code_challenge=s256(verifier))
    response = RedirectResponse(target, status_code=302, headers=NO_STORE)
    response.set_cookie(PENDING_COOKIE, box.seal(json.dumps(pending), aad=PENDING_COOKIE),
                        max_age=PENDING_TTL_SECONDS, httponly=True, samesite="lax",
                        path=PENDING_PATH, secure=settings.token_issuer.startswith("https://"))
    return response


def _pending(request: Request, box: SecretBox, state: str) -> dict[str, Any] | None:
    """This browser's login in progress, if its state matches and it has not expired."""
    sealed = request.cookies.get(PENDING_COOKIE)
    if not sealed or len(sealed) > 8192:
        return None
    try:
        pending: dict[str, Any] = json.loads(box.open(sealed, aad=PENDING_COOKIE))
    except ValueError:
        return None
    if pending["expires"] < time.time() or not hmac.compare_digest(
            state.encode(), str(pending["state"]).encode()):
        return None
    return pending


def _finished(response: Response) -> Response:
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


@router.get("/oauth2/national/callback", response_class=HTMLResponse,
            openapi_extra=access("public"), responses=pages.PAGE_RESPONSES)
async def national_callback(request: Request, session: SessionDep, settings: SettingsDep,
                            runtime: RuntimeDep, box: SecretBoxDep) -> Response:
    """Access: public. The national provider's redirect back: the ID token is verified, the
    person becomes (or is linked to) a local citizen account at level 2, and the app's
    authorization request completes with its code."""
    try:
        params = single_params(request.query_params.multi_items())
    except MalformedParams:
        return pages.error_page(EXPIRED)
    # A callback that is not this browser's login (another state) leaves the login in
    # progress alone: a forged link must not be able to cancel it.
    pending = _pending(request, box, params.get("state", ""))
    if pending is None:
        return pages.error_page(EXPIRED)
    started = await _authorization(session, pending["params"])
    if started is None:
        return _finished(pages.error_page(EXPIRED))
    client, auth = started
    if not params.get("code"):  # cancelled or refused at the national site: the form again
        return _finished(pages.login_page(auth, client_name=client.name, error=REFUSED,
                                          national_login=settings.national_login))
    ctx = national.LinkContext(outbox=runtime.outbox, origin=Origin.of(request),
                               now=oidc.utc_now())
    try:
        account = await _national_account(session, ctx, settings, params["code"], pending)
    except NationalLoginFailed as exc:
        log.warning("national_login_refused", reason=str(exc), client_id=client.client_id)
        await audit.record(session, action="login", outcome="failure", origin=ctx.origin,
                           details={"reason": "national_id_refused", "via": national.METHOD})
        return _finished(pages.error_page(REFUSED))
    return _finished(await _signed_in(session, ctx, settings, box, account, auth))


async def _national_account(session: AsyncSession, ctx: national.LinkContext,
                            settings: IdentitySettings, code: str,
                            pending: dict[str, Any]) -> Account:
    provider = NationalIdProvider(settings)
    discovered = await provider.discovery()
    id_token = await provider.exchange(discovered, code=code, verifier=pending["verifier"])
    person = await provider.verify(discovered, id_token, nonce=pending["nonce"])
    return await national.local_account(session, ctx, person)


async def _signed_in(session: AsyncSession, ctx: national.LinkContext, settings: IdentitySettings,
                     box: SecretBox, account: Account, auth: AuthorizationRequest) -> Response:
    sign_ctx = signin.SignInContext(settings=settings, box=box, outbox=ctx.outbox,
                                    origin=ctx.origin, now=ctx.now)
    handle = await signin.complete(session, sign_ctx,
                                   signin.Completed(account, [national.METHOD]))
    sso_hash = signin.digest(handle)
    sso = await oidc_repository.live_sso_session(session, sso_hash, now=ctx.now)
    assert sso is not None
    code = await oidc.issue_code(session, auth, account_id=account.id, sso=sso,
                                 sso_hash=sso_hash, ttl_seconds=settings.auth_code_ttl_seconds,
                                 now=ctx.now)
    log.info("national_login_succeeded", account_id=account.id, client_id=auth.client_id)
    response = redirect(auth.redirect_uri, {"code": code, "state": auth.state,
                                            "iss": settings.token_issuer})
    response.set_cookie(SSO_COOKIE, handle, max_age=settings.sso_session_ttl_seconds,
                        httponly=True, samesite="lax", path="/",
                        secure=settings.token_issuer.startswith("https://"))
    return response

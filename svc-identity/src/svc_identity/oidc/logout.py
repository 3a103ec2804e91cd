"""RP-initiated logout: end the browser's SSO session, revoke what was issued under it, and
send the person back to the app only to a registered address."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
from fastapi import Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.audit import service as audit
from svc_identity.audit.service import Origin
from svc_identity.oidc import pages, repository
from svc_identity.oidc.keys import ALGORITHM, KeyRing
from svc_identity.oidc.signin import digest
from svc_identity.oidc.validation import redirect_uri_allowed
from svc_identity.settings import IdentitySettings


async def end_session(session: AsyncSession, params: dict[str, str], *, handle: str | None,
                      origin: Origin, keyring: KeyRing, settings: IdentitySettings) -> Response:
    now = datetime.now(UTC)
    if handle and len(handle) <= 128:
        await _end(session, digest(handle), origin=origin, now=now)
    client_id = params.get("client_id") or await _hinted_client(
        params.get("id_token_hint"), keyring, settings)
    target = params.get("post_logout_redirect_uri")
    client = (await repository.get_client(session, client_id)
              if client_id and len(client_id) <= 64 else None)
    if target and client is not None and redirect_uri_allowed(
            target, client.post_logout_redirect_uris or []):
        parts = urlsplit(target)
        state = urlencode({"state": params["state"]}) if params.get("state") else ""
        query = "&".join(q for q in (parts.query, state) if q)
        return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302,
                                headers={"Cache-Control": "no-store"})
    return pages.logged_out_page()


async def _end(session: AsyncSession, sso_hash: str, *, origin: Origin, now: datetime) -> None:
    sso = await repository.live_sso_session(session, sso_hash, now=now)
    if sso is None:
        return
    await repository.end_sso_session(session, sso_hash, now=now)
    await repository.revoke_session_tokens(session, sso_hash, now=now)
    await audit.record(session, action="logout", origin=origin, target_type="account",
                       target_id=sso.account_id, actor=audit.Actor(sso.account_id, None))


async def _hinted_client(hint: str | None, keyring: KeyRing,
                         settings: IdentitySettings) -> str | None:
    """The client an ID token we issued was for; an expired one still says who it was."""
    if not hint or len(hint) > 8192:
        return None
    try:
        kid = jwt.get_unverified_header(hint).get("kid")
        jwk = next((k for k in (await keyring.jwks())["keys"] if k["kid"] == kid), None)
        if jwk is None:
            return None
        claims = jwt.decode(hint, jwt.PyJWK(jwk).key, algorithms=[ALGORITHM],
                            issuer=settings.token_issuer,
                            options={"verify_exp": False, "verify_aud": False})
    except jwt.PyJWTError:
        return None
    audience = claims.get("aud")
    return audience if isinstance(audience, str) and claims.get("token_use") == "id" else None

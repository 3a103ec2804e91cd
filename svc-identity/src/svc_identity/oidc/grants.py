"""The token endpoint's grants: authorization code (with PKCE), refresh token (rotation with
reuse detection) and client credentials; plus revocation (RFC 7009) and introspection
(RFC 7662). Errors are raised as ``OAuthError`` and answered by the router, whose unit of work
still commits: a spent code or a revoked family stays so.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.accounts import repository as accounts
from svc_identity.audit import service as audit
from svc_identity.audit.service import Origin
from svc_identity.models import Client, RefreshToken
from svc_identity.oidc import repository, tokens, validation
from svc_identity.oidc.errors import OAuthError
from svc_identity.oidc.keys import ALGORITHM, KeyRing
from svc_identity.oidc.schemas import TokenResponse
from svc_identity.oidc.signin import digest
from svc_identity.settings import IdentitySettings


def _require(params: dict[str, str], *names: str) -> None:
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise OAuthError("invalid_request", f"Missing parameter: {', '.join(missing)}.")


def _allowed(client: Client, grant_type: str) -> None:
    if grant_type not in (client.grant_types or []):
        raise OAuthError("unauthorized_client", f"This client may not use {grant_type}.")


async def _redeem(session: AsyncSession, params: dict[str, str], client: Client,
                  now: datetime) -> tokens.Grant:
    """The grant behind a code. The code is spent by the first attempt, even a failed one."""
    code = await repository.claim_code(session, digest(params["code"]), now=now)
    invalid = OAuthError("invalid_grant", "The code is invalid, expired or already used.")
    if code is None or code.client_id != client.client_id:
        raise invalid
    if code.redirect_uri != params["redirect_uri"]:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request.")
    if code.code_challenge and not validation.pkce_matches(
        params.get("code_verifier"), code_challenge=code.code_challenge
    ):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge.")
    account = await accounts.get_account(session, code.account_id)
    if account is None or not account.active:
        raise invalid
    return tokens.Grant(account=account, client_id=client.client_id, scope=code.scope,
                        auth_time=code.auth_time, nonce=code.nonce,
                        amr=tuple(code.amr or ["pwd"]), sso_session_hash=code.sso_session_hash)


async def exchange_code(session: AsyncSession, params: dict[str, str], client: Client, *,
                        keyring: KeyRing, settings: IdentitySettings,
                        now: datetime) -> TokenResponse:
    """``grant_type=authorization_code`` (RFC 6749 §4.1.3 with RFC 7636 PKCE)."""
    _allowed(client, "authorization_code")
    _require(params, "code", "redirect_uri")
    grant = await _redeem(session, params, client, now)
    refresh = None
    if "refresh_token" in (client.grant_types or []):
        refresh = await _new_refresh_token(session, grant, family_id=str(uuid.uuid4()),
                                           family_expires_at=None, settings=settings, now=now)
    return await issue_tokens(grant, keyring=keyring, settings=settings, now=now,
                              refresh_token=refresh)


async def _new_refresh_token(session: AsyncSession, grant: tokens.Grant, *, family_id: str,
                             family_expires_at: datetime | None, settings: IdentitySettings,
                             now: datetime) -> str:
    value = secrets.token_urlsafe(32)
    family_end = family_expires_at or now + timedelta(seconds=settings.refresh_family_ttl_seconds)
    expires = min(now + timedelta(seconds=settings.refresh_token_ttl_seconds), family_end)
    await repository.add_row(session, RefreshToken(
        token_hash=digest(value), family_id=family_id, client_id=grant.client_id,
        account_id=grant.account.id, scope=grant.scope, sso_session_hash=grant.sso_session_hash,
        auth_time=grant.auth_time, amr=list(grant.amr), issued_at=now, expires_at=expires,
        family_expires_at=family_end))
    return value


async def refresh(session: AsyncSession, params: dict[str, str], client: Client, *,
                  keyring: KeyRing, settings: IdentitySettings, origin: Origin,
                  now: datetime) -> TokenResponse:
    """``grant_type=refresh_token`` (RFC 6749 §6) with rotation: the presented token is spent
    and a new one of the same family issued. A spent token presented again means two parties
    hold it: the whole family is revoked (OAuth 2.0 Security BCP §4.14.2)."""
    _allowed(client, "refresh_token")
    _require(params, "refresh_token")
    invalid = OAuthError("invalid_grant", "The refresh token is invalid, expired or revoked.")
    row = await repository.get_refresh_token(session, digest(params["refresh_token"]))
    if row is None or row.client_id != client.client_id:
        raise invalid
    if row.used_at is not None or row.revoked_at is not None or not (
            await repository.spend_refresh_token(session, row.token_hash, now=now)):
        await _reuse_detected(session, row, origin=origin, now=now)
        raise invalid
    account = await accounts.get_account(session, row.account_id)
    if row.expires_at <= now or account is None or not account.active:
        raise invalid
    scope = _narrowed_scope(row.scope, params.get("scope"))
    grant = tokens.Grant(account=account, client_id=client.client_id, scope=scope,
                         auth_time=row.auth_time, amr=tuple(row.amr or ["pwd"]),
                         sso_session_hash=row.sso_session_hash)
    value = await _new_refresh_token(session, grant, family_id=row.family_id,
                                     family_expires_at=row.family_expires_at,
                                     settings=settings, now=now)
    return await issue_tokens(grant, keyring=keyring, settings=settings, now=now,
                              refresh_token=value)


async def _reuse_detected(session: AsyncSession, row: RefreshToken, *, origin: Origin,
                          now: datetime) -> None:
    if row.used_at is not None and row.revoked_at is None:
        await audit.record(session, action="token.refresh_reuse", outcome="denied",
                           origin=origin, target_type="account", target_id=row.account_id,
                           details={"client_id": row.client_id, "family_id": row.family_id})
    await repository.revoke_family(session, row.family_id, now=now)


def _narrowed_scope(granted: str, asked: str | None) -> str:
    if not asked:
        return granted
    names = asked.split()
    if not set(names) <= set(granted.split()):
        raise OAuthError("invalid_scope", "A refresh may only narrow the granted scope.")
    return " ".join(dict.fromkeys(names))


async def client_credentials(params: dict[str, str], client: Client, *, keyring: KeyRing,
                             settings: IdentitySettings, now: datetime) -> TokenResponse:
    """``grant_type=client_credentials`` for partner systems: a token for the client itself,
    with scopes among those registered for it (all of them when none is asked)."""
    if client.auth_method == "none":
        raise OAuthError("unauthorized_client", "Public clients cannot use client_credentials.")
    _allowed(client, "client_credentials")
    allowed = list(client.scopes or [])
    asked = (params.get("scope") or " ".join(allowed)).split()
    if not asked or not set(asked) <= set(allowed):
        raise OAuthError("invalid_scope", f"Scopes allowed for this client: {' '.join(allowed)}.")
    scope = " ".join(dict.fromkeys(asked))
    key = await keyring.signer()
    claims = tokens.client_token_claims(
        client_id=client.client_id, agency_id=client.agency_id, scope=scope,
        issuer=settings.token_issuer, audience=settings.token_audience, now=now,
        ttl_seconds=settings.client_token_ttl_seconds)
    return TokenResponse(access_token=tokens.sign(claims, key, typ="at+jwt"),
                         expires_in=settings.client_token_ttl_seconds, scope=scope)


async def issue_tokens(grant: tokens.Grant, *, keyring: KeyRing, settings: IdentitySettings,
                       now: datetime, refresh_token: str | None = None) -> TokenResponse:
    key = await keyring.signer()
    access_token = tokens.sign(tokens.access_token_claims(
        grant, issuer=settings.token_issuer, audience=settings.token_audience, now=now,
        ttl_seconds=settings.access_token_ttl_seconds), key, typ="at+jwt")
    id_token = None
    if "openid" in grant.scope.split():
        id_token = tokens.sign(tokens.id_token_claims(
            grant, issuer=settings.token_issuer, now=now,
            ttl_seconds=settings.id_token_ttl_seconds, access_token=access_token), key)
    return TokenResponse(access_token=access_token, expires_in=settings.access_token_ttl_seconds,
                         id_token=id_token, scope=grant.scope, refresh_token=refresh_token)


async def verified_access_claims(token: str, keyring: KeyRing,
                                 settings: IdentitySettings) -> dict[str, Any] | None:
    """The claims of an access token this provider signed and that has not expired."""
    if len(token) > 8192:
        return None
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        jwk = next((k for k in (await keyring.jwks())["keys"] if k["kid"] == kid), None)
        if jwk is None:
            return None
        claims: dict[str, Any] = jwt.decode(
            token, jwt.PyJWK(jwk).key, algorithms=[ALGORITHM],
            audience=settings.token_audience, issuer=settings.token_issuer)
    except jwt.PyJWTError:
        return None
    return claims if claims.get("token_use") == "access" else None


async def revoke(session: AsyncSession, params: dict[str, str], client: Client, *,
                 keyring: KeyRing, settings: IdentitySettings, now: datetime) -> None:
    """RFC 7009: a refresh token revokes its family; an access token is listed as revoked
    until it expires. Unknown tokens and other clients' tokens are ignored (answer 200)."""
    _require(params, "token")
    token = params["token"]
    row = await repository.get_refresh_token(session, digest(token))
    if row is not None:
        if row.client_id == client.client_id:
            await repository.revoke_family(session, row.family_id, now=now)
        return
    claims = await verified_access_claims(token, keyring, settings)
    if claims is not None and claims.get("client_id") == client.client_id:
        await repository.revoke_access_token(
            session, str(claims["jti"]), expires_at=datetime.fromtimestamp(claims["exp"], UTC))


async def introspect(session: AsyncSession, params: dict[str, str], *, keyring: KeyRing,
                     settings: IdentitySettings, now: datetime) -> dict[str, Any]:
    """RFC 7662 for confidential clients (resource servers, partner systems)."""
    _require(params, "token")
    token = params["token"]
    row = await repository.get_refresh_token(session, digest(token))
    if row is not None:
        return await _refresh_token_info(session, row, now)
    claims = await verified_access_claims(token, keyring, settings)
    if claims is None or await repository.is_access_token_revoked(session, str(claims["jti"])):
        return {"active": False}
    if claims.get("kind") != "client":
        account = await accounts.get_account(session, str(claims["sub"]))
        if account is None or not account.active:
            return {"active": False}
    keep = ("scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "acr", "kind",
            "agency_id", "roles", "amr", "auth_time")
    info = {name: claims[name] for name in keep if name in claims}
    return {"active": True, "token_type": "Bearer",
            "username": claims.get("preferred_username"), **info}


async def _refresh_token_info(session: AsyncSession, row: RefreshToken,
                              now: datetime) -> dict[str, Any]:
    account = await accounts.get_account(session, row.account_id)
    if (row.used_at is not None or row.revoked_at is not None or row.expires_at <= now
            or account is None or not account.active):
        return {"active": False}
    return {"active": True, "token_type": "refresh_token", "scope": row.scope,
            "client_id": row.client_id, "sub": row.account_id, "username": account.username,
            "exp": int(row.expires_at.timestamp()), "iat": int(row.issued_at.timestamp())}

"""OIDC use cases: trust the client, issue a code, exchange it for tokens, answer userinfo."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Unauthorized
from svc_identity.accounts import repository as accounts
from svc_identity.models import Account, AuthorizationCode, Client
from svc_identity.oidc import repository, tokens, validation
from svc_identity.oidc.errors import InvalidAuthorizeRequest, OAuthError
from svc_identity.oidc.keys import KeyRing
from svc_identity.oidc.schemas import Discovery, TokenResponse, UserInfo
from svc_identity.settings import IdentitySettings


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def trusted_client(session: AsyncSession, params: dict[str, str]) -> Client:
    """The client, once it is known and the redirect URI is registered for it."""
    client_id, redirect_uri = validation.require_client_params(params)
    client = await repository.get_client(session, client_id) if len(client_id) <= 64 else None
    if client is None:
        raise InvalidAuthorizeRequest("Ứng dụng yêu cầu đăng nhập không được đăng ký.")
    if not validation.redirect_uri_allowed(redirect_uri, client.redirect_uris):
        raise InvalidAuthorizeRequest("Địa chỉ chuyển hướng không được đăng ký cho ứng dụng này.")
    return client


async def start_authorization(
    session: AsyncSession, params: dict[str, str]
) -> tuple[Client, validation.AuthorizationRequest]:
    client = await trusted_client(session, params)
    request = validation.authorization_request(
        params, redirect_uri=params["redirect_uri"], public_client=client.public
    )
    return client, request


async def issue_code(
    session: AsyncSession, request: validation.AuthorizationRequest, account: Account, *,
    ttl_seconds: int, now: datetime,
) -> str:
    """A fresh single-use code; only its hash is stored."""
    code = secrets.token_urlsafe(32)
    await repository.add_code(session, AuthorizationCode(
        code_hash=hash_code(code), client_id=request.client_id, account_id=account.id,
        redirect_uri=request.redirect_uri, scope=request.scope, nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        auth_time=now, expires_at=now + timedelta(seconds=ttl_seconds), used_at=None,
    ))
    return code


async def _token_client(session: AsyncSession, client_id: str) -> Client:
    client = await repository.get_client(session, client_id) if len(client_id) <= 64 else None
    if client is None or not client.public:
        # Only public clients (PKCE) exist so far; client authentication comes with
        # client_credentials.
        raise OAuthError("invalid_client", "Unknown client.", status=401)
    return client


def _require(params: dict[str, str], *names: str) -> None:
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise OAuthError("invalid_request", f"Missing parameter: {', '.join(missing)}.")


async def _redeem(session: AsyncSession, params: dict[str, str], client: Client,
                  now: datetime) -> tokens.Grant:
    """The grant behind a code. The code is spent by the first attempt, even a failed one."""
    code = await repository.claim_code(session, hash_code(params["code"]), now=now)
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
                        auth_time=code.auth_time, nonce=code.nonce)


async def exchange_code(
    session: AsyncSession, params: dict[str, str], *, keyring: KeyRing,
    settings: IdentitySettings, now: datetime,
) -> TokenResponse:
    """``grant_type=authorization_code`` (RFC 6749 §4.1.3 with RFC 7636 PKCE)."""
    _require(params, "grant_type")
    if params["grant_type"] != "authorization_code":
        raise OAuthError("unsupported_grant_type", "Only authorization_code is supported.")
    _require(params, "code", "redirect_uri", "client_id")
    client = await _token_client(session, params["client_id"])
    grant = await _redeem(session, params, client, now)
    return await issue_tokens(grant, keyring=keyring, settings=settings, now=now)


async def issue_tokens(grant: tokens.Grant, *, keyring: KeyRing, settings: IdentitySettings,
                       now: datetime) -> TokenResponse:
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
                         id_token=id_token, scope=grant.scope)


async def userinfo(session: AsyncSession, principal: Principal) -> UserInfo:
    account = await accounts.get_account(session, principal.subject)
    if account is None or not account.active:
        raise Unauthorized("The token's account no longer exists.", code="invalid_token")
    return UserInfo(
        sub=account.id, name=account.full_name, preferred_username=account.username,
        kind=account.kind, id_number=account.id_number, agency_id=account.agency_id,
        roles=account.role_names, acr=str(account.assurance_level),
        email=account.email if "email" in principal.scopes else None,
        phone_number=account.phone if "phone" in principal.scopes else None,
    )


def discovery(issuer: str) -> Discovery:
    base = issuer.rstrip("/")
    return Discovery(
        issuer=issuer, authorization_endpoint=f"{base}/oauth2/authorize",
        token_endpoint=f"{base}/oauth2/token", userinfo_endpoint=f"{base}/oauth2/userinfo",
        jwks_uri=f"{base}/.well-known/jwks.json", response_types_supported=["code"],
        grant_types_supported=["authorization_code"], subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["ES256"],
        token_endpoint_auth_methods_supported=["none"],
        code_challenge_methods_supported=["S256"],
        scopes_supported=list(validation.SUPPORTED_SCOPES),
        claims_supported=["sub", "name", "preferred_username", "kind", "id_number",
                          "agency_id", "roles", "acr", "email", "phone_number"],
        authorization_response_iss_parameter_supported=True,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


PORTAL_REDIRECT_BASES = ("http://127.0.0.1:8000/", "http://localhost:8000/")


async def ensure_portal_client(session: AsyncSession, settings: IdentitySettings) -> None:
    """The web portal's public client, on every start (demo or not): the portal cannot sign
    anyone in without it. Paths under the public issuer are allowed too."""
    bases = dict.fromkeys([*PORTAL_REDIRECT_BASES, settings.token_issuer.rstrip("/") + "/"])
    await repository.upsert_client(session, Client(
        client_id=settings.portal_client_id, name="Cổng dịch vụ công trực tuyến",
        public=True, redirect_uris=list(bases), created_at=utc_now(),
    ))

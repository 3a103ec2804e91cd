"""OIDC use cases: trust the client, issue a code, exchange it for tokens, answer userinfo."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Unauthorized
from svc_identity.accounts import repository as accounts
from svc_identity.models import AuthorizationCode, Client, SsoSession
from svc_identity.oidc import repository, validation
from svc_identity.oidc.clients import ASSERTION_ALGORITHMS, AUTH_METHODS
from svc_identity.oidc.errors import InvalidAuthorizeRequest
from svc_identity.oidc.schemas import Discovery, UserInfo
from svc_identity.settings import IdentitySettings


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def trusted_client(session: AsyncSession, params: dict[str, str]) -> Client:
    """The client, once it is known and the redirect URI is registered for it."""
    client_id, redirect_uri = validation.require_client_params(params)
    client = await repository.get_client(session, client_id) if len(client_id) <= 64 else None
    if client is None or not client.active or "authorization_code" not in (
            client.grant_types or []):
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
    session: AsyncSession, request: validation.AuthorizationRequest, *, account_id: str,
    sso: SsoSession, sso_hash: str, ttl_seconds: int, now: datetime,
) -> str:
    """A fresh single-use code for the person of an SSO session; only its hash is stored."""
    code = secrets.token_urlsafe(32)
    await repository.add_code(session, AuthorizationCode(
        code_hash=hash_code(code), client_id=request.client_id, account_id=account_id,
        redirect_uri=request.redirect_uri, scope=request.scope, nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        auth_time=sso.auth_time, expires_at=now + timedelta(seconds=ttl_seconds), used_at=None,
        amr=list(sso.amr), sso_session_hash=sso_hash,
    ))
    return code


async def userinfo(session: AsyncSession, principal: Principal) -> UserInfo:
    account = await accounts.get_account(session, principal.subject)
    if account is None or not account.active:
        raise Unauthorized("The token's account no longer exists.", code="invalid_token")
    return UserInfo(
        sub=account.id, name=account.full_name, preferred_username=account.username,
        kind=account.kind, id_number=account.id_number, agency_id=account.agency_id,
        roles=account.role_names, acr=str(account.assurance_level),
        birthdate=account.date_of_birth.isoformat() if account.date_of_birth else None,
        gender=account.sex,
        email=account.email if "email" in principal.scopes else None,
        phone_number=account.phone if "phone" in principal.scopes else None,
    )


def discovery(issuer: str) -> Discovery:
    base = issuer.rstrip("/")
    return Discovery(
        issuer=issuer, authorization_endpoint=f"{base}/oauth2/authorize",
        token_endpoint=f"{base}/oauth2/token", userinfo_endpoint=f"{base}/oauth2/userinfo",
        jwks_uri=f"{base}/.well-known/jwks.json", revocation_endpoint=f"{base}/oauth2/revoke",
        introspection_endpoint=f"{base}/oauth2/introspect",
        end_session_endpoint=f"{base}/oauth2/logout", response_types_supported=["code"],
        grant_types_supported=["authorization_code", "refresh_token", "client_credentials"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["ES256"],
        token_endpoint_auth_methods_supported=list(AUTH_METHODS),
        token_endpoint_auth_signing_alg_values_supported=ASSERTION_ALGORITHMS,
        revocation_endpoint_auth_methods_supported=list(AUTH_METHODS),
        introspection_endpoint_auth_methods_supported=[m for m in AUTH_METHODS if m != "none"],
        acr_values_supported=["1", "2"], prompt_values_supported=["none", "login"],
        code_challenge_methods_supported=["S256"],
        scopes_supported=list(validation.SUPPORTED_SCOPES),
        claims_supported=["sub", "name", "preferred_username", "kind", "id_number",
                          "agency_id", "roles", "acr", "amr", "auth_time", "birthdate",
                          "gender", "email", "phone_number"],
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
        public=True, redirect_uris=list(bases), created_at=utc_now(), auth_method="none",
        grant_types=["authorization_code", "refresh_token"], scopes=[],
        post_logout_redirect_uris=list(bases), active=True,
    ))

"""Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
OIDC Core §9): public clients name themselves (``none``); confidential ones prove who they are
with a secret (HTTP Basic or form) or a JWT signed with their own key (``private_key_jwt``,
RFC 7523), each assertion accepted once."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.accounts import passwords
from svc_identity.models import Client
from svc_identity.oidc import repository
from svc_identity.oidc.errors import OAuthError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["ES256", "RS256", "PS256", "EdDSA"]
MAX_ASSERTION_LIFETIME = timedelta(minutes=10)
AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post", "private_key_jwt")


def invalid_client(description: str = "Client authentication failed.") -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic`` as RFC 6749 §2.3.1 encodes it (form-urlencoded parts)."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_client("Malformed Basic credentials.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise invalid_client("Malformed Basic credentials.")
    return unquote(client_id), unquote(secret)


async def authenticate_client(
    session: AsyncSession, params: dict[str, str], *, authorization: str | None,
    endpoint_urls: tuple[str, ...], now: datetime,
) -> Client:
    """The client making this request, authenticated by the method it registered."""
    basic = basic_credentials(authorization)
    if basic is not None:
        return await _by_secret(session, *basic, method="client_secret_basic")
    if params.get("client_assertion_type") or params.get("client_assertion"):
        return await _by_assertion(session, params, endpoint_urls=endpoint_urls, now=now)
    if "client_secret" in params:
        return await _by_secret(session, params.get("client_id", ""), params["client_secret"],
                                method="client_secret_post")
    client = await _load(session, params.get("client_id", ""))
    if client.auth_method != "none":
        raise invalid_client("This client must authenticate.")
    return client


async def _load(session: AsyncSession, client_id: str) -> Client:
    client = (await repository.get_client(session, client_id)
              if client_id and len(client_id) <= 64 else None)
    if client is None or not client.active:
        raise invalid_client("Unknown client.")
    return client


async def _by_secret(session: AsyncSession, client_id: str, secret: str, *,
                     method: str) -> Client:
    client = await _load(session, client_id)
    if len(secret) > 256 or not await passwords.verify_password(client.secret_hash, secret):
        raise invalid_client()
    if client.auth_method not in {method, "client_secret_basic", "client_secret_post"}:
        raise invalid_client("This client authenticates another way.")
    return client


async def _by_assertion(session: AsyncSession, params: dict[str, str], *,
                        endpoint_urls: tuple[str, ...], now: datetime) -> Client:
    if params.get("client_assertion_type") != ASSERTION_TYPE or not params.get(
            "client_assertion"):
        raise invalid_client("Unsupported client assertion.")
    assertion = params["client_assertion"]
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as exc:
        raise invalid_client("Malformed client assertion.") from exc
    client = await _load(session, str(unverified.get("iss", "")))
    if client.auth_method != "private_key_jwt" or not client.jwks:
        raise invalid_client("This client does not use private_key_jwt.")
    if params.get("client_id") and params["client_id"] != client.client_id:
        raise invalid_client("client_id differs from the assertion's issuer.")
    claims = _verified_assertion(assertion, client, header, endpoint_urls)
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    if expires_at - now > MAX_ASSERTION_LIFETIME:
        raise invalid_client("The client assertion lives too long.")
    if not await repository.use_client_assertion(session, client.client_id, str(claims["jti"]),
                                                 expires_at=expires_at):
        raise invalid_client("The client assertion was already used.")
    return client


def _verified_assertion(assertion: str, client: Client, header: dict[str, Any],
                        endpoint_urls: tuple[str, ...]) -> dict[str, Any]:
    key = _client_key(client, header)
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion, key, algorithms=ASSERTION_ALGORITHMS, audience=list(endpoint_urls),
            issuer=client.client_id, options={"require": ["exp", "iss", "sub", "aud", "jti"]},
            leeway=30)
    except jwt.PyJWTError as exc:
        raise invalid_client("The client assertion is not valid.") from exc
    if claims["sub"] != client.client_id or len(str(claims["jti"])) > 255:
        raise invalid_client("The client assertion is not valid.")
    return claims


def _client_key(client: Client, header: dict[str, Any]) -> Any:
    keys = (client.jwks or {}).get("keys", [])
    kid = header.get("kid")
    for jwk in keys:
        if kid is None or jwk.get("kid") == kid:
            try:
                return jwt.PyJWK(jwk).key
            except jwt.PyJWTError:
                continue
    raise invalid_client("No registered key matches the client assertion.")



"""Claims of the access token and the ID token, and their ES256 signature.

The access-token claims are a contract: ``egov_shared.auth.Principal.from_claims`` reads them in
every service. The ID token is for the client only (``aud`` = client_id, ``token_use`` = id),
so a service never accepts one as an access token.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from svc_identity.models import Account
from svc_identity.oidc.keys import ALGORITHM, ActiveKey


@dataclass(frozen=True)
class Grant:
    """What was authorised: who, for which client, with which scope, when they signed in."""

    account: Account
    client_id: str
    scope: str
    auth_time: datetime
    nonce: str | None = None
    amr: tuple[str, ...] = ("pwd",)
    sso_session_hash: str | None = None


def access_token_claims(grant: Grant, *, issuer: str, audience: str, now: datetime,
                        ttl_seconds: int) -> dict[str, Any]:
    account, issued_at = grant.account, int(now.timestamp())
    return {
        "iss": issuer, "aud": audience, "sub": account.id, "client_id": grant.client_id,
        "kind": account.kind, "preferred_username": account.username,
        # The services print it (the applicant on forms, the officer in a dossier's history).
        "name": account.full_name,
        "roles": account.role_names, "agency_id": account.agency_id,
        "acr": str(account.assurance_level), "scope": grant.scope,
        "amr": list(grant.amr), "auth_time": int(grant.auth_time.timestamp()),
        "iat": issued_at, "exp": issued_at + ttl_seconds, "jti": uuid.uuid4().hex,
        "token_use": "access",
    }


def client_token_claims(*, client_id: str, agency_id: str | None, scope: str, issuer: str,
                        audience: str, now: datetime, ttl_seconds: int) -> dict[str, Any]:
    """A partner system's own token (client_credentials): no person, no roles, its scopes."""
    issued_at = int(now.timestamp())
    return {
        "iss": issuer, "aud": audience, "sub": client_id, "client_id": client_id,
        "kind": "client", "roles": [], "agency_id": agency_id, "scope": scope,
        "iat": issued_at, "exp": issued_at + ttl_seconds, "jti": uuid.uuid4().hex,
        "token_use": "access",
    }


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6: left half of the SHA-256 of the access token, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def id_token_claims(grant: Grant, *, issuer: str, now: datetime, ttl_seconds: int,
                    access_token: str) -> dict[str, Any]:
    account, issued_at = grant.account, int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": issuer, "aud": grant.client_id, "sub": account.id,
        "iat": issued_at, "exp": issued_at + ttl_seconds,
        "auth_time": int(grant.auth_time.timestamp()), "acr": str(account.assurance_level),
        "at_hash": at_hash(access_token), "token_use": "id", "amr": list(grant.amr),
        "name": account.full_name, "preferred_username": account.username,
    }
    if grant.nonce is not None:
        claims["nonce"] = grant.nonce
    return claims


def sign(claims: dict[str, Any], key: ActiveKey, *, typ: str = "JWT") -> str:
    """``typ`` tells token kinds apart (RFC 9068 names access tokens ``at+jwt``)."""
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM,
                      headers={"kid": key.kid, "typ": typ})

"""Access-token verification against svc-identity's JWKS, and the caller's principal.

Keys are cached and re-fetched when a token names an unknown ``kid`` (key rotation); verified
tokens are cached until they expire, because a signature check costs ~0.35 ms.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, Request

from egov_shared import http as shared_http
from egov_shared.errors import Forbidden, Unauthorized

ALGORITHMS = ["ES256", "RS256", "EdDSA"]
PrincipalKind = Literal["citizen", "business", "official", "client"]

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (citizen, business, official) or a partner system (client)."""

    subject: str
    kind: PrincipalKind
    username: str | None = None
    roles: frozenset[str] = frozenset()
    agency_id: str | None = None
    assurance_level: int = 1
    scopes: frozenset[str] = frozenset()
    expires_at: float = 0.0
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers_agency(self, agency_id: str) -> bool:
        """Roles are granted on an agency and cover its subtree (current-form IDs nest)."""
        if self.agency_id is None:
            return False
        return agency_id == self.agency_id or agency_id.startswith(self.agency_id + ".")

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        return cls(
            subject=str(claims["sub"]),
            kind=claims.get("kind", "client"),
            username=claims.get("preferred_username"),
            roles=frozenset(claims.get("roles", [])),
            agency_id=claims.get("agency_id"),
            assurance_level=int(claims.get("acr", 1) or 1),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            expires_at=float(claims["exp"]),
            claims=claims,
        )


def http_jwks_fetcher(url: str, *, timeout: float = 3.0) -> JwksFetcher:
    async def fetch() -> dict[str, Any]:
        async with shared_http.client(timeout=timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data

    return fetch


class TokenVerifier:
    def __init__(
        self,
        fetch_jwks: JwksFetcher,
        *,
        issuer: str,
        audience: str,
        refresh_interval: float = 1.0,
        cache_size: int = 10_000,
    ) -> None:
        self._fetch_jwks = fetch_jwks
        self.issuer = issuer
        self.audience = audience
        self._refresh_interval = refresh_interval
        self._keys: dict[str, Any] = {}
        self._last_refresh = 0.0
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached.expires_at > time.time():
            return cached
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is malformed.", code="invalid_token") from exc
        key = await self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired.", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is not valid.", code="invalid_token") from exc
        if claims.get("token_use", "access") != "access":
            raise Unauthorized("Not an access token.", code="invalid_token")
        principal = Principal.from_claims(claims)
        self._remember(token, principal)
        return principal

    def _remember(self, token: str, principal: Principal) -> None:
        self._verified[token] = principal
        while len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)

    async def _key(self, kid: str) -> Any:
        """The key named ``kid``. An unknown kid refetches the JWKS (a rotation), at most once
        per ``refresh_interval``: a token arriving sooner waits for the next allowed fetch
        instead of being refused, and every request waiting meanwhile shares that one fetch,
        so a flood of forged kids costs identity one fetch per interval."""
        if kid in self._keys:
            return self._keys[kid]
        asked_at = time.monotonic()
        async with self._lock:
            if kid not in self._keys and self._last_refresh < asked_at:
                wait = self._last_refresh + self._refresh_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._refresh()
        if kid not in self._keys:
            raise Unauthorized("The token was signed with an unknown key.", code="invalid_token")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            jwks = await self._fetch_jwks()
        except Exception as exc:
            raise Unauthorized(
                "The signing keys cannot be fetched right now.", code="keys_unavailable"
            ) from exc
        self._last_refresh = time.monotonic()
        keys = {}
        for jwk in jwks.get("keys", []):
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk).key
            except (KeyError, jwt.PyJWTError):
                continue
        self._keys = keys


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def optional_principal(request: Request) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.runtime.verifier
    return await verifier.verify(token)


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("Sign in first: a Bearer access token is required.")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: an official holding one of ``roles`` (or a platform administrator)."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.has_role(*roles, "admin"):
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return principal

    return check


def require_kind(*kinds: PrincipalKind) -> Callable[..., Awaitable[Principal]]:
    async def check(principal: PrincipalDep) -> Principal:
        if principal.kind not in kinds:
            raise Forbidden(f"Only {', '.join(kinds)} accounts may do this.")
        return principal

    return check


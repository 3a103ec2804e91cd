"""svc-identity as a relying party of the national identity provider (OIDC authorization code
with PKCE S256), over httpx and PyJWT, the libraries the service already runs on.

The ID token is trusted only when its signature verifies with a key of the provider's JWKS
(ES256 or RS256, never ``none`` or a shared secret), its ``iss`` is the configured issuer, its
``aud`` our client id, it has not expired, its ``nonce`` is the one this browser's login sent,
and its level of assurance (``loAs``) is 2. Anything else is :class:`NationalLoginFailed`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from egov_shared import http as shared_http
from egov_shared.errors import ValidationFailed
from svc_identity.accounts import validation
from svc_identity.settings import IdentitySettings

ALGORITHMS = ["ES256", "RS256"]
LEEWAY_SECONDS = 30
SCOPE = "openid"


class NationalLoginFailed(Exception):
    """The national sign-in cannot be trusted or did not complete; ``str()`` is for the log."""


@dataclass(frozen=True)
class NationalPerson:
    """Who the national provider vouches for, at level of assurance 2."""

    id_number: str
    full_name: str
    date_of_birth: date
    sex: str
    tech_id: str


def client_secret(settings: IdentitySettings) -> str | None:
    if settings.national_client_secret is not None:
        return settings.national_client_secret.get_secret_value()
    return settings.demo_password if settings.demo else None


def callback_url(settings: IdentitySettings) -> str:
    return settings.token_issuer.rstrip("/") + "/oauth2/national/callback"


class NationalIdProvider:
    """One login's conversation with the provider (discovery, token, JWKS)."""

    def __init__(self, settings: IdentitySettings,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.issuer = settings.national_issuer.rstrip("/")
        self.transport = transport

    async def _get_json(self, http: httpx.AsyncClient, url: str) -> dict[str, Any]:
        answer = await http.get(url)
        answer.raise_for_status()
        body = answer.json()
        if not isinstance(body, dict):
            raise NationalLoginFailed(f"{url} did not answer a JSON object")
        return body

    def _http(self) -> httpx.AsyncClient:
        return shared_http.client(timeout=self.settings.national_timeout_seconds,
                                 transport=self.transport)

    async def discovery(self) -> dict[str, Any]:
        try:
            async with self._http() as http:
                found = await self._get_json(
                    http, f"{self.issuer}/.well-known/openid-configuration")
        except (httpx.HTTPError, ValueError) as exc:
            raise NationalLoginFailed(f"discovery failed: {exc!r}") from exc
        if str(found.get("issuer", "")).rstrip("/") != self.issuer:
            raise NationalLoginFailed("the discovery document names another issuer")
        return found

    def authorization_url(self, discovered: dict[str, Any], *, state: str, nonce: str,
                          code_challenge: str) -> str:
        query = urlencode({
            "response_type": "code", "client_id": self.settings.national_client_id,
            "redirect_uri": callback_url(self.settings), "scope": SCOPE, "state": state,
            "nonce": nonce, "code_challenge": code_challenge, "code_challenge_method": "S256",
        })
        return f"{discovered['authorization_endpoint']}?{query}"

    async def exchange(self, discovered: dict[str, Any], *, code: str, verifier: str) -> str:
        """The code for tokens (client_secret_basic); the raw ID token."""
        secret = client_secret(self.settings)
        if secret is None:
            raise NationalLoginFailed("no client secret is configured")
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": callback_url(self.settings), "code_verifier": verifier}
        auth = httpx.BasicAuth(self.settings.national_client_id, secret)
        try:
            async with self._http() as http:
                answer = await http.post(str(discovered["token_endpoint"]), data=form, auth=auth)
                body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NationalLoginFailed(f"token endpoint failed: {exc!r}") from exc
        if answer.status_code != 200 or not isinstance(body.get("id_token"), str):
            raise NationalLoginFailed(f"token endpoint answered {answer.status_code}")
        id_token: str = body["id_token"]
        return id_token

    async def verify(self, discovered: dict[str, Any], id_token: str, *,
                     nonce: str) -> NationalPerson:
        key = await self._signing_key(discovered, id_token)
        try:
            claims = jwt.decode(
                id_token, key, algorithms=ALGORITHMS, audience=self.settings.national_client_id,
                issuer=self.issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]})
        except jwt.PyJWTError as exc:
            raise NationalLoginFailed(f"ID token refused: {exc}") from exc
        if not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
            raise NationalLoginFailed("ID token refused: wrong nonce")
        return person_of(claims)

    async def _signing_key(self, discovered: dict[str, Any], id_token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            async with self._http() as http:
                keys = await self._get_json(http, str(discovered["jwks_uri"]))
            for entry in keys.get("keys", []):
                if entry.get("kid") == kid:
                    return jwt.PyJWK(entry).key
        except (jwt.PyJWTError, httpx.HTTPError, ValueError, KeyError) as exc:
            raise NationalLoginFailed(f"ID token key not usable: {exc!r}") from exc
        raise NationalLoginFailed("ID token signed with a key the provider does not publish")


def person_of(claims: dict[str, Any]) -> NationalPerson:
    """The national claims, checked like a registration: a consistent ID number and a name."""
    if int(claims.get("loAs") or 0) < 2:
        raise NationalLoginFailed("the national account is not at level of assurance 2")
    try:
        id_number = str(claims["SoDinhDanh"])
        born = date.fromisoformat(str(claims["NgaySinh"]))
        validation.check_id_number(id_number)
        sex = "male" if int(id_number[3]) % 2 == 0 else "female"
        validation.check_id_number_matches(id_number, date_of_birth=born, sex=sex)
        name = validation.normalize_full_name(str(claims["HoVaTen"]))
    except (KeyError, ValueError, ValidationFailed) as exc:
        raise NationalLoginFailed(f"the national identity is incomplete: {exc!r}") from exc
    return NationalPerson(id_number, name, born, sex, str(claims["sub"]))

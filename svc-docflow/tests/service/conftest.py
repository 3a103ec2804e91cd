"""svc-docflow in process with its real database and NATS, beside a real svc-identity served on
a local port: the agency tree, the provincial CA, certificates and remote signing are
svc-identity's own, reached over HTTP exactly as in production.

Tokens: the demo officials of svc-identity sign in through its login form (``Officials``);
other callers (citizens, officials of other agencies) come from the test issuer, whose keys
svc-docflow trusts beside svc-identity's.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from egov_shared.auth import http_jwks_fetcher
from egov_testing import (
    Databases,
    NatsServer,
    TestIssuer,
    merged_jwks,
    serve_in_process,
    serve_on_port,
)
from svc_docflow.main import create_app
from svc_docflow.settings import DocflowSettings
from svc_identity.main import create_app as create_identity_app
from svc_identity.settings import IdentitySettings
from tests.platform import DEMO_PASSWORD, bearer, sign_in_at

DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"  # published demo authenticator secret
AGENCY = "H56.14"  # Sở Tư pháp: the demo leader (lanhdao), clerk (vanthu), officer (chuyenvien)


@pytest.fixture(scope="module")
async def identity_url(databases: Databases, nats_server: NatsServer) -> AsyncIterator[str]:
    settings = IdentitySettings(database_url=databases.new_url("identity"),
                                nats_url=nats_server.url, demo=True, log_level="WARNING")
    async with serve_on_port(create_identity_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def docflow_settings(databases: Databases, nats_server: NatsServer,
                     identity_url: str) -> DocflowSettings:
    return DocflowSettings(database_url=databases.new_url("docflow"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING", identity_url=identity_url)


@pytest.fixture(scope="module")
async def client(docflow_settings: DocflowSettings, issuer: TestIssuer,
                 identity_url: str) -> AsyncIterator[httpx.AsyncClient]:
    jwks = merged_jwks(issuer.jwks,
                       http_jwks_fetcher(f"{identity_url}/.well-known/jwks.json"))
    async with serve_in_process(create_app(docflow_settings, jwks_fetcher=jwks)) as client:
        yield client


@dataclass
class Officials:
    """Real tokens of svc-identity's demo officials, signed in through its login form."""

    identity_url: str
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = await _login(self.identity_url, username)
        return self.tokens[username]

    async def headers(self, username: str) -> dict[str, str]:
        return bearer(await self.token(username))

    async def account_id(self, username: str) -> str:
        async with httpx.AsyncClient(base_url=self.identity_url) as http:
            me = await http.get("/api/v1/me", headers=await self.headers(username))
        assert me.status_code == 200, me.text
        return str(me.json()["id"])

async def _login(identity_url: str, username: str) -> str:
    """Authorization code + PKCE against svc-identity, with the second factor when asked."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = "http://127.0.0.1:8000/callback"
    async with httpx.AsyncClient(base_url=identity_url, timeout=30) as browser:
        url = str(browser.build_request("GET", "/oauth2/authorize", params={
            "response_type": "code", "client_id": "egov-portal", "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": "s", "nonce": uuid.uuid4().hex,
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256"}).url)
        location = await sign_in_at(browser, url, username, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        token = await browser.post("/oauth2/token", data={
            "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code": parse_qs(urlparse(location).query)["code"][0], "client_id": "egov-portal",
            "code_verifier": verifier})
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


@pytest.fixture(scope="module")
async def officials(identity_url: str) -> Officials:
    """The demo officials; svc-identity's demo issued the leader's personal certificate and
    Sở Tư pháp's seal at start-up (keys kept there, for remote signing)."""
    return Officials(identity_url)

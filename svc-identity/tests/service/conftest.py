"""svc-identity running in-process on a real database and a real NATS server, plus a tiny
browser that signs in through the HTML form the way a person would."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import nats
import pyotp
import pytest
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy

from egov_testing import Databases, NatsServer, serve_in_process
from svc_identity.main import create_app
from svc_identity.settings import IdentitySettings

DEMO_PASSWORD = "demo-Password-1"
PORTAL_CALLBACK = "http://127.0.0.1:8000/auth/callback"


@dataclass
class Identity:
    app: FastAPI
    client: httpx.AsyncClient
    settings: IdentitySettings


@pytest.fixture(scope="session")
async def identity(databases: Databases, nats_server: NatsServer,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Identity]:
    settings = IdentitySettings(
        database_url=databases.new_url("identity"), nats_url=nats_server.url, demo=True,
        demo_certificates=False,  # the certificate tests issue their own
        demo_password=DEMO_PASSWORD, log_json=False,
        mail_drop_dir=str(tmp_path_factory.mktemp("mail")),
        secret_key_file=str(tmp_path_factory.mktemp("keys") / "identity-secret.key"),
    )
    app = create_app(settings)
    async with serve_in_process(app) as client:
        yield Identity(app, client, settings)


@pytest.fixture
def client(identity: Identity) -> httpx.AsyncClient:
    return identity.client


def id_number_for(born: date, sex: str, province: str = "038") -> str:
    century_sex = (born.year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    return f"{province}{century_sex}{born.year % 100:02d}{random.randrange(10**6):06d}"


@pytest.fixture
def citizen() -> dict[str, Any]:
    """A valid registration with a fresh personal ID number."""
    born = date(1995, 3, 14)
    return {
        "id_number": id_number_for(born, "female"), "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": born.isoformat(), "sex": "female", "phone": "0912345678",
        "email": "hoa@example.vn", "password": "Mat-khau-2026",
    }


class _Form(HTMLParser):
    """Collects a page's form method and its input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.method: str | None = None
        self.inputs: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.method = values.get("method")
        elif tag == "input" and "name" in values:
            self.inputs[values["name"]] = values


def parse_form(page: str) -> _Form:
    form = _Form()
    form.feed(page)
    return form


@dataclass
class SignIn:
    code: str
    state: str
    verifier: str
    location: str


DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"
# Authenticator apps of the test session: the demo secret of the demo admin and leader, and the
# secrets officials enrol during the tests. The provider accepts each 30-second code once.
TOTP_SECRETS: dict[str, str] = {"admin": DEMO_TOTP_SECRET, "lanhdao": DEMO_TOTP_SECRET}
_LAST_STEP: dict[str, int] = {}


async def totp_code(username: str) -> str:
    """The next unused code of ``username``'s authenticator (the provider accepts the steps
    around now; a used one never again, so this may wait for the next step)."""
    secret = TOTP_SECRETS[username]
    while True:
        current = int(time.time()) // 30
        # Never the previous step: it would fall out of the window if a 30-second boundary
        # passed before the provider checks it.
        step = max(current, _LAST_STEP.get(username, -1) + 1)
        if step <= current + 1:
            _LAST_STEP[username] = step
            return pyotp.TOTP(secret).generate_otp(step)
        await asyncio.sleep(30 - time.time() % 30 + 0.2)


def enrolment_secret(page: str) -> str | None:
    match = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    return match.group(1).replace(" ", "") if match else None


class Browser:
    """Follows the authorization code flow with PKCE as the portal and a person would. Each
    Browser is a browser of its own: its own cookie jar (the provider's SSO cookie)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)

    @staticmethod
    def pkce() -> tuple[str, str]:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def authorize_params(self, challenge: str, **changes: str) -> dict[str, str]:
        params = {"response_type": "code", "client_id": "egov-portal",
                  "redirect_uri": PORTAL_CALLBACK, "scope": "openid profile",
                  "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
                  "code_challenge": challenge, "code_challenge_method": "S256"}
        return {**params, **changes}

    async def submit(self, page: str, username: str, password: str) -> httpx.Response:
        form = parse_form(page)
        fields = {name: attrs.get("value", "") for name, attrs in form.inputs.items()
                  if attrs.get("type") == "hidden"}
        fields.update(username=username, password=password)
        return await self.client.post("/oauth2/authorize", data=fields)

    async def submit_code(self, page: str, code: str) -> httpx.Response:
        form = parse_form(page)
        fields = {name: attrs.get("value", "") for name, attrs in form.inputs.items()
                  if attrs.get("type") == "hidden"}
        return await self.client.post("/oauth2/authorize", data={**fields, "otp": code})

    async def second_factor(self, answer: httpx.Response, username: str) -> httpx.Response:
        """Answers the TOTP step when the provider asks for it (enrolling when it offers a
        new secret), as the official would with their phone."""
        if answer.status_code != 200 or 'name="otp"' not in answer.text:
            return answer
        secret = enrolment_secret(answer.text)
        if secret is not None:
            TOTP_SECRETS[username] = secret
            _LAST_STEP.pop(username, None)
        return await self.submit_code(answer.text, await totp_code(username))

    async def sign_in(self, username: str, password: str, **changes: str) -> SignIn:
        verifier, challenge = self.pkce()
        params = self.authorize_params(challenge, **changes)
        page = await self.client.get("/oauth2/authorize", params=params)
        assert page.status_code == 200, page.text
        answer = await self.second_factor(await self.submit(page.text, username, password),
                                          username)
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        query = parse_qs(urlsplit(location).query)
        return SignIn(code=query["code"][0], state=query["state"][0], verifier=verifier,
                      location=location)

    async def exchange(self, code: str, verifier: str, **changes: str) -> httpx.Response:
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": PORTAL_CALLBACK, "client_id": "egov-portal",
                "code_verifier": verifier, **changes}
        return await self.client.post("/oauth2/token", data=data)

    async def access_token(self, username: str, password: str) -> str:
        signed_in = await self.sign_in(username, password)
        answer = await self.exchange(signed_in.code, signed_in.verifier)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token


@pytest.fixture
def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)


@pytest.fixture
def browser_factory() -> type[Browser]:
    return Browser


class Tokens:
    """Access tokens for tests, obtained the way people get them: through the login form
    (and the second factor, for officials who need one).

    ``bearer`` reuses a still-valid token of an official with a second factor: the provider
    accepts each TOTP code once, so signing the administrator in for every test would wait for
    a new 30-second code again and again. Everyone else, and ``access_token`` always, signs in
    afresh (a new token shows a changed level or role at once)."""

    def __init__(self, client: httpx.AsyncClient, cache: dict[tuple[str, str], str]) -> None:
        self.client = client
        self.cache = cache

    async def access_token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """A fresh sign-in, in a new browser (no SSO session carried over)."""
        return await Browser(self.client).access_token(username, password)

    async def bearer(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        """``{"Authorization": "Bearer …"}`` for ``username`` (for officials with a second
        factor, a cached token while it has two minutes left and is still active)."""
        if username not in TOTP_SECRETS:
            return {"Authorization": f"Bearer {await self.access_token(username, password)}"}
        token = self.cache.get((username, password))
        if token is None or not await self._usable(token):
            token = await self.access_token(username, password)
            self.cache[(username, password)] = token
        return {"Authorization": f"Bearer {token}"}

    async def _usable(self, token: str) -> bool:
        claims = jwt.decode(token, options={"verify_signature": False})
        if claims["exp"] - time.time() < 120:
            return False
        me = await self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return me.status_code == 200


@pytest.fixture(scope="session")
def token_cache() -> dict[tuple[str, str], str]:
    return {}


@pytest.fixture
def tokens(client: httpx.AsyncClient, token_cache: dict[tuple[str, str], str]) -> Tokens:
    return Tokens(client, token_cache)


@pytest.fixture
def find_event(nats_server: NatsServer) -> Any:
    """``await find_event("identity.account.locked", account_id)``: the CloudEvent published
    on that NATS subject about that aggregate (reads the stream from its start)."""

    async def find(nats_subject: str, aggregate_id: str, timeout: float = 10.0
                   ) -> dict[str, Any]:
        nc = await nats.connect(nats_server.url)
        try:
            sub = await nc.jetstream().subscribe(
                nats_subject, ordered_consumer=True,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
            while True:
                msg = await sub.next_msg(timeout=timeout)
                event: dict[str, Any] = json.loads(msg.data)
                if event.get("subject") == aggregate_id:
                    return event
        finally:
            await nc.close()

    return find

"""svc-identity running in-process on a real database and a real NATS server, plus a tiny
browser that signs in through the HTML form the way a person would."""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

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
async def identity(databases: Databases, nats_server: NatsServer) -> AsyncIterator[Identity]:
    settings = IdentitySettings(
        database_url=databases.new_url("identity"), nats_url=nats_server.url, demo=True,
        demo_password=DEMO_PASSWORD, log_json=False,
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


class Browser:
    """Follows the authorization code flow with PKCE as the portal and a person would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

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

    async def sign_in(self, username: str, password: str, **changes: str) -> SignIn:
        verifier, challenge = self.pkce()
        params = self.authorize_params(challenge, **changes)
        page = await self.client.get("/oauth2/authorize", params=params)
        assert page.status_code == 200, page.text
        answer = await self.submit(page.text, username, password)
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

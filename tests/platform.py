"""The whole platform as separate processes on free ports: a real NATS server, every service
and the gateway, talking real HTTP and real JetStream. Services can be killed and restarted."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
import pytest

from egov_testing import Databases, NatsServer, eventually, free_port, port_open

SERVICES = {  # name → (module, env prefix)
    "identity": ("svc_identity", "IDENTITY_"),
    "dossier": ("svc_dossier", "DOSSIER_"),
    "docflow": ("svc_docflow", "DOCFLOW_"),
    "reporting": ("svc_reporting", "REPORTING_"),
}
DEMO_PASSWORD = "demo-Password-1"
P = TypeVar("P", bound="Platform")
CLIENT_ID = "egov-portal"


@dataclass
class Platform:
    nats: NatsServer
    databases: Databases
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "NATS_URL": self.nats.url, "EGOV_DEMO": "1",
               "EGOV_DEMO_PASSWORD": DEMO_PASSWORD, "EGOV_ISSUER": self.gateway,
               "EGOV_IDENTITY_URL": f"http://127.0.0.1:{self.ports['identity']}"}
        for name, (_module, prefix) in SERVICES.items():
            env[prefix + "PORT"] = str(self.ports[name])
            env[prefix + "DATABASE_URL"] = self.urls[name]
            env[prefix + "LOG_LEVEL"] = "WARNING"
            # A few connections each: several platforms may run at once on one PostgreSQL.
            env[prefix + "DATABASE_POOL_SIZE"] = "4"
            env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{self.ports[name]}"
        # The test run's own secrets and mail, never the developer's var/.
        env["IDENTITY_SECRET_KEY_FILE"] = str(self.log_dir / "identity-secret.key")
        env["IDENTITY_MAIL_DROP_DIR"] = str(self.log_dir / "mail")
        env["DOSSIER_FORMS_DIR"] = str(self.log_dir / "forms")
        # The simulators each service serves in demo mode, at this run's ports (the defaults
        # name the ports of `make run`).
        dossier, docflow = (f"http://127.0.0.1:{self.ports[n]}" for n in ("dossier", "docflow"))
        env["DOSSIER_PAYMENT_URL"] = f"{dossier}/simulators/payment"
        env["DOSSIER_NATIONAL_PORTAL_URL"] = f"{dossier}/simulators/national-portal"
        env["DOCFLOW_NATIONAL_AXIS_URL"] = f"{docflow}/simulators/national-axis"
        identity = f"http://127.0.0.1:{self.ports['identity']}"
        env["IDENTITY_POPULATION_URL"] = f"{identity}/simulators/population"
        env["DOCFLOW_INBOUND_URL"] = f"{self.gateway}/api/v1/axis/packages"
        env["GATEWAY_PORT"] = str(self.ports["gateway"])
        env["GATEWAY_LOG_LEVEL"] = "WARNING"
        return env

    def start(self) -> None:
        for name in [*SERVICES, "gateway"]:
            self.ports[name] = free_port()
        for name in SERVICES:
            self.urls[name] = self.databases.new_url(name)
        for name in [*SERVICES, "gateway"]:
            self.spawn(name)
        for name in [*SERVICES, "gateway"]:
            self.wait_listening(name)
        self.wait_ready()

    def start_service(self, name: str) -> None:
        self.spawn(name)
        self.wait_listening(name)

    def spawn(self, name: str) -> None:
        module = SERVICES[name][0] if name in SERVICES else "gateway"
        log = (self.log_dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", module], env=self.env(), stdout=log, stderr=log,
        )

    def wait_listening(self, name: str) -> None:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", self.ports[name]):
            if self.procs[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start; see {self.log_dir / name}.log")
            time.sleep(0.05)

    def kill(self, name: str) -> None:
        """SIGKILL: no clean shutdown, as when a container is killed."""
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.gateway + "/readyz", timeout=2).status_code == 200:
                    self._check_alive()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the platform did not become ready")

    def _check_alive(self) -> None:
        """Ready, and every process still ours: one that exited (its port taken by another)
        would leave its requests to whatever answers on that port."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}); see "
                                   f"{self.log_dir / name}.log")

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


@contextmanager
def running(kind: type[P], tmp_path_factory: pytest.TempPathFactory, databases: Databases,
            name: str) -> Iterator[P]:
    """A platform of ``kind`` with a NATS server of its own (so that an outage test cannot
    disturb anything else), started, and stopped with its server afterwards."""
    nats = NatsServer(store_dir=tmp_path_factory.mktemp(f"{name}-nats"))
    nats.start()
    platform = kind(nats=nats, databases=databases,
                    log_dir=tmp_path_factory.mktemp(f"{name}-logs"))
    try:
        platform.start()
        yield platform
    finally:
        platform.stop()
        nats.stop()


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[str(a["name"])] = a.get("value") or ""


async def login(client: httpx.AsyncClient, username: str, password: str, *,
                otp: str | None = None) -> str:
    """Authorization code + PKCE S256 through the gateway, as a browser would: load the login
    page, post the form (and the second factor's ``otp`` when asked), follow the redirect's
    code to the token endpoint. Each login is a browser of its own (the provider's single
    sign-on cookie is not carried over)."""
    async with httpx.AsyncClient(base_url=client.base_url, timeout=client.timeout) as browser:
        return await _login(browser, username, password, otp)


async def _login(client: httpx.AsyncClient, username: str, password: str,
                 otp: str | None = None) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = str(client.base_url).rstrip("/") + "/callback"
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri,
              "scope": "openid profile", "state": secrets.token_hex(8),
              "code_challenge": challenge.decode().rstrip("="),
              "code_challenge_method": "S256", "nonce": secrets.token_hex(8)}
    url = str(client.build_request("GET", "/oauth2/authorize", params=params).url)
    location = await sign_in_at(client, url, username, password, otp=otp)
    query = parse_qs(urlparse(location).query)
    assert query["state"] == [params["state"]]
    token = await client.post("/oauth2/token", data={
        "grant_type": "authorization_code", "code": query["code"][0],
        "redirect_uri": redirect_uri, "client_id": CLIENT_ID, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


async def sign_in_at(browser: httpx.AsyncClient, authorize_url: str, username: str,
                     password: str, totp_secret: str | None = None,
                     otp: str | None = None) -> str:
    """What a person does in a browser sent to ``authorize_url``: fill in the Vietnamese login
    form, then the six-digit code of their authenticator app when the provider asks for it.
    Returns the redirect address the provider sends the browser back to (code and state)."""
    page = await browser.get(authorize_url)
    assert page.status_code == 200, page.text
    answer = await _post_form(browser, page.text, {"username": username, "password": password})
    if answer.status_code == 200 and 'name="otp"' in answer.text:
        assert totp_secret is not None or otp, f"{username} needs a second factor"
        answer = await _post_form(browser, answer.text,
                                  {"otp": otp or pyotp.TOTP(str(totp_secret)).now()})
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


async def _post_form(browser: httpx.AsyncClient, page: str, fields: dict[str, str]
                     ) -> httpx.Response:
    form = _HiddenInputs()
    form.feed(page)
    action = urlparse(form.action or "").path or "/oauth2/authorize"
    return await browser.post(action, data={**form.fields, **fields})


def new_id_number() -> str:
    """A structurally valid personal ID: Thanh Hóa (038), born 1990, male (century digit 0)."""
    return "038090" + f"{secrets.randbelow(1_000_000):06d}"


async def register_citizen(client: httpx.AsyncClient) -> tuple[str, str]:
    id_number, password = new_id_number(), "Matkhau-" + secrets.token_hex(4) + "1"
    r = await client.post("/api/v1/citizens", json={
        "id_number": id_number, "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17",
        "sex": "male", "phone": "0912345678", "password": password})
    assert r.status_code == 201, r.text
    return id_number, password


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}




async def complete_openapi(client: httpx.AsyncClient, *, timeout: float = 90.0) -> dict[str, Any]:
    """The gateway's merged OpenAPI document once every service is in it. A service slow to
    answer (a loaded machine) is left out for a few seconds (``x-missing-services``); tests that
    walk every operation must not walk a partial document."""
    document: dict[str, Any] = {}

    async def complete() -> bool:
        nonlocal document
        document = (await client.get("/openapi.json")).json()
        return not document["info"].get("x-missing-services")

    if not await eventually(complete, timeout=timeout, interval=1.0):
        raise AssertionError("the gateway's OpenAPI document still leaves out "
                             f"{document['info'].get('x-missing-services')}")
    return document

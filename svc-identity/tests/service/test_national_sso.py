"""Sign-in with the national identity: the login page sends the browser to the national
provider (its SIMULATOR, served over real HTTP on a port of its own), the person is picked or
typed there, and back at svc-identity the ID token is verified, the person gets or keeps a
local citizen account at level 2, and the portal's authorization request completes.

The browser follows every redirect itself, as a real one would: svc-identity's pages in process
(the public issuer's URLs are the gateway's, which routes ``/oauth2/`` to svc-identity), the
simulator's over HTTP. This module runs its own svc-identity, pointed at that simulator."""

from __future__ import annotations

import html
import random
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from egov_testing import Databases, NatsServer, free_port, serve_in_process
from svc_identity.main import create_app
from svc_identity.national_sso.client import NationalIdProvider, NationalLoginFailed
from svc_identity.national_sso.simulator import (
    NationalIdSimulator,
    PendingCode,
    Person,
    create_national_id_simulator,
)
from svc_identity.settings import IdentitySettings

DEMO_PASSWORD = "demo-Password-1"
PUBLIC = "http://127.0.0.1:8000"  # the public issuer (the gateway): svc-identity's pages
PORTAL_CALLBACK = f"{PUBLIC}/auth/callback"


class SimulatorServer:
    """The national provider's simulator under uvicorn in a daemon thread."""

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.app = create_national_id_simulator(
            issuer=self.url, client_id="dvc-thanh-hoa", client_secret=DEMO_PASSWORD,
            redirect_uris=[f"{PUBLIC}/oauth2/national/callback"], enabled=True)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def simulator(self) -> NationalIdSimulator:
        sim: NationalIdSimulator = self.app.state.simulator
        return sim

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def national() -> Iterator[SimulatorServer]:
    server = SimulatorServer()
    server.start()
    yield server
    server.stop()


@dataclass
class Identity:
    client: httpx.AsyncClient
    settings: IdentitySettings


@pytest.fixture(scope="module")
async def identity(databases: Databases, nats_server: NatsServer, national: SimulatorServer,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Identity]:
    settings = IdentitySettings(
        database_url=databases.new_url("identity"), nats_url=nats_server.url, demo=True,
        demo_certificates=False, demo_password=DEMO_PASSWORD, log_json=False,
        token_issuer=PUBLIC, national_issuer=national.url,
        mail_drop_dir=str(tmp_path_factory.mktemp("mail")),
        secret_key_file=str(tmp_path_factory.mktemp("keys") / "identity-secret.key"))
    async with serve_in_process(create_app(settings)) as client:
        yield Identity(client, settings)


@pytest.fixture
def client(identity: Identity) -> httpx.AsyncClient:
    """This module's svc-identity (the ``tokens``, ``browser`` and ``citizen`` fixtures)."""
    return identity.client


def fresh_person(born: date = date(1990, 6, 2), sex: str = "male") -> dict[str, str]:
    digit = (born.year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    id_number = f"038{digit}{born.year % 100:02d}{random.randrange(10**6):06d}"
    return {"so_dinh_danh": id_number, "ho_va_ten": "Trịnh Văn Quốc",
            "ngay_sinh": born.isoformat()}


def hidden_fields(page: str) -> dict[str, str]:
    return {m[0]: html.unescape(m[1]) for m in re.findall(
        r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page)}


class NationalBrowser:
    """A person's browser: the portal's PKCE request, svc-identity's login page, the national
    site, and back. ``identity`` is the cookie jar svc-identity sees (its Browser's)."""

    def __init__(self, browser: Any, national: SimulatorServer) -> None:
        self.browser = browser
        self.national_url = national.url

    async def get(self, url: str) -> httpx.Response:
        if url.startswith(self.national_url):
            async with httpx.AsyncClient() as national:
                return await national.get(url)
        assert url.startswith(PUBLIC) or url.startswith("/"), url
        parts = urlsplit(url)
        answer: httpx.Response = await self.browser.client.get(
            f"{parts.path}?{parts.query}" if parts.query else parts.path)
        return answer

    async def national_page(self) -> tuple[str, str, str]:
        """The login page, its national link followed: the simulator's page, its URL, and
        the portal's PKCE verifier."""
        verifier, challenge = self.browser.pkce()
        login = await self.browser.client.get(
            "/oauth2/authorize", params=self.browser.authorize_params(challenge))
        assert login.status_code == 200
        link = re.search(r'id="national-login" href="([^"]+)"', login.text)
        assert link is not None, "the login page offers the national identity"
        assert "Đăng nhập bằng tài khoản định danh điện tử" in login.text
        started = await self.get(html.unescape(link.group(1)))
        assert started.status_code == 302, started.text
        location = started.headers["location"]
        assert location.startswith(self.national_url)
        page = await self.get(location)
        assert page.status_code == 200 and "MÔ PHỎNG" in page.text
        return page.text, location, verifier

    async def sign_in(self, choice: dict[str, str]) -> tuple[httpx.Response, str]:
        """Through the simulator with ``choice`` (``pick`` or typed fields); svc-identity's
        last answer and the portal's verifier."""
        page, location, verifier = await self.national_page()
        async with httpx.AsyncClient() as national:
            chosen = await national.post(location.split("?")[0],
                                         data={**hidden_fields(page), **choice})
        assert chosen.status_code == 302, chosen.text
        return await self.get(chosen.headers["location"]), verifier

    async def tokens(self, choice: dict[str, str]) -> dict[str, Any]:
        back, verifier = await self.sign_in(choice)
        assert back.status_code == 302, back.text
        target = back.headers["location"]
        assert target.startswith(PORTAL_CALLBACK)
        code = parse_qs(urlsplit(target).query)["code"][0]
        answer = await self.browser.exchange(code, verifier)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
def person_browser(browser: Any, national: SimulatorServer) -> NationalBrowser:
    return NationalBrowser(browser, national)


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def me(client: httpx.AsyncClient, access_token: str) -> dict[str, Any]:
    answer = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access_token}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


class TestNationalSignIn:
    async def test_a_new_person_gets_a_level_2_account(
        self, person_browser: NationalBrowser, client: httpx.AsyncClient, find_event: Any
    ) -> None:
        person = fresh_person()
        issued = await person_browser.tokens(person)
        assert claims(issued["id_token"])["acr"] == "2"
        assert claims(issued["access_token"])["amr"] == ["national_id"]
        account = await me(client, issued["access_token"])
        assert (account["username"], account["full_name"], account["assurance_level"]) == (
            person["so_dinh_danh"], "Trịnh Văn Quốc", 2)
        registered = await find_event("identity.account.registered", account["id"])
        assert registered["data"]["assurance_level"] == 2
        verified = await find_event("identity.account.verified", account["id"])
        assert verified["data"]["via"] == "national_id"

    async def test_a_demo_citizen_picked_on_the_national_page(
        self, person_browser: NationalBrowser, client: httpx.AsyncClient,
        national: SimulatorServer,
    ) -> None:
        demo = national.simulator.people[0]
        issued = await person_browser.tokens({"pick": demo.id_number})
        account = await me(client, issued["access_token"])
        assert account["username"] == demo.id_number and account["assurance_level"] == 2

    async def test_the_sso_session_signs_the_next_app_in(
        self, person_browser: NationalBrowser
    ) -> None:
        await person_browser.tokens(fresh_person())
        signed_in = await person_browser.browser.client.get(
            "/oauth2/authorize", params=person_browser.browser.authorize_params(
                person_browser.browser.pkce()[1]))
        assert signed_in.status_code == 302
        assert "code=" in signed_in.headers["location"]

    async def test_a_self_registered_account_becomes_level_2(
        self, person_browser: NationalBrowser, client: httpx.AsyncClient,
        citizen: dict[str, Any], tokens: Any, find_event: Any,
    ) -> None:
        assert (await client.post("/api/v1/citizens", json=citizen)).status_code == 201
        before = await me(client, await tokens.access_token(citizen["id_number"],
                                                            citizen["password"]))
        assert before["assurance_level"] == 1
        issued = await person_browser.tokens({
            "so_dinh_danh": citizen["id_number"], "ho_va_ten": citizen["full_name"],
            "ngay_sinh": citizen["date_of_birth"]})
        after = await me(client, issued["access_token"])
        assert (after["id"], after["assurance_level"]) == (before["id"], 2)
        assert claims(issued["access_token"])["acr"] == "2"
        verified = await find_event("identity.account.verified", before["id"])
        assert verified["data"]["assurance_level"] == 2
        # The password still works, now at level 2.
        again = await tokens.access_token(citizen["id_number"], citizen["password"])
        assert claims(again)["acr"] == "2"

    async def test_recorded_in_the_audit_log(
        self, person_browser: NationalBrowser, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        issued = await person_browser.tokens(fresh_person())
        account_id = claims(issued["access_token"])["sub"]
        answer = await client.get("/api/v1/audit", params={"target_id": account_id},
                                  headers=await tokens.bearer("admin"))
        assert answer.status_code == 200, answer.text
        entries = {(e["action"], e["outcome"]) for e in answer.json()}
        assert {("login", "success"), ("account.registered", "success")} <= entries
        logins = [e for e in answer.json() if e["action"] == "login"]
        assert logins[0]["details"]["amr"] == ["national_id"]


class TestRefused:
    async def test_a_callback_with_another_state_or_in_another_browser_is_refused(
        self, person_browser: NationalBrowser, national: SimulatorServer,
        browser_factory: Any, client: httpx.AsyncClient,
    ) -> None:
        page, location, _ = await person_browser.national_page()
        async with httpx.AsyncClient() as national_site:
            chosen = await national_site.post(location.split("?")[0],
                                              data={**hidden_fields(page), **fresh_person()})
        callback = chosen.headers["location"]
        tampered = await person_browser.get(callback.replace("state=", "state=x"))
        assert tampered.status_code == 400 and "location" not in tampered.headers
        elsewhere = NationalBrowser(browser_factory(client), national)  # no pending login
        assert (await elsewhere.get(callback)).status_code == 400
        # The genuine callback in the browser that started the login still completes.
        genuine = await person_browser.get(callback)
        assert genuine.status_code == 302
        assert genuine.headers["location"].startswith(PORTAL_CALLBACK)

    async def test_a_code_is_redeemed_once(self, person_browser: NationalBrowser) -> None:
        page, location, _ = await person_browser.national_page()
        async with httpx.AsyncClient() as national:
            chosen = await national.post(location.split("?")[0],
                                         data={**hidden_fields(page), **fresh_person()})
        callback = chosen.headers["location"]
        assert (await person_browser.get(callback)).status_code == 302
        replay = await person_browser.get(callback)
        assert replay.status_code == 400

    async def test_an_invalid_typed_identity_stays_on_the_national_page(
        self, person_browser: NationalBrowser
    ) -> None:
        page, location, _ = await person_browser.national_page()
        typed = {**fresh_person(), "ngay_sinh": "1985-01-01"}  # year digits say 1990
        async with httpx.AsyncClient() as national:
            answer = await national.post(location.split("?")[0],
                                         data={**hidden_fields(page), **typed})
        assert answer.status_code == 200 and "không hợp lệ" in answer.text


class TestIdTokenChecks:
    """The relying party's checks of the ID token, against the simulator's real JWKS."""

    @pytest.fixture
    async def provider(self, identity: Identity) -> tuple[NationalIdProvider, dict[str, Any]]:
        provider = NationalIdProvider(identity.settings)
        return provider, await provider.discovery()

    @staticmethod
    def pending(nonce: str = "n-1", client_id: str = "dvc-thanh-hoa") -> PendingCode:
        person = Person("038090123456", "Trịnh Văn Quốc", date(1990, 6, 2))
        return PendingCode(person, client_id, "unused", nonce, "unused", 0)

    async def test_a_genuine_token_passes(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        person = await rp.verify(discovered, national.simulator.id_token(self.pending()),
                                 nonce="n-1")
        assert (person.id_number, person.sex) == ("038090123456", "male")

    async def test_a_forged_signature_is_refused(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        genuine = claims(national.simulator.id_token(self.pending()))
        forged = jwt.encode(genuine, ec.generate_private_key(ec.SECP256R1()),
                            algorithm="ES256", headers={"kid": national.simulator.kid})
        with pytest.raises(NationalLoginFailed):
            await rp.verify(discovered, forged, nonce="n-1")

    async def test_an_expired_token_is_refused(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        expired = national.simulator.id_token(self.pending(), ttl=60, now=time.time() - 3600)
        with pytest.raises(NationalLoginFailed, match="expired"):
            await rp.verify(discovered, expired, nonce="n-1")

    async def test_a_wrong_nonce_is_refused(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        with pytest.raises(NationalLoginFailed, match="nonce"):
            await rp.verify(discovered, national.simulator.id_token(self.pending()),
                            nonce="another")

    async def test_another_audience_is_refused(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        token = national.simulator.id_token(self.pending(client_id="another-province"))
        with pytest.raises(NationalLoginFailed, match=r"(?i)audience"):
            await rp.verify(discovered, token, nonce="n-1")

    async def test_alg_none_is_refused(
        self, provider: tuple[NationalIdProvider, dict[str, Any]], national: SimulatorServer
    ) -> None:
        rp, discovered = provider
        genuine = claims(national.simulator.id_token(self.pending()))
        unsigned = jwt.encode(genuine, None, algorithm="none",
                              headers={"kid": national.simulator.kid})
        with pytest.raises(NationalLoginFailed):
            await rp.verify(discovered, unsigned, nonce="n-1")

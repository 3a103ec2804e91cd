"""Sign-in protection as people meet it: lockout after repeated wrong passwords, the TOTP
second factor of officials, password reset by mail, and the audit trail of all of it."""

from __future__ import annotations

import asyncio
import email
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from egov_testing import Databases, NatsServer, serve_in_process
from svc_identity.accounts import repository as accounts
from svc_identity.audit import repository as audit
from svc_identity.main import create_app
from svc_identity.settings import IdentitySettings

DEMO_PASSWORD = "demo-Password-1"
LOCKED = "Tài khoản tạm thời bị khóa"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


async def register(client: httpx.AsyncClient, citizen: dict[str, Any]) -> str:
    answer = await client.post("/api/v1/citizens", json=citizen)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def try_password(browser: Any, username: str, password: str) -> httpx.Response:
    page = await browser.client.get("/oauth2/authorize",
                                    params=browser.authorize_params(browser.pkce()[1]))
    return await browser.submit(page.text, username, password)


async def audit_of(client: httpx.AsyncClient, tokens: Any, account_id: str) -> list[Any]:
    answer = await client.get("/api/v1/audit", params={"target_id": account_id},
                              headers=await tokens.bearer("admin"))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


class TestLockout:
    async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any], tokens: Any,
        find_event: Any,
    ) -> None:
        account_id = await register(client, citizen)
        for _ in range(4):
            answer = await try_password(browser, citizen["id_number"], "Sai-mat-khau-1")
            assert answer.status_code == 200 and WRONG in answer.text
        fifth = await try_password(browser, citizen["id_number"], "Sai-mat-khau-1")
        assert LOCKED in fifth.text and "location" not in fifth.headers
        right = await try_password(browser, citizen["id_number"], citizen["password"])
        assert right.status_code == 200 and LOCKED in right.text

        entries = await audit_of(client, tokens, account_id)
        failures = [e for e in entries if e["action"] == "login" and e["outcome"] == "failure"]
        assert len(failures) == 5
        assert any(e["action"] == "account.locked" for e in entries)
        assert any(e["action"] == "login" and e["outcome"] == "denied" for e in entries)
        assert all(e["ip"] for e in failures) and entries[0]["at"].endswith("+07:00")
        event = await find_event("identity.account.locked", account_id)
        assert event["data"]["failed_attempts"] == 5
        assert citizen["id_number"] not in str(event)

    async def test_each_lock_lasts_twice_as_long(self, databases: Databases,
                                                 nats_server: NatsServer, browser_factory: Any,
                                                 citizen: dict[str, Any]) -> None:
        """With a one-second first lock: locked, free again a moment later, then locked for
        twice as long after the next series of failures (the lock's end is read from the
        account, not timed)."""
        settings = IdentitySettings(
            database_url=databases.new_url("identity"), nats_url=nats_server.url, demo=False,
            lockout_threshold=2, lockout_base_seconds=1, log_json=False)
        async with serve_in_process(create_app(settings)) as client:
            await register(client, citizen)
            browser = browser_factory(client)
            durations = []
            for _ in range(2):
                for _ in range(2):
                    await try_password(browser, citizen["id_number"], "Sai-mat-khau-1")
                durations.append(await _lock_seconds(client, citizen["id_number"]))
                await asyncio.sleep(durations[-1] + 0.2)  # the lock ends; no sign-in between
        assert durations[0] == pytest.approx(1, abs=0.5)
        assert durations[1] == pytest.approx(2, abs=0.5)

    async def test_a_good_sign_in_clears_the_count(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any],
        browser_factory: Any,
    ) -> None:
        await register(client, citizen)
        for _ in range(4):
            await try_password(browser, citizen["id_number"], "Sai-mat-khau-1")
        await browser.sign_in(citizen["id_number"], citizen["password"])
        browser = browser_factory(client)  # another device: no SSO session there
        for _ in range(4):
            answer = await try_password(browser, citizen["id_number"], "Sai-mat-khau-1")
            assert WRONG in answer.text


async def _lock_seconds(client: httpx.AsyncClient, username: str) -> float:
    """How long the newest lock of the account lasts, from its audit entry."""
    app = client._transport.app  # type: ignore[attr-defined]
    async with app.state.runtime.sessionmaker() as session:
        account = await accounts.get_account_by_username(session, username)
        assert account is not None
        events = await audit.list_events(session, agency_id=None, action="account.locked",
                                         target_id=account.id, since=None, limit=1,
                                         before_id=None)
    until = datetime.fromisoformat(events[0].details["locked_until"])
    return (until - events[0].at).total_seconds()


class TestSecondFactor:
    async def test_the_leader_needs_the_code_of_the_app(self, browser: Any) -> None:
        page = await browser.client.get("/oauth2/authorize",
                                        params=browser.authorize_params(browser.pkce()[1]))
        step = await browser.submit(page.text, "lanhdao", DEMO_PASSWORD)
        assert step.status_code == 200 and 'name="otp"' in step.text
        assert "Xác thực hai lớp" in step.text and 'name="password"' not in step.text
        wrong = await browser.submit_code(step.text, "000000")
        assert wrong.status_code == 200 and "Mã xác thực không đúng" in wrong.text
        signed_in = await browser.second_factor(wrong, "lanhdao")
        assert signed_in.status_code == 302 and "code=" in signed_in.headers["location"]

    async def test_a_code_works_once(self, browser_factory: Any, client: httpx.AsyncClient
                                     ) -> None:
        code = pyotp.TOTP("EGOVDEMOTOTPTHANHHOA234567ABCDEF").now()
        answers = []
        for _ in range(2):
            browser = browser_factory(client)
            page = await browser.client.get(
                "/oauth2/authorize", params=browser.authorize_params(browser.pkce()[1]))
            step = await browser.submit(page.text, "lanhdao", DEMO_PASSWORD)
            answers.append(await browser.submit_code(step.text, code))
        assert not all(a.status_code == 302 for a in answers)

    async def test_a_new_administrator_enrols_at_first_sign_in(
        self, client: httpx.AsyncClient, browser: Any, tokens: Any
    ) -> None:
        username = f"qt-{uuid.uuid4().hex[:8]}"
        created = await client.post("/api/v1/officials", headers=await tokens.bearer("admin"),
                                    json={"username": username, "full_name": "Đỗ Văn Quản",
                                          "agency_id": "H56.14", "roles": ["admin"],
                                          "password": "Quan-tri-2026"})
        assert created.status_code == 201, created.text
        page = await browser.client.get("/oauth2/authorize",
                                        params=browser.authorize_params(browser.pkce()[1]))
        step = await browser.submit(page.text, username, "Quan-tri-2026")
        assert "Thiết lập xác thực hai lớp" in step.text
        assert re.search(r'href="otpauth://totp/[^"]+secret=', step.text)
        done = await browser.second_factor(step, username)
        assert done.status_code == 302
        token = await tokens.access_token(username, "Quan-tri-2026")  # now a code, no set-up
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["roles"] == ["admin"]


class TestPasswordReset:
    @pytest.fixture
    def mailbox(self, identity: Any) -> Path:
        return Path(identity.settings.mail_drop_dir)

    async def test_a_citizen_resets_a_forgotten_password_once(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any], mailbox: Path,
        tokens: Any,
    ) -> None:
        account_id = await register(client, citizen)
        before = set(mailbox.glob("*.eml")) if mailbox.exists() else set()
        answer = await client.post("/api/v1/password-resets",
                                   json={"username": citizen["id_number"]})
        assert answer.status_code == 202
        mail = email.message_from_bytes(next(iter(set(mailbox.glob("*.eml")) - before))
                                        .read_bytes())
        assert mail["To"] == citizen["email"]
        body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
        token = re.search(r"Mã đặt lại: (\S+)", body).group(1)  # type: ignore[union-attr]

        done = await client.post("/api/v1/password-resets/confirm",
                                 json={"token": token, "new_password": "Mat-khau-moi-9"})
        assert done.status_code == 204
        again = await client.post("/api/v1/password-resets/confirm",
                                  json={"token": token, "new_password": "Mat-khau-khac-9"})
        assert again.status_code == 422 and again.json()["code"] == "invalid_reset_token"
        old = await try_password(browser, citizen["id_number"], citizen["password"])
        assert WRONG in old.text
        await browser.sign_in(citizen["id_number"], "Mat-khau-moi-9")
        actions = {e["action"] for e in await audit_of(client, tokens, account_id)}
        assert {"password.reset_requested", "password.reset"} <= actions

    async def test_unknown_accounts_get_the_same_answer_and_no_mail(
        self, client: httpx.AsyncClient, mailbox: Path
    ) -> None:
        before = set(mailbox.glob("*.eml")) if mailbox.exists() else set()
        answer = await client.post("/api/v1/password-resets", json={"username": "khong-co-ai"})
        assert answer.status_code == 202
        assert (set(mailbox.glob("*.eml")) if mailbox.exists() else set()) == before

    @pytest.mark.parametrize("body", [
        {"token": "x" * 40, "new_password": "Mat-khau-moi-9"},
        {"token": "short", "new_password": "Mat-khau-moi-9"},
        {"token": "x" * 40},
    ])
    async def test_bad_tokens_are_refused(self, client: httpx.AsyncClient,
                                          body: dict[str, str]) -> None:
        answer = await client.post("/api/v1/password-resets/confirm", json=body)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"

    async def test_changing_the_password_ends_other_sessions(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any]
    ) -> None:
        await register(client, citizen)
        signed_in = await browser.sign_in(citizen["id_number"], citizen["password"])
        tokens = (await browser.exchange(signed_in.code, signed_in.verifier)).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        wrong = await client.post("/api/v1/me/password", headers=bearer, json={
            "current_password": "Sai-mat-khau-1", "new_password": "Mat-khau-moi-9"})
        assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_password"
        weak = await client.post("/api/v1/me/password", headers=bearer, json={
            "current_password": citizen["password"], "new_password": "abc"})
        assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
        done = await client.post("/api/v1/me/password", headers=bearer, json={
            "current_password": citizen["password"], "new_password": "Mat-khau-moi-9"})
        assert done.status_code == 204
        refreshed = await client.post("/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": "egov-portal"})
        assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"

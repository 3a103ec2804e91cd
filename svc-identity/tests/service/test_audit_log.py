"""The platform's audit log: hash-chained, sealed, verified by ``python -m svc_identity
audit-verify`` (run as an operator would, as a process against the database), fed by the
other services' ``…audit.recorded`` events, and shown to citizens as their access log.

A service of its own (its own database and NATS server): these tests alter the log behind
the service's back, and publish audit events that no other svc-identity may consume."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import nats
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncEngine

from egov_testing import Databases, NatsServer, eventually, serve_in_process
from svc_identity.main import create_app
from svc_identity.settings import IdentitySettings

DEMO_PASSWORD = "demo-Password-1"


@dataclass
class Audited:
    client: httpx.AsyncClient
    settings: IdentitySettings
    engine: AsyncEngine
    nats_url: str


@pytest.fixture(scope="module")
def own_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("audit-nats"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def audited(databases: Databases, own_nats: NatsServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Audited]:
    settings = IdentitySettings(
        database_url=databases.new_url("identity-audit"), nats_url=own_nats.url, demo=True,
        demo_certificates=False, demo_password="demo-Password-1", log_json=False,
        mail_drop_dir=str(tmp_path_factory.mktemp("audit-mail")),
        secret_key_file=str(tmp_path_factory.mktemp("audit-keys") / "identity-secret.key"),
        audit_seal_seconds=0.2,
    )
    app = create_app(settings)
    async with serve_in_process(app) as client:
        yield Audited(client, settings, app.state.runtime.engine, own_nats.url)


async def run_verify(audited: Audited) -> tuple[int, str]:
    """``python -m svc_identity audit-verify`` against the service's database and key file,
    as an operator runs it: the exit status and what it printed."""
    env = {**os.environ, "IDENTITY_DATABASE_URL": audited.settings.database_url,
           "IDENTITY_SECRET_KEY_FILE": audited.settings.secret_key_file}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "svc_identity", "audit-verify", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def failed_sign_in(audited: Audited, browser_factory: Any, username: str) -> None:
    """A wrong password on the login form: one ``login`` failure in the log."""
    browser = browser_factory(audited.client)
    _verifier, challenge = browser.pkce()
    page = await browser.client.get("/oauth2/authorize",
                                    params=browser.authorize_params(challenge))
    answer = await browser.submit(page.text, username, "not-the-password-1")
    assert answer.status_code == 200


async def sql(audited: Audited, statement: str, **params: Any) -> list[Row[Any]]:
    async with audited.engine.begin() as conn:
        result = await conn.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []


async def sealed_entries(audited: Audited, browser_factory: Any, count: int) -> list[Row[Any]]:
    """``count`` new entries, and a seal over them (the sealing job runs every 0.2 s here)."""
    for _ in range(count):
        await failed_sign_in(audited, browser_factory, f"khong-ton-tai-{uuid.uuid4().hex[:6]}")
    head = (await sql(audited, "SELECT max(seq) FROM audit_event"))[0][0]

    async def sealed() -> bool:
        rows = await sql(audited, "SELECT max(seq) FROM audit_seal")
        return rows[0][0] is not None and rows[0][0] >= head

    assert await eventually(sealed, timeout=20)
    return await sql(audited, "SELECT id, seq, action, actor_id FROM audit_event "
                              "WHERE seq > :low ORDER BY seq", low=head - count)


class TestVerifyingTheLog:
    async def test_an_untouched_log_verifies(self, audited: Audited,
                                             browser_factory: Any) -> None:
        await sealed_entries(audited, browser_factory, 3)
        status, out = await run_verify(audited)
        assert status == 0, out
        assert "HỢP LỆ / OK" in out and "LỖI" not in out

    async def test_an_entry_edited_in_the_database_is_named(self, audited: Audited,
                                                            browser_factory: Any) -> None:
        entries = await sealed_entries(audited, browser_factory, 3)
        victim = entries[1]
        await sql(audited, "UPDATE audit_event SET action = 'logout' WHERE id = :id",
                  id=victim.id)
        try:
            status, out = await run_verify(audited)
        finally:
            await sql(audited, "UPDATE audit_event SET action = :a WHERE id = :id",
                      a=victim.action, id=victim.id)
        assert status == 1
        assert f"entry {victim.seq} (id {victim.id}) was altered" in out
        assert f"mục số {victim.seq} (id {victim.id}) đã bị sửa" in out
        assert (await run_verify(audited))[0] == 0  # restored: intact again

    async def test_a_deleted_entry_is_detected(self, audited: Audited,
                                               browser_factory: Any) -> None:
        entries = await sealed_entries(audited, browser_factory, 3)
        victim = entries[1]
        await sql(audited, "CREATE TABLE audit_deleted AS SELECT * FROM audit_event "
                           "WHERE id = :id", id=victim.id)
        await sql(audited, "DELETE FROM audit_event WHERE id = :id", id=victim.id)
        try:
            status, out = await run_verify(audited)
        finally:
            await sql(audited, "INSERT INTO audit_event SELECT * FROM audit_deleted")
            await sql(audited, "DROP TABLE audit_deleted")
        assert status == 1
        assert f"entry {victim.seq} is missing" in out

    async def test_two_swapped_entries_are_detected(self, audited: Audited,
                                                    browser_factory: Any) -> None:
        entries = await sealed_entries(audited, browser_factory, 3)
        first, second = entries[0], entries[1]
        swap = ("UPDATE audit_event SET seq = :to WHERE id = :id")
        for to, row in ((-1, first), (first.seq, second), (second.seq, first)):
            await sql(audited, swap, to=to, id=row.id)
        try:
            status, out = await run_verify(audited)
        finally:
            for to, row in ((-1, second), (first.seq, first), (second.seq, second)):
                await sql(audited, swap, to=to, id=row.id)
        assert status == 1
        assert f"entry {first.seq} (id {second.id}) does not follow" in out

    async def test_a_seal_with_a_wrong_signature_is_detected(self, audited: Audited,
                                                             browser_factory: Any) -> None:
        await sealed_entries(audited, browser_factory, 1)
        seal = (await sql(audited, "SELECT id, seq, jws FROM audit_seal "
                                   "ORDER BY id DESC LIMIT 1"))[0]
        header = jwt.get_unverified_header(seal.jws)
        claims = jwt.decode(seal.jws, options={"verify_signature": False})
        forged = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()),
                            algorithm="ES256", headers=header)
        await sql(audited, "UPDATE audit_seal SET jws = :j WHERE id = :id", j=forged,
                  id=seal.id)
        try:
            status, out = await run_verify(audited)
        finally:
            await sql(audited, "UPDATE audit_seal SET jws = :j WHERE id = :id", j=seal.jws,
                      id=seal.id)
        assert status == 1
        assert f"seal {seal.id} (entry {seal.seq}): its signature is not valid" in out


class TestVerifyingOverHttp:
    async def test_a_platform_administrator_gets_the_report(self, audited: Audited,
                                                            browser_factory: Any) -> None:
        token = await browser_factory(audited.client).access_token("admin", DEMO_PASSWORD)
        answer = await audited.client.get("/api/v1/audit/verify",
                                          headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["ok"] is True and report["problems"] == []
        assert report["entries"] >= 1

    async def test_a_citizen_is_refused(self, audited: Audited, browser_factory: Any,
                                        citizen: dict[str, Any]) -> None:
        headers = await citizen_headers(audited, browser_factory, citizen)
        answer = await audited.client.get("/api/v1/audit/verify", headers=headers)
        assert answer.status_code == 403


async def citizen_headers(audited: Audited, browser_factory: Any,
                          citizen: dict[str, Any]) -> dict[str, str]:
    registered = await audited.client.post("/api/v1/citizens", json=citizen)
    assert registered.status_code == 201, registered.text
    token = await browser_factory(audited.client).access_token(citizen["id_number"],
                                                               citizen["password"])
    return {"Authorization": f"Bearer {token}"}


async def publish_access(audited: Audited, *, event_id: str, owner_id: str,
                         target: str) -> None:
    """What svc-dossier's relay publishes when an official reads a dossier."""
    event = {"specversion": "1.0", "id": event_id, "source": "/svc-dossier",
             "type": "vn.egov.dossier.audit.recorded.v1", "subject": target,
             "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json",
             "data": {"action": "dossier.read", "actor_id": "can-bo-1", "actor_kind": "official",
                      "actor_name": "Lê Văn Cán Bộ", "agency_id": "H56.14",
                      "target_type": "dossier", "target_id": target, "owner_id": owner_id,
                      "ip": "10.0.0.7", "user_agent": "test", "request_id": "abc123",
                      "at": datetime.now(UTC).isoformat()}}
    nc = await nats.connect(audited.nats_url)
    try:
        await nc.jetstream().publish("dossier.audit.recorded", json.dumps(event).encode(),
                                     headers={"Nats-Msg-Id": event_id})
    finally:
        await nc.close()


class TestCitizensAccessLog:
    async def test_an_officials_read_of_my_dossier_is_listed_once(
            self, audited: Audited, browser_factory: Any, citizen: dict[str, Any]) -> None:
        headers = await citizen_headers(audited, browser_factory, citizen)
        me = (await audited.client.get("/api/v1/me", headers=headers)).json()
        target, event_id = f"H56.14-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
        await publish_access(audited, event_id=event_id, owner_id=me["id"], target=target)
        await publish_access(audited, event_id=event_id, owner_id=me["id"], target=target)

        async def listed() -> list[dict[str, Any]]:
            answer = await audited.client.get("/api/v1/me/access-log", headers=headers)
            assert answer.status_code == 200, answer.text
            return [e for e in answer.json() if e["target_id"] == target]

        entries = await eventually(listed, timeout=20)
        assert len(entries) == 1
        assert entries[0]["actor_name"] == "Lê Văn Cán Bộ"
        assert entries[0]["agency_name"] == "Sở Tư pháp tỉnh Thanh Hóa"
        assert entries[0]["action"] == "dossier.read"
        assert "ip" not in entries[0]
        rows = await sql(audited, "SELECT seq, entry_hash FROM audit_event "
                                  "WHERE target_id = :t", t=target)
        assert len(rows) == 1 and rows[0].seq is not None  # chained, exactly once

    async def test_another_citizen_does_not_see_it(
            self, audited: Audited, browser_factory: Any, citizen: dict[str, Any]) -> None:
        headers = await citizen_headers(audited, browser_factory, citizen)
        target = f"H56.14-{uuid.uuid4().hex[:8]}"
        await publish_access(audited, event_id=str(uuid.uuid4()), owner_id="someone-else",
                             target=target)

        async def stored() -> bool:
            return bool(await sql(audited, "SELECT id FROM audit_event WHERE target_id = :t",
                                  t=target))

        assert await eventually(stored, timeout=20)
        answer = await audited.client.get("/api/v1/me/access-log", headers=headers)
        assert answer.status_code == 200
        assert answer.json() == []

    async def test_an_official_is_refused(self, audited: Audited,
                                          browser_factory: Any) -> None:
        token = await browser_factory(audited.client).access_token("chuyenvien", DEMO_PASSWORD)
        answer = await audited.client.get("/api/v1/me/access-log",
                                          headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 403

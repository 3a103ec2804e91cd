"""Scale-out, proved on one machine: two replicas of every service as processes against one
PostgreSQL and one NATS, the gateway spreading requests over them (GATEWAY_UPSTREAM_REPLICAS).
Dossier submissions and document exchanges run while one replica of each service is killed
with SIGKILL. Afterwards: every request that got a success answer is stored exactly once,
every event took effect exactly once, and svc-reporting's figures equal the stored data."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pyotp
import pytest

from egov_testing import Databases, eventually, free_port, port_open, postgres_reachable
from tests.platform import SERVICES, Platform, bearer, login, register_citizen, running

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not postgres_reachable(), reason=(
        "replicas share one database, which needs PostgreSQL (SQLite serialises neither "
        "migrations nor claims across processes); PostgreSQL is not reachable on 127.0.0.1")),
]
LLTP = "2.000748.000.00.00.H56"
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"
LOAD_SECONDS = int(os.environ.get("EGOV_SCALE_OUT_LOAD_SECONDS", "36"))  # longer by hand
CITIZENS = 4
RECIPIENT = "H56.16"  # Sở Xây dựng receives the documents Sở Tư pháp issues
# When each service's second replica is killed, as a share of the load's duration.
KILLS = {"dossier": 0.2, "docflow": 0.35, "reporting": 0.5, "identity": 0.65}
RETRYABLE = {502, 503, 504}


@dataclass
class ReplicatedPlatform(Platform):
    """Every service twice: replica ``<name>`` (the address services call each other at, as a
    Kubernetes Service name would be) and replica ``<name>-b``, which only the gateway
    knows of. The second replicas start once the first have migrated and loaded the demo."""

    second: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = super().env()
        env["GATEWAY_UPSTREAM_REPLICAS"] = json.dumps(
            {name: [f"http://127.0.0.1:{self.ports[name + '-b']}"] for name in SERVICES})
        env["GATEWAY_BREAKER_RESET_SECONDS"] = "2"
        for _module, prefix in SERVICES.values():
            # Eight processes share PostgreSQL's connections (max_connections ÷ processes).
            env[prefix + "DATABASE_POOL_SIZE"] = "4"
            # A message in a killed replica's hands comes back to the other one after this.
            env[prefix + "CONSUMER_ACK_WAIT_SECONDS"] = "5"
            env[prefix + "CONSUMER_MAX_DELIVER"] = "20"
        return env

    def start(self) -> None:
        for name in SERVICES:
            self.ports[name + "-b"] = free_port()
        super().start()
        for name, (module, prefix) in SERVICES.items():
            env = {**self.env(), prefix + "PORT": str(self.ports[name + "-b"])}
            log = (self.log_dir / f"{name}-b.log").open("ab")
            self.second[name] = subprocess.Popen([sys.executable, "-m", module], env=env,
                                                 stdout=log, stderr=log)
        for name in SERVICES:
            deadline = time.monotonic() + 60
            while not port_open("127.0.0.1", self.ports[name + "-b"]):
                assert self.second[name].poll() is None and time.monotonic() < deadline, (
                    f"{name}-b did not start; see {self.log_dir / name}-b.log")
                time.sleep(0.05)

    def kill_second(self, name: str) -> None:
        self.second[name].send_signal(signal.SIGKILL)
        self.second[name].wait()

    def stop(self) -> None:
        for proc in self.second.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        super().stop()


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory, databases: Databases
               ) -> Iterator[ReplicatedPlatform]:
    with running(ReplicatedPlatform, tmp_path_factory, databases, "scale") as platform:
        yield platform


@pytest.fixture(scope="module")
async def gateway(replicated: ReplicatedPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=replicated.gateway, timeout=30) as client:
        yield client


@dataclass
class Ledger:
    """What the clients were told: every success answer, and how many tries it took."""

    dossiers: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (who, code)
    issued: dict[str, str] = field(default_factory=dict)  # document id → its external id
    retries: int = 0


async def send(gateway: httpx.AsyncClient, ledger: Ledger, method: str, path: str,
               **kwargs: Any) -> httpx.Response | None:
    """One request; None when the platform did not answer (a replica died under it)."""
    try:
        answer = await gateway.request(method, path, **kwargs)
    except httpx.TransportError:
        ledger.retries += 1
        return None
    if answer.status_code in RETRYABLE:
        ledger.retries += 1
        return None
    return answer


async def submit_dossiers(gateway: httpx.AsyncClient, ledger: Ledger, who: str, token: str,
                          until: float) -> None:
    """A citizen's client: each dossier with its Idempotency-Key, repeated with the same key
    until the platform answers, as a browser's retry would."""
    while time.monotonic() < until:
        key = str(uuid.uuid4())
        for _ in range(200):
            answer = await send(gateway, ledger, "POST", "/api/v1/dossiers", headers={
                **bearer(token), "Idempotency-Key": key}, json={
                "procedure_code": LLTP, "form_data": {"muc_dich": "Tải thử nghiệm"}})
            if answer is not None:
                assert answer.status_code in (200, 201), answer.text
                ledger.dossiers[key] = (who, str(answer.json()["code"]))
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("a submission never got an answer")


async def step(gateway: httpx.AsyncClient, ledger: Ledger, token: str, document_id: str,
               action: str, reached: str) -> dict[str, Any]:
    """A document step; when the answer was lost, the document's status says whether the step
    happened (a transition is never applied twice: the state machine refuses it)."""
    path = f"/api/v1/documents/{document_id}"
    for _ in range(200):
        answer = await send(gateway, ledger, "POST", f"{path}/{action}", headers=bearer(token))
        if answer is not None and answer.status_code == 200:
            return dict(answer.json())
        now = await send(gateway, ledger, "GET", path, headers=bearer(token))
        if now is not None and now.status_code == 200 and now.json()["status"] == reached:
            return dict(now.json())
        await asyncio.sleep(0.2)
    raise AssertionError(f"{action} of {document_id} never went through")


async def exchange_documents(gateway: httpx.AsyncClient, ledger: Ledger,
                             tokens: dict[str, str], leader_id: str, until: float) -> None:
    """Sở Tư pháp drafts, its leader approves and signs, its clerk issues to Sở Xây dựng over
    the axis: one document after another."""
    while time.monotonic() < until:
        created = await send(gateway, ledger, "POST", "/api/v1/documents",
                             headers=bearer(tokens["officer"]), json={
            "doc_type": "CV", "unit_notation": "VP", "subject": "V/v thử tải liên thông",
            "body": "Văn bản thử tải.", "recipients": [{"agency_id": RECIPIENT}],
            "signer": {"account_id": leader_id, "name": "Lê Văn Cường",
                       "position": "GIÁM ĐỐC"}})
        if created is None:  # no answer: a draft may exist, unacknowledged; start another
            continue
        assert created.status_code == 201, created.text
        document_id = created.json()["id"]
        await step(gateway, ledger, tokens["officer"], document_id, "submit", "submitted")
        await step(gateway, ledger, tokens["leader"], document_id, "approve", "approved")
        await step(gateway, ledger, tokens["leader"], document_id, "sign", "signed")
        issued = await step(gateway, ledger, tokens["clerk"], document_id, "issue", "issued")
        ledger.issued[document_id] = issued["external_id"]


async def kill_on_schedule(replicated: ReplicatedPlatform, started: float) -> None:
    for name, share in sorted(KILLS.items(), key=lambda item: item[1]):
        await asyncio.sleep(max(0.0, started + share * LOAD_SECONDS - time.monotonic()))
        replicated.kill_second(name)


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def rows(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn(url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def kpis(gateway: httpx.AsyncClient, token: str, agency: str) -> dict[str, Any]:
    answer = await gateway.get("/api/v1/reports/kpis", params={"agency": agency},
                               headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


class TestScaleOut:
    async def test_replicas_killed_under_load_lose_nothing_and_count_everything_once(
        self, gateway: httpx.AsyncClient, replicated: ReplicatedPlatform
    ) -> None:
        citizens = [await register_citizen(gateway) for _ in range(CITIZENS)]
        people = {id_number: await login(gateway, id_number, password)
                  for id_number, password in citizens}
        tokens = {"officer": await login(gateway, "chuyenvien", "demo-Password-1"),
                  "clerk": await login(gateway, "vanthu", "demo-Password-1"),
                  "report": await login(gateway, "baocao", "demo-Password-1"),
                  "leader": await login(gateway, "lanhdao", "demo-Password-1",
                                        otp=pyotp.TOTP(DEMO_TOTP_SECRET).now())}
        me = await gateway.get("/api/v1/me", headers=bearer(tokens["leader"]))
        leader_id = me.json()["id"]

        ledger = Ledger()
        started = time.monotonic()
        until = started + LOAD_SECONDS
        await asyncio.gather(
            *(submit_dossiers(gateway, ledger, who, token, until)
              for who, token in people.items()),
            exchange_documents(gateway, ledger, tokens, leader_id, until),
            kill_on_schedule(replicated, started))
        assert all(replicated.second[name].poll() is not None for name in SERVICES)
        assert len(ledger.dossiers) > 20 and len(ledger.issued) >= 2, ledger
        print(f"scale-out: {len(ledger.dossiers)} dossiers and {len(ledger.issued)} documents "
              f"acknowledged in {LOAD_SECONDS} s, {ledger.retries} answers lost to the kills")

        await self.every_success_is_stored_once(replicated, ledger)
        await self.every_document_arrives_once(replicated, ledger)
        await self.reporting_equals_the_stored_data(gateway, replicated, tokens["report"])

    async def every_success_is_stored_once(self, replicated: ReplicatedPlatform,
                                           ledger: Ledger) -> None:
        """One dossier per acknowledged key: a retried submission never made a second."""
        stored = await rows(replicated.urls["dossier"],
                            "SELECT code, applicant_id_number FROM dossier")
        by_code = {r["code"]: r["applicant_id_number"] for r in stored}
        for who, code in ledger.dossiers.values():
            assert by_code.get(code) == who, f"acknowledged {code} is not stored for {who}"
        per_citizen: dict[str, int] = {}
        for r in stored:
            per_citizen[r["applicant_id_number"]] = per_citizen.get(
                r["applicant_id_number"], 0) + 1
        for who in {w for w, _ in ledger.dossiers.values()}:
            acknowledged = sum(1 for w, _ in ledger.dossiers.values() if w == who)
            assert per_citizen[who] == acknowledged, (who, per_citizen[who], acknowledged)

    async def every_document_arrives_once(self, replicated: ReplicatedPlatform,
                                          ledger: Ledger) -> None:
        """Each issued document reaches Sở Xây dựng as exactly one incoming document."""
        url = replicated.urls["docflow"]
        wanted = set(ledger.issued.values())

        async def arrived() -> list[asyncpg.Record] | None:
            found = await rows(url, "SELECT external_id, count(*) AS n FROM document "
                               "WHERE agency_id = $1 AND direction = 'incoming' "
                               "GROUP BY external_id", RECIPIENT)
            return found if wanted <= {r["external_id"] for r in found} else None

        found = await eventually(arrived, timeout=90, interval=0.5)
        assert found is not None, "an issued document never arrived at Sở Xây dựng"
        assert all(r["n"] == 1 for r in found), [dict(r) for r in found if r["n"] != 1]
        # svc-docflow recorded each submitted dossier (dossier.submitted) exactly once too.
        dossiers = await rows(replicated.urls["dossier"], "SELECT code FROM dossier")

        async def recorded() -> bool:
            refs = await rows(url, "SELECT code FROM dossier_ref")
            return {r["code"] for r in refs} == {r["code"] for r in dossiers}

        assert await eventually(recorded, timeout=90, interval=0.5), "dossier_ref differs"

    async def reporting_equals_the_stored_data(self, gateway: httpx.AsyncClient,
                                               replicated: ReplicatedPlatform,
                                               token: str) -> None:
        dossiers = await rows(replicated.urls["dossier"],
                              "SELECT count(*) AS n FROM dossier WHERE agency_id LIKE 'H56%'")
        outgoing = await rows(replicated.urls["docflow"],
                              "SELECT count(*) AS n FROM document WHERE direction = 'outgoing' "
                              "AND number IS NOT NULL")
        incoming = await rows(replicated.urls["docflow"],
                              "SELECT count(*) AS n FROM document WHERE direction = 'incoming' "
                              "AND source = 'axis'")
        expected = (dossiers[0]["n"], outgoing[0]["n"], incoming[0]["n"])

        async def figures() -> tuple[int, int, int]:
            k = await kpis(gateway, token, "H56")
            return (k["dossiers"]["submitted"], k["documents"]["outgoing"]["issued"],
                    k["documents"]["incoming"]["online"])

        async def settled() -> bool:
            return await figures() == expected

        await eventually(settled, timeout=90, interval=0.5)
        await asyncio.sleep(6)  # past the consumers' ack wait: no late redelivery counts twice
        assert await figures() == expected

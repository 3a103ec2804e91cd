"""A steady load on the platform and the checks that nothing was lost or counted twice,
shared by the scale-out test (replicas killed) and the fault tests (each component killed).

The load: citizens submitting dossiers (each with an Idempotency-Key, retried with the same
key until the platform answers, as a browser would) and Sở Tư pháp drafting, approving,
signing and issuing documents to Sở Xây dựng over the axis. The ledger keeps what the clients
were told; the checks compare it with the databases and svc-reporting's figures."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pyotp

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, bearer, login, register_citizen

LLTP = "2.000748.000.00.00.H56"
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"
RECIPIENT = "H56.16"  # Sở Xây dựng receives the documents Sở Tư pháp issues
RETRYABLE = {502, 503, 504}
Running = Callable[[], bool]  # whether the load goes on


def until(deadline: float) -> Running:
    return lambda: time.monotonic() < deadline


@dataclass
class Ledger:
    """What the clients were told: every success answer, and how many tries it took."""

    dossiers: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (who, code)
    issued: dict[str, str] = field(default_factory=dict)  # document id → its external id
    retries: int = 0


@dataclass
class People:
    """Signed-in clients: citizens (ID number → token) and Sở Tư pháp's staff."""

    citizens: dict[str, str]
    officer: str
    leader: str
    clerk: str
    report: str
    leader_id: str

    @property
    def staff(self) -> dict[str, str]:
        return {"officer": self.officer, "leader": self.leader, "clerk": self.clerk}


async def sign_in(gateway: httpx.AsyncClient, citizens: int, *,
                  otp: str | None = None) -> People:
    """Registers ``citizens`` citizens and signs everyone in (the leader with the demo TOTP:
    ``otp``, or the current code; each code is accepted once)."""
    registered = [await register_citizen(gateway) for _ in range(citizens)]
    tokens = {id_number: await login(gateway, id_number, password)
              for id_number, password in registered}
    leader = await login(gateway, "lanhdao", DEMO_PASSWORD,
                         otp=otp or pyotp.TOTP(DEMO_TOTP_SECRET).now())
    me = await gateway.get("/api/v1/me", headers=bearer(leader))
    assert me.status_code == 200, me.text
    return People(citizens=tokens, leader=leader, leader_id=str(me.json()["id"]),
                  officer=await login(gateway, "chuyenvien", DEMO_PASSWORD),
                  clerk=await login(gateway, "vanthu", DEMO_PASSWORD),
                  report=await login(gateway, "baocao", DEMO_PASSWORD))


async def run_load(gateway: httpx.AsyncClient, ledger: Ledger, people: People,
                   running: Running) -> None:
    """Every citizen submitting and one document exchange after another, while ``running``."""
    await asyncio.gather(
        *(submit_dossiers(gateway, ledger, who, token, running)
          for who, token in people.citizens.items()),
        exchange_documents(gateway, ledger, people.staff, people.leader_id, running))


async def send(gateway: httpx.AsyncClient, ledger: Ledger, method: str, path: str,
               **kwargs: Any) -> httpx.Response | None:
    """One request; None when the platform did not answer (a process died under it)."""
    try:
        answer = await gateway.request(method, path, **kwargs)
    except httpx.TransportError:
        ledger.retries += 1
        return None
    if answer.status_code in RETRYABLE:
        ledger.retries += 1
        return None
    return answer


async def submit_dossier(gateway: httpx.AsyncClient, ledger: Ledger, who: str,
                         token: str) -> str:
    """One dossier with its Idempotency-Key, repeated with the same key until the platform
    answers; returns its code, recorded in the ledger."""
    key = str(uuid.uuid4())
    for _ in range(300):
        answer = await send(gateway, ledger, "POST", "/api/v1/dossiers", headers={
            **bearer(token), "Idempotency-Key": key}, json={
            "procedure_code": LLTP, "form_data": {"muc_dich": "Tải thử nghiệm"}})
        if answer is not None:
            assert answer.status_code in (200, 201), answer.text
            code = str(answer.json()["code"])
            ledger.dossiers[key] = (who, code)
            return code
        await asyncio.sleep(0.2)
    raise AssertionError("a submission never got an answer")


async def submit_dossiers(gateway: httpx.AsyncClient, ledger: Ledger, who: str, token: str,
                          running: Running) -> None:
    """A citizen's client: one dossier after another."""
    while running():
        await submit_dossier(gateway, ledger, who, token)


async def step(gateway: httpx.AsyncClient, ledger: Ledger, token: str, document_id: str,
               action: str, reached: str) -> dict[str, Any]:
    """A document step; when the answer was lost, the document's status says whether the step
    happened (a transition is never applied twice: the state machine refuses it)."""
    path = f"/api/v1/documents/{document_id}"
    answers: list[str] = []
    for _ in range(300):
        answer = await send(gateway, ledger, "POST", f"{path}/{action}", headers=bearer(token))
        if answer is not None and answer.status_code == 200:
            return dict(answer.json())
        now = await send(gateway, ledger, "GET", path, headers=bearer(token))
        if now is not None and now.status_code == 200 and now.json()["status"] == reached:
            return dict(now.json())
        answers = [*answers[-2:], f"{answer and answer.status_code} {answer and answer.text}"]
        await asyncio.sleep(0.2)
    raise AssertionError(f"{action} of {document_id} never went through: {answers}")


async def exchange_documents(gateway: httpx.AsyncClient, ledger: Ledger,
                             tokens: dict[str, str], leader_id: str, running: Running) -> None:
    """Sở Tư pháp drafts, its leader approves and signs, its clerk issues to Sở Xây dựng over
    the axis: one document after another."""
    while running():
        created = await send(gateway, ledger, "POST", "/api/v1/documents",
                             headers=bearer(tokens["officer"]), json={
            "doc_type": "CV", "unit_notation": "VP", "subject": "V/v thử tải liên thông",
            "body": "Văn bản thử tải.", "recipients": [{"agency_id": RECIPIENT}],
            "signer": {"account_id": leader_id, "name": "Lê Văn Cường",
                       "position": "GIÁM ĐỐC"}})
        if created is None:  # no answer: a draft may exist, unacknowledged; start another
            await asyncio.sleep(0.2)
            continue
        assert created.status_code == 201, created.text
        document_id = created.json()["id"]
        await step(gateway, ledger, tokens["officer"], document_id, "submit", "in_review")
        await step(gateway, ledger, tokens["leader"], document_id, "approve", "approved")
        await step(gateway, ledger, tokens["leader"], document_id, "sign", "signed")
        issued = await step(gateway, ledger, tokens["clerk"], document_id, "issue", "issued")
        ledger.issued[document_id] = issued["external_id"]


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


async def every_success_is_stored_once(urls: dict[str, str], ledger: Ledger) -> None:
    """One dossier per acknowledged key: a retried submission never made a second."""
    stored = await rows(urls["dossier"], "SELECT code, applicant_id_number FROM dossier")
    by_code = {r["code"]: r["applicant_id_number"] for r in stored}
    for who, code in ledger.dossiers.values():
        assert by_code.get(code) == who, f"acknowledged {code} is not stored for {who}"
    per_citizen: dict[str, int] = {}
    for r in stored:
        per_citizen[r["applicant_id_number"]] = per_citizen.get(r["applicant_id_number"], 0) + 1
    for who in {w for w, _ in ledger.dossiers.values()}:
        acknowledged = sum(1 for w, _ in ledger.dossiers.values() if w == who)
        assert per_citizen[who] == acknowledged, (who, per_citizen[who], acknowledged)


async def every_document_arrives_once(urls: dict[str, str], ledger: Ledger) -> None:
    """Each issued document reaches Sở Xây dựng as exactly one incoming document, and
    svc-docflow recorded each submitted dossier (dossier.submitted) exactly once."""
    url = urls["docflow"]
    wanted = set(ledger.issued.values())

    async def arrived() -> list[asyncpg.Record] | None:
        found = await rows(url, "SELECT external_id, count(*) AS n FROM document "
                           "WHERE agency_id = $1 AND direction = 'incoming' "
                           "GROUP BY external_id", RECIPIENT)
        return found if wanted <= {r["external_id"] for r in found} else None

    found = await eventually(arrived, timeout=90, interval=0.5)
    assert found is not None, "an issued document never arrived at Sở Xây dựng"
    assert all(r["n"] == 1 for r in found), [dict(r) for r in found if r["n"] != 1]
    dossiers = await rows(urls["dossier"], "SELECT code FROM dossier")

    async def recorded() -> bool:
        refs = await rows(url, "SELECT code FROM dossier_ref")
        return {r["code"] for r in refs} == {r["code"] for r in dossiers}

    assert await eventually(recorded, timeout=90, interval=0.5), "dossier_ref differs"


async def reporting_equals_the_stored_data(gateway: httpx.AsyncClient, urls: dict[str, str],
                                           token: str, *, redelivery_seconds: float) -> None:
    """svc-reporting's figures equal the databases' counts, and still do once every message a
    killed consumer held could have come back (``redelivery_seconds``: the ack wait and more):
    no event counted twice."""
    dossiers = await rows(urls["dossier"],
                          "SELECT count(*) AS n FROM dossier WHERE agency_id LIKE 'H56%'")
    outgoing = await rows(urls["docflow"],
                          "SELECT count(*) AS n FROM document WHERE direction = 'outgoing' "
                          "AND number IS NOT NULL")
    incoming = await rows(urls["docflow"],
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
    await asyncio.sleep(redelivery_seconds)
    assert await figures() == expected

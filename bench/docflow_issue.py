"""How many outgoing documents per second can be signed, issued and delivered to 10 recipients?

Starts NATS, svc-identity and svc-docflow as processes (PostgreSQL when reachable, SQLite
files otherwise), signs the demo officials of Sở Tư pháp in through the real login form, drafts
and approves the documents beforehand (each for 10 recipients, organs outside the platform), then
measures, with N concurrent pipelines:

- the leader's ``POST …/sign`` (PAdES, key in svc-identity, signed remotely with the leader's
  token), the clerk's ``POST …/issue`` (number, stamp, the agency's seal, 10 edXML packages into
  the outbox) and delivery: until every package was published on ``axis.<…>.inbox`` (the bench
  watches NATS);
- baseline, in the same run and process: the same PDF through the same three pyHanko steps with
  local keys (leader signature, number and date, seal), one at a time: what the documents cost
  without HTTP, database, remote signing and packages;
- signature validation (``verify_pdf`` of an issued PDF against svc-identity's CA and CRL).

Requirements: ≥ 10 documents/s signed, issued and delivered; ≥ 30 signatures validated/s. PASS/FAIL
(information only, never an assertion). The load generator shares the machine's cores.

    .venv/bin/python bench/docflow_issue.py [--documents 60] [--pipelines 4] [--validate-seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import hashlib
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import nats
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from nats.js.api import DeliverPolicy
from pyhanko.sign import signers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import Processes
from egov_testing import Databases, NatsServer, free_port
from svc_docflow.pdf import sign_agency, sign_leader, stamp_number, verify_pdf
from tests.platform import DEMO_PASSWORD, bearer, sign_in_at

DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"  # svc-identity's published demo secret
# Ten organs outside the platform: their packages go on axis.<organ-id>.inbox like any other,
# and the intake leaves them to the bridge. (Recipients on the platform would add their own
# intake, a signature check of each package's PDF, to the service under measure: receiving,
# not issuing.) The bridge forwards them to bench/_ack_server.py, which acknowledges at once.
RECIPIENTS = [{"organ_id": f"000.00.{n:02d}.G{n:02d}", "name": f"Cơ quan trung ương số {n}"}
              for n in range(10, 20)]
TARGET_DOCUMENTS, TARGET_VALIDATIONS = 10.0, 30.0


def start(processes: Processes, tmp: Path, nats_url: str, databases: Databases,
          workers: int) -> None:
    processes.ports.update(identity=free_port(), docflow=free_port(), axis=free_port())
    identity = processes.url("identity")
    processes.env.update({
        "NATS_URL": nats_url, "EGOV_DEMO": "1", "EGOV_DEMO_PASSWORD": DEMO_PASSWORD,
        "EGOV_ISSUER": f"http://127.0.0.1:{free_port()}", "EGOV_IDENTITY_URL": identity,
        "IDENTITY_PORT": str(processes.ports["identity"]),
        "IDENTITY_DATABASE_URL": databases.new_url("identity"),
        "IDENTITY_SECRET_KEY_FILE": str(tmp / "identity-secret.key"),
        "IDENTITY_MAIL_DROP_DIR": str(tmp / "mail"), "IDENTITY_LOG_LEVEL": "WARNING",
        "DOCFLOW_PORT": str(processes.ports["docflow"]),
        "DOCFLOW_DATABASE_URL": databases.new_url("docflow"), "DOCFLOW_LOG_LEVEL": "WARNING",
        "DOCFLOW_WORKERS": str(workers if databases.backend == "postgresql" else 1),
        "DOCFLOW_NATIONAL_AXIS_URL": f"{processes.url('axis')}/packages"})
    processes.spawn("axis", [sys.executable, str(Path(__file__).parent / "_ack_server.py"),
                             str(processes.ports["axis"])])
    processes.spawn("identity", [sys.executable, "-m", "svc_identity"])
    processes.wait_ready("identity")
    processes.spawn("docflow", [sys.executable, "-m", "svc_docflow"])
    processes.wait_ready("docflow")


async def sign_in(identity: str, username: str) -> str:
    """Authorization code + PKCE at svc-identity, with the second factor when asked."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = "http://127.0.0.1:8000/callback"
    async with httpx.AsyncClient(base_url=identity, timeout=30) as browser:
        url = str(browser.build_request("GET", "/oauth2/authorize", params={
            "response_type": "code", "client_id": "egov-portal", "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": "s", "nonce": secrets.token_hex(8),
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256"}).url)
        location = await sign_in_at(browser, url, username, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        token = await browser.post("/oauth2/token", data={
            "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code": parse_qs(urlparse(location).query)["code"][0], "client_id": "egov-portal",
            "code_verifier": verifier})
    return str(token.json()["access_token"])


class Desk:
    def __init__(self, docflow: str, tokens: dict[str, str], leader_id: str) -> None:
        self.http = httpx.AsyncClient(base_url=docflow, timeout=120)
        self.tokens, self.leader_id = tokens, leader_id
        self.latencies: list[tuple[float, float]] = []  # (sign, issue) seconds

    async def step(self, who: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = await self.http.post(f"/api/v1/documents{path}", json=body,
                                 headers=bearer(self.tokens[who]))
        if r.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {r.status_code} {r.text}")
        return r.json()

    async def approved(self, i: int) -> str:
        doc = await self.step("chuyenvien", "", {
            "doc_type": "QĐ", "subject": f"Về việc phê duyệt kế hoạch số {i}",
            "body": "Điều 1. Phê duyệt kế hoạch.\nĐiều 2. Hiệu lực từ ngày ký.",
            "signer": {"account_id": self.leader_id, "name": "Lê Văn Cường",
                       "position": "GIÁM ĐỐC"}, "recipients": RECIPIENTS})
        await self.step("chuyenvien", f"/{doc['id']}/submit")
        await self.step("lanhdao", f"/{doc['id']}/approve")
        return str(doc["id"])

    async def pdfs(self, document_id: str) -> tuple[bytes, bytes]:
        """The document's draft and issued PDFs."""
        url, headers = f"/api/v1/documents/{document_id}", bearer(self.tokens["vanthu"])
        files = (await self.http.get(url, headers=headers)).json()["files"]
        draft = next(f["id"] for f in files if f["kind"] == "draft")
        found = [await self.http.get(url + "/pdf", headers=headers, params=params)
                 for params in ({"version": draft}, {})]
        return found[0].content, found[1].content

    async def sign_and_issue(self, document_id: str) -> str:
        started = time.perf_counter()
        await self.step("lanhdao", f"/{document_id}/sign")
        signed = time.perf_counter()
        issued = await self.step("vanthu", f"/{document_id}/issue")
        self.latencies.append((signed - started, time.perf_counter() - signed))
        return str(issued["external_id"])


async def pipelines(desk: Desk, ids: list[str], width: int, nats_url: str) -> float:
    """Seconds from the first signature to the last package seen on NATS."""
    nc = await nats.connect(nats_url)
    seen: dict[str, int] = {}

    async def count(msg: Any) -> None:
        key = msg.data.split(b"<edXML:DocumentId>", 1)[-1].split(b"<", 1)[0].decode()
        seen[key] = seen.get(key, 0) + 1

    await nc.jetstream().subscribe("axis.>", stream="AXIS", cb=count,
                                   deliver_policy=DeliverPolicy.NEW)
    queue = list(ids)
    external: list[str] = []

    async def worker() -> None:
        while queue:
            external.append(await desk.sign_and_issue(queue.pop()))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(width)))
    while sum(seen.get(e, 0) for e in external) < len(external) * len(RECIPIENTS):
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    await nc.close()
    return elapsed


def local_signer(name: str) -> signers.SimpleSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return signers.SimpleSigner.load_pkcs12_data(
        serialization.pkcs12.serialize_key_and_certificates(
            b"bench", key, cert, None, serialization.NoEncryption()), [], None)


async def baseline(draft: bytes, count: int) -> float:
    """Documents/s for the three pyHanko steps with local keys, in process, one at a time."""
    leader, seal = local_signer("Lê Văn Cường"), local_signer("Sở Tư pháp")
    started = time.perf_counter()
    for i in range(count):
        at = datetime.now(UTC).replace(microsecond=0)
        pdf = await sign_leader(draft, signer=leader, name="Lê Văn Cường",
                                position="GIÁM ĐỐC", signed_at=at)
        pdf = await stamp_number(pdf, number_text=f"Số: {i + 1:02d}/QĐ-STP",
                                 date_text="Thanh Hóa, ngày 28 tháng 11 năm 2026")
        await sign_agency(pdf, signer=seal, agency_name="Sở Tư pháp", signed_at=at)
    return count / (time.perf_counter() - started)


async def validations(pdf: bytes, identity: str, seconds: float,
                      processes: int) -> tuple[float, str]:
    """Signatures validated per second by ``processes`` processes side by side (as many as
    svc-docflow's workers), each checking the issued PDF (two signatures) in a loop."""
    async with httpx.AsyncClient(base_url=identity) as http:
        roots, crls = [(await http.get("/pki/ca.crt")).content], [
            (await http.get("/pki/crl")).content]
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor(processes) as pool:
        results = await asyncio.gather(*(loop.run_in_executor(
            pool, _validate_for, pdf, roots, crls, seconds) for _ in range(processes)))
    return sum(rate for rate, _ in results), results[0][1]


def _validate_for(pdf: bytes, roots: list[bytes], crls: list[bytes],
                  seconds: float) -> tuple[float, str]:
    async def loop() -> tuple[float, str]:
        status, signatures = "", 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            report = await verify_pdf(pdf, trust_roots=roots, crls=crls)
            status, signatures = report.status, signatures + len(report.signatures)
        return signatures / (time.perf_counter() - started), status

    return asyncio.run(loop())


async def measure(args: argparse.Namespace, processes: Processes, nats_url: str) -> None:
    identity, docflow = processes.url("identity"), processes.url("docflow")
    tokens = {u: await sign_in(identity, u) for u in ("chuyenvien", "lanhdao", "vanthu")}
    async with httpx.AsyncClient(base_url=identity) as http:
        leader_id = (await http.get("/api/v1/me", headers=bearer(tokens["lanhdao"]))).json()["id"]
    desk = Desk(docflow, tokens, leader_id)
    warm = [await desk.approved(i) for i in range(args.pipelines)]
    await pipelines(desk, warm, args.pipelines, nats_url)  # connections, caches, registers
    ids = list(await asyncio.gather(*(desk.approved(i) for i in range(args.documents))))
    desk.latencies.clear()
    elapsed = await pipelines(desk, ids, args.pipelines, nats_url)
    draft, issued = await desk.pdfs(ids[0])
    base = await baseline(draft, 20)
    rate = args.documents / elapsed
    checks, status = await validations(issued, identity, args.validate_seconds, args.workers)
    await desk.http.aclose()
    print(f"  baseline, local keys in process     {base:7.1f} documents/s (3 pyHanko steps)")
    print(f"  sign + issue + deliver (10 recip.)  {rate:7.1f} documents/s "
          f"({args.documents} in {elapsed:.1f} s, {args.pipelines} pipelines); "
          f"ratio {rate / base:.0%} of the baseline")
    sign_ms, issue_ms = (statistics.median(t[k] for t in desk.latencies) * 1000 for k in (0, 1))
    print(f"  median latency under load: sign {sign_ms:.0f} ms, issue {issue_ms:.0f} ms")
    print(f"  signatures validated (verify_pdf)   {checks:7.1f} signatures/s in {args.workers} "
          f"processes (status {status})")
    print(f"  {'PASS' if rate >= TARGET_DOCUMENTS else 'FAIL'}: {rate:.1f} documents/s vs "
          f"≥ {TARGET_DOCUMENTS:.0f} (information only)")
    print(f"  {'PASS' if checks >= TARGET_VALIDATIONS else 'FAIL'}: {checks:.1f} "
          f"signatures validated/s vs ≥ {TARGET_VALIDATIONS:.0f} (information only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--pipelines", type=int, default=4)
    parser.add_argument("--validate-seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="svc-docflow processes (DOCFLOW_WORKERS; PostgreSQL only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        server = NatsServer(store_dir=tmp / "nats")
        databases = Databases(tmp)
        processes = Processes(tmp)
        try:
            server.start()
            start(processes, tmp, server.url, databases, args.workers)
            print(f"docflow_issue (database: {databases.backend}; {args.documents} documents, "
                  f"10 recipients each)", flush=True)
            asyncio.run(measure(args, processes, server.url))
        except Exception:
            print(processes.log_tail("docflow"), file=sys.stderr)
            raise
        finally:
            processes.stop()
            server.stop()
            databases.drop_all()


if __name__ == "__main__":
    main()

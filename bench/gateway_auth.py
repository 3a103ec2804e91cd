"""What does checking access tokens at the gateway cost in throughput?

Starts NATS, svc-identity (SQLite in a temp dir, demo data) and the gateway as processes, signs
a freshly registered citizen in through the real login form (authorization code + PKCE), then
drives N concurrent aiohttp clients for a fixed time per round, rounds interleaved and
mirrored (A B C, C B A, A B C, …) so that the shared machine's noise, and its drift, hit every
case alike:

- A: ``GET /api/v1/agencies`` without a token (public: the gateway only looks up its rule);
- B: the same GET with the bearer token (the gateway verifies it: from its cache after the first
  request, since a signature check costs ~0.35 ms);
- C: ``GET /api/v1/me`` with the token (protected end to end: gateway and identity both verify).

For scale, it also times the gateway's access decision in process (``AccessGuard.admit`` for a
token already verified, and for fresh tokens, i.e. with the ES256 signature check).

Prints requests/s per case (mean of its rounds), the ratio B/A of those means with the median
of the per-round ratios (A and B always run side by side), and the verdict on B/A against the
bar (issue: a protected GET through the gateway reaches at least 80 % of the throughput of the
same GET unprotected, in one run). The verdict is information, never an assertion.

    .venv/bin/python bench/gateway_auth.py [--clients 16] [--seconds 2] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import Processes
from egov_shared.auth import TokenVerifier
from egov_testing import AUDIENCE, ISSUER, NatsServer, TestIssuer, free_port
from gateway.access import ACCESS_RULES, AccessTable
from gateway.auth import AccessGuard
from gateway.routes import Route
from tests.platform import bearer, login, register_citizen

BAR = 0.80
DEMO_PASSWORD = "demo-Password-1"


@dataclass
class Case:
    name: str
    path: str
    token: bool
    rates: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        """Mean of the rounds (each round: requests done / its duration)."""
        return statistics.fmean(self.rates)


def start_processes(tmp: Path, nats_url: str) -> Processes:
    """svc-identity (SQLite) and the gateway as child processes on free ports, logs in ``tmp``."""
    processes = Processes(tmp)
    processes.ports.update(identity=free_port(), gateway=free_port())
    gateway, identity = processes.url("gateway"), processes.url("identity")
    processes.env.update({
        "NATS_URL": nats_url, "EGOV_DEMO": "1", "EGOV_DEMO_PASSWORD": DEMO_PASSWORD,
        "EGOV_ISSUER": gateway, "EGOV_IDENTITY_URL": identity,
        "IDENTITY_PORT": str(processes.ports["identity"]),
        "IDENTITY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'identity.db'}",
        "IDENTITY_SECRET_KEY_FILE": str(tmp / "identity-secret.key"),
        "IDENTITY_MAIL_DROP_DIR": str(tmp / "mail"), "IDENTITY_LOG_LEVEL": "WARNING",
        "GATEWAY_PORT": str(processes.ports["gateway"]), "GATEWAY_IDENTITY_URL": identity,
        "GATEWAY_LOG_LEVEL": "WARNING",
    })
    try:
        for name, module in (("identity", "svc_identity"), ("gateway", "gateway")):
            processes.spawn(name, [sys.executable, "-m", module])
        processes.wait_ready("identity")
        processes.wait_ready("gateway", "/healthz")
    except BaseException:
        processes.stop()
        raise
    return processes


async def sign_in(gateway: str) -> str:
    """A new citizen's access token, through the gateway as a browser would get it."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        id_number, password = await register_citizen(client)
        token = await login(client, id_number, password)
        me = await client.get("/api/v1/me", headers=bearer(token))
        assert me.status_code == 200, me.text
        forged = await client.get("/api/v1/agencies", headers=bearer(token[:-4] + "AAAA"))
        assert forged.status_code == 401, "the gateway does not verify tokens on this route"
        return token


async def one_round(gateway: str, case: Case, token: str, clients: int, seconds: float) -> None:
    headers = bearer(token) if case.token else {}
    url = gateway + case.path
    deadline = time.perf_counter() + seconds

    async def client() -> tuple[int, int]:
        done = failed = 0
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    failed += response.status != 200
                done += 1
        return done, failed

    started = time.perf_counter()
    counts = await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    case.rates.append(sum(done for done, _ in counts) / elapsed)
    case.errors += sum(failed for _, failed in counts)


async def measure(gateway: str, token: str, args: argparse.Namespace) -> list[Case]:
    cases = [Case("A  GET /api/v1/agencies, no token", "/api/v1/agencies", token=False),
             Case("B  GET /api/v1/agencies, bearer token", "/api/v1/agencies", token=True),
             Case("C  GET /api/v1/me, bearer token (end to end)", "/api/v1/me", token=True)]
    for case in cases:  # warm-up: connections, caches, the first signature check
        await one_round(gateway, Case(case.name, case.path, case.token), token, args.clients, 1.0)
    for round_ in range(args.rounds):
        for case in cases if round_ % 2 == 0 else cases[::-1]:
            await one_round(gateway, case, token, args.clients, args.seconds)
    return cases


def report(cases: list[Case], args: argparse.Namespace, verified: str,
           costs: tuple[float, float]) -> None:
    unprotected, protected, end_to_end = cases
    print(f"gateway_auth ({args.clients} clients, {args.rounds} interleaved rounds of "
          f"{args.seconds:g} s per case; svc-identity on SQLite)")
    for case in cases:
        rounds = " ".join(f"{rate:.0f}" for rate in case.rates)
        print(f"  {case.name:<46} {case.rate:8.0f} req/s  (rounds: {rounds}; "
              f"non-200: {case.errors})")
    ratio = protected.rate / unprotected.rate
    pairs = [b / a for a, b in zip(unprotected.rates, protected.rates, strict=True)]
    print(f"  ratio B/A {ratio:.1%} (per round: median {statistics.median(pairs):.1%}, "
          f"{min(pairs):.1%}–{max(pairs):.1%}); C/A {end_to_end.rate / unprotected.rate:.1%}")
    print(f"  gateway decisions 'verified' on /api/v1/agencies/*: {verified}")
    print(f"  in process, one access decision: {costs[0]:.1f} µs with the token cached, "
          f"{costs[1]:.0f} µs with a fresh token (signature check)")
    verdict = "PASS" if ratio >= BAR else "FAIL"
    print(f"  {verdict} vs the {BAR:.0%} bar (protected/unprotected throughput, information "
          "only)")


async def guard_cost(samples: int = 2000) -> tuple[float, float]:
    """Microseconds per access decision on a public GET with a bearer token: cached, fresh."""
    issuer = TestIssuer()
    verifier = TokenVerifier(issuer.jwks, issuer=ISSUER, audience=AUDIENCE,
                             cache_size=samples + 1)
    guard = AccessGuard(AccessTable(ACCESS_RULES), verifier)
    route = Route("/api/v1/agencies", "identity", "http://127.0.0.1:1")
    scopes = [{"method": "GET", "path": "/api/v1/agencies",
               "headers": [(b"authorization", f"Bearer {issuer.token()}".encode())]}
              for _ in range(samples)]

    async def timed() -> float:
        started = time.perf_counter()
        for scope in scopes:
            await guard.admit(scope, route)
        return (time.perf_counter() - started) / samples * 1e6

    fresh = await timed()  # every token seen for the first time: signature checks
    return await timed(), fresh


async def verified_count(gateway: str) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(gateway + "/metrics")).text
    for line in text.splitlines():
        if (line.startswith("egov_gateway_access_decisions_total{")
                and 'route="/api/v1/agencies/*"' in line and 'outcome="verified"' in line):
            return line.rsplit(" ", 1)[1]
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        nats = NatsServer(store_dir=tmp / "nats")
        nats.start()
        processes = start_processes(tmp, nats.url)
        try:
            gateway = processes.url("gateway")
            token = asyncio.run(sign_in(gateway))
            cases = asyncio.run(measure(gateway, token, args))
            verified = asyncio.run(verified_count(gateway))
        finally:
            processes.stop()
            nats.stop()
    report(cases, args, verified, asyncio.run(guard_cost()))


if __name__ == "__main__":
    main()

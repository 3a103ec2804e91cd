"""How many dossiers per second can citizens submit through the gateway, on PostgreSQL?

Starts NATS, svc-identity, svc-dossier and the gateway as processes on fresh PostgreSQL
databases (svc-reporting and svc-docflow only consume the submission's event, after the
response: they are left out so that the figure is the submission path's), signs a new citizen
in through the real login form, then measures:

- baseline: a bare FastAPI endpoint (``bench/_bare_submit.py``, uvicorn, as many workers as
  svc-dossier) writing the same rows (sequence, dossier, outbox) with SQLAlchemy, one
  transaction per request, called directly;
- ``POST /api/v1/dossiers`` through the gateway, N concurrent aiohttp clients (closed loop);
- both for one agency (every submission takes the same ``dossier_sequence`` row, whose lock
  serialises them until commit) and spread over 40 agencies (a province's many agencies);
- latency p50/p95/p99 at a fixed arrival rate (open loop: requests scheduled by time, each
  latency counted from its scheduled start), spread over the agencies: in steady state, i.e.
  once the background work the closed loops left behind (events to relay, the national
  portal's sync and the notifications consumers) is done — the time that took is printed —
  and after a few seconds at the rate whose latencies are not counted (connections open).
  Each closed-loop case, too, starts once the one before has been worked off (the baseline
  writes outbox rows that svc-dossier's relay and consumers take up).

Requirement: ≥ 300 dossiers/s through the gateway; p99 ≤ 150 ms at 150/s. Prints PASS/FAIL
(information only, never an assertion). The load generator shares the machine's cores.

    .venv/bin/python bench/dossier_submit.py [--clients 32] [--seconds 6] [--rate 150]
        [--open-seconds 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import asyncpg
import httpx
import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import (
    PgDatabases,
    Processes,
    Request,
    closed_loop,
    open_loop,
    pct,
    platform_env,
    postgres_or_exit,
    start_platform,
)
from egov_testing import PG_HOST, PG_PORT, NatsServer, free_port
from tests.platform import bearer, login, register_citizen

LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, Sở Tư pháp H56.14
FORM = {"muc_dich": "Bổ sung hồ sơ xin việc"}
AGENCIES = [f"H56.{n}" for n in range(20, 60)]  # 40 agencies of the province
TARGET_RATE, TARGET_P99_MS = 300.0, 150.0


def agency_of(spread: bool) -> Callable[[int], str]:
    return (lambda i: AGENCIES[i % len(AGENCIES)]) if spread else (lambda _i: "H56.14")


def gateway_request(gateway: str, token: str, spread: bool) -> Request:
    url, headers, agency = gateway + "/api/v1/dossiers", bearer(token), agency_of(spread)

    async def request(session: aiohttp.ClientSession, i: int) -> bool:
        body = {"procedure_code": LLTP, "agency_id": agency(i), "form_data": FORM}
        async with session.post(url, json=body, headers=headers) as response:
            await response.read()
            return response.status == 201

    return request


def bare_request(base: str, spread: bool) -> Request:
    url, agency = base + "/submit", agency_of(spread)

    async def request(session: aiohttp.ClientSession, i: int) -> bool:
        body = {"procedure_code": LLTP, "agency_id": agency(i), "form_data": FORM}
        async with session.post(url, json=body) as response:
            await response.read()
            return response.status == 201

    return request


async def sign_in(gateway: str) -> str:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        id_number, password = await register_citizen(client)
        token = await login(client, id_number, password)
        first = await client.post("/api/v1/dossiers", headers=bearer(token),
                                  json={"procedure_code": LLTP, "form_data": FORM})
        assert first.status_code == 201, first.text
        return token


async def codes_gap_free(db: str) -> bool:
    """Every (agency, day) numbered 1..n without gaps or repeats, as the sequence row says."""
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=db)
    try:
        bad = await conn.fetchval("""
            SELECT count(*) FROM (
              SELECT d.agency_id, count(*) AS n, count(DISTINCT d.code) AS distinct_codes,
                     max(split_part(d.code, '-', 3)::int) AS top, s.last_value
              FROM dossier d JOIN dossier_sequence s ON s.agency_id = d.agency_id
                AND to_char(s.day, 'YYMMDD') = split_part(d.code, '-', 2)
              GROUP BY d.agency_id, split_part(d.code, '-', 2), s.last_value) t
            WHERE n <> distinct_codes OR n <> top OR n <> last_value""")
    finally:
        await conn.close()
    return int(bad) == 0


async def drained(nats_url: str, db: str, timeout: float = 300.0) -> float:
    """Seconds until svc-dossier has relayed every event, its consumers have taken them all
    and every national sync row is acknowledged."""
    started = time.perf_counter()
    nc = await nats.connect(nats_url)
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=db)
    try:
        js = nc.jetstream()
        while time.perf_counter() - started < timeout:
            backlog = await conn.fetchval(
                "SELECT (SELECT count(*) FROM outbox_event WHERE published_at IS NULL)"
                " + (SELECT count(*) FROM national_sync WHERE state = 'pending')")
            for durable in ("national-portal-sync", "dossier-notifications"):
                info = await js.consumer_info("DOSSIER", durable)
                backlog += info.num_pending + info.num_ack_pending
            if backlog == 0:
                break
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
        await nc.close()
    return time.perf_counter() - started


async def measure(args: argparse.Namespace, gateway: str, bare: str, token: str,
                  nats_url: str, db: str) -> dict[str, float]:
    results: dict[str, float] = {}
    for spread in (False, True):  # warm-up: connections, caches, prepared statements
        await closed_loop(bare_request(bare, spread), args.clients, 1.0)
        await closed_loop(gateway_request(gateway, token, spread), args.clients, 1.0)
    for spread in (False, True):
        where = "40 agencies" if spread else "one agency"
        for name, request in ((f"baseline, {where}", bare_request(bare, spread)),
                              (f"gateway,  {where}", gateway_request(gateway, token, spread))):
            # Each case from a quiet service: the baseline writes outbox rows too, and
            # svc-dossier's relay and consumers would otherwise do their work during the next.
            quiet = await drained(nats_url, db)
            rate, done, failed = await closed_loop(request, args.clients, args.seconds)
            results[name] = rate
            print(f"  {name:<24} {rate:7.0f} dossiers/s  ({done} in {args.seconds:g} s, "
                  f"{args.clients} clients; failed: {failed}; quiet after {quiet:.1f} s)",
                  flush=True)
    print(f"  background work after the closed loops done in {await drained(nats_url, db):.1f} s"
          " (events relayed and consumed, national portal synced)", flush=True)
    await open_loop(gateway_request(gateway, token, True), args.rate, 3.0)  # warm-up
    latencies, failed = await open_loop(gateway_request(gateway, token, True), args.rate,
                                        args.open_seconds)
    results["p50"], results["p95"], results["p99"] = (pct(latencies, q) for q in (50, 95, 99))
    print(f"  open loop {args.rate:g}/s for {args.open_seconds:g} s through the gateway, "
          f"40 agencies: p50 {results['p50']:.1f} ms, p95 {results['p95']:.1f} ms, "
          f"p99 {results['p99']:.1f} ms, max {max(latencies) * 1000:.0f} ms "
          f"({len(latencies)} requests, failed: {failed})", flush=True)
    return results


def report(results: dict[str, float], args: argparse.Namespace, gap_free: bool) -> None:
    for where in ("one agency", "40 agencies"):
        ratio = results[f"gateway,  {where}"] / results[f"baseline, {where}"]
        print(f"  ratio gateway/baseline, {where}: {ratio:.0%}")
    best = results["gateway,  40 agencies"]
    print(f"  codes consecutive and distinct per agency and day: {'yes' if gap_free else 'NO'}")
    print(f"  {'PASS' if best >= TARGET_RATE else 'FAIL'}: {best:.0f} dossiers/s through the "
          f"gateway (40 agencies) vs ≥ {TARGET_RATE:.0f}; one agency "
          f"{results['gateway,  one agency']:.0f}/s (information only)")
    print(f"  {'PASS' if results['p99'] <= TARGET_P99_MS else 'FAIL'}: p99 "
          f"{results['p99']:.1f} ms at {args.rate:g}/s vs ≤ {TARGET_P99_MS:.0f} ms "
          "(information only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rate", type=float, default=150.0)
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="uvicorn workers of svc-dossier (DOSSIER_WORKERS) and the baseline")
    args = parser.parse_args()
    postgres_or_exit("dossier_submit")
    databases = PgDatabases()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        nats = NatsServer(store_dir=tmp / "nats")
        processes = Processes(tmp)
        try:
            nats.start()
            dossier_db = databases.new("dossier")
            platform_env(processes, nats.url, {
                "identity": PgDatabases.url(databases.new("identity")),
                "dossier": PgDatabases.url(dossier_db)})
            processes.env["DOSSIER_WORKERS"] = str(args.workers)
            start_platform(processes)
            processes.ports["bare"] = free_port()
            processes.spawn("bare", [sys.executable, str(Path(__file__).with_name(
                "_bare_submit.py"))], {"BARE_DATABASE_URL": PgDatabases.url(dossier_db),
                                       "BARE_PORT": str(processes.ports["bare"]),
                                       "BARE_WORKERS": str(args.workers)})
            processes.wait_ready("bare", "/docs")
            token = asyncio.run(sign_in(processes.url("gateway")))
            print(f"dossier_submit (PostgreSQL; {args.clients} concurrent clients, "
                  f"{args.seconds:g} s per case; {args.workers} svc-dossier worker(s))",
                  flush=True)
            results = asyncio.run(measure(args, processes.url("gateway"),
                                          processes.url("bare"), token, nats.url, dossier_db))
            gap_free = asyncio.run(codes_gap_free(dossier_db))
        finally:
            processes.stop()
            nats.stop()
            databases.drop_all()
    report(results, args, gap_free)


if __name__ == "__main__":
    main()

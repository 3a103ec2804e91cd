"""How fast do the province's KPIs (and the 766 index, and the dashboard) answer with the
events of a million dossiers in the read model, on PostgreSQL?

Builds a fresh database with svc-reporting's migrations and loads the read model the way the
service does: the events of ``BENCH_DOSSIERS`` dossiers (default 1,000,000) over two years up
to now, 41 agencies on three levels (``bench/_reporting_data.py``), each event through the
real effects (``readmodel.effects``) and the real store code (``readmodel.store``: sums per
subtree, COPY and upsert), without JetStream in between (``bench/reporting_rebuild.py``
measures that part). Then starts svc-reporting as a process (NATS, a test key's JWKS served
here) and measures, as the province's reporting officer with a signed token, one request at a
time:

- ``GET /api/v1/reports/kpis?agency=H56`` for the last 365 days (the window ends today, so
  "overdue now" is counted too), and for the previous calendar year;
- ``GET /api/v1/reports/index-766?agency=H56`` for the same year, when svc-reporting has it;
- the dashboard: a year of days and of months, the breakdown by department, the overview.

Baseline: the KPI endpoint's SQL (three statements) sent directly with asyncpg. Prints the
plans, p50/p95 per request and PASS/FAIL of the KPI and 766 p95 against 200 ms (information
only, never an assertion).

    BENCH_DOSSIERS=200000 .venv/bin/python bench/reporting_kpis.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._reporting_data import PROVINCE, Dossiers
from bench._stack import PgDatabases, Processes, pct, postgres_or_exit
from bench.dossier_search import serve_jwks
from egov_shared.db import create_engine, create_sessionmaker
from egov_shared.events import CloudEvent
from egov_shared.migrations import upgrade_to_head
from egov_shared.timeutil import VN_TZ, utcnow
from egov_testing import ISSUER, PG_HOST, PG_PORT, NatsServer, TestIssuer, free_port
from svc_reporting.main import MIGRATIONS
from svc_reporting.readmodel import store
from svc_reporting.readmodel.effects import OpenDossier, effects_of

TARGET_P95_MS = 200.0
CHUNK = 100_000  # dossiers summed in memory before they are written

# What svc-reporting sends for the KPIs (kpis.service → readmodel.queries), for the baseline.
SUMS_SQL = ("SELECT metric, sum(count), sum(total) FROM daily_count WHERE agency_id = $1 "
            "AND day >= $2 AND day <= $3 GROUP BY metric")
STOCKS_SQL = ("SELECT metric, sum(count), sum(total) FROM daily_count WHERE agency_id = $1 "
              "AND day >= $2 AND day <= $3 AND metric = ANY($4::text[]) GROUP BY metric")
OVERDUE_SQL = ("SELECT count(*) FROM open_dossier WHERE (agency_id = $1 OR agency_id LIKE $2) "
               "AND due_at IS NOT NULL AND due_at < $3")
STOCKS = ["received", "closed_after_receipt", "accounts_registered", "accounts_level2"]


def kpi_sql(first: date, last: date, today: date) -> list[tuple[str, list[Any]]]:
    statements: list[tuple[str, list[Any]]] = [
        (SUMS_SQL, [PROVINCE, first, last]),
        (STOCKS_SQL, [PROVINCE, date(1970, 1, 1), last, STOCKS])]
    if last >= today:  # "overdue now" only for a window that ends today
        statements.append((OVERDUE_SQL, [PROVINCE, PROVINCE + ".%", datetime.now(VN_TZ)]))
    return statements


async def load(url: str, count: int) -> tuple[int, int]:
    """The read model of ``count`` dossiers; answers (daily_count rows, open dossiers)."""
    engine = create_engine(url)
    await upgrade_to_head(engine, MIGRATIONS)
    sessions = create_sessionmaker(engine)
    end = utcnow()
    dossiers, opened = iter(Dossiers(count, end - timedelta(days=730), end)), 0
    for start in range(0, count, CHUNK):
        found, still_open = _effects(dossiers, min(CHUNK, count - start))
        async with sessions() as session, session.begin():
            await store.add_counts(session, store.roll_up(found))
            await store.set_open(session, still_open)
        opened += len(still_open)
        print(f"    {min(start + CHUNK, count):,} dossiers loaded", end="\r", flush=True)
    print()
    await engine.dispose()
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    await conn.execute("ANALYZE daily_count; ANALYZE open_dossier")
    rows = int(await conn.fetchval("SELECT count(*) FROM daily_count"))
    await conn.close()
    return rows, opened


@dataclass(frozen=True)
class Envelope:
    """What the effects read of a CloudEvent (its type and data), without building one."""

    type: str
    data: dict[str, Any]


def _effects(dossiers: Any, count: int) -> tuple[store.Tally, dict[str, OpenDossier]]:
    """The counts and the open dossiers that ``count`` dossiers' events leave behind."""
    found: store.Tally = {}
    still_open: dict[str, OpenDossier] = {}
    for _ in range(count):
        last: OpenDossier | None = None
        for contract, data in next(dossiers):
            event = cast(CloudEvent, Envelope(contract.type, data))
            effects = effects_of(event, province_id=PROVINCE)
            store.tally(found, effects.counts)
            last = effects.open_dossier or last
        if last is not None and last.received_at is not None:
            still_open[last.code] = last
    return found, still_open


def windows(today: date) -> dict[str, tuple[date, date]]:
    previous = today.year - 1
    return {"last 365 days": (today - timedelta(days=364), today),
            f"year {previous}": (date(previous, 1, 1), date(previous, 12, 31))}


def requests(today: date) -> list[tuple[str, str, dict[str, str], str]]:
    """(label, path, params, kind): kind ``kpi`` and ``766`` are the requirement's."""
    found: list[tuple[str, str, dict[str, str], str]] = []
    for label, (first, last) in windows(today).items():
        span = {"agency": PROVINCE, "from": first.isoformat(), "to": last.isoformat()}
        found.append((f"KPIs, {label}", "/api/v1/reports/kpis", span, "kpi"))
        found.append((f"766 index, {label}", "/api/v1/reports/index-766", span, "766"))
    year = {"agency": PROVINCE, "from": (today - timedelta(days=364)).isoformat(),
            "to": today.isoformat()}
    series = "submitted,completed,completed_in_time,online_rate,on_time_rate"
    dashboard = "/api/v1/reports/dashboard"
    found += [
        ("dashboard series, 365 days", f"{dashboard}/series",
         {**year, "bucket": "day", "metrics": series}, "dashboard"),
        ("dashboard series, 12 months", f"{dashboard}/series",
         {**year, "bucket": "month", "metrics": series}, "dashboard"),
        ("dashboard agencies, 365 days", f"{dashboard}/agencies", year, "dashboard"),
        ("dashboard overview", f"{dashboard}/overview", {}, "dashboard"),
    ]
    return found


async def plans(conn: asyncpg.Connection, today: date) -> None:
    for sql, args in kpi_sql(today - timedelta(days=364), today, today):
        lines = [r[0].strip() for r in await conn.fetch("EXPLAIN ANALYZE " + sql, *args)]
        scans = [ln for ln in lines if "Scan" in ln][:2]
        print(f"      plan: {' | '.join(scans)[:140]}; {lines[-1]}", flush=True)


async def timed_sql(conn: asyncpg.Connection, statements: list[tuple[str, list[Any]]]) -> float:
    started = time.perf_counter()
    for sql, args in statements:
        await conn.fetch(sql, *args)
    return time.perf_counter() - started


async def timed_get(session: aiohttp.ClientSession, url: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    async with session.get(url, params=params) as response:
        body = await response.read()
        assert response.status == 200, body[:300]
    return time.perf_counter() - started


async def measure(db: str, base_url: str, token: str, repeats: int) -> dict[str, list[float]]:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=db)
    today, out = datetime.now(VN_TZ).date(), {"kpi": [], "766": [], "sql": []}
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        async with session.get(f"{base_url}/openapi.json") as response:
            paths = set((await response.json())["paths"])
        await plans(conn, today)
        for label, path, params, kind in requests(today):
            if path not in paths:
                print(f"  {label:<30} not measured: svc-reporting has no {path}", flush=True)
                continue
            await timed_get(session, base_url + path, params)  # warm-up
            api = [await timed_get(session, base_url + path, params) for _ in range(repeats)]
            out.setdefault(kind, []).extend(api)
            line = f"  {label:<30} API p50 {pct(api, 50):6.1f} p95 {pct(api, 95):6.1f} ms"
            if kind == "kpi":
                first, last = (date.fromisoformat(params[k]) for k in ("from", "to"))
                base = [await timed_sql(conn, kpi_sql(first, last, today))
                        for _ in range(repeats)]
                out["sql"] += base
                line += f"   SQL p50 {pct(base, 50):6.1f} p95 {pct(base, 95):6.1f} ms"
            print(line, flush=True)
    await conn.close()
    return out


def start_service(processes: Processes, db: str, nats_url: str, jwks_url: str) -> None:
    processes.ports["reporting"] = free_port()
    processes.env.update({
        "NATS_URL": nats_url, "EGOV_ISSUER": ISSUER, "EGOV_IDENTITY_URL": jwks_url,
        "REPORTING_DATABASE_URL": PgDatabases.url(db), "REPORTING_LOG_LEVEL": "WARNING",
        "REPORTING_PORT": str(processes.ports["reporting"])})
    processes.spawn("reporting", [sys.executable, "-m", "svc_reporting"])
    processes.wait_ready("reporting", timeout=120)


def verdict(name: str, values: list[float], baseline: float) -> None:
    if not values:
        print(f"  {name}: not measured")
        return
    p95 = pct(values, 95)
    print(f"  {'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}: {name} p95 {p95:.1f} ms vs "
          f"≤ {TARGET_P95_MS:.0f} ms (SQL baseline p95 {baseline:.1f} ms, ratio "
          f"{p95 / baseline:.1f}x; information only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    count = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
    postgres_or_exit("reporting_kpis")
    databases, issuer = PgDatabases(), TestIssuer()
    jwks, jwks_url = serve_jwks(issuer)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        nats, processes = NatsServer(store_dir=tmp / "nats"), Processes(tmp)
        try:
            nats.start()
            db = databases.new("reporting_kpis")
            started = time.perf_counter()
            rows, opened = asyncio.run(load(PgDatabases.url(db), count))
            print(f"reporting_kpis (PostgreSQL, {count:,} dossiers over two years through the "
                  f"real effects: {rows:,} daily_count rows, {opened:,} open dossiers, loaded "
                  f"in {time.perf_counter() - started:.0f} s; {args.repeats} runs per request, "
                  "one at a time)", flush=True)
            start_service(processes, db, nats.url, jwks_url)
            token = issuer.token(kind="official", roles=["reporting_officer"],
                                 agency_id=PROVINCE, username="baocao")
            results = asyncio.run(measure(db, processes.url("reporting"), token, args.repeats))
        finally:
            processes.stop()
            nats.stop()
            jwks.shutdown()
            databases.drop_all()
    baseline = pct(results["sql"], 95)
    verdict("province KPIs", results["kpi"], baseline)
    verdict("province 766 index", results["766"], baseline)
    if results.get("dashboard"):
        print(f"  dashboard (information): p95 {pct(results['dashboard'], 95):.1f} ms")


if __name__ == "__main__":
    main()

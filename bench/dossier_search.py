"""How fast does an officer's dossier search answer with a million dossiers, on PostgreSQL?

Builds a fresh database with svc-dossier's migrations up to 0009 (before the search indexes),
loads ``BENCH_DOSSIERS`` dossiers (default 1,000,000) with COPY: Vietnamese names with their
real frequencies, the demo procedures, 40 agencies, a year of submissions. Then starts
svc-dossier (NATS, a test key's JWKS served here), whose start-up runs migration 0010 (timed:
what building the indexes costs on that table), and measures ``GET /api/v1/dossiers?q=…`` as a
processing officer covering the province (``H56``), with a signed token, sequentially, for:
a name without diacritics, a code prefix, a full code, procedure words, and the overdue queue.
Baseline: the same SQL sent directly with asyncpg. Prints each query's plan (EXPLAIN ANALYZE,
which index), p50/p95 per query and overall, and PASS/FAIL of the API's p95 against 50 ms
(information only).

    BENCH_DOSSIERS=200000 .venv/bin/python bench/dossier_search.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import PgDatabases, Processes, pct, postgres_or_exit
from egov_shared.db import create_engine
from egov_shared.text import fold
from egov_shared.timeutil import VN_TZ
from egov_testing import ISSUER, PG_HOST, PG_PORT, NatsServer, TestIssuer, free_port
from svc_dossier.dossiers.state import CLOCK_RUNNING
from svc_dossier.main import MIGRATIONS
from svc_dossier.procedures.demo import DEMO_PROCEDURES

TARGET_P95_MS = 50.0
AGENCIES = [f"H56.{n}" for n in range(20, 60)]
# Surnames with roughly their share in Vietnam; middle and given names uniform.
SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
            ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
            ("Ngô", 2), ("Dương", 1), ("Lý", 1)]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Hoàng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
         "Tuấn", "Vy", "Yến", "Đạt", "Hiếu", "Nhung", "Oanh", "Phương"]
COLUMNS = ["code", "procedure_code", "agency_id", "channel", "status_code",
           "applicant_account_id", "applicant_id_number", "applicant_name", "search_text",
           "form_data", "submitted_by", "submitted_at", "received_at", "due_at"]


def dossiers(count: int, now: datetime) -> Iterator[tuple[Any, ...]]:
    """``count`` dossiers in submission order over the past year (ids grow with time)."""
    rnd = random.Random(20261128)
    surnames = rnd.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES], k=count)
    start, step = now - timedelta(days=365), timedelta(days=365) / count
    sequences: dict[tuple[str, str], int] = {}
    for i in range(count):
        procedure = DEMO_PROCEDURES[i % len(DEMO_PROCEDURES)]
        agency = AGENCIES[rnd.randrange(len(AGENCIES))]
        at = start + step * i
        day = f"{at.astimezone(VN_TZ):%y%m%d}"
        n = sequences[agency, day] = sequences.get((agency, day), 0) + 1
        code = f"{agency}-{day}-{n:04d}"
        name = f"{surnames[i]} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        # Older dossiers are done; the last few weeks' are still being worked on.
        status = 10 if at < now - timedelta(days=40) else rnd.choice((1, 2, 4, 4, 4, 10))
        yield (code, procedure["code"], agency, "online", status, f"acct{i % 300000}",
               f"038090{i % 1000000:06d}", name, fold(f"{code} {name} {procedure['name']}"),
               '{"muc_dich": "Bổ sung hồ sơ"}', "bench", at, at, at + timedelta(days=15))


def migrate_to(url: str, revision: str) -> None:
    def upgrade(connection: Connection) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async def run() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(upgrade)
        await engine.dispose()

    asyncio.run(run())


async def load(db: str, count: int) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=db)
    try:
        for procedure in DEMO_PROCEDURES:  # the dossiers' foreign key (svc-dossier adds the rest)
            await conn.execute(
                "INSERT INTO procedure (code, name, name_folded, field, agency_id, duration, "
                "duration_unit, online_level, fees, created_at) VALUES ($1, $2, $3, $4, $5, "
                "$6, $7, $8, $9, now())", procedure["code"], procedure["name"],
                fold(procedure["name"]), procedure["field"], procedure["agency_id"],
                procedure["duration"], procedure["duration_unit"], procedure["online_level"],
                json.dumps(procedure["fees"]))
        rows = dossiers(count, datetime.now(UTC))
        while batch := [row for _, row in zip(range(100_000), rows, strict=False)]:
            await conn.copy_records_to_table("dossier", records=batch, columns=COLUMNS)
        await conn.execute("ANALYZE dossier")
    finally:
        await conn.close()


def serve_jwks(issuer: TestIssuer) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps(asyncio.run(issuer.jwks())).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def queries(sample_code: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("name, no diacritics", {"q": "nguyen van an"}),
        ("rare name", {"q": "ngo xuan oanh"}),
        ("code prefix (agency, month)", {"q": sample_code[:-7]}),
        ("full code", {"q": sample_code}),
        ("procedure words", {"q": "ly lich tu phap"}),
        ("procedure word + name", {"q": "tran thi thao"}),
        ("overdue queue, province", {"queue": "overdue"}),
    ]


# The SQL svc-dossier sends for those (repository.search), for the baseline and EXPLAIN.
SEARCH_SQL = (
    "SELECT * FROM dossier WHERE (agency_id = $1 OR agency_id LIKE $2) "
    "AND search_text LIKE '%' || $3 || '%' ESCAPE '/' ORDER BY id DESC LIMIT 50")
OVERDUE_SQL = (
    "SELECT * FROM dossier WHERE (agency_id = $1 OR agency_id LIKE $2) "
    "AND status_code = ANY($3::int[]) AND due_at < now() ORDER BY due_at, id LIMIT 50")


def sql_of(params: dict[str, str]) -> tuple[str, list[Any]]:
    if "q" in params and params["q"][0] == "H":  # a code: see repository._newest_first
        return SEARCH_SQL.replace("id DESC", "id + 0 DESC"), ["H56", "H56.%", fold(params["q"])]
    if "q" in params:
        return SEARCH_SQL, ["H56", "H56.%", fold(params["q"])]
    return OVERDUE_SQL, ["H56", "H56.%", sorted(CLOCK_RUNNING)]


async def measure(db: str, base_url: str, token: str, repeats: int, count: int) -> dict[str, Any]:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=db)
    sample_code = str(await conn.fetchval(
        "SELECT code FROM dossier ORDER BY id LIMIT 1 OFFSET $1", count // 2))
    out: dict[str, Any] = {"api": [], "sql": [], "rows": {}}
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for label, params in queries(sample_code):
            sql, args = sql_of(params)
            plan = await conn.fetch("EXPLAIN ANALYZE " + sql, *args)
            lines = [r[0].strip() for r in plan]
            used = [ln for ln in lines if "Index" in ln or "Seq Scan" in ln][:2]
            api, base = [], []
            async with session.get(f"{base_url}/api/v1/dossiers", params=params) as warm_up:
                await warm_up.read()
            for _ in range(repeats):
                started = time.perf_counter()
                async with session.get(f"{base_url}/api/v1/dossiers",
                                       params={**params, "limit": "50"}) as response:
                    found = await response.json()
                    assert response.status == 200, found
                api.append(time.perf_counter() - started)
                started = time.perf_counter()
                await conn.fetch(sql, *args)
                base.append(time.perf_counter() - started)
            out["api"] += api
            out["sql"] += base
            print(f"  {label:<28} {len(found):3d} rows  API p50 {pct(api, 50):6.1f} p95 "
                  f"{pct(api, 95):6.1f} ms   SQL p50 {pct(base, 50):6.1f} p95 "
                  f"{pct(base, 95):6.1f} ms", flush=True)
            print(f"      plan: {' | '.join(used)[:150]}; {lines[-1]}", flush=True)
    await conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    count = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
    postgres_or_exit("dossier_search")
    databases = PgDatabases()
    issuer = TestIssuer()
    jwks, jwks_url = serve_jwks(issuer)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        nats = NatsServer(store_dir=tmp / "nats")
        processes = Processes(tmp)
        try:
            nats.start()
            db = databases.new("dossier_search")
            migrate_to(PgDatabases.url(db), "0009")
            started = time.perf_counter()
            asyncio.run(load(db, count))
            loaded = time.perf_counter() - started
            processes.ports["dossier"] = free_port()
            processes.env.update({
                "NATS_URL": nats.url, "EGOV_ISSUER": ISSUER, "EGOV_IDENTITY_URL": jwks_url,
                "DOSSIER_DATABASE_URL": PgDatabases.url(db), "DOSSIER_LOG_LEVEL": "WARNING",
                "DOSSIER_PORT": str(processes.ports["dossier"]), "EGOV_DEMO": "1",
                "DOSSIER_FORMS_DIR": str(tmp / "forms")})
            started = time.perf_counter()
            processes.spawn("dossier", [sys.executable, "-m", "svc_dossier"])
            processes.wait_ready("dossier", timeout=600)
            indexed = time.perf_counter() - started
            print(f"dossier_search (PostgreSQL, {count:,} dossiers: loaded in {loaded:.0f} s, "
                  f"svc-dossier started with migration 0010 in {indexed:.0f} s; "
                  f"{args.repeats} runs per query, one at a time)", flush=True)
            token = issuer.token(kind="official", roles=["processing_officer"],
                                 agency_id="H56", username="canbo.tinh")
            results = asyncio.run(measure(db, processes.url("dossier"), token, args.repeats,
                                          count))
        finally:
            processes.stop()
            nats.stop()
            jwks.shutdown()
            databases.drop_all()
    api95, sql95 = pct(results["api"], 95), pct(results["sql"], 95)
    print(f"  all queries: API p50 {pct(results['api'], 50):.1f} ms, p95 {api95:.1f} ms; "
          f"SQL (asyncpg) p50 {pct(results['sql'], 50):.1f} ms, p95 {sql95:.1f} ms; "
          f"ratio API/SQL p95 {api95 / sql95:.1f}x")
    print(f"  {'PASS' if api95 <= TARGET_P95_MS else 'FAIL'}: API p95 {api95:.1f} ms vs "
          f"≤ {TARGET_P95_MS:.0f} ms with {count:,} dossiers (information only)")


if __name__ == "__main__":
    main()

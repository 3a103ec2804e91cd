"""How fast does ``python -m svc_reporting rebuild`` replay JetStream into the read model?

Starts a private nats-server, publishes about ``--events`` (default 200,000) events of generated
dossiers through their lifecycle (submitted, received, refused, components, payments,
returned, results, ratings: ``bench/_reporting_data.py``) on the DOSSIER stream, then measures,
in the same run:

- baseline: a bare pull consumer reading the same messages (no acks, batches of 1,000), doing
  nothing with them;
- the rebuild (``svc_reporting.readmodel.rebuild.rebuild``, what the command runs: migrations,
  emptying the read model, replay, inbox rows) into a fresh PostgreSQL database (SQLite when
  PostgreSQL is not reachable, said so).

Checks that the province's submitted count equals the dossiers published, then prints events/s,
the ratio to the baseline and PASS/FAIL against ≥ 5,000 events/s (information only, never an
assertion). ``--profile`` runs the rebuild under cProfile and prints the top functions.

    .venv/bin/python bench/reporting_rebuild.py [--events 200000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._reporting_data import PROVINCE, Dossiers, envelope
from bench._stack import PgDatabases
from egov_shared.db import create_engine
from egov_shared.messaging.bus import ensure_streams
from egov_shared.timeutil import utcnow
from egov_testing import NatsServer, postgres_reachable
from svc_reporting.main import MIGRATIONS
from svc_reporting.models import daily_count
from svc_reporting.readmodel.rebuild import Report, rebuild
from svc_reporting.settings import ReportingSettings

TARGET_RATE = 5000.0


async def publish(url: str, wanted: int) -> tuple[int, int, float]:
    """Publishes the events of a year of dossiers, about ``wanted`` of them (~5 a dossier;
    the last weeks' dossiers still in progress); answers (events, dossiers, seconds)."""
    nc = await nats.connect(url)
    js = nc.jetstream(timeout=30)
    await ensure_streams(js)
    end = utcnow()
    dossiers = Dossiers(max(1, wanted // 5), end - timedelta(days=365), end)
    sent, started, pending = 0, time.perf_counter(), []
    for events in dossiers:
        for contract, data in events:
            pending.append(js.publish(contract.subject, envelope(contract, data)))
        sent += len(events)
        if len(pending) >= 2000:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)
    seconds = time.perf_counter() - started
    await nc.close()
    return sent, dossiers.count, seconds


async def bare_read(url: str, expected: int) -> float:
    """Messages/s of a bare pull consumer over the DOSSIER stream, no acks."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    psub = await js.pull_subscribe("dossier.>", stream="DOSSIER", config=ConsumerConfig(
        ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL))
    got, started = 0, time.perf_counter()
    while got < expected:
        try:
            got += len(await psub.fetch(1000, timeout=2.0))
        except (TimeoutError, NatsTimeoutError):
            break
    seconds = time.perf_counter() - started
    await psub.unsubscribe()
    await nc.close()
    return got / seconds


async def province_submitted(url: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as conn:
        found = (await conn.execute(select(func.sum(daily_count.c.count)).where(
            daily_count.c.agency_id == PROVINCE, daily_count.c.metric == "submitted"))
        ).scalar_one()
    await engine.dispose()
    return int(found or 0)


def run_rebuild(settings: ReportingSettings, profile: bool) -> Report:
    if not profile:
        return asyncio.run(rebuild(settings, MIGRATIONS))
    profiler = cProfile.Profile()
    report: Any = profiler.runcall(asyncio.run, rebuild(settings, MIGRATIONS))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return report  # type: ignore[no-any-return]


def database_url(tmp: Path, databases: PgDatabases) -> tuple[str, str]:
    if postgres_reachable():
        return PgDatabases.url(databases.new("reporting_rebuild")), "PostgreSQL"
    return f"sqlite+aiosqlite:///{tmp / 'reporting.db'}", "SQLite (PostgreSQL not reachable)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    databases = PgDatabases()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        server = NatsServer(store_dir=tmp / "nats")
        try:
            server.start()
            url, backend = database_url(tmp, databases)
            events, dossiers, published = asyncio.run(publish(server.url, args.events))
            print(f"reporting_rebuild ({backend}; {events:,} events of {dossiers:,} dossiers "
                  f"published in {published:.1f} s)", flush=True)
            baseline = asyncio.run(bare_read(server.url, events))
            print(f"  baseline: bare pull consumer, no acks: {baseline:,.0f} msg/s", flush=True)
            settings = ReportingSettings(database_url=url, nats_url=server.url,
                                         log_level="WARNING")
            report = run_rebuild(settings, args.profile)
            counted = asyncio.run(province_submitted(url))
        finally:
            server.stop()
            databases.drop_all()
    print(f"  rebuild: {report.events:,} events in {report.seconds:.1f} s = {report.rate:,.0f} "
          f"events/s ({report.rate / baseline:.0%} of the baseline); skipped {report.skipped}")
    print(f"  check: province submitted {counted:,} vs {dossiers:,} dossiers published: "
          f"{'OK' if counted == dossiers else 'MISMATCH'}")
    print(f"  {'PASS' if report.rate >= TARGET_RATE else 'FAIL'}: {report.rate:,.0f} events/s "
          f"vs ≥ {TARGET_RATE:,.0f} events/s (information only)")


if __name__ == "__main__":
    main()

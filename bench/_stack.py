"""Shared by the dossier benchmarks: fresh PostgreSQL databases, services as child processes,
closed-loop and open-loop load with aiohttp, percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx

from egov_testing import PG_HOST, PG_PORT, free_port, port_open

DEMO_PASSWORD = "demo-Password-1"
MODULES = {"identity": "svc_identity", "dossier": "svc_dossier", "gateway": "gateway"}


def postgres_or_exit(bench: str) -> None:
    if not port_open(PG_HOST, PG_PORT):
        print(f"{bench}: SKIPPED, PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} "
              "(user postgres); this benchmark measures PostgreSQL only.")
        sys.exit(0)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres",
                                 database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class PgDatabases:
    """Fresh PostgreSQL databases, dropped at the end."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new(self, name: str) -> str:
        db = f"egov_bench_{name}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(f'CREATE DATABASE "{db}"'))
        self.created.append(db)
        return db

    @staticmethod
    def url(db: str) -> str:
        return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{db}"

    def drop_all(self) -> None:
        for db in self.created:
            try:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            except Exception as exc:
                print(f"  (could not drop {db}: {exc})")


@dataclass
class Processes:
    """Child processes on free ports, logs in ``tmp``; ``env`` is shared by all."""

    tmp: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.tmp / f"{name}.log").open("ab")
        # A session of its own: stopping it reaches uvicorn's worker processes too (a worker
        # left running after a run steals the next run's CPU).
        self.procs[name] = subprocess.Popen(argv, env={**self.env, **(env or {})},
                                            stdout=log, stderr=log, start_new_session=True)

    def wait_ready(self, name: str, path: str = "/readyz", timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                break
            try:
                if httpx.get(self.url(name) + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not become ready:\n{self.log_tail(name)}")

    def log_tail(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            _signal_group(proc, signal.SIGKILL)  # whatever of the group is left
            proc.wait()
        self.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def platform_env(processes: Processes, nats_url: str, urls: dict[str, str]) -> None:
    """The variables svc-identity, svc-dossier and the gateway read (as tests/platform.py)."""
    ports = processes.ports
    for name in [*MODULES, "national"]:
        ports.setdefault(name, free_port())
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    processes.env.update({
        "NATS_URL": nats_url, "EGOV_DEMO": "1", "EGOV_DEMO_PASSWORD": DEMO_PASSWORD,
        "EGOV_ISSUER": gateway, "EGOV_IDENTITY_URL": f"http://127.0.0.1:{ports['identity']}",
        "IDENTITY_SECRET_KEY_FILE": str(processes.tmp / "identity-secret.key"),
        "IDENTITY_MAIL_DROP_DIR": str(processes.tmp / "mail"),
        "DOSSIER_FORMS_DIR": str(processes.tmp / "forms"),
        "DOSSIER_PAYMENT_URL": f"http://127.0.0.1:{ports['dossier']}/simulators/payment",
        # The national portal lies outside the province: its stand-in acknowledges every push
        # at once (bench/_ack_server.py) in a process of its own, so that the pushes are
        # measured and the portal's own work is not.
        "DOSSIER_NATIONAL_PORTAL_URL": f"http://127.0.0.1:{ports['national']}",
    })
    for name in MODULES:
        prefix = name.upper() + "_"
        processes.env[prefix + "PORT"] = str(ports[name])
        processes.env[prefix + "LOG_LEVEL"] = "WARNING"
        if name in urls:
            processes.env[prefix + "DATABASE_URL"] = urls[name]
        if name != "gateway":
            processes.env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[name]}"


def start_platform(processes: Processes) -> None:
    processes.spawn("national", [sys.executable, str(Path(__file__).parent / "_ack_server.py"),
                                 str(processes.ports["national"])])
    for name, module in MODULES.items():
        processes.spawn(name, [sys.executable, "-m", module])
    for name in MODULES:
        processes.wait_ready(name, "/healthz" if name == "gateway" else "/readyz")


def pct(values: list[float], q: float) -> float:
    """The q-th percentile in milliseconds (inclusive method: fine for a few thousand)."""
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


Request = Callable[[aiohttp.ClientSession, int], Awaitable[int]]


async def closed_loop(request: Request, clients: int, seconds: float) -> tuple[float, int, int]:
    """``clients`` sessions each sending the next request as soon as one answers.
    Returns (requests/s, done, failures: statuses other than expected)."""
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client() -> tuple[int, int]:
        done = failed = 0
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            while time.perf_counter() < deadline:
                failed += not await request(session, next(counter))
                done += 1
        return done, failed

    started = time.perf_counter()
    counts = await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    done = sum(d for d, _ in counts)
    return done / elapsed, done, sum(f for _, f in counts)


async def open_loop(request: Request, rate: float, seconds: float) -> tuple[list[float], int]:
    """Requests scheduled by time at ``rate`` per second whatever the answers (open loop);
    each latency counts from its scheduled start, so queueing is not hidden. Returns the
    latencies (seconds) and the number of failures."""
    total = int(rate * seconds)
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter() + 0.05

        async def one(i: int, scheduled: float) -> None:
            nonlocal failures
            ok = await request(session, i)
            latencies.append(time.perf_counter() - scheduled)
            failures += not ok

        tasks: list[asyncio.Task[Any]] = []
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, scheduled)))
        await asyncio.gather(*tasks)
    return latencies, failures

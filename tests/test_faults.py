"""Fault injection under load: while citizens submit dossiers and Sở Tư pháp issues documents
to Sở Xây dựng, each component in turn is killed with SIGKILL and started again (every
service, the gateway, the NATS server on its port and store), PostgreSQL is restarted, and the
outbox relay dies between publishing an event and marking it published. After each fault: no
acknowledged request is lost, no event took effect twice, the read models equal the stored
data, and the platform serves again (``/readyz`` and a submission) within 30 s of the restart.

The platform runs against a PostgreSQL server of its own (so that restarting it disturbs
nothing else) and its own NATS server. ``EGOV_FAULT_LOAD_SECONDS`` lengthens each scenario's
load (``make faults``); docs/RELIABILITY.md describes the scenarios and the last long run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
import pyotp
import pytest

from egov_testing import Databases, eventually, free_port
from tests.load import (
    DEMO_TOTP_SECRET,
    Ledger,
    People,
    every_document_arrives_once,
    every_success_is_stored_once,
    reporting_equals_the_stored_data,
    rows,
    run_load,
    sign_in,
    submit_dossier,
)
from tests.platform import SERVICES, Platform, running

CRASH_ENV = "EGOV_FAULT_RELAY_CRASH_AFTER_PUBLISH"  # egov_shared.messaging.outbox, test-only
LOAD_SECONDS = float(os.environ.get("EGOV_FAULT_LOAD_SECONDS", "4"))  # per scenario
OUTAGE_SECONDS = 1.0  # how long a killed component stays down, under load
RECOVERY_BOUND = 30.0  # the requirement: serving again within 30 s of a restart
ACK_WAIT = 3  # a killed consumer's unacknowledged messages come back after this
CITIZENS = 2
TOKEN_REFRESH_SECONDS = 600  # access tokens live 900 s; long runs sign in again
PG_PROGRAMS = ("initdb", "pg_ctl", "postgres", "createdb")


def postgres_bin() -> Path | None:
    """The directory of a PostgreSQL server's initdb and pg_ctl (Debian keeps them out of
    PATH, under /usr/lib/postgresql/<version>/bin)."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True,
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return next((c for c in candidates
                 if all((c / program).exists() for program in PG_PROGRAMS)), None)


def why_skipped() -> str | None:
    if os.environ.get("EGOV_TEST_DB", "").lower() == "sqlite":
        return "SQLite-only run (EGOV_TEST_DB=sqlite): the fault tests restart a PostgreSQL server"
    if postgres_bin() is None:
        return ("no PostgreSQL server binaries (initdb, pg_ctl): the fault tests restart a "
                "private PostgreSQL server; install Debian's postgresql package")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user: initdb refuses to run as root"
    return None


pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(why_skipped() is not None, reason=str(why_skipped()))]


class PrivatePostgres:
    """A PostgreSQL server of this test's own, on a free port in a temporary directory, as the
    ``postgres`` user when the test runs as root (initdb refuses root)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="egov-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, (command, done.stdout, done.stderr)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                 "-E", "UTF8", "--no-locale")
        self.start()

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w",
                 "-t", "60", "-o", f"-p {self.port} -k {self.dir} "
                 "-c listen_addresses=127.0.0.1 -c max_connections=200", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateDatabases(Databases):
    """The platform's four databases on the private server."""

    def __init__(self, tmp_dir: Path, server: PrivatePostgres) -> None:
        super().__init__(tmp_dir)
        self.postgres = True
        self.server = server

    def new_url(self, name: str) -> str:
        return self.server.create_database(f"egov_faults_{name}")

    def drop_all(self) -> None:  # the server and its files go away whole
        pass


@dataclass
class FaultPlatform(Platform):
    fault_env: dict[str, str] = field(default_factory=dict)  # for the next spawn only

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in super().env().items() if k != CRASH_ENV}
        for _module, prefix in SERVICES.values():
            env[prefix + "CONSUMER_ACK_WAIT_SECONDS"] = str(ACK_WAIT)
        return {**env, **self.fault_env}

    def spawn_with(self, name: str, fault_env: dict[str, str]) -> None:
        self.fault_env = fault_env
        try:
            self.spawn(name)
        finally:
            self.fault_env = {}


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    bin_dir = postgres_bin()
    assert bin_dir is not None
    server = PrivatePostgres(bin_dir)
    try:
        server.init()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory, postgres: PrivatePostgres
           ) -> Iterator[FaultPlatform]:
    databases = PrivateDatabases(tmp_path_factory.mktemp("faults-db"), postgres)
    with running(FaultPlatform, tmp_path_factory, databases, "faults") as platform:
        yield platform


@pytest.fixture(scope="module")
async def gateway(faulty: FaultPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=faulty.gateway, timeout=30) as client:
        yield client


@dataclass
class Run:
    """What the scenarios share: one ledger of acknowledged requests, the signed-in people,
    and the results for the report."""

    ledger: Ledger
    people: People
    signed_in_at: float
    totp_step: int
    results: dict[str, dict[str, float]] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def run(gateway: httpx.AsyncClient) -> AsyncIterator[Run]:
    step = int(time.time()) // 30
    people = await sign_in(gateway, CITIZENS, otp=pyotp.TOTP(DEMO_TOTP_SECRET).at(step * 30))
    state = Run(Ledger(), people, time.monotonic(), step)
    yield state
    print("\nfault scenarios (acknowledged dossiers and documents, answers lost and retried, "
          "seconds from the restart to /readyz and to a submission):")
    for name, result in state.results.items():
        print(f"  {name}: {result}")


async def signed_in(gateway: httpx.AsyncClient, state: Run) -> People:
    """The people, signed in again when their tokens near their end (long runs); the leader
    with a TOTP code of a later step than the last one used (each code is accepted once)."""
    if time.monotonic() - state.signed_in_at > TOKEN_REFRESH_SECONDS:
        state.totp_step = max(state.totp_step + 1, int(time.time()) // 30)
        await asyncio.sleep(max(0.0, (state.totp_step - 1) * 30 - time.time() + 1))
        state.people = await sign_in(gateway, CITIZENS, otp=pyotp.TOTP(
            DEMO_TOTP_SECRET).at(state.totp_step * 30))
        state.signed_in_at = time.monotonic()
    return state.people


async def in_thread(work: Callable[[], object]) -> None:
    await asyncio.to_thread(work)


async def stream_size(platform: Platform, stream: str) -> int:
    nc = await nats.connect(platform.nats.url)
    try:
        return int((await nc.jetstream().stream_info(stream)).state.messages)
    finally:
        await nc.close()


async def serves_again(platform: Platform, gateway: httpx.AsyncClient, state: Run,
                       restarted: float) -> tuple[float, float]:
    """Seconds from the restart to the first ready ``/readyz`` and to an acknowledged
    submission after it (bounded at 90 s so that a platform that never comes back fails, not
    hangs)."""
    while time.monotonic() - restarted < 90:
        try:
            if (await gateway.get("/readyz", timeout=2)).status_code == 200:
                break
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"/readyz never answered 200; see the logs in {platform.log_dir}")
    ready = time.monotonic() - restarted
    who, token = next(iter(state.people.citizens.items()))
    await submit_dossier(gateway, state.ledger, who, token)
    return ready, time.monotonic() - restarted


@dataclass
class Fault:
    """Takes a component down and brings it back."""

    down: Callable[[], Awaitable[None]]
    up: Callable[[], Awaitable[None]]


def process_fault(platform: FaultPlatform, name: str) -> Fault:
    async def down() -> None:
        platform.kill(name)

    async def up() -> None:
        platform.spawn(name)

    return Fault(down, up)


def nats_fault(platform: FaultPlatform) -> Fault:
    async def down() -> None:
        proc = platform.nats.proc
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        platform.nats.proc = None

    return Fault(down, lambda: in_thread(platform.nats.start))


def postgres_fault(server: PrivatePostgres) -> Fault:
    return Fault(lambda: in_thread(server.stop), lambda: in_thread(server.start))


@dataclass
class RelayCrash:
    """svc-dossier started with the relay's fault hook: it dies right after a publication,
    before marking the row. Records what the stream and the outbox held at that moment."""

    platform: FaultPlatform
    after: int = 10
    in_stream: int = 0
    marked: int = 0

    async def down(self) -> None:
        self.platform.kill("dossier")
        self.platform.spawn_with("dossier", {CRASH_ENV: str(self.after)})
        proc = self.platform.procs["dossier"]
        code = await asyncio.to_thread(proc.wait, 90)
        assert code == 137, f"svc-dossier exited with {code}, not by the fault hook"
        self.platform.procs.pop("dossier")
        self.in_stream = await stream_size(self.platform, "DOSSIER")
        marked = await rows(self.platform.urls["dossier"],
                            "SELECT count(*) AS n FROM outbox_event "
                            "WHERE subject LIKE 'dossier.%' AND published_at IS NOT NULL")
        self.marked = int(marked[0]["n"])

    async def up(self) -> None:
        self.platform.spawn("dossier")


async def under_load(platform: FaultPlatform, gateway: httpx.AsyncClient, state: Run,
                     fault: Fault) -> tuple[float, float]:
    """Steady load; the fault after a quarter of it; the component back after the outage.
    The load goes on until the platform has served again and ``LOAD_SECONDS`` have passed.
    Returns the recovery times (ready, serving)."""
    people = await signed_in(gateway, state)
    stopped = asyncio.Event()
    load = asyncio.create_task(run_load(gateway, state.ledger, people,
                                        lambda: not stopped.is_set()))
    started = time.monotonic()
    try:
        await asyncio.sleep(LOAD_SECONDS / 4)
        await fault.down()
        await asyncio.sleep(OUTAGE_SECONDS)
        restarted = time.monotonic()
        await fault.up()
        recovery = await serves_again(platform, gateway, state, restarted)
        await asyncio.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
    finally:
        stopped.set()
        await load
    return recovery


async def nothing_lost_nor_doubled(platform: FaultPlatform, gateway: httpx.AsyncClient,
                                   state: Run) -> None:
    """The scale-out test's checks, then the streams: every outbox row published once (a
    re-publication dropped by Nats-Msg-Id) and no event given up to the dead letters."""
    await every_success_is_stored_once(platform.urls, state.ledger)
    await every_document_arrives_once(platform.urls, state.ledger)
    await reporting_equals_the_stored_data(gateway, platform.urls, state.people.report,
                                           redelivery_seconds=ACK_WAIT + 1)
    for service, stream in (("dossier", "DOSSIER"), ("docflow", "DOCFLOW")):
        async def published(service: str = service, stream: str = stream) -> bool:
            pending = await rows(platform.urls[service], "SELECT count(*) AS n FROM "
                                 "outbox_event WHERE published_at IS NULL")
            return int(pending[0]["n"]) == 0

        assert await eventually(published, timeout=60, interval=0.5), f"{service} outbox"
        outbox = await rows(platform.urls[service], "SELECT count(*) AS n FROM outbox_event "
                            f"WHERE subject LIKE '{service}.%'")
        assert await stream_size(platform, stream) == outbox[0]["n"], stream
    assert await stream_size(platform, "DEADLETTER") == 0


async def scenario(platform: FaultPlatform, gateway: httpx.AsyncClient, state: Run, name: str,
                   fault: Fault | RelayCrash) -> None:
    dossiers, documents, retries = (len(state.ledger.dossiers), len(state.ledger.issued),
                                    state.ledger.retries)
    ready, recovery = await under_load(platform, gateway, state, Fault(fault.down, fault.up))
    state.results[name] = {
        "dossiers": len(state.ledger.dossiers) - dossiers,
        "documents": len(state.ledger.issued) - documents,
        "lost_answers": state.ledger.retries - retries, "ready_s": round(ready, 1),
        "recovery_s": round(recovery, 1)}
    assert len(state.ledger.dossiers) > dossiers + CITIZENS, "the load did not run"
    assert recovery <= RECOVERY_BOUND, f"{name}: serving again took {recovery:.1f} s"
    await nothing_lost_nor_doubled(platform, gateway, state)


class TestServiceKilled:
    @pytest.mark.parametrize("name", list(SERVICES))
    async def test_a_service_killed_under_load_loses_nothing_and_serves_again_in_30_s(
        self, faulty: FaultPlatform, gateway: httpx.AsyncClient, run: Run, name: str
    ) -> None:
        await scenario(faulty, gateway, run, name, process_fault(faulty, name))


class TestGatewayKilled:
    async def test_the_gateway_killed_under_load_loses_nothing_and_serves_again_in_30_s(
        self, faulty: FaultPlatform, gateway: httpx.AsyncClient, run: Run
    ) -> None:
        await scenario(faulty, gateway, run, "gateway", process_fault(faulty, "gateway"))


class TestNatsKilled:
    async def test_nats_killed_and_restarted_on_its_store_loses_no_event(
        self, faulty: FaultPlatform, gateway: httpx.AsyncClient, run: Run
    ) -> None:
        await scenario(faulty, gateway, run, "nats", nats_fault(faulty))


class TestPostgresRestarted:
    async def test_postgresql_restarted_under_load_loses_nothing_and_serves_again_in_30_s(
        self, faulty: FaultPlatform, gateway: httpx.AsyncClient, run: Run,
        postgres: PrivatePostgres
    ) -> None:
        await scenario(faulty, gateway, run, "postgresql", postgres_fault(postgres))


class TestRelayCrashesBetweenPublishAndMark:
    async def test_events_published_but_not_marked_are_published_again_and_counted_once(
        self, faulty: FaultPlatform, gateway: httpx.AsyncClient, run: Run
    ) -> None:
        crash = RelayCrash(faulty)
        await scenario(faulty, gateway, run, "outbox relay", crash)
        # The crash left events in the stream whose rows were not marked published ...
        assert crash.in_stream > crash.marked, (crash.in_stream, crash.marked)
        # ... and nothing_lost_nor_doubled found each of them in the stream once.

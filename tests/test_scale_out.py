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
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from egov_testing import Databases, free_port, port_open, postgres_reachable
from tests.load import (
    Ledger,
    every_document_arrives_once,
    every_success_is_stored_once,
    reporting_equals_the_stored_data,
    run_load,
    sign_in,
    until,
)
from tests.platform import SERVICES, Platform, running

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not postgres_reachable(), reason=(
        "replicas share one database, which needs PostgreSQL (SQLite serialises neither "
        "migrations nor claims across processes); PostgreSQL is not reachable on 127.0.0.1")),
]
LOAD_SECONDS = int(os.environ.get("EGOV_SCALE_OUT_LOAD_SECONDS", "36"))  # longer by hand
CITIZENS = 4
# When each service's second replica is killed, as a share of the load's duration.
KILLS = {"dossier": 0.2, "docflow": 0.35, "reporting": 0.5, "identity": 0.65}


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


async def kill_on_schedule(replicated: ReplicatedPlatform, started: float) -> None:
    for name, share in sorted(KILLS.items(), key=lambda item: item[1]):
        await asyncio.sleep(max(0.0, started + share * LOAD_SECONDS - time.monotonic()))
        replicated.kill_second(name)


class TestScaleOut:
    async def test_replicas_killed_under_load_lose_nothing_and_count_everything_once(
        self, gateway: httpx.AsyncClient, replicated: ReplicatedPlatform
    ) -> None:
        people = await sign_in(gateway, CITIZENS)
        ledger = Ledger()
        started = time.monotonic()
        await asyncio.gather(run_load(gateway, ledger, people, until(started + LOAD_SECONDS)),
                             kill_on_schedule(replicated, started))
        assert all(replicated.second[name].poll() is not None for name in SERVICES)
        assert len(ledger.dossiers) > 20 and len(ledger.issued) >= 2, ledger
        print(f"scale-out: {len(ledger.dossiers)} dossiers and {len(ledger.issued)} documents "
              f"acknowledged in {LOAD_SECONDS} s, {ledger.retries} answers lost to the kills")

        await every_success_is_stored_once(replicated.urls, ledger)
        await every_document_arrives_once(replicated.urls, ledger)
        # Past the consumers' ack wait: no late redelivery counts twice.
        await reporting_equals_the_stored_data(gateway, replicated.urls, people.report,
                                               redelivery_seconds=6)

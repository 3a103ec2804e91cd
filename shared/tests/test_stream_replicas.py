"""A JetStream cluster of three real nats-server processes: with NATS_STREAM_REPLICAS=3 the
platform's streams keep three copies, and losing one server (SIGKILL) loses no event."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import NoStreamResponseError

from egov_shared.messaging.bus import EventBus
from egov_testing import NATS_CONF, free_port, nats_binary, port_open

SERVERS = 3


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    ports = [free_port() for _ in range(SERVERS)]
    routes = [free_port() for _ in range(SERVERS)]
    procs = []
    for i in range(SERVERS):
        others = ",".join(f"nats://127.0.0.1:{r}" for j, r in enumerate(routes) if j != i)
        procs.append(subprocess.Popen(
            [nats_binary(), "-c", str(NATS_CONF), "-js", "-a", "127.0.0.1", "-p", str(ports[i]),
             "-sd", str(tmp_path / f"n{i}"), "--server_name", f"n{i}", "--cluster_name", "egov",
             "--cluster", f"nats://127.0.0.1:{routes[i]}", "--routes", others],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for port in ports:
            while not port_open("127.0.0.1", port):
                pass
        yield [(f"nats://127.0.0.1:{p}", proc) for p, proc in zip(ports, procs, strict=True)]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


async def connected_bus(url: str) -> EventBus:
    """The bus retries until the cluster has elected its JetStream leader."""
    bus = EventBus(url, name="test-replicas", stream_replicas=3)
    bus.start()
    await asyncio.wait_for(bus.wait_connected(), timeout=60)
    return bus


async def publish_during_election(js: JetStreamContext) -> PubAck:
    """When the lost server led the stream, the other two elect a new leader first: a client
    repeats its publish (the same message id, so never twice) until it is acknowledged."""
    for _ in range(30):
        try:
            return await js.publish("dossier.dossier.submitted", b"{}",
                                    headers={"Nats-Msg-Id": "after-loss"})
        except (NoStreamResponseError, nats.errors.TimeoutError):
            await asyncio.sleep(1)
    raise AssertionError("the stream never came back with two servers of three")


class TestStreamReplicas:
    async def test_the_streams_keep_three_copies_and_survive_a_lost_server(
        self, cluster: list[tuple[str, subprocess.Popen[bytes]]]
    ) -> None:
        bus = await connected_bus(cluster[0][0])
        try:
            info = await bus.js.stream_info("DOSSIER")
            assert info.config.num_replicas == 3
            before = await bus.js.publish("dossier.dossier.submitted", b"{}",
                                          headers={"Nats-Msg-Id": "before-loss"})
            cluster[2][1].kill()  # SIGKILL: one server of three gone
            nc = await nats.connect(cluster[1][0])
            try:
                js = nc.jetstream(timeout=5)
                after = await publish_during_election(js)
                state = (await js.stream_info("DOSSIER")).state
            finally:
                await nc.close()
            assert after.seq == before.seq + 1 and state.messages == 2
        finally:
            await bus.close()

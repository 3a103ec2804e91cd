"""What a process of a service runs (``ROLE``): ``api`` leaves the events to the ``worker``
process, which ``run_service`` keeps running beside the API workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import BackgroundProcess, ServiceRuntime, create_service_app
from egov_shared.db import new_metadata
from egov_shared.events import CloudEvent
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_shared.messaging.consumer import Subscription
from egov_shared.messaging.tables import define_messaging_tables
from egov_shared.settings import ServiceSettings
from egov_testing import Databases, NatsServer, eventually, serve_in_process


@pytest.mark.parametrize("role", ["api", "all", "worker"])
async def test_only_background_roles_consume_events(
    role: str, databases: Databases, nats_server: NatsServer, tmp_path: Path
) -> None:
    metadata = new_metadata()
    tables = define_messaging_tables(metadata)
    handled: list[str] = []

    async def handler(_session: AsyncSession, event: CloudEvent) -> None:
        handled.append(event.id)

    async def create_tables(runtime: ServiceRuntime) -> None:
        async with runtime.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    settings = ServiceSettings(database_url=databases.new_url("role"), nats_url=nats_server.url,
                               auto_migrate=False, role=role, log_json=False)
    durable = f"test-role-{role}-{uuid.uuid4().hex[:6]}"
    app = create_service_app(
        settings=settings, title="t", description="t", metadata=metadata, messaging=tables,
        migrations_dir=tmp_path, routers=[], on_startup=[create_tables],
        subscriptions=[Subscription(durable=durable, subject=DOSSIER_SUBMITTED.subject,
                                    handlers={DOSSIER_SUBMITTED.type: handler})])
    event = CloudEvent(id=uuid.uuid4().hex, source="/test", type=DOSSIER_SUBMITTED.type,
                       subject="x", time=datetime.now(UTC), data={
                           "code": "x", "procedure_code": "P", "agency_id": "H56.14",
                           "channel": "online", "status_code": 1,
                           "submitted_at": datetime.now(UTC).isoformat()})
    async with serve_in_process(app) as client:
        assert (await client.get("/readyz")).status_code == 200  # every role is served
        nc = await nats.connect(nats_server.url)
        try:
            await nc.jetstream().publish(DOSSIER_SUBMITTED.subject, event.to_json())
        finally:
            await nc.close()
        consumed = await eventually(lambda: _has(handled, event.id), timeout=3)
    assert consumed == (role != "api")


async def _has(items: list[str], item: str) -> bool:
    return item in items


def test_background_process_runs_as_worker_and_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_service"
    package.mkdir()
    record = tmp_path / "runs.jsonl"
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(textwrap.dedent(f"""
        import json, os
        with open({str(record)!r}, "a") as out:
            out.write(json.dumps({{k: v for k, v in os.environ.items()
                                  if k.startswith("FAKE_")}}) + "\\n")
    """))  # each run records its environment and ends at once
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    background = BackgroundProcess("fake_service", "FAKE_")
    background.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _lines(record) < 2:
            time.sleep(0.1)
    finally:
        background.stop()
    runs = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(runs) >= 2, "an ended background process is started again"
    assert runs[0] == {"FAKE_ROLE": "worker", "FAKE_WORKERS": "1", "FAKE_PORT": "0"}
    settled = _lines(record)
    time.sleep(1.5)
    assert _lines(record) == settled, "nothing is started after stop()"


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_background_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    package = tmp_path / "long_service"
    package.mkdir()
    pid_file = tmp_path / "child.pid"
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(textwrap.dedent(f"""
        import os, time
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        time.sleep(120)
    """))
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import time
        from egov_shared.app import BackgroundProcess
        BackgroundProcess("long_service", "LONG_").start()
        time.sleep(120)
    """)], env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}"
                                            f"{os.environ.get('PYTHONPATH', '')}"})
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not pid_file.exists():
            time.sleep(0.1)
        child = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)  # no chance to stop it
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.1)
        assert not _alive(child), "the background process outlived the process that started it"
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its (new) parent is gone
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"

"""deploy/compose.yaml, validated offline by Debian's docker-compose (`config`; no Docker
engine here) and read for what a single-host operator relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.images import COMPONENTS, ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"
EXAMPLE = ROOT / "deploy" / "compose.env.example"
DOCKER_COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(
    DOCKER_COMPOSE is None, reason="Debian's docker-compose is not installed (`make test` "
    "installs it when run as root): the compose file is not validated")
SERVICE_OF = {"svc-identity": "identity", "svc-dossier": "dossier", "svc-docflow": "docflow",
              "svc-reporting": "reporting", "gateway": "gateway"}


def config(env_file: Path) -> subprocess.CompletedProcess[str]:
    assert DOCKER_COMPOSE is not None
    return subprocess.run([DOCKER_COMPOSE, "-p", "egov", "-f", str(COMPOSE), "--env-file",
                           str(env_file), "config"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = tmp_path_factory.mktemp("compose") / "test.env"
    env.write_text(EXAMPLE.read_text().replace("change-me", "s3cret-for-the-test"))
    answer = config(env)
    assert answer.returncode == 0, answer.stderr
    return dict(yaml.safe_load(answer.stdout))


def mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of each mount, whichever syntax docker-compose printed."""
    out = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        out.append((source, target))
    return out


class TestValid:
    def test_docker_compose_accepts_the_file(self, resolved: dict[str, Any]) -> None:
        assert {"postgres", "nats", "gateway"} <= set(resolved["services"])

    def test_a_missing_secret_stops_it_with_a_message(self, tmp_path: Path) -> None:
        env = tmp_path / "partial.env"
        env.write_text("\n".join(line for line in EXAMPLE.read_text().splitlines()
                                 if not line.startswith("IDENTITY_SECRET_KEY=")))
        answer = config(env)
        assert answer.returncode != 0 and "IDENTITY_SECRET_KEY" in answer.stderr

    def test_no_secret_is_written_in_the_file(self) -> None:
        text = COMPOSE.read_text()
        assert not re.search(r"(PASSWORD|SECRET)[A-Z_]*: (?!\$\{)", text)
        assert "deploy/.env" in (ROOT / ".gitignore").read_text().split()


class TestServices:
    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_every_component_runs_its_image_without_migrating_itself(
        self, resolved: dict[str, Any], component: Any
    ) -> None:
        service = resolved["services"][SERVICE_OF[component.directory]]
        assert service["image"].startswith(f"egov/{component.directory}:")
        env = service["environment"]
        assert env["NATS_URL"] == "nats://nats:4222" and env["EGOV_DEMO"] == "0"
        if component.migrates:
            assert env[component.prefix + "AUTO_MIGRATE"] == "false"
            assert env[component.prefix + "DATABASE_URL"].startswith(
                "postgresql+asyncpg://egov_")

    @pytest.mark.parametrize("component", [c for c in COMPONENTS if c.migrates],
                             ids=lambda c: c.directory)
    def test_migrations_run_once_before_the_service_starts(
        self, resolved: dict[str, Any], component: Any
    ) -> None:
        name = SERVICE_OF[component.directory]
        migrate = resolved["services"][f"{name}-migrate"]
        assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
        assert migrate["image"] == resolved["services"][name]["image"]
        assert migrate["environment"] == {
            component.prefix + "DATABASE_URL":
                resolved["services"][name]["environment"][component.prefix + "DATABASE_URL"]}
        waits = resolved["services"][name]["depends_on"]
        assert waits[f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"

    def test_only_the_gateway_is_published(self, resolved: dict[str, Any]) -> None:
        published = {name for name, s in resolved["services"].items() if s.get("ports")}
        assert published == {"gateway"}

    def test_jetstream_and_postgres_keep_their_data_on_volumes(
        self, resolved: dict[str, Any]
    ) -> None:
        nats = resolved["services"]["nats"]
        assert "-js" in nats["command"] and "/data" in nats["command"]
        assert ("natsdata", "/data") in mounts(nats)
        assert ("pgdata", "/var/lib/postgresql/data") in mounts(resolved["services"]["postgres"])
        assert {"natsdata", "pgdata"} <= set(resolved["volumes"])

    def test_each_service_database_has_its_own_login(self) -> None:
        script = (ROOT / "deploy" / "compose" / "initdb.sh").read_text()
        assert "for service in identity dossier docflow reporting" in script
        assert "REVOKE ALL ON DATABASE" in script

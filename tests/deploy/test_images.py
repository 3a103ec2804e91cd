"""The Dockerfiles: linted with hadolint, consistent with the workspace and its lock file, and
what their build stage does, done here without Docker (no engine on this machine): the
locked environment installed from the same files, then the image's command run from it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from egov_testing import Databases
from tests.deploy.images import COMPONENTS, ROOT, Component, exec_form, instructions, stages

UV = ROOT / ".tools" / "bin" / "uv"
HADOLINT = Path(sys.executable).parent / "hadolint"


def makefile_uv_version() -> str:
    found = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found
    return found.group(1)


class TestLint:
    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_hadolint_finds_nothing(self, component: Component) -> None:
        answer = subprocess.run([str(HADOLINT), "--no-color", str(component.dockerfile)],
                                capture_output=True, text=True, timeout=60)
        assert answer.returncode == 0, answer.stdout + answer.stderr


class TestConsistency:
    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_the_image_installs_its_own_package_from_the_lock_file(
        self, component: Component
    ) -> None:
        build = stages(component.dockerfile)[1]
        syncs = [rest for word, rest in build if word == "RUN" and "uv sync" in rest]
        assert syncs and all("--frozen" in s and "--no-dev" in s for s in syncs), syncs
        assert all(f"--package {component.package}" in s for s in syncs), syncs
        args = dict(rest.split("=", 1) for word, rest in build if word == "ARG" and "=" in rest)
        assert args["UV_VERSION"] == makefile_uv_version()

    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_every_workspace_member_is_copied_before_the_first_sync(
        self, component: Component
    ) -> None:
        """uv reads the lock file only with every member's pyproject.toml present."""
        root = tomllib.loads((ROOT / "pyproject.toml").read_text())
        members = root["tool"]["uv"]["workspace"]["members"]
        build = stages(component.dockerfile)[1]
        first_sync = next(i for i, (w, r) in enumerate(build) if "uv sync" in r)
        copied = {r.split()[0] for w, r in build[:first_sync] if w == "COPY"}
        assert {f"{m}/pyproject.toml" for m in members} | {"pyproject.toml"} <= copied

    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_the_runtime_stage_is_non_root_with_a_healthcheck_on_its_own_port(
        self, component: Component
    ) -> None:
        final = dict((w, r) for w, r in stages(component.dockerfile)[-1])
        assert final["USER"].split(":")[0] not in {"0", "root"}
        assert final["EXPOSE"] == str(component.port)
        assert f"127.0.0.1:{component.port}/healthz" in final["HEALTHCHECK"]
        assert exec_form(final["ENTRYPOINT"]) == ["python", "-m", component.module]
        assert f"{component.prefix}HOST=0.0.0.0" in final["ENV"]
        assert f"{component.prefix}PORT={component.port}" in final["ENV"]
        assert "EGOV_DEMO=0" in final["ENV"]

    def test_the_build_context_leaves_out_what_the_images_must_not_hold(self) -> None:
        ignored = (ROOT / ".dockerignore").read_text().split()
        for entry in (".venv", ".tools", "var", ".git", "**/.env", "deploy/.env"):
            assert entry in ignored, entry


class TestBuiltWithoutDocker:
    """The build stage's steps, as written in the Dockerfile, on this machine."""

    @pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.directory)
    def test_the_locked_environment_runs_the_image_command(
        self, component: Component, tmp_path: Path, databases: Databases
    ) -> None:
        source = tmp_path / "src"
        for word, rest in instructions(component.dockerfile):
            if word == "COPY" and not rest.startswith("--from"):
                *origins, target = rest.split()
                for origin in origins:
                    copy(ROOT / origin, source / target)
        build = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(tmp_path / "venv"),
                     UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="hardlink", UV_NO_PROGRESS="1")
        for step in [r for w, r in stages(component.dockerfile)[1] if "uv sync" in r]:
            args = step.split()[1:]  # the RUN's "uv sync …"
            subprocess.run([str(UV), *args, "--python", sys.executable], cwd=source,
                           env=build, check=True, capture_output=True, timeout=300)
        python = tmp_path / "venv" / "bin" / "python"
        run = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        if component.migrates:
            run[component.prefix + "DATABASE_URL"] = databases.new_url(component.directory)
            answer = subprocess.run([str(python), "-m", component.module, "migrate"],
                                    cwd=tmp_path, env=run, capture_output=True, text=True,
                                    timeout=120)
            assert answer.returncode == 0, answer.stderr[-2000:]
        else:
            probe = "from gateway.portal import assets; print(len(assets()))"
            answer = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=run,
                                    capture_output=True, text=True, timeout=60)
            assert answer.returncode == 0 and int(answer.stdout) > 5, answer.stderr[-2000:]


def copy(origin: Path, target: Path) -> None:
    """COPY into a directory: a file keeps its name, a directory gives its contents (less
    what .dockerignore leaves out of the build context)."""
    target.mkdir(parents=True, exist_ok=True)
    if origin.is_dir():
        shutil.copytree(origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
            "__pycache__", "tests", "*.pyc", ".env"))
    else:
        shutil.copy2(origin, target / origin.name)

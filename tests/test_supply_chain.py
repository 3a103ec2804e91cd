"""The supply chain, over the lock file: every dependency comes from the package registry,
pinned with its hashes; none has a known vulnerability that docs/known-vulnerabilities.toml
does not list and justify.

Two checks of known vulnerabilities. ``pip-audit`` (pinned) asks a vulnerability service
(PyPI's JSON API or OSV): it runs when one answers, and says it is skipped otherwise (this
machine's network reaches the package registry only). The offline check runs everywhere: the
lock against the advisory database bundled in the ``safety-db`` wheel — a snapshot of July 2021,
so it catches old pins only; it is a floor, not a substitute for ``make audit`` on a machine
that reaches a vulnerability service."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ROOT / "docs" / "known-vulnerabilities.toml"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def locked() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"]: p for p in lock["package"]}


def registry_pins() -> dict[str, str]:
    return {name: p["version"] for name, p in locked().items()
            if "registry" in p.get("source", {})}


def known() -> list[dict[str, str]]:
    return list(tomllib.loads(KNOWN.read_text()).get("finding", []))


def safety_db() -> dict[str, list[str]]:
    """The bundled database (its package cannot be imported: it opens a relative path)."""
    spec = importlib.util.find_spec("safety_db")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    data: dict[str, list[str]] = json.loads((folder / "insecure.json").read_text())
    return data


def vulnerability_service_reachable() -> bool:
    """PyPI's JSON API answering a release with its vulnerabilities, as pip-audit asks it (a
    network that mirrors only the package index does not)."""
    try:
        with urllib.request.urlopen("https://pypi.org/pypi/urllib3/1.26.0/json",
                                    timeout=5) as answer:
            return "vulnerabilities" in json.load(answer)
    except (OSError, ValueError):
        return False


class TestMitigations:
    def test_reportlab_fetches_no_remote_resource(self) -> None:
        """What docs/known-vulnerabilities.toml says of CVE-2020-28463: ReportLab refuses a
        remote image before any connection is made."""
        from reportlab.lib.utils import rlUrlRead

        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            listener.settimeout(0.5)
            port = listener.getsockname()[1]
            with pytest.raises(OSError):
                rlUrlRead(f"http://127.0.0.1:{port}/logo.png")
            with pytest.raises(TimeoutError):
                listener.accept()  # nobody came


class TestLockHygiene:
    def test_every_dependency_comes_from_the_registry_with_its_hashes(self) -> None:
        for name, package in locked().items():
            source = package.get("source", {})
            if "editable" in source or "virtual" in source:
                assert name.startswith(("egov-", "svc-")), f"{name}: a local source"
                continue
            assert "registry" in source, f"{name}: not from the package registry: {source}"
            files = [package.get("sdist", {}), *package.get("wheels", [])]
            hashed = [f for f in files if f.get("hash", "").startswith("sha256:")]
            assert hashed, f"{name} {package['version']}: no pinned hash"


class TestKnownVulnerabilities:
    def test_the_bundled_advisories_find_nothing_unlisted(self) -> None:
        database, findings = safety_db(), set()
        for name, version in registry_pins().items():
            for spec in database.get(name, []):
                try:
                    hit = Version(version) in SpecifierSet(spec)
                except InvalidSpecifier:
                    continue
                if hit:
                    findings.add((f"safety-db:{name}", name, version))
        listed = {(f["id"], f["package"], f["version"]) for f in known()
                  if f["id"].startswith("safety-db:")}
        assert findings <= listed, f"unlisted: {sorted(findings - listed)}"
        assert listed <= findings, f"listed but no longer found: {sorted(listed - findings)}"

    def test_every_listed_finding_says_why(self) -> None:
        for finding in known():
            assert len(finding.get("reason", "")) > 20, finding
            assert finding["package"] in registry_pins(), finding

    @pytest.mark.skipif(not vulnerability_service_reachable(), reason=(
        "no vulnerability service answers (PyPI's JSON API, OSV) from this network: "
        "run `make audit` on a machine that reaches one"))
    def test_pip_audit_finds_nothing_unlisted(self, tmp_path: Path) -> None:
        requirements = tmp_path / "requirements.txt"
        requirements.write_text("".join(f"{n}=={v}\n" for n, v in registry_pins().items()))
        ignored = [arg for f in known() if not f["id"].startswith("safety-db:")
                   for arg in ("--ignore-vuln", f["id"])]
        answer = subprocess.run([str(PIP_AUDIT), "-r", str(requirements), "--no-deps",
                                 "--disable-pip", "--strict", "--progress-spinner", "off",
                                 *ignored],
                                capture_output=True, text=True, timeout=600)
        assert answer.returncode == 0, answer.stdout + answer.stderr

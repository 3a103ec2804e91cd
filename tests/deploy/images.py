"""What the deployment tests know of the images: one Dockerfile per component, read as data."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Component:
    directory: str  # also the image name: egov/<directory>
    module: str
    prefix: str
    port: int
    migrates: bool

    @property
    def dockerfile(self) -> Path:
        return ROOT / self.directory / "Dockerfile"

    @property
    def package(self) -> str:
        data = tomllib.loads((ROOT / self.directory / "pyproject.toml").read_text())
        return str(data["project"]["name"])


COMPONENTS = (
    Component("svc-identity", "svc_identity", "IDENTITY_", 8001, True),
    Component("svc-dossier", "svc_dossier", "DOSSIER_", 8002, True),
    Component("svc-docflow", "svc_docflow", "DOCFLOW_", 8003, True),
    Component("svc-reporting", "svc_reporting", "REPORTING_", 8004, True),
    Component("gateway", "gateway", "GATEWAY_", 8000, False),
)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages(dockerfile: Path) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage (the first is the ARGs before any FROM)."""
    out: list[list[tuple[str, str]]] = [[]]
    for word, rest in instructions(dockerfile):
        if word == "FROM":
            out.append([])
        out[-1].append((word, rest))
    return out


def exec_form(arguments: str) -> list[str]:
    return list(json.loads(arguments))

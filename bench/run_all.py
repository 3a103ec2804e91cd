"""``make bench``: every benchmark of the platform, one after another, and the report.

Each benchmark measures its own baseline in the same run (this kind of machine is shared and
noisy: only ratios within one run compare), prints its figures, and says PASS or FAIL against
its requirement (never asserted: benchmarks are not tests). This runner describes the machine,
runs them in order with a time limit each, and writes everything they printed, with a summary
of the verdicts and ratios, to docs/PERFORMANCE.md. Usage: ``python bench/run_all.py [name ...]``
(default: all).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "PERFORMANCE.md"
# name → (what it measures, the requirement, seconds it may take at most)
BENCHMARKS: dict[str, tuple[str, str, int]] = {
    "flow_latency": ("a dossier accepted by the gateway until svc-reporting counts it",
                     "counted within 1 s", 180),
    "gateway_auth": ("the gateway's token checks on a cheap route",
                     "≥ 80 % of the throughput without a token", 240),
    "gateway_proxy": ("the gateway hop against calling svc-identity directly",
                      "≥ 45 % of direct throughput, ≤ 2 ms added p50", 240),
    "dossier_submit": ("dossier submissions through the gateway on PostgreSQL",
                       "≥ 300/s, p99 ≤ 150 ms at 150/s", 420),
    "dossier_search": ("the officers' search over a province's dossiers",
                       "p95 ≤ 50 ms", 420),
    "reporting_kpis": ("KPIs and the 766 index over a year of a province",
                       "p95 ≤ 200 ms", 480),
    "reporting_rebuild": ("the read model rebuilt from JetStream", "≥ 5,000 events/s", 420),
    "docflow_issue": ("documents signed, numbered, sealed and sent to 10 recipients",
                      "≥ 10 documents/s, ≥ 30 signature checks/s", 420),
    "portal_load": ("the web portal's first page in Chromium", "< 1 s, assets < 500 kB", 240),
}
VERDICT = re.compile(r"\b(PASS|FAIL)\b")
RATIO = re.compile(r"\bratio\b", re.IGNORECASE)


@dataclass
class Outcome:
    name: str
    seconds: float
    returncode: int
    output: str

    @property
    def verdicts(self) -> list[str]:
        return [line.strip() for line in self.output.splitlines() if VERDICT.search(line)]

    @property
    def ratios(self) -> list[str]:
        return [line.strip() for line in self.output.splitlines()
                if RATIO.search(line) and not VERDICT.search(line)]


def command_version(*argv: str) -> str:
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        return "not found"
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) \
        else "unknown"


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory = next((line.split(":", 1)[1].strip() for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "unknown")
    nats = Path(sys.executable).parent / "nats-server"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
        f"- PostgreSQL: {command_version('psql', '-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'SHOW server_version')}",  # noqa: E501
        f"- NATS: {command_version(str(nats), '--version')}",
        f"- Chromium: {command_version('chromium', '--version')}",
        f"- load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
    ]


def run(name: str, limit: int) -> Outcome:
    print(f"== {name}", flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py")], cwd=ROOT,
                              capture_output=True, text=True, timeout=limit)
        output, code = done.stdout + _tail(done.stderr, done.returncode), done.returncode
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        output, code = partial + f"\n(stopped after {limit} s)\n", -1
    outcome = Outcome(name, time.monotonic() - started, code, output)
    print(outcome.output, flush=True)
    return outcome


def _tail(stderr: str, code: int) -> str:
    return "" if code == 0 else "\n(stderr, last lines)\n" + "\n".join(stderr.splitlines()[-15:])


def report(outcomes: list[Outcome], about: list[str], started: datetime, total: float) -> str:
    lines = [
        "# Performance report",
        "",
        f"Written by `make bench` (`bench/run_all.py`) on {started:%Y-%m-%d %H:%M} "
        f"(Asia/Ho_Chi_Minh), in {total / 60:.1f} minutes. Reproduce with `make bench`; one "
        "benchmark alone with `.venv/bin/python bench/<name>.py`.",
        "",
        "Every benchmark measures a baseline in the same run and reports its figures as a "
        "ratio to it: the machine is shared and noisy, so figures compare only within one "
        "run. PASS and FAIL are against each requirement and are never asserted (tests hold "
        "no timing thresholds). The README's Benchmarks section explains each one and keeps "
        "earlier runs.",
        "",
        "## Machine",
        "",
        *about,
        f"- load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
        "",
        "## Summary",
        "",
        "| benchmark | measures | requirement | verdicts | ratios | time |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        what, requirement, _limit = BENCHMARKS[o.name]
        verdicts = "<br>".join(_cell(v) for v in o.verdicts) or (
            "did not finish" if o.returncode else "—")
        ratios = "<br>".join(_cell(r) for r in o.ratios) or "—"
        lines.append(f"| `{o.name}` | {what} | {requirement} | {verdicts} | {ratios} | "
                     f"{o.seconds:.0f} s |")
    lines += ["", "## Output of each benchmark", ""]
    for o in outcomes:
        lines += [f"### {o.name}", "", "```", o.output.strip(), "```", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> None:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    started, clock = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")), time.monotonic()
    about = machine()
    outcomes = [run(name, BENCHMARKS[name][2]) for name in names]
    REPORT.write_text(report(outcomes, about, started, time.monotonic() - clock) + "\n")
    print(f"report written to {REPORT.relative_to(ROOT)} "
          f"({(time.monotonic() - clock) / 60:.1f} minutes)")


if __name__ == "__main__":
    main()

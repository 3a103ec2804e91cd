"""What does the gateway hop cost? The same GET straight to the service and through the gateway.

Starts NATS, svc-identity (SQLite in a temp dir, demo data) and the gateway as processes (as
``gateway_auth.py``), then measures ``GET /api/v1/agencies`` (public: the gateway looks up its
rule, its rate-limit group, the route's timeout and the service's breaker, then relays):

- throughput: N concurrent keep-alive clients for a fixed time per round, direct and gateway
  rounds interleaved and mirrored (D G, G D, …) so that the shared machine's noise and drift hit
  both alike; the ratio of the means, and the median of the per-round ratios;
- latency: an open loop at a moderate fixed rate (each latency counted from its scheduled
  start), direct and gateway alternating; the added p50 is gateway p50 minus direct p50.

Prints PASS/FAIL against the issue's bars (throughput through the gateway ≥ 45 % of direct, on
this 2-core machine where two processes share two cores; added p50 ≤ 2 ms). Information only,
never an assertion.

    .venv/bin/python bench/gateway_proxy.py [--clients 16] [--seconds 2] [--rounds 6]
                                            [--rate 200] [--latency-seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import closed_loop, open_loop, pct
from bench.gateway_auth import start_processes
from egov_testing import NatsServer

PATH = "/.well-known/openid-configuration"
THROUGHPUT_BAR = 0.45
LATENCY_BAR_MS = 2.0


@dataclass
class Target:
    name: str
    url: str
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    async def get(self, session: aiohttp.ClientSession, _i: int) -> bool:
        async with session.get(self.url) as response:
            await response.read()
            return response.status == 200


async def measure(targets: list[Target], args: argparse.Namespace) -> None:
    for target in targets:  # warm-up: connections, caches
        await closed_loop(target.get, args.clients, 1.0)
    for round_ in range(args.rounds):
        for target in targets if round_ % 2 == 0 else targets[::-1]:
            rate, _done, failed = await closed_loop(target.get, args.clients, args.seconds)
            target.rates.append(rate)
            target.failures += failed
    for round_ in range(2):
        for target in targets if round_ % 2 == 0 else targets[::-1]:
            latencies, failed = await open_loop(target.get, args.rate, args.latency_seconds)
            target.latencies.extend(latencies)
            target.failures += failed


def report(direct: Target, gateway: Target, args: argparse.Namespace) -> None:
    print(f"gateway_proxy (GET {PATH}; {args.clients} clients, {args.rounds} interleaved rounds "
          f"of {args.seconds:g} s; open loop at {args.rate:g} req/s; svc-identity on SQLite)")
    for target in (direct, gateway):
        rounds = " ".join(f"{rate:.0f}" for rate in target.rates)
        print(f"  {target.name:<20} {statistics.fmean(target.rates):8.0f} req/s  (rounds: "
              f"{rounds}; failures: {target.failures})  p50 {pct(target.latencies, 50):.2f} ms"
              f"  p99 {pct(target.latencies, 99):.2f} ms")
    ratio = statistics.fmean(gateway.rates) / statistics.fmean(direct.rates)
    pairs = [g / d for d, g in zip(direct.rates, gateway.rates, strict=True)]
    added = pct(gateway.latencies, 50) - pct(direct.latencies, 50)
    print(f"  throughput ratio gateway/direct {ratio:.1%} (per round: median "
          f"{statistics.median(pairs):.1%}, {min(pairs):.1%}–{max(pairs):.1%})")
    print(f"  {'PASS' if ratio >= THROUGHPUT_BAR else 'FAIL'} throughput vs the "
          f"{THROUGHPUT_BAR:.0%} bar (information only)")
    print(f"  added p50 latency {added:.2f} ms at {args.rate:g} req/s: "
          f"{'PASS' if added <= LATENCY_BAR_MS else 'FAIL'} vs the {LATENCY_BAR_MS:g} ms bar "
          "(information only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--latency-seconds", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        nats = NatsServer(store_dir=tmp / "nats")
        nats.start()
        processes = start_processes(tmp, nats.url)
        try:
            direct = Target("direct to service", processes.url("identity") + PATH)
            gateway = Target("through gateway", processes.url("gateway") + PATH)
            asyncio.run(measure([direct, gateway], args))
        finally:
            processes.stop()
            nats.stop()
    report(direct, gateway, args)


if __name__ == "__main__":
    main()

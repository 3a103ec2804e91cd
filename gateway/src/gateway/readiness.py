"""Readiness of the platform as seen from the gateway: every service's own ``/readyz``
(which checks its database and NATS), asked concurrently with a short timeout. A service with
several replicas is ready when one of them is: the gateway spreads requests over those that
answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import aiohttp

from gateway.upstreams import UpstreamClient

READY, NOT_READY, UNREACHABLE = "ready", "not_ready", "unreachable"


async def check_upstreams(
    client: UpstreamClient, replicas: Mapping[str, Sequence[str]], timeout_seconds: float
) -> dict[str, str]:
    """Each service's state: ``ready``, ``not_ready`` (it answered, but not 200) or
    ``unreachable`` (refused, failed or too slow), its best replica's."""
    names = list(replicas)
    states = await asyncio.gather(*(_service(client, replicas[name], timeout_seconds)
                                    for name in names))
    return dict(zip(names, states, strict=True))


async def _service(client: UpstreamClient, urls: Sequence[str], timeout_seconds: float) -> str:
    states = await asyncio.gather(*(_check(client, url + "/readyz", timeout_seconds)
                                    for url in urls))
    return min(states, key=[READY, NOT_READY, UNREACHABLE].index)


async def _check(client: UpstreamClient, url: str, timeout_seconds: float) -> str:
    try:
        status, _body = await client.get_json(url, timeout_seconds)
    except (aiohttp.ClientError, TimeoutError):
        return UNREACHABLE
    return READY if status == 200 else NOT_READY

"""Nothing is lost: a consumer killed mid-stream, and NATS down while dossiers are accepted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import nats
import pytest

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, Platform, bearer, login, register_citizen

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}


@pytest.fixture(scope="module")
async def tokens(gateway: httpx.AsyncClient) -> AsyncIterator[dict[str, str]]:
    id_number, password = await register_citizen(gateway)
    yield {"citizen": await login(gateway, id_number, password),
           "baocao": await login(gateway, "baocao", DEMO_PASSWORD)}


async def submitted_count(gateway: httpx.AsyncClient, token: str) -> int:
    r = await gateway.get("/api/v1/reports/kpis", params={"agency": "H56"}, headers=bearer(token))
    assert r.status_code == 200, r.text
    return int(r.json()["dossiers"]["submitted"])


async def submit_many(gateway: httpx.AsyncClient, token: str, n: int) -> list[str]:
    semaphore = asyncio.Semaphore(8)

    async def one() -> str:
        async with semaphore:
            r = await gateway.post("/api/v1/dossiers", headers=bearer(token),
                                   json=LLTP_BODY)
            assert r.status_code == 201, r.text
            return str(r.json()["code"])

    return await asyncio.gather(*(one() for _ in range(n)))


async def dossier_stream_size(platform: Platform) -> int:
    nc = await nats.connect(platform.nats.url)
    try:
        return int((await nc.jetstream().stream_info("DOSSIER")).state.messages)
    finally:
        await nc.close()


async def settles_at(gateway: httpx.AsyncClient, token: str, expected: int) -> int:
    async def reached() -> int | None:
        n = await submitted_count(gateway, token)
        return n if n >= expected else None

    await eventually(reached, timeout=60, interval=0.2)
    await asyncio.sleep(1.0)  # and stays there: no late duplicates
    return await submitted_count(gateway, token)


class TestConsumerKilled:
    async def test_reporting_killed_then_restarted_counts_exactly_every_dossier(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: dict[str, str]
    ) -> None:
        before = await submitted_count(gateway, tokens["baocao"])
        platform.kill("reporting")
        codes = await submit_many(gateway, tokens["citizen"], 200)
        assert len(set(codes)) == 200
        platform.start_service("reporting")
        platform.wait_ready()
        assert await settles_at(gateway, tokens["baocao"], before + 200) == before + 200


class TestNatsOutage:
    async def test_dossiers_accepted_while_nats_is_down_are_published_once_it_is_back(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: dict[str, str]
    ) -> None:
        before = await submitted_count(gateway, tokens["baocao"])
        stream_before = await dossier_stream_size(platform)
        platform.nats.stop()
        try:
            codes = await submit_many(gateway, tokens["citizen"], 50)
        finally:
            platform.nats.start()
        assert len(set(codes)) == 50
        assert await settles_at(gateway, tokens["baocao"], before + 50) == before + 50
        # Every event is in the stream exactly once (Nats-Msg-Id deduplicates re-publication).
        assert await dossier_stream_size(platform) == stream_before + 50

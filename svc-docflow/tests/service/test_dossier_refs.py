"""svc-docflow records the dossiers it hears of on the event backbone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import nats
import pytest

from egov_shared.events import new_event
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_docflow.main import create_app
from svc_docflow.settings import DocflowSettings


@pytest.fixture(scope="module")
async def client(
    databases: Databases, nats_server: NatsServer, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = DocflowSettings(database_url=databases.new_url("docflow"),
                               nats_url=nats_server.url, log_level="WARNING")
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


async def publish_submitted(nats_server: NatsServer, code: str, agency: str) -> None:
    event = new_event(type=DOSSIER_SUBMITTED.type, source="/test", subject=code, agency=agency,
                      data={"code": code, "procedure_code": "2.000748.000.00.00.H56",
                            "agency_id": agency, "channel": "online", "status_code": 1,
                            "submitted_at": datetime.now(UTC).isoformat()})
    nc = await nats.connect(nats_server.url)
    await nc.jetstream().publish(DOSSIER_SUBMITTED.subject, event.to_json(),
                                 headers={"Nats-Msg-Id": event.id})
    await nc.close()


class TestDossierRefs:
    async def test_submitted_dossier_is_recorded_for_its_agency(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        code = f"H56.14-261122-{uuid.uuid4().int % 10000:04d}{uuid.uuid4().hex[:4]}"
        await publish_submitted(nats_server, code, "H56.14")
        clerk = issuer.headers(kind="official", roles=["clerk"], agency_id="H56.14")

        async def recorded() -> httpx.Response | None:
            r = await client.get(f"/api/v1/documents/dossier-refs/{code}", headers=clerk)
            return r if r.status_code == 200 else None

        r = await eventually(recorded)
        assert r is not None, "the dossier never reached svc-docflow"
        assert r.json()["agency_id"] == "H56.14" and r.json()["status_code"] == 1
        other = issuer.headers(kind="official", roles=["clerk"], agency_id="H56.16")
        hidden = await client.get(f"/api/v1/documents/dossier-refs/{code}", headers=other)
        assert hidden.status_code == 404

    async def test_citizen_is_refused(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        r = await client.get("/api/v1/documents/dossier-refs/X",
                             headers=issuer.headers(kind="citizen"))
        assert r.status_code == 403

"""svc-reporting counts dossier events from JetStream: exactly once, poison to dead letters."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import nats
import pytest
from nats.js import JetStreamContext

from egov_shared.events import new_event
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings


@pytest.fixture(scope="module")
async def client(
    databases: Databases, nats_server: NatsServer, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(database_url=databases.new_url("reporting"),
                                 nats_url=nats_server.url, log_level="WARNING",
                                 consumer_max_deliver=3)
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_server.url)
    yield nc.jetstream()
    await nc.close()


def submitted(agency: str, channel: str = "online") -> bytes:
    event = new_event(
        type=DOSSIER_SUBMITTED.type, source="/test", subject=f"{agency}-261122-0001",
        agency=agency, data={
            "code": f"{agency}-261122-0001", "procedure_code": "2.000748.000.00.00.H56",
            "agency_id": agency, "channel": channel,
            "status_code": 1 if channel == "online" else 2,
            "submitted_at": datetime.now(UTC).isoformat(),
        })
    return event.to_json()


async def counts(client: httpx.AsyncClient, issuer: TestIssuer, agency: str) -> dict:
    headers = issuer.headers(kind="official", roles=["reporting_officer"], agency_id="H56")
    r = await client.get("/api/v1/reports/kpis", params={"agency": agency}, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json()["dossiers"])


def new_agency() -> str:
    return f"H56.{uuid.uuid4().hex[:6].upper()}"


class TestCounting:
    async def test_events_are_counted_for_the_subtree(
        self, client: httpx.AsyncClient, issuer: TestIssuer, js: JetStreamContext
    ) -> None:
        agency = new_agency()
        await js.publish(DOSSIER_SUBMITTED.subject, submitted(agency))
        await js.publish(DOSSIER_SUBMITTED.subject, submitted(agency + ".1", channel="counter"))

        async def both() -> dict | None:
            c = await counts(client, issuer, agency)
            return c if c["submitted"] == 2 else None

        result = await eventually(both)
        assert {k: result[k] for k in ("submitted", "received", "completed", "on_time", "late",
                                       "online", "counter", "in_progress")} == {
            "submitted": 2, "received": 1, "completed": 0, "on_time": 0, "late": 0,
            "online": 1, "counter": 1, "in_progress": 1}
        child = await counts(client, issuer, agency + ".1")
        assert (child["submitted"], child["online"], child["counter"]) == (1, 0, 1)

    async def test_redelivered_event_is_not_counted_twice(
        self, client: httpx.AsyncClient, issuer: TestIssuer, js: JetStreamContext
    ) -> None:
        agency = new_agency()
        payload = submitted(agency)
        # Same event published twice under different message ids: JetStream keeps both, so the
        # consumer sees the same event id twice, as after a redelivery.
        await js.publish(DOSSIER_SUBMITTED.subject, payload, headers={"Nats-Msg-Id": "a1"})
        await js.publish(DOSSIER_SUBMITTED.subject, payload, headers={"Nats-Msg-Id": "a2"})
        marker = new_agency()
        await js.publish(DOSSIER_SUBMITTED.subject, submitted(marker))
        await eventually(lambda: _counted(client, issuer, marker))
        assert (await counts(client, issuer, agency))["submitted"] == 1

    async def test_poison_message_is_dead_lettered_and_does_not_block(
        self, client: httpx.AsyncClient, issuer: TestIssuer, js: JetStreamContext
    ) -> None:
        dead = await js.subscribe("deadletter.reporting-dossier", stream="DEADLETTER",
                                  deliver_policy=nats.js.api.DeliverPolicy.NEW)
        await js.publish(DOSSIER_SUBMITTED.subject, b"{this is not json")
        bad_data = json.loads(submitted(new_agency()))
        bad_data["data"]["status_code"] = "many"
        await js.publish(DOSSIER_SUBMITTED.subject, json.dumps(bad_data).encode())
        agency = new_agency()
        await js.publish(DOSSIER_SUBMITTED.subject, submitted(agency))

        assert await eventually(lambda: _counted(client, issuer, agency))
        first = await dead.next_msg(timeout=10)
        second = await dead.next_msg(timeout=10)
        assert first.data == b"{this is not json"
        assert first.headers["Egov-Original-Subject"] == DOSSIER_SUBMITTED.subject
        assert "not a CloudEvent" in first.headers["Egov-Dead-Letter-Reason"]
        assert json.loads(second.data)["id"] == bad_data["id"]


async def _counted(client: httpx.AsyncClient, issuer: TestIssuer, agency: str) -> bool:
    return (await counts(client, issuer, agency))["submitted"] >= 1


class TestAccess:
    async def test_citizen_is_refused(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        r = await client.get("/api/v1/reports/kpis", params={"agency": "H56"},
                             headers=issuer.headers(kind="citizen"))
        assert r.status_code == 403

    async def test_officer_outside_subtree_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = issuer.headers(kind="official", roles=["reporting_officer"],
                                 agency_id="H56.14")
        r = await client.get("/api/v1/reports/kpis", params={"agency": "H56"}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"

    @pytest.mark.parametrize(("start", "end"), [
        ("2026-11-10", "2026-11-01"),  # inverted
        ("2026-11-01", "9999-12-31"),  # the day after would overflow
        ("0001-01-01", "2026-11-01"),
    ])
    async def test_unusable_window_is_422(
        self, client: httpx.AsyncClient, issuer: TestIssuer, start: str, end: str
    ) -> None:
        headers = issuer.headers(kind="official", roles=["reporting_officer"], agency_id="H56")
        r = await client.get("/api/v1/reports/kpis", headers=headers,
                             params={"agency": "H56", "from": start, "to": end})
        assert r.status_code == 422 and r.json()["code"] == "invalid_window"

"""Partner access to events: a partner agency's system reads, with a client_credentials token,
the events of its agency subtree that its scopes allow, from a real JetStream, page by page."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest

from egov_shared.events.contracts import DOCUMENT_ISSUED, DOSSIER_RECEIVED, EventContract
from egov_shared.events.envelope import new_event
from egov_shared.messaging.bus import ensure_streams
from egov_testing import NatsServer, TestIssuer

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
NOW = datetime.now(UTC)


def dossier_data(code: str, agency_id: str) -> dict[str, Any]:
    return {"code": code, "agency_id": agency_id, "procedure_code": "1.000001",
            "channel": "online", "action": "receive", "status_code_before": 1,
            "status_code": 2, "at": NOW.isoformat(), "actor_kind": "official",
            "applicant_phone": "0912345678"}  # not in the contract: never for partners


class Publisher:
    def __init__(self, nc: Any) -> None:
        self.js = nc.jetstream()

    async def publish(self, contract: EventContract, subject: str, data: dict[str, Any],
                      agency: str) -> int:
        event = new_event(type=contract.type, source="test", subject=subject, data=data,
                          agency=agency)
        ack = await self.js.publish(contract.subject, event.to_json())
        seq: int = ack.seq
        return seq


@pytest.fixture
async def publisher(nats_server: NatsServer) -> AsyncIterator[Publisher]:
    nc = await nats.connect(nats_server.url)
    await ensure_streams(nc.jetstream())
    yield Publisher(nc)
    await nc.close()


@pytest.fixture
async def gateway(open_gateway: GatewayFactory, nats_server: NatsServer
                  ) -> AsyncIterator[httpx.AsyncClient]:
    async with open_gateway(signed_in=False, nats_url=nats_server.url) as client:
        yield client


def partner(issuer: TestIssuer, agency_id: str = "H56.14",
            scope: str = "events:dossier events:docflow") -> dict[str, str]:
    return issuer.headers(kind="client", agency_id=agency_id, scope=scope)


async def read_all(gateway: httpx.AsyncClient, headers: dict[str, str], *, after: int,
                   types: str, limit: int) -> tuple[list[dict[str, Any]], list[int]]:
    events: list[dict[str, Any]] = []
    cursors = [after]
    while True:
        answer = await gateway.get("/api/v1/events", headers=headers, params={
            "types": types, "after": cursors[-1], "limit": limit})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        events.extend(body["events"])
        if not body["events"]:
            return events, cursors
        cursors.append(body["next"])


class TestEntitledEvents:
    async def test_own_subtree_only_paged_by_cursor(
        self, gateway: httpx.AsyncClient, publisher: Publisher, issuer: TestIssuer
    ) -> None:
        start = (await publisher.js.stream_info("DOSSIER")).state.last_seq
        run = uuid.uuid4().hex[:6]
        own = [f"OWN-{run}-{i}" for i in range(5)]
        for i, code in enumerate(own):
            agency = "H56.14" if i % 2 else "H56.14.01"  # the agency and a unit below it
            await publisher.publish(DOSSIER_RECEIVED, code, dossier_data(code, agency), agency)
            other = f"OTHER-{run}-{i}"
            await publisher.publish(DOSSIER_RECEIVED, other, dossier_data(other, "H56.16"),
                                    "H56.16")
        events, cursors = await read_all(gateway, partner(issuer), after=start,
                                         types=DOSSIER_RECEIVED.type, limit=2)
        assert [e["subject"] for e in events] == own
        assert len(cursors) >= 4 and cursors == sorted(cursors)  # three pages, moving on
        assert all("applicant_phone" not in e["data"] for e in events)
        assert all(e["type"] == DOSSIER_RECEIVED.type and e["agency"].startswith("H56.14")
                   for e in events)
        sequences = [e["sequence"] for e in events]
        assert sequences == sorted(sequences) and sequences[0] > start

    async def test_types_filter_and_no_event_past_the_end(
        self, gateway: httpx.AsyncClient, publisher: Publisher, issuer: TestIssuer
    ) -> None:
        start = (await publisher.js.stream_info("DOCFLOW")).state.last_seq
        doc_id = str(uuid.uuid4())
        data = {"document_id": doc_id, "direction": "outgoing", "agency_id": "H56.14",
                "doc_type": "CV", "status": "issued", "at": NOW.isoformat()}
        seq = await publisher.publish(DOCUMENT_ISSUED, doc_id, data, "H56.14")
        events, _ = await read_all(gateway, partner(issuer), after=start,
                                   types=DOCUMENT_ISSUED.type, limit=50)
        assert [(e["subject"], e["sequence"]) for e in events] == [(doc_id, seq)]
        answer = await gateway.get("/api/v1/events", headers=partner(issuer), params={
            "types": DOCUMENT_ISSUED.type, "after": seq})
        assert answer.json() == {"stream": "DOCFLOW", "events": [], "next": seq}


class TestRefused:
    async def test_without_the_scope(self, gateway: httpx.AsyncClient,
                                     issuer: TestIssuer) -> None:
        headers = partner(issuer, scope="events:docflow")
        answer = await gateway.get("/api/v1/events", headers=headers,
                                   params={"types": DOSSIER_RECEIVED.type})
        assert answer.status_code == 403
        assert answer.json()["code"] == "insufficient_scope"
        none = await gateway.get("/api/v1/events", headers=partner(issuer, scope="axis"),
                                 params={"types": DOSSIER_RECEIVED.type})
        assert none.status_code == 403

    async def test_citizen_and_official_tokens(self, gateway: httpx.AsyncClient,
                                               issuer: TestIssuer) -> None:
        for headers in (issuer.headers(kind="citizen", scope="events:dossier"),
                        issuer.headers(kind="official", agency_id="H56",
                                       roles=["admin"], scope="events:dossier")):
            answer = await gateway.get("/api/v1/events", headers=headers,
                                       params={"types": DOSSIER_RECEIVED.type})
            assert answer.status_code == 403
            assert answer.json()["code"] == "client_required"

    async def test_without_a_token_or_with_a_bad_one(self, gateway: httpx.AsyncClient) -> None:
        assert (await gateway.get("/api/v1/events")).status_code == 401
        bad = await gateway.get("/api/v1/events", headers={"Authorization": "Bearer x.y.z"})
        assert bad.status_code == 401

    async def test_types_of_two_streams(self, gateway: httpx.AsyncClient,
                                        issuer: TestIssuer) -> None:
        types = f"{DOSSIER_RECEIVED.type},{DOCUMENT_ISSUED.type}"
        answer = await gateway.get("/api/v1/events", headers=partner(issuer),
                                   params={"types": types})
        assert answer.status_code == 422
        assert answer.json()["code"] == "types_span_streams"


class TestRateLimited:
    async def test_a_partner_over_its_limit_gets_429_with_retry_after(
        self, open_gateway: GatewayFactory, nats_server: NatsServer, issuer: TestIssuer,
        publisher: Publisher,
    ) -> None:
        limits = {"partners": {"routes": ["GET /api/v1/events"], "client_rate": 0.01,
                               "client_burst": 2}}
        headers = partner(issuer, scope="events:dossier")
        async with open_gateway(signed_in=False, nats_url=nats_server.url,
                                rate_limits=limits) as gateway:
            answers = [await gateway.get("/api/v1/events", headers=headers,
                                         params={"types": DOSSIER_RECEIVED.type})
                       for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        refused = answers[2]
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1

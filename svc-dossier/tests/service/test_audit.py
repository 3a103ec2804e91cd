"""An official's read of a citizen's dossier is an audit entry: an
``vn.egov.dossier.audit.recorded.v1`` event through the outbox (svc-identity chains it into
the audit log), naming the official and the applicant whose data it is. The applicant's own
reads are not recorded."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats
from nats.js.api import DeliverPolicy

from egov_testing import NatsServer, TestIssuer

LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56",
             "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}


async def audit_events_about(nats_server: NatsServer, owner: str, count: int
                             ) -> list[dict[str, Any]]:
    """The first ``count`` audit events about ``owner``'s data, from the stream's start (codes
    repeat across test modules, each with a database of its own; accounts do not)."""
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().subscribe("dossier.audit.recorded", ordered_consumer=True,
                                             deliver_policy=DeliverPolicy.ALL)
        found: list[dict[str, Any]] = []
        while len(found) < count:
            event = json.loads((await sub.next_msg(timeout=10)).data)
            if event["data"].get("owner_id") == owner:
                found.append(event)
        return found
    finally:
        await nc.close()


class TestOfficialsReadsAreAudited:
    async def test_reading_a_dossier_publishes_who_read_whose_data(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        applicant = uuid.uuid4().hex
        mine = issuer.headers(sub=applicant, kind="citizen", username="038090001234")
        submitted = await client.post("/api/v1/dossiers", headers=mine, json=LLTP_BODY)
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["code"]
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=mine)).status_code == 200
        officer = issuer.headers(sub="can-bo-" + uuid.uuid4().hex[:6], kind="official",
                                 roles=["processing_officer"], agency_id="H56.14",
                                 username="chuyenvien")
        read = await client.get(f"/api/v1/dossiers/{code}", headers={
            **officer, "X-Forwarded-For": "203.0.113.9", "User-Agent": "Mozilla/5.0 (can-bo)"})
        assert read.status_code == 200

        [event] = await audit_events_about(nats_server, applicant, 1)  # the applicant's: none
        assert event["type"] == "vn.egov.dossier.audit.recorded.v1"
        assert "agency" not in event  # never in a partner's event feed
        data = event["data"]
        assert data["action"] == "dossier.read" and data["target_type"] == "dossier"
        assert data["actor_kind"] == "official" and data["actor_name"] == "chuyenvien"
        assert data["agency_id"] == "H56.14" and data["target_id"] == code
        assert data["ip"] == "203.0.113.9" and data["user_agent"] == "Mozilla/5.0 (can-bo)"
        assert data["request_id"] == read.headers["x-request-id"]

    async def test_the_register_export_is_audited(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        agency = "H56.14"
        officer = issuer.headers(kind="official", roles=["leader"], agency_id=agency,
                                 username="lanhdao")
        answer = await client.get("/api/v1/forms/06", headers=officer,
                                  params={"agency": agency, "from": "2026-01-01",
                                          "to": "2026-01-31"})
        assert answer.status_code == 200, answer.text
        nc = await nats.connect(nats_server.url)
        try:
            sub = await nc.jetstream().subscribe("dossier.audit.recorded", ordered_consumer=True,
                                                 deliver_policy=DeliverPolicy.ALL)
            while True:
                event = json.loads((await sub.next_msg(timeout=10)).data)
                if event["data"]["request_id"] == answer.headers["x-request-id"]:
                    break
        finally:
            await nc.close()
        assert event["data"]["action"] == "register.exported"
        assert event["data"]["target_id"] == agency and event["data"]["owner_id"] is None

"""An official reading an official document is an audit entry: a
``vn.egov.docflow.audit.recorded.v1`` event through the outbox, for svc-identity's log."""

from __future__ import annotations

import json
from typing import Any

import httpx
import nats
from nats.js.api import DeliverPolicy

from egov_testing import NatsServer

Officials = Any  # conftest.Officials: the demo officials' real tokens


async def first_audit_event(nats_server: NatsServer, target: str) -> dict[str, Any]:
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().subscribe("docflow.audit.recorded", ordered_consumer=True,
                                             deliver_policy=DeliverPolicy.ALL)
        while True:
            event: dict[str, Any] = json.loads((await sub.next_msg(timeout=10)).data)
            if event["data"].get("target_id") == target:
                return event
    finally:
        await nc.close()


class TestReadingADocumentIsAudited:
    async def test_the_reader_and_the_document_are_published(
        self, client: httpx.AsyncClient, officials: Officials, nats_server: NatsServer
    ) -> None:
        drafter = await officials.headers("chuyenvien")
        created = await client.post("/api/v1/documents", headers=drafter, json={
            "doc_type": "CV", "subject": "Về việc báo cáo công tác pháp chế",
            "summary": "Báo cáo công tác pháp chế.", "body": "Đề nghị báo cáo.",
            "signer": {"account_id": await officials.account_id("lanhdao"),
                       "name": "Lê Văn Cường", "position": "GIÁM ĐỐC"},
            "recipients": [{"agency_id": "H56.16"}]})
        assert created.status_code == 201, created.text
        document_id = created.json()["id"]
        read = await client.get(f"/api/v1/documents/{document_id}", headers=drafter)
        assert read.status_code == 200

        event = await first_audit_event(nats_server, document_id)
        data = event["data"]
        assert event["type"] == "vn.egov.docflow.audit.recorded.v1" and "agency" not in event
        assert data["action"] == "document.read" and data["target_type"] == "document"
        assert data["actor_id"] == await officials.account_id("chuyenvien")
        assert data["actor_name"] == "Trần Văn Bình" and data["agency_id"] == "H56.14"
        assert data["request_id"] == read.headers["x-request-id"]

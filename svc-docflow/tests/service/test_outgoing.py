"""Outgoing documents through svc-docflow's API, signed for real by svc-identity: draft →
review → the leader's signature → the clerk's number and the agency's seal → the packages
on the axis; numbering under concurrency and across the new year; secret documents stay off
the axis; recall and update."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NATS
from nats.js.api import DeliverPolicy
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import text

from egov_shared.db import create_engine
from egov_testing import NatsServer, TestIssuer, eventually
from svc_docflow.pdf import verify_pdf
from svc_docflow.settings import DocflowSettings

Officials = Any  # conftest.Officials: the demo officials' real tokens
AGENCY = "H56.14"
PLATFORM_RECIPIENT = {"agency_id": "H56.16"}  # Sở Xây dựng, on the platform
EXTERNAL_RECIPIENT = {"organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ"}


async def draft(client: httpx.AsyncClient, headers: dict[str, str], signer: dict[str, Any],
                **fields: Any) -> dict[str, Any]:
    body = {"doc_type": "QĐ", "subject": "Về việc kiện toàn tổ chức pháp chế",
            "summary": "Kiện toàn tổ chức pháp chế năm 2026.",
            "body": "Điều 1. Kiện toàn tổ chức pháp chế.\nĐiều 2. Hiệu lực từ ngày ký.",
            "signer": signer, "recipients": [PLATFORM_RECIPIENT, EXTERNAL_RECIPIENT], **fields}
    r = await client.post("/api/v1/documents", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


class Flow:
    """The demo officials of Sở Tư pháp taking a document through its steps."""

    def __init__(self, client: httpx.AsyncClient, officials: Officials) -> None:
        self.client, self.officials = client, officials

    async def signer(self) -> dict[str, Any]:
        return {"account_id": await self.officials.account_id("lanhdao"),
                "name": "Lê Văn Cường", "position": "GIÁM ĐỐC"}

    async def step(self, username: str, document_id: str, action: str,
                   body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.client.post(f"/api/v1/documents/{document_id}/{action}",
                                   headers=await self.officials.headers(username), json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def signed(self, **fields: Any) -> dict[str, Any]:
        created = await draft(self.client, await self.officials.headers("chuyenvien"),
                              await self.signer(), **fields)
        await self.step("chuyenvien", created["id"], "submit")
        await self.step("lanhdao", created["id"], "approve")
        return await self.step("lanhdao", created["id"], "sign")

    async def issued(self, **fields: Any) -> dict[str, Any]:
        signed = await self.signed(**fields)
        return await self.step("vanthu", signed["id"], "issue")

    async def pdf(self, document_id: str) -> bytes:
        r = await self.client.get(f"/api/v1/documents/{document_id}/pdf",
                                  headers=await self.officials.headers("vanthu"))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        return r.content


@pytest.fixture(scope="module")
def flow(client: httpx.AsyncClient, officials: Officials) -> Flow:
    return Flow(client, officials)


@pytest.fixture
async def axis_messages(nats_server: NatsServer) -> AsyncIterator[list[Any]]:
    """Every message published on the axis from now on."""
    nc: NATS = await nats.connect(nats_server.url)
    seen: list[Any] = []

    async def keep(msg: Any) -> None:
        seen.append(msg)

    await nc.jetstream().subscribe("axis.>", stream="AXIS", cb=keep,
                                   deliver_policy=DeliverPolicy.NEW)
    yield seen
    await nc.close()


async def trust(identity_url: str) -> tuple[list[bytes], list[bytes]]:
    async with httpx.AsyncClient(base_url=identity_url) as http:
        ca, crl = await http.get("/pki/ca.crt"), await http.get("/pki/crl")
    return [ca.content], [crl.content]


def field_values(pdf: bytes) -> dict[str, str]:
    form = PdfFileReader(BytesIO(pdf)).root["/AcroForm"]
    return {str(f.get_object()["/T"]): str(f.get_object().get("/V", ""))
            for f in form["/Fields"]}


class TestIssueFlow:
    async def test_draft_to_issue_gives_a_numbered_pdf_with_two_valid_signatures(
        self, flow: Flow, identity_url: str, axis_messages: list[Any]
    ) -> None:
        issued = await flow.issued()
        assert issued["status"] == "issued"
        assert re.fullmatch(r"\d{2,}/QĐ-STP", issued["code"]), issued["code"]
        pdf = await flow.pdf(issued["id"])
        roots, crls = await trust(identity_url)
        report = await verify_pdf(pdf, trust_roots=roots, crls=crls)
        assert report.status == "valid" and len(report.signatures) == 2
        values = field_values(pdf)
        assert values["SoKyHieu"] == f"Số: {issued['code']}"
        assert values["NgayBanHanh"].startswith("Thanh Hóa, ngày ")
        actions = [h["action"] for h in issued["history"]]
        assert actions == ["draft", "submit", "approve", "sign", "number", "issue", "send"]

    async def test_issue_sends_one_package_per_recipient_and_records_it(
        self, flow: Flow, axis_messages: list[Any]
    ) -> None:
        issued = await flow.issued(subject="Về việc gửi báo cáo công tác pháp chế")
        assert issued["external_id"] == (
            f"000.00.14.H56,{issued['promulgation_date'].replace('-', '/')},{issued['code']}")
        assert all(r["sent_at"] is not None for r in issued["recipients"])

        def ours() -> list[Any]:
            return [m for m in axis_messages if issued["external_id"] in m.data.decode()]

        found = await eventually(lambda: _ready(len(ours()) == 2))
        assert found, "the packages never reached the axis"
        subjects = sorted(m.subject for m in ours())
        assert subjects == ["axis.000.00.00.G22.inbox", "axis.H56.16.inbox"]
        package = ours()[0].data.decode()
        assert "<edXML:BussinessDocType>0</edXML:BussinessDocType>" in package
        assert "<edXML:OrganId>000.00.14.H56</edXML:OrganId>" in package


async def _ready(value: bool) -> bool:
    return value


class TestConcurrentIssue:
    async def test_twenty_concurrent_issues_take_distinct_consecutive_numbers(
        self, flow: Flow, client: httpx.AsyncClient, officials: Officials
    ) -> None:
        clerk = await officials.headers("vanthu")
        r = await client.post("/api/v1/registers", headers=clerk, json={
            "direction": "outgoing", "name": f"Sổ thông báo {uuid.uuid4().hex[:6]}",
            "issuer_notation": "STP", "doc_types": ["TB"]})
        assert r.status_code == 201, r.text
        signed = [await flow.signed(doc_type="TB", recipients=[]) for _ in range(20)]
        answers = await asyncio.gather(*(
            client.post(f"/api/v1/documents/{d['id']}/issue", headers=clerk) for d in signed))
        assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
        numbers = sorted(a.json()["number"] for a in answers)
        assert numbers == list(range(1, 21))
        assert {a.json()["register_id"] for a in answers} == {r.json()["id"]}


class TestNewYear:
    async def test_the_first_document_of_a_new_year_gets_01(
        self, flow: Flow, docflow_settings: DocflowSettings
    ) -> None:
        try:  # 23:59 on 31 December and 00:01 on 1 January, Vietnam time (UTC+7)
            docflow_settings.issue_clock = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
            last = await flow.issued(doc_type="KH", recipients=[])
            docflow_settings.issue_clock = datetime(2026, 12, 31, 17, 1, tzinfo=UTC)
            first = await flow.issued(doc_type="KH", recipients=[])
        finally:
            docflow_settings.issue_clock = None
        assert (last["year"], last["promulgation_date"]) == (2026, "2026-12-31")
        assert last["number"] >= 1
        assert (first["year"], first["number"], first["code"]) == (2027, 1, "01/KH-STP")
        assert first["promulgation_date"] == "2027-01-01"
        values = field_values(await flow.pdf(first["id"]))
        assert values["NgayBanHanh"] == "Thanh Hóa, ngày 01 tháng 01 năm 2027"


class TestSecretDocuments:
    async def test_a_secret_document_is_issued_but_never_put_on_the_axis(
        self, flow: Flow, client: httpx.AsyncClient, officials: Officials,
        docflow_settings: DocflowSettings, axis_messages: list[Any]
    ) -> None:
        issued = await flow.issued(secrecy="mat")
        assert issued["status"] == "issued" and issued["number"] >= 1
        assert all(r["sent_at"] is None for r in issued["recipients"])
        r = await client.post(f"/api/v1/documents/{issued['id']}/send",
                              headers=await officials.headers("vanthu"))
        assert r.status_code == 409 and r.json()["code"] == "secret_not_on_axis"
        # A later package flushes the relay: every earlier outbox row was published before it.
        marker = await flow.issued(recipients=[EXTERNAL_RECIPIENT])
        assert await eventually(lambda: _ready(any(
            marker["external_id"] in m.data.decode() for m in axis_messages)))
        assert not [m for m in axis_messages if issued["external_id"] in m.data.decode()]
        assert await _axis_rows(docflow_settings, issued) == (0, 0)


async def _axis_rows(settings: DocflowSettings, document: dict[str, Any]) -> tuple[int, int]:
    """(axis_package rows of the document, outbox rows carrying its DocumentId)."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            packages = (await conn.execute(text(
                "SELECT count(*) FROM axis_package WHERE document_id = :d"),
                {"d": document["id"]})).scalar_one()
            outbox = (await conn.execute(text(
                "SELECT count(*) FROM outbox_event WHERE subject LIKE 'axis.%' "
                "AND payload LIKE :p"), {"p": f"%{document['external_id']}%"})).scalar_one()
    finally:
        await engine.dispose()
    return int(packages), int(outbox)


class TestRecallAndUpdate:
    async def test_update_then_recall_send_their_packages_to_every_recipient(
        self, flow: Flow, axis_messages: list[Any]
    ) -> None:
        issued = await flow.issued()
        updated = await flow.step("vanthu", issued["id"], "update", {
            "reason": "Sửa trích yếu", "subject": "Về việc kiện toàn tổ chức pháp chế (sửa)"})
        assert updated["status"] == "issued" and updated["subject"].endswith("(sửa)")
        recalled = await flow.step("lanhdao", issued["id"], "recall",
                                   {"reason": "Ban hành nhầm"})
        assert recalled["status"] == "recalled"
        sends = [h["data"]["business_type"] for h in recalled["history"]
                 if h["action"] == "send"]
        assert sends == [0, 2, 1]

        def kinds() -> list[str]:
            found = [m.data.decode() for m in axis_messages
                     if issued["external_id"] in m.data.decode()]
            return sorted(re.findall(r"<edXML:BussinessDocType>(\d)<", "".join(found)))

        assert await eventually(lambda: _ready(kinds() == ["0", "0", "1", "1", "2", "2"]))


class TestEvents:
    async def test_issue_publishes_document_issued_without_the_subject(
        self, flow: Flow, nats_server: NatsServer
    ) -> None:
        nc: NATS = await nats.connect(nats_server.url)
        sub = await nc.jetstream().subscribe("docflow.document.issued", stream="DOCFLOW",
                                             deliver_policy=DeliverPolicy.NEW)
        issued = await flow.issued(subject="Về việc đặc biệt XYZ")
        event: dict[str, Any] = {}
        while event.get("subject") != issued["id"]:
            event = json.loads((await sub.next_msg(timeout=10)).data)
        await nc.close()
        assert event["type"] == "vn.egov.docflow.document.issued.v1"
        assert event["data"]["number"] == issued["number"] and event["data"]["signed"]
        assert event["data"]["recipients"] == 2 and "XYZ" not in json.dumps(event)


class TestRegisterAfterIssue:
    async def test_the_register_shows_the_last_number_taken(
        self, client: httpx.AsyncClient, officials: Officials, issuer: TestIssuer
    ) -> None:
        r = await client.get("/api/v1/registers", params={"direction": "outgoing"},
                             headers=await officials.headers("vanthu"))
        assert r.status_code == 200
        general = next(g for g in r.json() if g["doc_types"] is None)
        assert general["issuer_notation"] == "STP" and general["last_number"] >= 1

"""The axis on NATS between agencies of the platform: a package published on
``axis.<agency-id>.inbox`` arrives for that agency (once, however often it is delivered), its
status packages go back to the sender's inbox and update our outgoing document's recipient;
broken packages and status packages for unknown documents are logged as refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NATS
from reportlab.pdfgen.canvas import Canvas

from egov_shared.timeutil import VN_TZ
from egov_testing import NatsServer, TestIssuer, eventually
from svc_docflow.edxml import (
    Attachment,
    DocumentPackage,
    Organ,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    build_document,
    build_status,
    document_id,
)

Officials = Any  # conftest.Officials: the demo officials' real tokens
INCOMING = "/api/v1/documents/incoming"
SO_TU_PHAP = Organ("000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa")
SO_XAY_DUNG = Organ("000.00.16.H56", "Sở Xây dựng tỉnh Thanh Hóa")


@pytest.fixture(scope="module")
async def nc(nats_server: NatsServer) -> AsyncIterator[NATS]:
    connection = await nats.connect(nats_server.url)
    yield connection
    await connection.close()


def official(issuer: TestIssuer, role: str, agency_id: str) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency_id)


def pdf() -> bytes:
    out = BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 770, "So Tu phap gui So Xay dung")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def document_package(sender: Organ = SO_TU_PHAP, to: tuple[Organ, ...] = (SO_XAY_DUNG,),
                     attachment: bytes | None = None) -> tuple[bytes, str]:
    number, day = str(uuid.uuid4().int % 900_000 + 100_000), date(2026, 11, 27)
    doc_id = document_id(sender.organ_id, day, number, "STP-VP")
    return build_document(DocumentPackage(
        from_organ=sender, to_organs=to, code_number=number, code_notation="STP-VP",
        place="Thanh Hóa", promulgation_date=day, type=1, type_name="Công văn",
        subject="V/v góp ý dự thảo quy định quản lý chất lượng công trình",
        content="Sở Tư pháp đề nghị Sở Xây dựng góp ý.", signer_competence="KT. GIÁM ĐỐC",
        signer_position="Phó Giám đốc", signer_full_name="Lê Thị Hoa", due_date=None,
        to_places=("Như trên",), priority=0, steering_type=None, document_id=doc_id,
        trace=(TraceHeader(sender.organ_id, datetime.now(UTC)),), business_doc_type=0,
        business_reason=None,
        attachments=(Attachment("cong-van.pdf", "application/pdf", attachment or pdf()),))), doc_id


async def incoming_for(client: httpx.AsyncClient, headers: dict[str, str],
                       external_id: str) -> list[dict[str, Any]]:
    r = await client.get(INCOMING, headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    return [d for d in r.json() if d["external_id"] == external_id]


async def logged(client: httpx.AsyncClient, officials: Officials,
                 external_id: str) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/axis/packages", headers=await officials.headers("admin"),
                         params={"external_id": external_id})
    assert r.status_code == 200, r.text
    return list(r.json())


class TestOnPlatformExchange:
    async def test_a_package_on_an_agencys_inbox_arrives_for_it_once_and_is_answered(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nc: NATS,
    ) -> None:
        data, external_id = document_package()
        xay_dung = official(issuer, "clerk", "H56.16")
        answers = await nc.jetstream().subscribe("axis.H56.14.inbox", stream="AXIS",
                                                 deliver_policy=nats.js.api.DeliverPolicy.NEW)
        for attempt in range(2):  # delivered twice, under two message ids
            await nc.jetstream().publish("axis.H56.16.inbox", data,
                                         headers={"Nats-Msg-Id": f"{external_id}#{attempt}"})

        async def arrived() -> list[dict[str, Any]] | None:
            return await incoming_for(client, xay_dung, external_id) or None

        found = await eventually(arrived, timeout=20)
        assert found and len(found) == 1
        doc = found[0]
        assert doc["agency_id"] == "H56.16" and doc["sender_organ_id"] == "000.00.14.H56"
        r = await client.post(f"{INCOMING}/{doc['id']}/register", headers=xay_dung, json={})
        assert r.status_code == 200, r.text
        codes = await _codes_of(answers, external_id, 2)
        assert codes == ["01", "03"]  # back to Sở Tư pháp's own inbox
        assert len(await incoming_for(client, xay_dung, external_id)) == 1

    async def test_a_package_of_several_megabytes_travels_as_one_message(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nc: NATS,
    ) -> None:
        big_pdf = pdf() + b"%" + b"x" * (4 * 1024 * 1024) + b"\n"  # a long trailing comment
        data, external_id = document_package(attachment=big_pdf)
        assert len(data) > 5 * 1024 * 1024  # nats-server's default max_payload is 1 MB
        await nc.jetstream().publish("axis.H56.16.inbox", data)

        async def arrived() -> list[dict[str, Any]] | None:
            return await incoming_for(client, official(issuer, "clerk", "H56.16"),
                                      external_id) or None

        found = await eventually(arrived, timeout=30)
        assert found, "the package never arrived"
        doc = (await client.get(f"{INCOMING}/{found[0]['id']}",
                                headers=official(issuer, "clerk", "H56.16"))).json()
        assert [f["size"] for f in doc["files"]] == [len(big_pdf)]

    async def test_a_broken_package_is_logged_as_refused_and_nothing_is_registered(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials, nc: NATS,
    ) -> None:
        data, external_id = document_package()
        broken = data.replace(b"<edXML:DocumentId>", b"<edXML:NotDocumentId>").replace(
            b"</edXML:DocumentId>", b"</edXML:NotDocumentId>")
        await nc.jetstream().publish("axis.H56.16.inbox", b"<!DOCTYPE x [<!ENTITY e 'e'>]><x/>")
        await nc.jetstream().publish("axis.H56.16.inbox", broken)

        async def refused() -> list[dict[str, Any]] | None:
            r = await client.get("/api/v1/axis/packages", headers=await officials.headers(
                "admin"), params={"outcome": "refused", "direction": "in"})
            rows = [p for p in r.json() if p["to_organ_id"] == "H56.16"]
            return rows if len(rows) >= 2 else None

        rows = await eventually(refused, timeout=20)
        assert rows and {p["reason"].split(":")[0] for p in rows} >= {"xml_forbidden",
                                                                      "missing_field"}
        assert await incoming_for(client, official(issuer, "clerk", "H56.16"),
                                  external_id) == []


class TestStatusForOurDocuments:
    async def test_an_issued_documents_recipient_on_the_platform_answers_01_then_03(
        self, client: httpx.AsyncClient, officials: Officials, issuer: TestIssuer,
    ) -> None:
        issued = await _issued_to_xay_dung(client, officials)
        xay_dung = official(issuer, "clerk", "H56.16")

        async def arrived() -> list[dict[str, Any]] | None:
            return await incoming_for(client, xay_dung, issued["external_id"]) or None

        found = await eventually(arrived, timeout=20)
        assert found, "the document never reached Sở Xây dựng"
        assert await _recipient_status(client, officials, issued["id"], "01") == "01"
        r = await client.post(f"{INCOMING}/{found[0]['id']}/register", headers=xay_dung,
                              json={})
        assert r.status_code == 200, r.text
        assert await _recipient_status(client, officials, issued["id"], "03") == "03"
        document = (await client.get(f"/api/v1/documents/{issued['id']}",
                                     headers=await officials.headers("vanthu"))).json()
        received = [h["data"]["status_code"] for h in document["history"]
                    if h["action"] == "status_received"]
        assert received == ["01", "03"]

    async def test_a_status_package_for_an_unknown_document_is_404_and_logged(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        external_id = f"000.00.14.H56,2026/11/27,{uuid.uuid4().int % 10**6}/STP-VP"
        status = build_status(StatusPackage(
            from_organ=Organ("000.00.00.G22", "Văn phòng Chính phủ"),
            response_for=ResponseFor("000.00.14.H56", "1/STP-VP", date(2026, 11, 27),
                                     external_id),
            status_code="03", description="Đã vào sổ.",
            timestamp=datetime.now(UTC).astimezone(VN_TZ)))
        r = await client.post("/api/v1/axis/packages", content=status, headers={
            "Content-Type": "application/xml",
            **issuer.headers(kind="client", scope="axis")})
        assert r.status_code == 404 and r.json()["code"] == "document_not_found"
        rows = await logged(client, officials, external_id)
        assert [(p["kind"], p["outcome"]) for p in rows] == [("status", "refused")]


async def _codes_of(sub: Any, external_id: str, count: int) -> list[str]:
    from svc_docflow.edxml import parse_package

    codes: list[str] = []
    while len(codes) < count:
        msg = await sub.next_msg(timeout=20)
        found = parse_package(msg.data, max_bytes=16 * 1024 * 1024)
        if isinstance(found, StatusPackage) and found.response_for.document_id == external_id:
            codes.append(found.status_code)
    return codes


async def _issued_to_xay_dung(client: httpx.AsyncClient, officials: Officials,
                              ) -> dict[str, Any]:
    """An outgoing document of Sở Tư pháp, through the outgoing slice's own steps."""
    body = {"doc_type": "CV", "subject": "V/v phối hợp kiểm tra văn bản",
            "summary": "Đề nghị phối hợp.", "body": "Đề nghị Sở Xây dựng phối hợp.",
            "unit_notation": "VP",
            "signer": {"account_id": await officials.account_id("lanhdao"),
                       "name": "Lê Văn Cường", "position": "GIÁM ĐỐC"},
            "recipients": [{"agency_id": "H56.16"}]}
    r = await client.post("/api/v1/documents", headers=await officials.headers("chuyenvien"),
                          json=body)
    assert r.status_code == 201, r.text
    doc_id = r.json()["id"]
    for username, action in (("chuyenvien", "submit"), ("lanhdao", "approve"),
                             ("lanhdao", "sign"), ("vanthu", "issue")):
        r = await client.post(f"/api/v1/documents/{doc_id}/{action}",
                              headers=await officials.headers(username), json={})
        assert r.status_code == 200, r.text
    return dict(r.json())


async def _recipient_status(client: httpx.AsyncClient, officials: Officials, doc_id: str,
                            wanted: str) -> str | None:
    async def answered() -> str | None:
        r = await client.get(f"/api/v1/documents/{doc_id}",
                             headers=await officials.headers("vanthu"))
        recipient = next(x for x in r.json()["recipients"] if x["agency_id"] == "H56.16")
        return wanted if recipient["status_code"] == wanted else None

    return await eventually(answered, timeout=20)

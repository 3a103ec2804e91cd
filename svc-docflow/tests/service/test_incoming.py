"""Incoming documents through svc-docflow's API: packages from the national axis on the inbound
endpoint (a client_credentials caller), hostile ones refused with nothing recorded, the
clerk's registration with yearly arrival numbers and the status packages going back, and the
clerk's own intake (a package file, a paper scan). Signatures: test_incoming_signatures.py."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from egov_testing import Databases, NatsServer, TestIssuer, eventually
from svc_docflow.edxml import (
    Attachment,
    DocumentPackage,
    Organ,
    StatusPackage,
    TraceHeader,
    build_document,
    document_id,
    parse_package,
)
from svc_docflow.settings import DocflowSettings

Officials = Any  # conftest.Officials: the demo officials' real tokens
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edxml"
INBOUND = "/api/v1/axis/packages"
INCOMING = "/api/v1/documents/incoming"
XML = {"Content-Type": "application/xml"}
VPCP = Organ("000.00.00.G22", "Văn phòng Chính phủ")
SO_TU_PHAP = Organ("000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa")
TEXT_IN_PDF = b"Noi dung van ban"


@pytest.fixture(scope="module")
def docflow_settings(databases: Databases, nats_server: NatsServer,
                     identity_url: str) -> DocflowSettings:
    """As conftest's, with a national axis that refuses connections: nothing here goes
    outside (what the bridge would forward stays on the axis, retried)."""
    return DocflowSettings(database_url=databases.new_url("docflow"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING", identity_url=identity_url,
                           national_axis_url="http://127.0.0.1:9/axis")


def axis_client(issuer: TestIssuer, agency_id: str | None = None) -> dict[str, str]:
    """The national axis (or a partner system) with a client_credentials token."""
    return issuer.headers(kind="client", scope="axis", agency_id=agency_id, sub="truc-quoc-gia")


def fresh_number() -> str:
    return str(uuid.uuid4().int % 900_000 + 100_000)


def hand_written(number: str | None = None) -> tuple[bytes, str]:
    """The hand-written fixture with a fresh CodeNumber (hence a fresh DocumentId)."""
    number = number or fresh_number()
    data = (FIXTURES / "incoming_cong_van.xml").read_bytes()
    data = data.replace(b">4521<", f">{number}<".encode())
    data = data.replace(b",4521/", f",{number}/".encode())
    return data, f"000.00.00.G22,2026/11/25,{number}/VPCP-KSTT"


def plain_pdf(text: bytes = TEXT_IN_PDF) -> bytes:
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=0)
    canvas.drawString(72, 770, text.decode())
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def package(*, sender: Organ = VPCP, to: tuple[Organ, ...] = (SO_TU_PHAP,),
            attachments: tuple[Attachment, ...] | None = None, number: str | None = None,
            due: date | None = None, business_type: int = 0) -> tuple[bytes, str]:
    number = number or fresh_number()
    day = date(2026, 11, 26)
    doc_id = document_id(sender.organ_id, day, number, "UBND-VP")
    if attachments is None:
        attachments = (Attachment("van-ban.pdf", "application/pdf", plain_pdf()),)
    data = build_document(DocumentPackage(
        from_organ=sender, to_organs=to, code_number=number, code_notation="UBND-VP",
        place="Hà Nội", promulgation_date=day, type=1, type_name="Công văn",
        subject="V/v phối hợp rà soát văn bản quy phạm pháp luật", content="Đề nghị phối hợp.",
        signer_competence=None, signer_position="Chánh Văn phòng",
        signer_full_name="Trần Văn Ký", due_date=due, to_places=("Như trên",), priority=0,
        steering_type=None, document_id=doc_id,
        trace=(TraceHeader(sender.organ_id, datetime.now(UTC)),),
        business_doc_type=business_type, business_reason="Văn bản sai sót"
        if business_type else None, attachments=attachments))
    return data, doc_id


async def deliver(client: httpx.AsyncClient, issuer: TestIssuer, data: bytes) -> httpx.Response:
    return await client.post(INBOUND, content=data, headers={**XML, **axis_client(issuer)})


async def incoming_of(client: httpx.AsyncClient, headers: dict[str, str],
                      external_id: str) -> list[dict[str, Any]]:
    r = await client.get(INCOMING, headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    return [d for d in r.json() if d["external_id"] == external_id]


async def count_incoming(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    r = await client.get(INCOMING, headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    return len(r.json())


@pytest.fixture(scope="module")
async def axis_watch(nats_server: NatsServer) -> AsyncIterator[AxisWatch]:
    watch = AxisWatch()
    nc = await nats.connect(nats_server.url)
    sub = await nc.jetstream().subscribe("axis.>", stream="AXIS",
                                         deliver_policy=DeliverPolicy.ALL, cb=watch.on_message)
    yield watch
    await sub.unsubscribe()
    await nc.close()


class AxisWatch:
    """Every package published on the axis, parsed: what went back to senders."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, DocumentPackage | StatusPackage]] = []

    async def on_message(self, msg: Any) -> None:
        self.seen.append((msg.subject, parse_package(msg.data, max_bytes=16 * 1024 * 1024)))
        await msg.ack()

    def statuses(self, external_id: str) -> list[tuple[str, StatusPackage]]:
        return [(subject, p) for subject, p in self.seen if isinstance(p, StatusPackage)
                and p.response_for.document_id == external_id]

    async def status_codes(self, external_id: str, *wanted: str) -> list[str]:
        async def arrived() -> list[str] | None:
            codes = [p.status_code for _, p in self.statuses(external_id)]
            return codes if set(wanted) <= set(codes) else None

        return await eventually(arrived, timeout=20) or []


class TestInboundDocument:
    async def test_hand_written_package_is_received_then_registered_with_numbers_1_then_2(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        axis_watch: AxisWatch,
    ) -> None:
        clerk = await officials.headers("vanthu")
        numbers = []
        for _ in range(2):
            data, external_id = hand_written()
            r = await deliver(client, issuer, data)
            assert r.status_code == 201, r.text
            result = r.json()["results"][0]
            assert result["agency_id"] == "H56.14" and result["outcome"] == "accepted"
            assert result["status_code"] == "01" and r.json()["external_id"] == external_id
            doc = (await client.get(f"{INCOMING}/{result['document_id']}", headers=clerk)).json()
            assert doc["status"] == "received" and doc["source"] == "axis"
            assert doc["sender_name"] == "Văn phòng Chính phủ" and doc["urgency"] == "khan"
            assert doc["code"].endswith("/VPCP-KSTT") and doc["doc_type"] == "CV"
            assert doc["signature_report"]["status"] == "unsigned"
            assert [f["kind"] for f in doc["files"]] == ["incoming"]
            registered = await client.post(f"{INCOMING}/{doc['id']}/register", headers=clerk,
                                           json={})
            assert registered.status_code == 200, registered.text
            assert registered.json()["status"] == "registered"
            numbers.append(registered.json()["arrival_number"])
            codes = await axis_watch.status_codes(external_id, "01", "03")
            assert codes == ["01", "03"]
            subjects = {s for s, _ in axis_watch.statuses(external_id)}
            assert subjects == {"axis.000.00.00.G22.inbox"}  # outside: through the bridge
        assert numbers == [1, 2]

    async def test_a_second_delivery_is_registered_once_with_the_same_answer(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        data, external_id = hand_written()
        first = await deliver(client, issuer, data)
        again = await deliver(client, issuer, data)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(await incoming_of(client, await officials.headers("vanthu"),
                                     external_id)) == 1

    async def test_concurrent_deliveries_of_one_package_register_one_document(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        data, external_id = hand_written()
        answers = await asyncio.gather(*(deliver(client, issuer, data) for _ in range(5)))
        assert {r.status_code for r in answers} == {201}
        assert len({r.json()["results"][0]["document_id"] for r in answers}) == 1
        assert len(await incoming_of(client, await officials.headers("vanthu"),
                                     external_id)) == 1

    async def test_a_package_without_a_pdf_is_refused_with_02_and_its_reason(
        self, client: httpx.AsyncClient, issuer: TestIssuer, axis_watch: AxisWatch,
    ) -> None:
        data, external_id = package(attachments=(Attachment("ghi-chu.txt", "text/plain",
                                                            b"Chi co ghi chu"),))
        r = await deliver(client, issuer, data)
        assert r.status_code == 201, r.text
        result = r.json()["results"][0]
        assert result["outcome"] == "refused" and result["status_code"] == "02"
        assert "PDF" in result["reason"]
        assert await axis_watch.status_codes(external_id, "01", "02") == ["01", "02"]

    async def test_a_document_for_two_agencies_of_the_platform_is_taken_in_for_each(
        self, client: httpx.AsyncClient, issuer: TestIssuer,
    ) -> None:
        so_xay_dung = Organ("000.00.16.H56", "Sở Xây dựng tỉnh Thanh Hóa")
        outside = Organ("000.00.00.H41", "UBND tỉnh Nghệ An")
        data, _ = package(to=(SO_TU_PHAP, so_xay_dung, outside))
        r = await deliver(client, issuer, data)
        assert r.status_code == 201, r.text
        assert sorted(x["agency_id"] for x in r.json()["results"]) == ["H56.14", "H56.16"]


class TestHostilePackages:
    """Refused with a problem and a stable code; nothing is recorded."""

    @pytest.mark.parametrize(("fixture", "status", "code"), [
        ("hostile_xxe.xml", 400, "xml_forbidden"),
        ("hostile_billion_laughs.xml", 400, "xml_forbidden"),
        ("missing_document_id.xml", 422, "missing_field"),
        ("not_xml.xml", 400, "xml_malformed"),
        ("wrong_namespace.xml", 422, "not_edxml"),
    ])
    async def test_hostile_or_unsound_package(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        fixture: str, status: int, code: str,
    ) -> None:
        clerk = await officials.headers("vanthu")
        before = await count_incoming(client, clerk)
        r = await deliver(client, issuer, (FIXTURES / fixture).read_bytes())
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code
        assert await count_incoming(client, clerk) == before

    async def test_oversized_package_is_refused_from_its_content_length(
        self, client: httpx.AsyncClient, issuer: TestIssuer, docflow_settings: DocflowSettings,
    ) -> None:
        data, _ = hand_written()
        padded = data + b" " * (docflow_settings.max_package_bytes + 1 - len(data))
        r = await deliver(client, issuer, padded)
        assert r.status_code == 413 and r.json()["code"] == "package_too_large"

    async def test_oversized_package_without_a_length_is_stopped_while_it_streams(
        self, client: httpx.AsyncClient, issuer: TestIssuer, docflow_settings: DocflowSettings,
        officials: Officials,
    ) -> None:
        sent = {"bytes": 0}

        async def endless() -> AsyncIterator[bytes]:
            data, _ = hand_written()
            yield data
            while sent["bytes"] < 4 * docflow_settings.max_package_bytes:
                sent["bytes"] += 65_536
                yield b" " * 65_536

        clerk = await officials.headers("vanthu")
        before = await count_incoming(client, clerk)
        r = await client.post(INBOUND, content=endless(), headers={**XML, **axis_client(issuer)})
        assert r.status_code == 413 and r.json()["code"] == "package_too_large"
        assert sent["bytes"] < 2 * docflow_settings.max_package_bytes  # not read to its end
        assert await count_incoming(client, clerk) == before

    async def test_a_body_that_is_not_xml_is_415(self, client: httpx.AsyncClient,
                                                 issuer: TestIssuer) -> None:
        data, _ = hand_written()
        r = await client.post(INBOUND, content=data, headers={
            "Content-Type": "application/json", **axis_client(issuer)})
        assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"


class TestWhoMayDeliver:
    async def test_a_clerk_or_a_client_without_the_axis_scope_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        data, _ = hand_written()
        for headers in (await officials.headers("vanthu"), issuer.headers(kind="client"),
                        issuer.headers(kind="citizen")):
            r = await client.post(INBOUND, content=data, headers={**XML, **headers})
            assert r.status_code == 403 and r.json()["code"] == "axis_client_only"
        r = await client.post(INBOUND, content=data, headers=XML)
        assert r.status_code == 401

    async def test_the_national_axis_cannot_speak_for_an_agency_of_the_platform(
        self, client: httpx.AsyncClient, issuer: TestIssuer,
    ) -> None:
        data, _ = package(sender=Organ("000.00.16.H56", "Sở Xây dựng tỉnh Thanh Hóa"))
        r = await deliver(client, issuer, data)
        assert r.status_code == 403 and r.json()["code"] == "sender_not_allowed"
        partner = axis_client(issuer, agency_id="H56.16")  # Sở Xây dựng's own system
        r = await client.post(INBOUND, content=data, headers={**XML, **partner})
        assert r.status_code == 201, r.text


class TestVisibility:
    async def test_only_officers_of_the_receiving_agency_see_it(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        data, _ = hand_written()
        doc_id = (await deliver(client, issuer, data)).json()["results"][0]["document_id"]
        path = f"{INCOMING}/{doc_id}"
        for username in ("vanthu", "lanhdao", "chuyenvien"):
            assert (await client.get(path, headers=await officials.headers(username))
                    ).status_code == 200
        other = issuer.headers(kind="official", roles=["clerk"], agency_id="H56.16")
        assert (await client.get(path, headers=other)).status_code == 404
        assert (await client.get(path, headers=issuer.headers(kind="citizen"))
                ).status_code == 403
        r = await client.post(f"{path}/register", headers=other, json={})
        assert r.status_code == 404
        admin = await officials.headers("admin")  # reads the subtree, takes no step
        assert (await client.get(path, headers=admin)).status_code == 200
        r = await client.post(f"{path}/register", headers=admin, json={})
        assert r.status_code == 403 and r.json()["code"] == "clerk_only"


class TestClerkIntake:
    async def test_a_package_file_uploaded_by_the_clerk_is_taken_in_for_the_agency(
        self, client: httpx.AsyncClient, officials: Officials, axis_watch: AxisWatch,
    ) -> None:
        clerk = await officials.headers("vanthu")
        data, external_id = hand_written()
        r = await client.post(f"{INCOMING}/packages", content=data, headers={**XML, **clerk})
        assert r.status_code == 201, r.text
        doc = (await incoming_of(client, clerk, external_id))[0]
        assert doc["source"] == "upload" and doc["status"] == "received"
        assert await axis_watch.status_codes(external_id, "01") == ["01"]

    async def test_a_package_for_another_agency_cannot_be_uploaded(
        self, client: httpx.AsyncClient, officials: Officials,
    ) -> None:
        data, _ = package(to=(Organ("000.00.16.H56", "Sở Xây dựng tỉnh Thanh Hóa"),))
        r = await client.post(f"{INCOMING}/packages", content=data,
                              headers={**XML, **await officials.headers("vanthu")})
        assert r.status_code == 422 and r.json()["code"] == "not_addressed_here"

    async def test_a_paper_document_is_scanned_and_typed_in_by_the_clerk(
        self, client: httpx.AsyncClient, officials: Officials,
    ) -> None:
        clerk = await officials.headers("vanthu")
        metadata = {"sender_name": "Công an tỉnh Thanh Hóa", "code_number": "77",
                    "notation": "CAT-PV01", "promulgation_date": "2026-11-20",
                    "doc_type": "CV", "subject": "V/v cung cấp thông tin lý lịch tư pháp"}
        r = await client.post(f"{INCOMING}/scans", headers=clerk, data=metadata,
                              files={"file": ("scan.pdf", plain_pdf(), "application/pdf")})
        assert r.status_code == 201, r.text
        doc = r.json()
        assert doc["source"] == "paper" and doc["status"] == "received"
        assert doc["code"] == "77/CAT-PV01" and doc["external_id"] is None
        assert [f["kind"] for f in doc["files"]] == ["scan"]
        r = await client.post(f"{INCOMING}/scans", headers=clerk, data=metadata,
                              files={"file": ("scan.pdf", b"not a pdf", "application/pdf")})
        assert r.status_code == 422 and r.json()["code"] == "not_a_pdf"

    async def test_the_clerk_refuses_a_document_and_02_goes_back_with_the_reason(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        axis_watch: AxisWatch,
    ) -> None:
        data, external_id = hand_written()
        doc_id = (await deliver(client, issuer, data)).json()["results"][0]["document_id"]
        r = await client.post(f"{INCOMING}/{doc_id}/refuse",
                              headers=await officials.headers("vanthu"),
                              json={"reason": "Gửi nhầm cơ quan nhận."})
        assert r.status_code == 200 and r.json()["status"] == "refused"
        await axis_watch.status_codes(external_id, "02")
        refusal = [p for _, p in axis_watch.statuses(external_id) if p.status_code == "02"]
        assert refusal[0].description == "Gửi nhầm cơ quan nhận."
        again = await client.post(f"{INCOMING}/{doc_id}/register",
                                  headers=await officials.headers("vanthu"), json={})
        assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
        leader = await client.post(f"{INCOMING}/{doc_id}/refuse",
                                   headers=await officials.headers("lanhdao"),
                                   json={"reason": "Không"})
        assert leader.status_code == 403 and leader.json()["code"] == "clerk_only"

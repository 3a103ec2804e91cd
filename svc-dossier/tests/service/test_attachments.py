"""Attachments per component and the personal data store, as applicants and officers see them
through the API: real database, real NATS, real files in a temporary blob directory."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from egov_testing import Databases, NatsServer, TestIssuer
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"  # TP01 tờ khai; TP02 CCCD (reusable); TP03 cư trú (reusable)
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc"}}
CAP = 2_000_000  # above the 1 MB JSON cap, below the component limit
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 200 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000  # a Windows executable renamed .pdf


@pytest.fixture(scope="module")
def blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(scope="module")
def dossier_settings(databases: Databases, nats_server: NatsServer, blob_dir: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> DossierSettings:
    return DossierSettings(database_url=databases.new_url("dossier"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING", attachments_dir=str(blob_dir),
                           attachment_max_bytes=CAP,
                           forms_dir=str(tmp_path_factory.mktemp("forms")))


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.id_number = f"0380{uuid.uuid4().int % 10**8:08d}"
        self.applicant_id = uuid.uuid4().hex
        self.applicant = issuer.headers(sub=self.applicant_id, kind="citizen",
                                        username=self.id_number, acr=2)
        self.unverified = issuer.headers(sub=self.applicant_id, kind="citizen",
                                         username=self.id_number, acr=1)
        self.other_citizen = issuer.headers(sub=uuid.uuid4().hex, kind="citizen",
                                            username="038090009999", acr=2)
        self.officer = issuer.headers(kind="official", agency_id="H56.14", roles=[
            "one_stop_officer", "processing_officer", "leader"])
        self.elsewhere = issuer.headers(kind="official", agency_id="H56.16", roles=[
            "one_stop_officer", "processing_officer", "leader"])


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def online(client: httpx.AsyncClient, people: People) -> str:
    answer = await client.post("/api/v1/dossiers", headers=people.applicant, json=LLTP_BODY)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


async def at_counter(client: httpx.AsyncClient, people: People) -> str:
    answer = await client.post("/api/v1/dossiers", headers=people.officer, json={
        **LLTP_BODY, "channel": "counter",
        "applicant": {"id_number": people.id_number, "full_name": "Trần Văn Bình"}})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


async def upload(client: httpx.AsyncClient, headers: dict[str, str], code: str, content: Any,
                 *, component: str | None = "TP01", media_type: str = "application/pdf",
                 status: int = 201, **params: Any) -> dict[str, Any]:
    query = {**({"component": component} if component else {}), "filename": "tờ khai.pdf",
             **params}
    answer = await client.post(f"/api/v1/dossiers/{code}/attachments", params=query,
                               headers={**headers, "Content-Type": media_type}, content=content)
    assert answer.status_code == status, answer.text
    return dict(answer.json())


async def listed(client: httpx.AsyncClient, headers: dict[str, str],
                 code: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/api/v1/dossiers/{code}/attachments", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def store_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/datastore/documents", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def blobs(blob_dir: Path) -> list[Path]:
    return [p for p in blob_dir.rglob("*") if p.is_file()]


async def find_event(nats_url: str, subject: str, code: str) -> dict[str, Any]:
    """The event about one dossier on a subject (reads the stream from its start)."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(
            subject, ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        while True:
            event: dict[str, Any] = json.loads((await sub.next_msg(timeout=10)).data)
            if event.get("subject") == code:
                return event
    finally:
        await nc.close()


class TestUpload:
    async def test_sha256_is_answered_and_the_download_matches(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        made = await upload(client, people.applicant, code, PDF)
        assert made["sha256"] == hashlib.sha256(PDF).hexdigest()
        assert (made["size"], made["media_type"], made["source"]) == (
            len(PDF), "application/pdf", "upload")
        assert made["filename"] == "tờ khai.pdf"
        got = await client.get(made["download_url"], headers=people.officer)
        assert got.status_code == 200
        assert hashlib.sha256(got.content).hexdigest() == made["sha256"]
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "filename*=UTF-8''t%E1%BB%9D%20khai.pdf" in got.headers["content-disposition"]
        assert [a["id"] for a in await listed(client, people.applicant, code)] == [made["id"]]

    async def test_a_streamed_body_without_length_is_accepted(
            self, client: httpx.AsyncClient, people: People) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(PNG), 100):
                yield PNG[start:start + 100]

        code = await online(client, people)
        made = await upload(client, people.applicant, code, chunks(), media_type="image/png")
        assert made["sha256"] == hashlib.sha256(PNG).hexdigest()

    async def test_a_renamed_executable_is_refused(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        refused = await upload(client, people.applicant, code, EXE, status=422)
        assert refused["code"] == "unsupported_media_type"
        assert await listed(client, people.applicant, code) == []

    async def test_a_declared_type_that_contradicts_the_bytes_is_refused(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        refused = await upload(client, people.applicant, code, PNG, status=422)
        assert refused["code"] == "media_type_mismatch"

    async def test_too_large_is_refused_and_nothing_is_stored(
            self, client: httpx.AsyncClient, people: People, blob_dir: Path) -> None:
        code = await online(client, people)
        before = blobs(blob_dir)
        big = b"%PDF-1.7\n" + b"x" * CAP

        async def streamed() -> AsyncIterator[bytes]:
            for start in range(0, len(big), 8192):
                yield big[start:start + 8192]

        announced = await upload(client, people.applicant, code, big, status=413)
        chunked = await upload(client, people.applicant, code, streamed(), status=413)
        assert announced["code"] == chunked["code"] == "attachment_too_large"
        assert chunked["max_bytes"] == CAP
        assert blobs(blob_dir) == before
        assert await listed(client, people.applicant, code) == []

    async def test_a_file_larger_than_the_json_body_cap_streams_through(
            self, client: httpx.AsyncClient, people: People) -> None:
        """Scans are megabytes: the 1 MB cap on request bodies is for JSON, not uploads."""
        code = await online(client, people)
        scan = PDF + b"%" + b"0" * (1_500_000 - len(PDF) - 1)
        stored = await upload(client, people.applicant, code, scan)
        assert stored["size"] == len(scan) == 1_500_000
        assert stored["sha256"] == hashlib.sha256(scan).hexdigest()

    async def test_an_unknown_component_is_refused(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        refused = await upload(client, people.applicant, code, PDF, component="TP99",
                               status=422)
        assert refused["code"] == "unknown_component"

    async def test_no_more_files_than_copies(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        await upload(client, people.applicant, code, PDF)
        refused = await upload(client, people.applicant, code, PDF, status=409)
        assert refused["code"] == "too_many_copies"

    async def test_the_applicant_deletes_before_reception_only(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        made = await upload(client, people.applicant, code, PDF)
        deleted = await client.delete(made["download_url"], headers=people.applicant)
        assert deleted.status_code == 204
        assert await listed(client, people.applicant, code) == []
        again = await upload(client, people.applicant, code, PDF)
        received = await client.post(f"/api/v1/dossiers/{code}/receive", headers=people.officer,
                                     json={})
        assert received.status_code == 200
        closed = await client.delete(again["download_url"], headers=people.applicant)
        assert (closed.status_code, closed.json()["code"]) == (409, "attachments_closed")
        late = await upload(client, people.applicant, code, PDF, component="TP02", status=409)
        assert late["code"] == "attachments_closed"


class TestAccess:
    async def test_another_citizen_gets_404(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        made = await upload(client, people.applicant, code, PDF)
        refused = await upload(client, people.other_citizen, code, PDF, component="TP02",
                               status=404)
        assert refused["code"] == "dossier_not_found"
        for path in (f"/api/v1/dossiers/{code}/attachments", made["download_url"]):
            answer = await client.get(path, headers=people.other_citizen)
            assert (answer.status_code, answer.json()["code"]) == (404, "dossier_not_found")

    async def test_an_officer_of_another_subtree_gets_404(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        made = await upload(client, people.applicant, code, PDF)
        answer = await client.get(made["download_url"], headers=people.elsewhere)
        assert answer.status_code == 404
        refused = await upload(client, people.elsewhere, code, PDF, component="TP02",
                               status=404, digitised="true")
        assert refused["code"] == "dossier_not_found"

    async def test_officers_never_list_a_data_store(
            self, client: httpx.AsyncClient, people: People) -> None:
        answer = await client.get("/api/v1/datastore/documents", headers=people.officer)
        assert (answer.status_code, answer.json()["code"]) == (403, "datastore_for_applicants")


class TestCounterDigitisation:
    async def test_a_scan_lands_in_the_applicants_store_and_is_counted(
            self, client: httpx.AsyncClient, people: People, nats_server: NatsServer) -> None:
        code = await at_counter(client, people)
        scan = await upload(client, people.officer, code, PDF, component="TP02",
                            digitised="true")
        assert (scan["source"], scan["digitised"]) == ("counter_scan", True)
        documents = await store_of(client, people.applicant)
        assert [(d["dossier_code"], d["source"], d["sha256"]) for d in documents] == [
            (code, "counter_scan", scan["sha256"])]
        got = await client.get(documents[0]["download_url"], headers=people.applicant)
        assert got.content == PDF
        assert await store_of(client, people.unverified) == []  # a self-declared account
        stranger = await client.get(documents[0]["download_url"], headers=people.other_citizen)
        assert (stranger.status_code, stranger.json()["code"]) == (404, "document_not_found")
        event = await find_event(nats_server.url, "dossier.dossier.component_digitised", code)
        assert event["data"] == {
            "code": code, "agency_id": "H56.14", "procedure_code": LLTP,
            "component_code": "TP02", "source": "counter_scan", "to_datastore": True,
            "at": event["data"]["at"]}

    async def test_the_applicant_cannot_claim_digitisation(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await online(client, people)
        refused = await upload(client, people.applicant, code, PDF, digitised="true",
                               status=403)
        assert refused["code"] == "digitisation_for_officers"


class TestReuse:
    async def stored(self, client: httpx.AsyncClient, people: People) -> dict[str, Any]:
        code = await at_counter(client, people)
        await upload(client, people.officer, code, PDF, component="TP02", digitised="true")
        return (await store_of(client, people.applicant))[0]

    async def test_a_stored_document_is_reused_without_a_new_upload(
            self, client: httpx.AsyncClient, people: People, nats_server: NatsServer) -> None:
        document = await self.stored(client, people)
        code = await online(client, people)
        answer = await client.post(f"/api/v1/dossiers/{code}/attachments/reuse",
                                   headers=people.applicant,
                                   json={"component": "TP02", "document_id": document["id"]})
        assert answer.status_code == 201, answer.text
        reused = answer.json()
        assert (reused["source"], reused["sha256"], reused["datastore_document_id"]) == (
            "datastore_reuse", document["sha256"], document["id"])
        got = await client.get(reused["download_url"], headers=people.officer)
        assert got.content == PDF
        event = await find_event(nats_server.url, "dossier.dossier.component_reused", code)
        assert (event["data"]["component_code"], event["data"]["source"]) == (
            "TP02", "datastore_reuse")

    async def test_only_reusable_components(
            self, client: httpx.AsyncClient, people: People) -> None:
        document = await self.stored(client, people)
        code = await online(client, people)
        answer = await client.post(f"/api/v1/dossiers/{code}/attachments/reuse",
                                   headers=people.applicant,
                                   json={"component": "TP01", "document_id": document["id"]})
        assert (answer.status_code, answer.json()["code"]) == (409, "component_not_reusable")

    async def test_only_own_documents(
            self, client: httpx.AsyncClient, people: People, issuer: TestIssuer) -> None:
        document = await self.stored(client, people)
        thief = People(issuer)
        code = await online(client, thief)
        answer = await client.post(f"/api/v1/dossiers/{code}/attachments/reuse",
                                   headers=thief.applicant,
                                   json={"component": "TP02", "document_id": document["id"]})
        assert (answer.status_code, answer.json()["code"]) == (404, "document_not_found")
        assert await listed(client, thief.applicant, code) == []


class TestElectronicResult:
    async def processing(self, client: httpx.AsyncClient, people: People) -> str:
        code = await online(client, people)
        for path, body in (("receive", {}),
                           ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3})):
            answer = await client.post(f"/api/v1/dossiers/{code}/{path}",
                                       headers=people.officer, json=body)
            assert answer.status_code == 200, answer.text
        return code

    async def test_the_returned_result_goes_to_the_applicants_store(
            self, client: httpx.AsyncClient, people: People, nats_server: NatsServer) -> None:
        code = await self.processing(client, people)
        result = await upload(client, people.officer, code, PDF, component=None, kind="result")
        assert (result["kind"], result["source"]) == ("result", "result")
        for path, body in (("decide", {"outcome": "approved", "result_file": str(result["id"])}),
                           ("return-result", {})):
            answer = await client.post(f"/api/v1/dossiers/{code}/{path}",
                                       headers=people.officer, json=body)
            assert answer.status_code == 200, answer.text
        documents = [d for d in await store_of(client, people.applicant)
                     if d["dossier_code"] == code]
        assert [(d["source"], d["sha256"]) for d in documents] == [("result", result["sha256"])]
        assert documents[0]["title"].startswith("Kết quả: Cấp Phiếu lý lịch tư pháp")
        event = await find_event(nats_server.url, "dossier.dossier.result_issued", code)
        assert (event["data"]["source"], event["data"]["to_datastore"]) == ("result", True)

    async def test_decide_refuses_a_result_file_that_is_not_this_dossiers(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await self.processing(client, people)
        applicant_file = await upload(client, people.officer, code, PDF, component=None,
                                      kind="result", status=201)
        other = await self.processing(client, people)
        answer = await client.post(f"/api/v1/dossiers/{other}/decide", headers=people.officer,
                                   json={"outcome": "approved",
                                         "result_file": str(applicant_file["id"])})
        assert (answer.status_code, answer.json()["code"]) == (422, "result_file_not_found")

    async def test_the_applicant_uploads_no_result(
            self, client: httpx.AsyncClient, people: People) -> None:
        code = await self.processing(client, people)
        refused = await upload(client, people.applicant, code, PDF, component=None,
                               kind="result", status=403)
        assert refused["code"] == "action_not_allowed"

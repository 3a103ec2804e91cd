"""The national axis SIMULATOR end to end over real HTTP: svc-docflow serves on a port, its
bridge forwards what the province sends outside to the simulator, which answers 01 then 03 as
real status packages on the inbound endpoint, signed in as its own client_credentials client
of svc-identity; and an outside organ's document (and its recall) arriving through it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from egov_shared.auth import http_jwks_fetcher
from egov_testing import Databases, NatsServer, TestIssuer, eventually, merged_jwks, serve_on_port
from svc_docflow.main import create_app
from svc_docflow.settings import DocflowSettings
from tests.platform import DEMO_PASSWORD

Officials = Any  # conftest.Officials: the demo officials' real tokens
SIMULATOR = "/simulators/national-axis"
VPCP = {"organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ"}


@pytest.fixture(scope="module")
def simulator_secret() -> str:
    """The simulator's client, which svc-identity's demo registers (client_credentials, scope
    ``axis``, no agency), has the demo password as its secret."""
    return DEMO_PASSWORD


@pytest.fixture(scope="module")
def docflow_settings(databases: Databases, nats_server: NatsServer, identity_url: str,
                     simulator_secret: str) -> DocflowSettings:
    return DocflowSettings(database_url=databases.new_url("docflow"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING", identity_url=identity_url,
                           simulator_client_secret=simulator_secret)


@pytest.fixture(scope="module")
async def client(docflow_settings: DocflowSettings, issuer: TestIssuer,
                 identity_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """svc-docflow on a real port: the bridge and the simulator reach it over HTTP."""
    jwks = merged_jwks(issuer.jwks, http_jwks_fetcher(f"{identity_url}/.well-known/jwks.json"))
    async with serve_on_port(create_app(docflow_settings, jwks_fetcher=jwks)) as url:
        docflow_settings.national_axis_url = f"{url}{SIMULATOR}"
        docflow_settings.inbound_url = f"{url}/api/v1/axis/packages"
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            yield http


async def kept(client: httpx.AsyncClient, document_id: str, kind: str,
               count: int = 1) -> list[dict[str, Any]]:
    """What the simulated axis received about one document, once it has ``count`` of them."""
    async def found() -> list[dict[str, Any]] | None:
        packages = (await client.get(f"{SIMULATOR}/packages")).json()["packages"]
        mine = [p for p in packages if p["document_id"] == document_id and p["kind"] == kind]
        return mine if len(mine) >= count else None

    return await eventually(found, timeout=30) or []


def province_clerk(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers(kind="official", roles=["clerk"], agency_id="H56")


class TestDocumentsFromOutside:
    async def test_an_originated_document_arrives_and_its_01_goes_back_through_the_axis(
        self, client: httpx.AsyncClient, issuer: TestIssuer,
    ) -> None:
        number = str(uuid.uuid4().int % 900_000 + 100_000)
        r = await client.post(f"{SIMULATOR}/originate", json={
            "subject": "V/v triển khai Nghị định về văn thư điện tử", "code_number": number})
        assert r.status_code == 200 and r.json()["inbound_status"] == 201, r.text
        external_id = r.json()["document_id"]
        listed = (await client.get("/api/v1/documents/incoming",
                                   headers=province_clerk(issuer))).json()
        doc = next(d for d in listed if d["external_id"] == external_id)
        assert doc["agency_id"] == "H56" and doc["sender_name"] == "Văn phòng Chính phủ"
        assert doc["source"] == "axis" and doc["signature_report"]["status"] == "unsigned"
        statuses = await kept(client, external_id, "status")
        assert statuses[0]["status_code"] == "01"

    async def test_an_outside_recall_is_accepted_with_15(
        self, client: httpx.AsyncClient, issuer: TestIssuer,
    ) -> None:
        body = {"subject": "V/v kiểm tra công tác văn thư",
                "code_number": str(uuid.uuid4().int % 900_000 + 100_000)}
        sent = (await client.post(f"{SIMULATOR}/originate", json=body)).json()
        recall = await client.post(f"{SIMULATOR}/originate", json={
            **body, "business_doc_type": 1, "business_reason": "Ban hành nhầm"})
        assert recall.json()["inbound_status"] == 202, recall.text
        listed = (await client.get("/api/v1/documents/incoming", headers=province_clerk(issuer),
                                   params={"status": "recalled"})).json()
        assert sent["document_id"] in [d["external_id"] for d in listed]
        codes = [p["status_code"] for p in await kept(client, sent["document_id"], "status", 2)]
        assert sorted(codes) == ["01", "15"]


class TestDocumentsToOutside:
    async def test_an_issued_document_is_forwarded_and_the_organ_answers_01_then_03(
        self, client: httpx.AsyncClient, officials: Officials,
    ) -> None:
        issued = await _issued_to(client, officials, [VPCP])
        forwarded = await kept(client, issued["external_id"], "document")
        assert forwarded[0]["to_organ_ids"] == ["000.00.00.G22"]

        async def registered() -> dict[str, Any] | None:
            r = await client.get(f"/api/v1/documents/{issued['id']}",
                                 headers=await officials.headers("vanthu"))
            recipient = r.json()["recipients"][0]
            return recipient if recipient["status_code"] == "03" else None

        recipient = await eventually(registered, timeout=30)
        assert recipient and recipient["organ_id"] == "000.00.00.G22"

        async def answered() -> list[Any] | None:
            answers = (await kept(client, issued["external_id"], "document"))[0]["answers"]
            return answers if len(answers) >= 2 else None

        answers = await eventually(answered, timeout=30) or []
        assert [(a["status_code"], a["inbound_status"]) for a in answers] == [
            ("01", 202), ("03", 202)]
        log = (await client.get("/api/v1/axis/packages", headers=await officials.headers(
            "admin"), params={"external_id": issued["external_id"], "direction": "out"})).json()
        assert {p["outcome"] for p in log} >= {"sent", "forwarded"}


class TestTheSimulatorItself:
    async def test_it_rejects_what_the_national_axis_would(
        self, client: httpx.AsyncClient,
    ) -> None:
        body = {"subject": "V/v gói tin thiếu tiền tố", "code_number": "7"}
        built = await _package_via_originate(client, body)
        unprefixed = built.replace(b"edXML:", b"")
        r = await client.post(SIMULATOR, content=unprefixed,
                              headers={"Content-Type": "application/xml"})
        assert r.status_code == 400 and r.json()["code"] == "missing_prefix"
        r = await client.post(SIMULATOR, content=b"<!DOCTYPE x [<!ENTITY e SYSTEM "
                              b"'file:///etc/passwd'>]><x>&e;</x>")
        assert r.status_code == 400 and r.json()["code"] == "xml_forbidden"
        assert r.headers["X-Simulator"] == "truc-lien-thong-van-ban-quoc-gia"

    async def test_it_is_outside_the_platforms_openapi_and_labelled_in_its_own(
        self, client: httpx.AsyncClient,
    ) -> None:
        platform = (await client.get("/openapi.json")).json()
        assert not [p for p in platform["paths"] if p.startswith(SIMULATOR)]
        own = (await client.get(f"{SIMULATOR}/openapi.json")).json()
        assert own["info"]["title"].startswith("SIMULATOR")
        assert set(own["paths"]) == {SIMULATOR, f"{SIMULATOR}/originate",
                                     f"{SIMULATOR}/packages"}


async def _package_via_originate(client: httpx.AsyncClient, body: dict[str, Any]) -> bytes:
    """A package exactly as the simulator builds it (its own copy of what it sent)."""
    from svc_docflow.simulators.external_organs import originate
    from svc_docflow.simulators.national_axis import Originate

    return originate(Originate.model_validate(body).origin())


async def _issued_to(client: httpx.AsyncClient, officials: Officials,
                     recipients: list[dict[str, Any]]) -> dict[str, Any]:
    """An outgoing document of Sở Tư pháp, through the outgoing slice's own steps."""
    body = {"doc_type": "CV", "subject": "V/v báo cáo công tác pháp chế",
            "summary": "Báo cáo.", "body": "Sở Tư pháp báo cáo.", "unit_notation": "VP",
            "signer": {"account_id": await officials.account_id("lanhdao"),
                       "name": "Lê Văn Cường", "position": "GIÁM ĐỐC"},
            "recipients": recipients}
    r = await client.post("/api/v1/documents", headers=await officials.headers("chuyenvien"),
                          json=body)
    assert r.status_code == 201, r.text
    for username, action in (("chuyenvien", "submit"), ("lanhdao", "approve"),
                             ("lanhdao", "sign"), ("vanthu", "issue")):
        r = await client.post(f"/api/v1/documents/{r.json()['id']}/{action}",
                              headers=await officials.headers(username), json={})
        assert r.status_code == 200, r.text
    return dict(r.json())

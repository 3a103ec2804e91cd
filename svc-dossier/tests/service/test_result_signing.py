"""POST /api/v1/dossiers/{code}/attachments/{id}/signature: the leader signs the result PDF.
Here svc-identity is not running, so the refusals are what can be seen; the signature itself
(pyHanko validating it against the provincial CA) is checked end to end in the portal's
journey (tests/portal/test_journey.py)."""

from __future__ import annotations

import httpx
import pytest

from egov_testing import Databases, NatsServer, TestIssuer, free_port
from svc_dossier.settings import DossierSettings

from .test_attachments import PDF, People, listed, online, upload


@pytest.fixture(scope="module")
def dossier_settings(databases: Databases, nats_server: NatsServer,
                     tmp_path_factory: pytest.TempPathFactory) -> DossierSettings:
    """svc-identity unreachable: no certificate can be found, nothing can be signed."""
    return DossierSettings(database_url=databases.new_url("dossier"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING",
                           identity_url=f"http://127.0.0.1:{free_port()}",
                           attachments_dir=str(tmp_path_factory.mktemp("attachments")),
                           forms_dir=str(tmp_path_factory.mktemp("forms")))


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def processing(client: httpx.AsyncClient, people: People) -> str:
    code = await online(client, people)
    for path, body in (("receive", {}),
                       ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3})):
        answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=people.officer,
                                   json=body)
        assert answer.status_code == 200, answer.text
    return code


async def sign(client: httpx.AsyncClient, headers: dict[str, str], code: str,
               attachment_id: int) -> httpx.Response:
    return await client.post(f"/api/v1/dossiers/{code}/attachments/{attachment_id}/signature",
                             headers=headers)


class TestSignResult:
    async def test_without_the_signing_service_nothing_is_written(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await processing(client, people)
        result = await upload(client, people.officer, code, PDF, component=None, kind="result")
        before = await listed(client, people.officer, code)
        answer = await sign(client, people.officer, code, result["id"])
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "signing_unavailable"
        assert await listed(client, people.officer, code) == before

    async def test_only_a_leader_of_the_agency_signs(
        self, client: httpx.AsyncClient, people: People, issuer: TestIssuer
    ) -> None:
        code = await processing(client, people)
        result = await upload(client, people.officer, code, PDF, component=None, kind="result")
        officer = issuer.headers(kind="official", agency_id="H56.14",
                                 roles=["processing_officer"])
        refused = await sign(client, officer, code, result["id"])
        assert refused.status_code == 403 and refused.json()["code"] == "leader_required"
        elsewhere = await sign(client, people.elsewhere, code, result["id"])
        assert elsewhere.status_code == 404  # not theirs: as if it did not exist
        citizen = await sign(client, people.applicant, code, result["id"])
        assert citizen.status_code == 403

    async def test_only_a_result_pdf_while_processing(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await online(client, people)
        component = await upload(client, people.applicant, code, PDF)
        early = await sign(client, people.officer, code, component["id"])
        assert early.status_code == 409 and early.json()["code"] == "attachments_closed"
        for path, body in (("receive", {}),
                           ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 3})):
            assert (await client.post(f"/api/v1/dossiers/{code}/{path}", json=body,
                                      headers=people.officer)).status_code == 200
        answer = await sign(client, people.officer, code, component["id"])
        assert answer.status_code == 409 and answer.json()["code"] == "result_not_signable"
        missing = await sign(client, people.officer, code, 2**40)
        assert missing.status_code == 404

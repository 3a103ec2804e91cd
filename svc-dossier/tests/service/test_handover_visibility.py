"""A dossier handed to a unit is that unit's work: its officers see it, find it in their
queues and act on it; a sibling unit's officers do not."""

from __future__ import annotations

import uuid

import httpx

from egov_testing import TestIssuer

LLTP_BODY = {"procedure_code": "2.000748.000.00.00.H56", "form_data": {"muc_dich": "Xin việc"}}


def officer(issuer: TestIssuer, agency: str) -> dict[str, str]:
    return issuer.headers(kind="official", agency_id=agency,
                          roles=["one_stop_officer", "processing_officer"])


class TestHandedToAUnit:
    async def test_the_unit_sees_and_works_on_it_and_its_sibling_does_not(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        department, unit = officer(issuer, "H56.14"), officer(issuer, "H56.14.01")
        sibling = officer(issuer, "H56.14.02")
        code = (await client.post("/api/v1/dossiers", headers=applicant,
                                  json=LLTP_BODY)).json()["code"]
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=unit)).status_code == 404
        for path, body in (("receive", {}),
                           ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 2})):
            answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=department,
                                       json=body)
            assert answer.status_code == 200, answer.text

        assert (await client.get(f"/api/v1/dossiers/{code}", headers=unit)).status_code == 200
        queue = await client.get("/api/v1/dossiers", headers=unit,
                                 params={"queue": "processing"})
        assert code in [d["code"] for d in queue.json()]
        acted = await client.post(f"/api/v1/dossiers/{code}/request-payment", headers=unit,
                                  json={"amount": 200_000})
        assert acted.status_code == 200, acted.text

        assert (await client.get(f"/api/v1/dossiers/{code}", headers=sibling)).status_code == 404
        theirs = await client.get("/api/v1/dossiers", headers=sibling)
        assert code not in [d["code"] for d in theirs.json()]
        refused = await client.post(f"/api/v1/dossiers/{code}/stop", headers=sibling,
                                    json={"reason": "x"})
        assert refused.status_code == 404

    async def test_handed_back_to_the_department_the_unit_loses_it(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        department, unit = officer(issuer, "H56.14"), officer(issuer, "H56.14.01")
        code = (await client.post("/api/v1/dossiers", headers=applicant,
                                  json=LLTP_BODY)).json()["code"]
        for path, body in (("receive", {}),
                           ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 2}),
                           ("hand-over", {"to_agency_id": "H56.14", "deadline_days": 1})):
            answer = await client.post(f"/api/v1/dossiers/{code}/{path}",
                                       headers=unit if path == "hand-over" and
                                       body["to_agency_id"] == "H56.14" else department,
                                       json=body)
            assert answer.status_code == 200, answer.text
        assert (await client.get(f"/api/v1/dossiers/{code}", headers=unit)).status_code == 404

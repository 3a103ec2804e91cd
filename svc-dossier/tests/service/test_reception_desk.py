"""The reception desk (nơi tiếp nhận): the provincial public-administration service centre
(H56.20) receives the departments' dossiers, passes them on, and returns the results; the
department processes and decides. Its one-stop officers do only the desk's part, and only for
the procedures it receives for."""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

import httpx
from pypdf import PdfReader

from egov_testing import TestIssuer

LLTP = "2.000748.000.00.00.H56"  # Lý lịch tư pháp, Sở Tư pháp H56.14, received at H56.20
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Xin việc"}}
BIRTH = "1.001193.000.00.00.H56"  # Đăng ký khai sinh, UBND phường H56.100, its own desk
CENTRE, DEPARTMENT = "H56.20", "H56.14"
HOA = {"id_number": "038195001234", "full_name": "Nguyễn Thị Hoa", "phone": "0912345678"}


def official(issuer: TestIssuer, agency: str, *roles: str) -> dict[str, str]:
    return issuer.headers(kind="official", agency_id=agency, roles=list(roles),
                          sub=uuid.uuid4().hex)


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        self.centre = official(issuer, CENTRE, "one_stop_officer")
        self.centre_processing = official(issuer, CENTRE, "processing_officer", "leader")
        self.other_desk = official(issuer, "H56.16", "one_stop_officer")
        self.processing = official(issuer, DEPARTMENT, "processing_officer")
        self.leader = official(issuer, DEPARTMENT, "leader")


async def act(client: httpx.AsyncClient, headers: dict[str, str], code: str, path: str,
              body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    answer = await client.post(f"/api/v1/dossiers/{code}/{path}", headers=headers,
                               json=body or {})
    assert answer.status_code == status, answer.text
    return dict(answer.json())


async def submitted(client: httpx.AsyncClient, people: People) -> str:
    answer = await client.post("/api/v1/dossiers", headers=people.applicant, json=LLTP_BODY)
    assert answer.status_code == 201, answer.text
    assert answer.json()["reception_agency_id"] == CENTRE
    return str(answer.json()["code"])


async def codes(client: httpx.AsyncClient, headers: dict[str, str],
                **params: str) -> list[str]:
    answer = await client.get("/api/v1/dossiers", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return [d["code"] for d in answer.json()]


class TestTheCatalogue:
    async def test_names_the_desk_that_receives_each_procedure(
        self, client: httpx.AsyncClient
    ) -> None:
        lltp = (await client.get(f"/api/v1/procedures/{LLTP}")).json()
        birth = (await client.get(f"/api/v1/procedures/{BIRTH}")).json()
        assert lltp["agency_id"] == DEPARTMENT and lltp["reception_agency_id"] == CENTRE
        assert birth["reception_agency_id"] is None


class TestTheCentre:
    async def test_receives_passes_on_and_returns_while_the_department_decides(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        people = People(issuer)
        code = await submitted(client, people)
        assert code.startswith(DEPARTMENT + "-")  # the responsible agency's numbering
        assert code in await codes(client, people.centre, queue="new")

        await act(client, people.centre, code, "receive")
        passed = await act(client, people.centre, code, "hand-over",
                           {"to_agency_id": DEPARTMENT, "deadline_days": 8})
        assert passed["status_code"] == 4
        assert code in await codes(client, people.processing, queue="processing")
        assert code in await codes(client, people.centre)  # the desk still follows it

        await act(client, people.processing, code, "request-payment", {"amount": 200_000})
        await act(client, people.centre, code, "payment-received", {"amount": 200_000})
        await act(client, people.leader, code, "decide",
                  {"outcome": "approved", "result_note": "Phiếu LLTP số 1"})
        returned = await act(client, people.centre, code, "return-result")
        assert returned["status_code"] == 10

        history = (await client.get(f"/api/v1/dossiers/{code}/history",
                                    headers=people.centre)).json()
        assert [(h["from_agency_id"], h["to_agency_id"]) for h in history["hops"]] == [
            (CENTRE, DEPARTMENT)]
        assert [e["actor_agency_id"] for e in history["entries"]
                if e["action"] in ("receive", "return_result")] == [CENTRE, CENTRE]

    async def test_does_not_do_the_departments_part(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        people = People(issuer)
        code = await submitted(client, people)
        await act(client, people.centre, code, "receive")
        await act(client, people.centre, code, "hand-over",
                  {"to_agency_id": DEPARTMENT, "deadline_days": 8})
        for path, body in (("request-payment", {"amount": 1000}), ("stop", {"reason": "x"}),
                           ("hand-over", {"to_agency_id": "H56.14.01", "deadline_days": 1}),
                           ("decide", {"outcome": "approved", "result_note": "x"})):
            refused = await act(client, people.centre, code, path, body, status=403)
            assert refused["code"] == "action_not_allowed", path
        # a processing officer or leader of the centre is no reception desk: not theirs at all
        await act(client, people.centre_processing, code, "decide",
                  {"outcome": "approved", "result_note": "x"}, status=404)
        after = await client.get(f"/api/v1/dossiers/{code}", headers=people.processing)
        assert after.json()["status_code"] == 4  # nothing changed

    async def test_files_a_departments_dossier_at_its_counter(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        people = People(issuer)
        answer = await client.post("/api/v1/dossiers", headers=people.centre, json={
            **LLTP_BODY, "channel": "counter", "applicant": HOA})
        assert answer.status_code == 201, answer.text
        filed = answer.json()
        assert filed["status_code"] == 2 and filed["reception_agency_id"] == CENTRE
        assert filed["agency_id"] == DEPARTMENT

        receipt = await client.get(f"/api/v1/dossiers/{filed['code']}/forms/01",
                                   headers=people.centre)
        assert receipt.status_code == 200, receipt.text
        header = " ".join(PdfReader(BytesIO(receipt.content)).pages[0].extract_text().split())
        assert CENTRE in header  # issued by the desk (its name when svc-identity answers)

        register = await client.get("/api/v1/forms/06", headers=people.centre, params={
            "agency": CENTRE, "from": filed["received_at"][:10],
            "to": filed["received_at"][:10]})
        assert register.status_code == 200, register.text
        text = " ".join(page.extract_text() for page in PdfReader(
            BytesIO(register.content)).pages)
        assert filed["code"] in " ".join(text.split())

    async def test_has_no_part_in_procedures_it_does_not_receive_for(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        people = People(issuer)
        birth = {"procedure_code": BIRTH, "channel": "counter", "applicant": HOA,
                 "form_data": {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-11-01",
                               "gioi_tinh": "Nam", "noi_sinh": "Thanh Hóa",
                               "ho_ten_me": "Nguyễn Thị Hoa"}}
        refused = await client.post("/api/v1/dossiers", headers=people.centre, json=birth)
        assert refused.status_code == 403 and refused.json()["code"] == "agency_not_covered"

        online = await client.post("/api/v1/dossiers", headers=people.applicant,
                                   json={**birth, "channel": "online", "applicant": None})
        assert online.status_code == 201, online.text
        code = online.json()["code"]
        assert code not in await codes(client, people.centre)
        await act(client, people.centre, code, "receive", status=404)


class TestOtherDesks:
    async def test_neither_see_nor_touch_the_centres_dossiers(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        people = People(issuer)
        code = await submitted(client, people)
        assert code not in await codes(client, people.other_desk)
        assert (await client.get(f"/api/v1/dossiers/{code}",
                                 headers=people.other_desk)).status_code == 404
        await act(client, people.other_desk, code, "receive", status=404)
        await act(client, people.centre_processing, code, "receive", status=404)

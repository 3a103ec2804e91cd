"""The forms through svc-dossier's API: who may download them, when they are available, and
the receipt still printed (unsigned, marked so) when svc-identity cannot sign it."""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from egov_testing import Databases, NatsServer, TestIssuer, free_port
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"  # Lý lịch tư pháp, Sở Tư pháp H56.14
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
AGENCY = "H56.14"
HOA = {"id_number": "038195001234", "full_name": "Nguyễn Thị Hoa", "phone": "0912345678"}


@pytest.fixture(scope="module")
def dossier_settings(databases: Databases, nats_server: NatsServer,
                     tmp_path_factory: pytest.TempPathFactory) -> DossierSettings:
    """svc-identity is not running: agency names fall back to IDs, signing to none."""
    return DossierSettings(database_url=databases.new_url("dossier"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING",
                           identity_url=f"http://127.0.0.1:{free_port()}",
                           forms_dir=str(tmp_path_factory.mktemp("forms")))


def text_of(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    pages = PdfReader(BytesIO(answer.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.applicant = issuer.headers(sub=uuid.uuid4().hex, kind="citizen",
                                        username="038090001234")
        self.other_citizen = issuer.headers(kind="citizen", username="038090005678")
        self.one_stop = self.official(issuer, "one_stop_officer")
        self.processing = self.official(issuer, "processing_officer")
        self.elsewhere = self.official(issuer, "one_stop_officer", agency="H56.16")

    @staticmethod
    def official(issuer: TestIssuer, *roles: str, agency: str = AGENCY) -> dict[str, str]:
        return issuer.headers(kind="official", roles=list(roles), agency_id=agency)


@pytest.fixture
def people(issuer: TestIssuer) -> People:
    return People(issuer)


async def post(client: httpx.AsyncClient, headers: dict[str, str], path: str,
               body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    answer = await client.post(path, headers=headers, json=body)
    assert answer.status_code == status, answer.text
    return dict(answer.json())


async def online(client: httpx.AsyncClient, people: People, *, receive: bool = True) -> str:
    code = str((await post(client, people.applicant, "/api/v1/dossiers",
                           LLTP_BODY, 201))["code"])
    if receive:
        await post(client, people.one_stop, f"/api/v1/dossiers/{code}/receive", {})
    return code


async def counter(client: httpx.AsyncClient, people: People) -> str:
    body = {**LLTP_BODY, "channel": "counter", "applicant": HOA}
    return str((await post(client, people.one_stop, "/api/v1/dossiers", body, 201))["code"])


def form(code: str, number: str) -> str:
    return f"/api/v1/dossiers/{code}/forms/{number}"


class TestWhoMayDownload:
    async def test_the_applicant_gets_the_receipt(self, client: httpx.AsyncClient,
                                                  people: People) -> None:
        code = await online(client, people)
        answer = await client.get(form(code, "01"), headers=people.applicant)
        text = text_of(answer)
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and code in text
        assert "Cấp Phiếu lý lịch tư pháp" in text
        assert answer.headers["x-signature"] == "none"
        assert answer.headers["x-signature-reason"] == "not_signed_yet"

    async def test_another_citizen_gets_404(self, client: httpx.AsyncClient,
                                            people: People) -> None:
        code = await online(client, people)
        answer = await client.get(form(code, "01"), headers=people.other_citizen)
        assert answer.status_code == 404 and answer.json()["code"] == "dossier_not_found"

    async def test_an_officer_of_another_subtree_gets_404(self, client: httpx.AsyncClient,
                                                          people: People) -> None:
        code = await counter(client, people)
        answer = await client.get(form(code, "01"), headers=people.elsewhere)
        assert answer.status_code == 404 and answer.json()["code"] == "dossier_not_found"

    async def test_without_a_token_401(self, client: httpx.AsyncClient, people: People) -> None:
        code = await counter(client, people)
        assert (await client.get(form(code, "01"))).status_code == 401


class TestReceipt:
    async def test_at_the_counter_printed_unsigned_when_identity_is_unreachable(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await counter(client, people)
        answer = await client.get(form(code, "01"), headers=people.one_stop)
        text = text_of(answer)
        assert "Nguyễn Thị Hoa" in text and "038195001234" in text
        assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
        assert answer.headers["x-signature"] == "none"
        assert answer.headers["x-signature-reason"] == "identity_unavailable"
        assert answer.headers["content-disposition"] == f'inline; filename="{code}-mau-01.pdf"'

    async def test_not_available_before_the_dossier_is_received(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await online(client, people, receive=False)
        answer = await client.get(form(code, "01"), headers=people.applicant)
        assert answer.status_code == 404 and answer.json()["code"] == "form_not_available"


class TestFormsFromTheHistory:
    async def test_03_for_a_dossier_never_refused_is_not_available(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        code = await online(client, people)
        answer = await client.get(form(code, "03"), headers=people.applicant)
        assert answer.status_code == 404 and answer.json()["code"] == "form_not_available"

    async def test_03_states_the_reason_of_the_refusal(self, client: httpx.AsyncClient,
                                                       people: People) -> None:
        code = await online(client, people, receive=False)
        await post(client, people.one_stop, f"/api/v1/dossiers/{code}/refuse",
                   {"reason": "Không thuộc thẩm quyền giải quyết"})
        text = text_of(await client.get(form(code, "03"), headers=people.applicant))
        assert "Lý do từ chối: Không thuộc thẩm quyền giải quyết" in text

    async def test_02_lists_what_is_missing(self, client: httpx.AsyncClient,
                                            people: People) -> None:
        code = await online(client, people)
        await post(client, people.one_stop, f"/api/v1/dossiers/{code}/request-supplement",
                   {"reason": "Thiếu giấy tờ", "missing": ["Bản sao Căn cước công dân"],
                    "note": "ghi chú nội bộ"})
        text = text_of(await client.get(form(code, "02"), headers=people.applicant))
        assert "1. Bản sao Căn cước công dân" in text and "Thiếu giấy tờ" in text
        assert "ghi chú nội bộ" not in text

    async def test_05_has_a_line_per_hop(self, client: httpx.AsyncClient,
                                         people: People) -> None:
        code = await online(client, people)
        await post(client, people.processing, f"/api/v1/dossiers/{code}/hand-over",
                   {"to_agency_id": "H56.14.02", "deadline_days": 3})
        text = text_of(await client.get(form(code, "05"), headers=people.one_stop))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
        assert "H56.14.02" in text and "Đang xử lý" in text

    async def test_an_unknown_form_is_422(self, client: httpx.AsyncClient,
                                          people: People) -> None:
        code = await online(client, people)
        answer = await client.get(form(code, "07"), headers=people.applicant)
        assert answer.status_code == 422


class TestRegister:
    async def test_officers_get_their_agencys_register(self, client: httpx.AsyncClient,
                                                       people: People) -> None:
        code = await counter(client, people)
        day = code.split("-")[1]
        period = f"20{day[:2]}-{day[2:4]}-{day[4:]}"
        answer = await client.get("/api/v1/forms/06", headers=people.one_stop,
                                  params={"agency": AGENCY, "from": period, "to": period})
        text = text_of(answer)
        assert "SỔ THEO DÕI HỒ SƠ" in text and code in text and "Nguyễn Thị Hoa" in text

    @pytest.mark.parametrize(("who", "agency", "code"), [
        ("applicant", AGENCY, "register_for_officers"),
        ("elsewhere", AGENCY, "agency_not_covered"),
    ])
    async def test_others_are_refused(self, client: httpx.AsyncClient, people: People,
                                      who: str, agency: str, code: str) -> None:
        answer = await client.get("/api/v1/forms/06", headers=getattr(people, who), params={
            "agency": agency, "from": "2026-11-01", "to": "2026-11-30"})
        assert answer.status_code == 403 and answer.json()["code"] == code

    async def test_a_period_longer_than_a_year_is_refused(self, client: httpx.AsyncClient,
                                                         people: People) -> None:
        answer = await client.get("/api/v1/forms/06", headers=people.one_stop, params={
            "agency": AGENCY, "from": "2025-01-01", "to": "2026-11-30"})
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_period"

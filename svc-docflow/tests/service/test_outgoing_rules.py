"""The rules around outgoing documents: who may see and act (others' officers get 404), which
status each step starts from (409), what input is refused (422, nothing written), a draft
returned with a note, an uploaded PDF, svc-identity unreachable while signing (503, nothing
changed) and an issue that fails at the seal and resumes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from io import BytesIO
from typing import Any

import httpx
import pytest
from reportlab.pdfgen.canvas import Canvas

from egov_shared.auth import http_jwks_fetcher
from egov_testing import TestIssuer, free_port, merged_jwks, serve_in_process
from svc_docflow.main import create_app
from svc_docflow.pdf import verify_pdf
from svc_docflow.settings import DocflowSettings

Officials = Any  # conftest.Officials: the demo officials' real tokens
RECIPIENTS = [{"agency_id": "H56.16"}, {"organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ"}]


class Desk:
    """Sở Tư pháp's officials at work, and officers of elsewhere from the test issuer."""

    def __init__(self, client: httpx.AsyncClient, officials: Officials,
                 issuer: TestIssuer) -> None:
        self.client, self.officials, self.issuer = client, officials, issuer

    async def body(self, **fields: Any) -> dict[str, Any]:
        signer = {"account_id": await self.officials.account_id("lanhdao"),
                  "name": "Lê Văn Cường", "position": "GIÁM ĐỐC", "competence": "KT. GIÁM ĐỐC"}
        return {"doc_type": "CV", "unit_notation": "VP", "subject": "Về việc góp ý dự thảo",
                "summary": "Góp ý dự thảo quy chế.", "signer": signer, "recipients": RECIPIENTS,
                **fields}

    async def draft(self, **fields: Any) -> dict[str, Any]:
        r = await self.post("chuyenvien", "", await self.body(**fields))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def post(self, who: str | dict[str, str], path: str,
                   body: dict[str, Any] | None = None) -> httpx.Response:
        headers = await self.officials.headers(who) if isinstance(who, str) else who
        return await self.client.post(f"/api/v1/documents{path}", headers=headers, json=body)

    async def to(self, status: str, **fields: Any) -> dict[str, Any]:
        doc = await self.draft(**fields)
        steps = [("chuyenvien", "submit"), ("lanhdao", "approve"), ("lanhdao", "sign"),
                 ("vanthu", "issue")]
        order = ["draft", "in_review", "approved", "signed", "issued"]
        for who, action in steps[:order.index(status)]:
            r = await self.post(who, f"/{doc['id']}/{action}")
            assert r.status_code == 200, r.text
            doc = r.json()
        return doc

    def other(self, *roles: str, agency: str = "H56.16") -> dict[str, str]:
        return self.issuer.headers(kind="official", roles=list(roles), agency_id=agency)


@pytest.fixture(scope="module")
def desk(client: httpx.AsyncClient, officials: Officials, issuer: TestIssuer) -> Desk:
    return Desk(client, officials, issuer)


def assert_problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code, r.json()


class TestAccess:
    async def test_officers_of_another_agency_get_404(self, desk: Desk) -> None:
        doc = await desk.to("in_review")
        for roles in (["clerk"], ["leader"], ["processing_officer"]):
            seen = await desk.client.get(f"/api/v1/documents/{doc['id']}",
                                         headers=desk.other(*roles))
            assert_problem(seen, 404, "document_not_found")
        assert_problem(await desk.post(desk.other("leader"), f"/{doc['id']}/approve"), 404,
                       "document_not_found")
        listed = await desk.client.get("/api/v1/documents", headers=desk.other("clerk"))
        assert doc["id"] not in {d["id"] for d in listed.json()}

    async def test_citizens_are_refused(self, desk: Desk) -> None:
        citizen = desk.issuer.headers(kind="citizen")
        assert (await desk.client.get("/api/v1/documents", headers=citizen)).status_code == 403
        assert (await desk.post(citizen, "", await desk.body())).status_code == 403

    async def test_the_province_sees_but_only_the_named_parts_act(self, desk: Desk) -> None:
        doc = await desk.to("in_review")
        province_admin = desk.other("admin", agency="H56")
        seen = await desk.client.get(f"/api/v1/documents/{doc['id']}", headers=province_admin)
        assert seen.status_code == 200
        assert_problem(await desk.post(province_admin, f"/{doc['id']}/approve"), 403,
                       "action_not_allowed")
        assert_problem(await desk.post("chuyenvien", f"/{doc['id']}/approve"), 403,
                       "action_not_allowed")

    async def test_only_the_named_signer_signs(self, desk: Desk) -> None:
        doc = await desk.to("approved")
        other_leader = desk.other("leader", agency="H56.14")
        assert_problem(await desk.post(other_leader, f"/{doc['id']}/sign"), 403,
                       "not_the_signer")


class TestIllegalTransitions:
    async def test_steps_out_of_order_are_409(self, desk: Desk) -> None:
        draft = await desk.draft()
        assert_problem(await desk.post("lanhdao", f"/{draft['id']}/approve"), 409,
                       "illegal_transition")
        approved = await desk.to("approved")
        assert_problem(await desk.post("vanthu", f"/{approved['id']}/issue"), 409,
                       "illegal_transition")
        edit = await desk.client.patch(f"/api/v1/documents/{approved['id']}",
                                       headers=await desk.officials.headers("chuyenvien"),
                                       json={"subject": "Sửa muộn"})
        assert_problem(edit, 409, "illegal_transition")
        assert_problem(await desk.post("vanthu", f"/{draft['id']}/recall", {"reason": "x"}),
                       409, "illegal_transition")
        assert (await desk.client.get(f"/api/v1/documents/{draft['id']}",
                                      headers=await desk.officials.headers("vanthu"))
                ).json()["status"] == "draft"


class TestReturn:
    async def test_a_leader_returns_the_draft_with_a_note_and_it_can_be_edited(
        self, desk: Desk
    ) -> None:
        doc = await desk.to("in_review")
        r = await desk.post("lanhdao", f"/{doc['id']}/return", {"note": "Bổ sung căn cứ"})
        assert r.status_code == 200 and r.json()["status"] == "draft"
        assert r.json()["history"][-1]["note"] == "Bổ sung căn cứ"
        edited = await desk.client.patch(f"/api/v1/documents/{doc['id']}",
                                         headers=await desk.officials.headers("chuyenvien"),
                                         json={"subject": "Về việc góp ý dự thảo (lần 2)",
                                               "recipients": [{"agency_id": "H56.11"}]})
        assert edited.status_code == 200, edited.text
        assert [x["agency_id"] for x in edited.json()["recipients"]] == ["H56.11"]


class TestBadInput:
    async def test_bad_drafts_are_422_and_write_nothing(self, desk: Desk) -> None:
        vanthu = await desk.officials.headers("vanthu")
        before = len((await desk.client.get("/api/v1/documents", headers=vanthu)).json())
        cases: list[tuple[dict[str, Any], str]] = [
                 ({"doc_type": "XX"}, "unknown_doc_type"),
                 ({"subject": "x" * 501}, "validation_failed"),
                 ({"recipients": [{"agency_id": "H56.99"}]}, "unknown_recipient"),
                 ({"recipients": [{"agency_id": "H56.16"}, {"organ_id": "000.00.16.H56",
                                                            "name": "Sở Xây dựng"}]},
                  "duplicate_recipient"),
                 ({"recipients": [{"agency_id": "H56.14"}]}, "recipient_is_sender"),
                 ({"recipients": [{"organ_id": "000.00.00.G22"}]}, "validation_failed"),
                 ({"urgency": "rat_khan"}, "validation_failed")]
        for fields, code in cases:
            assert_problem(await desk.post("chuyenvien", "", await desk.body(**fields)), 422,
                           code)
        after = len((await desk.client.get("/api/v1/documents", headers=vanthu)).json())
        assert after == before

    async def test_submitting_without_a_signer_is_422(self, desk: Desk) -> None:
        doc = await desk.draft(signer=None)
        assert_problem(await desk.post("chuyenvien", f"/{doc['id']}/submit"), 422,
                       "signer_required")

    async def test_an_upload_must_be_a_pdf_within_the_limit(
        self, desk: Desk, docflow_settings: DocflowSettings
    ) -> None:
        doc = await desk.draft()
        headers = {**await desk.officials.headers("chuyenvien"),
                   "Content-Type": "application/pdf"}
        url = f"/api/v1/documents/{doc['id']}/pdf"
        for content in (b"not a pdf at all", b"%PDF-1.7\n garbage"):
            assert_problem(await desk.client.post(url, headers=headers, content=content), 422,
                           "not_a_pdf")
        big = b"%PDF-1.7\n" + b"0" * docflow_settings.max_pdf_bytes
        assert_problem(await desk.client.post(url, headers=headers, content=big), 413,
                       "pdf_too_large")
        detail = await desk.client.get(f"/api/v1/documents/{doc['id']}", headers=headers)
        assert detail.json()["files"] == []


def a_letter() -> bytes:
    out = BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 700, "Cong van gop y")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


class TestUploadedPdf:
    async def test_an_uploaded_pdf_is_signed_numbered_and_sealed(
        self, desk: Desk, identity_url: str
    ) -> None:
        doc = await desk.draft()
        up = await desk.client.post(
            f"/api/v1/documents/{doc['id']}/pdf", params={"filename": "góp ý.pdf"},
            headers={**await desk.officials.headers("chuyenvien"),
                     "Content-Type": "application/pdf"}, content=a_letter())
        assert up.status_code == 201, up.text
        for who, action in (("chuyenvien", "submit"), ("lanhdao", "approve"),
                            ("lanhdao", "sign"), ("vanthu", "issue")):
            r = await desk.post(who, f"/{doc['id']}/{action}")
            assert r.status_code == 200, r.text
        issued = r.json()
        assert issued["code"].endswith("/STP-VP")  # a công văn: issuer–drafting unit
        kinds = [f["kind"] for f in issued["files"]]
        assert kinds == ["draft", "leader_signed", "numbered", "issued"]
        pdf = await desk.client.get(f"/api/v1/documents/{doc['id']}/pdf",
                                    headers=await desk.officials.headers("vanthu"))
        async with httpx.AsyncClient(base_url=identity_url) as http:
            roots, crls = [(await http.get("/pki/ca.crt")).content], [
                (await http.get("/pki/crl")).content]
        report = await verify_pdf(pdf.content, trust_roots=roots, crls=crls)
        assert report.status == "valid" and len(report.signatures) == 2


@pytest.fixture(scope="module")
async def identity_down(docflow_settings: DocflowSettings, issuer: TestIssuer,
                        identity_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The same svc-docflow (same database) whose svc-identity does not answer."""
    settings = docflow_settings.model_copy(
        update={"identity_url": f"http://127.0.0.1:{free_port()}"})
    jwks = merged_jwks(issuer.jwks, http_jwks_fetcher(f"{identity_url}/.well-known/jwks.json"))
    async with serve_in_process(create_app(settings, jwks_fetcher=jwks)) as client:
        yield client


class TestIdentityUnavailable:
    async def test_signing_while_identity_is_down_is_503_and_changes_nothing(
        self, desk: Desk, identity_down: httpx.AsyncClient
    ) -> None:
        doc = await desk.to("approved")
        r = await identity_down.post(f"/api/v1/documents/{doc['id']}/sign",
                                     headers=await desk.officials.headers("lanhdao"))
        assert_problem(r, 503, "identity_unavailable")
        after = (await desk.client.get(f"/api/v1/documents/{doc['id']}",
                                       headers=await desk.officials.headers("lanhdao"))).json()
        assert after["status"] == "approved" and after["history"] == doc["history"]
        assert [f["kind"] for f in after["files"]] == ["draft"]
        retried = await desk.post("lanhdao", f"/{doc['id']}/sign")
        assert retried.status_code == 200 and retried.json()["status"] == "signed"


class TestIssueResumes:
    async def test_a_refused_seal_leaves_it_numbered_and_issuing_again_finishes(
        self, desk: Desk
    ) -> None:
        doc = await desk.to("signed")
        # A clerk token svc-identity did not issue: docflow accepts it, identity will not sign.
        stranger = desk.other("clerk", agency="H56.14")
        assert_problem(await desk.post(stranger, f"/{doc['id']}/issue"), 403, "signing_refused")
        numbered = (await desk.client.get(f"/api/v1/documents/{doc['id']}",
                                          headers=stranger)).json()
        assert numbered["status"] == "numbered" and numbered["number"] >= 1
        issued = await desk.post("vanthu", f"/{doc['id']}/issue")
        assert issued.status_code == 200, issued.text
        assert (issued.json()["status"], issued.json()["number"]) == ("issued",
                                                                      numbered["number"])
        assert [h["action"] for h in issued.json()["history"]].count("number") == 1


class TestList:
    async def test_filters_and_a_diacritic_insensitive_subject_search(self, desk: Desk) -> None:
        marker = uuid.uuid4().hex[:8]
        doc = await desk.draft(subject=f"Về việc Đề nghị cử cán bộ {marker}", doc_type="TTr")
        vanthu = await desk.officials.headers("vanthu")

        async def ids(**params: str) -> set[str]:
            r = await desk.client.get("/api/v1/documents", headers=vanthu, params=params)
            assert r.status_code == 200, r.text
            return {d["id"] for d in r.json()}

        assert doc["id"] in await ids(q=f"de nghi cu can bo {marker}")
        assert doc["id"] in await ids(q=f"ĐỀ NGHỊ CỬ CÁN BỘ {marker}", type="TTr", status="draft",
                                      direction="outgoing")
        assert doc["id"] not in await ids(q=marker, status="issued")
        assert doc["id"] not in await ids(q=marker, type="QĐ")
        assert doc["id"] not in await ids(q=marker, direction="incoming")

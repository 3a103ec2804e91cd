"""The receipt (Mẫu 01) signed for the agency end to end: the administrator issues the service
centre's organisational certificate in svc-identity, the one-stop-shop officer receives a
dossier at the counter and downloads its receipt through the gateway, and pyHanko validates
the PAdES signature against the provincial CA (intact, chain trusted, not revoked)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from io import BytesIO
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from tests.platform import CLIENT_ID, DEMO_PASSWORD, bearer, login, sign_in_at

pytestmark = pytest.mark.e2e
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"  # the demo administrator's authenticator
LLTP = "2.000748.000.00.00.H56"
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
SERVICE_CENTRE = "H56.20"  # motcua's agency: Trung tâm Phục vụ hành chính công
HOA = {"id_number": "038195001234", "full_name": "Nguyễn Thị Hoa", "phone": "0912345678"}


async def login_with_totp(gateway: httpx.AsyncClient, username: str) -> str:
    """Code + PKCE through the gateway, with the second factor, in a browser of its own."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = str(gateway.base_url).rstrip("/") + "/callback"
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as browser:
        url = str(browser.build_request("GET", "/oauth2/authorize", params={
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": "s", "nonce": "n",
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256"}).url)
        location = await sign_in_at(browser, url, username, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        token = await browser.post("/oauth2/token", data={
            "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code": parse_qs(urlparse(location).query)["code"][0], "client_id": CLIENT_ID,
            "code_verifier": verifier})
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


async def service_centre_seal(gateway: httpx.AsyncClient) -> dict[str, str]:
    """The seal the demo issued at start-up (DESIGN §5: the demo can sign at once), as the
    administrator sees it in svc-identity."""
    admin = bearer(await login_with_totp(gateway, "admin"))
    answer = await gateway.get("/api/v1/certificates", headers=admin, params={
        "agency_id": SERVICE_CENTRE, "status": "valid"})
    assert answer.status_code == 200, answer.text
    seals = [c for c in answer.json() if c["kind"] == "organisational"]
    assert len(seals) == 1 and seals[0]["key_held_by"] == "service", seals
    return dict(seals[0])


async def validate(gateway: httpx.AsyncClient, signed: bytes):  # type: ignore[no-untyped-def]
    root = asn1_x509.Certificate.load(pem.unarmor((await gateway.get("/pki/ca.crt")).content)[2])
    context = ValidationContext(trust_roots=[root], crls=[(await gateway.get("/pki/crl")).content],
                                allow_fetching=False, revocation_mode="hard-fail")
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    return await async_validate_pdf_signature(embedded, context)


class TestSignedReceipt:
    async def test_the_officer_downloads_a_receipt_sealed_by_the_service_centre(
        self, gateway: httpx.AsyncClient
    ) -> None:
        certificate = await service_centre_seal(gateway)
        officer = bearer(await login(gateway, "motcua", DEMO_PASSWORD))
        submitted = await gateway.post("/api/v1/dossiers", headers=officer, json={
            **LLTP_BODY, "channel": "counter", "applicant": HOA})
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["code"]  # Sở Tư pháp's dossier, received at the centre
        assert submitted.json()["reception_agency_id"] == SERVICE_CENTRE

        answer = await gateway.get(f"/api/v1/dossiers/{code}/forms/01", headers=officer)
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-signature"] == "pades", answer.headers.get(
            "x-signature-reason")
        assert answer.headers["x-signature-certificate"] == certificate["serial"]

        status = await validate(gateway, answer.content)
        assert status.intact and status.valid and status.trusted and not status.revoked
        assert status.bottom_line
        assert status.signing_cert.subject.native["organization_name"] == (
            "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
        text = " ".join(PdfReader(BytesIO(answer.content)).pages[0].extract_text().split())
        assert "Nguyễn Thị Hoa" in text and "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
        assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA" in text

"""Issuing a document: the leader signs, the clerk writes in the number and the date, the
agency seals. Real keys (EC P-256, like svc-identity's), a CA built here, and pyHanko's own
validation after each step."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from io import BytesIO

import httpx
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from egov_shared.timeutil import VN_TZ
from svc_docflow.pdf import (
    DraftView,
    IdentitySigner,
    SigningUnavailable,
    layout_of,
    render_draft,
    sign_agency,
    sign_leader,
    stamp_number,
    verify_pdf,
)

SIGNED_AT = datetime(2026, 11, 28, 9, 30, 15, tzinfo=VN_TZ)
NUMBER, DATE = "Số: 12/QĐ-STP", "Thanh Hóa, ngày 28 tháng 11 năm 2026"
BLUE, RED = b".05 .2 .7 RG", b".85 .1 .1 RG"  # the appearances' stroke colours, as drawn
DRAFT = DraftView(
    issuer_parent="UBND TỈNH THANH HÓA", issuer_name="SỞ TƯ PHÁP", type_name="QUYẾT ĐỊNH",
    notation="QĐ-STP", place="Thanh Hóa", subject="Về việc kiện toàn Hội đồng phối hợp",
    body="Điều 1. Kiện toàn Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh.",
    recipients=["Như Điều 1;", "Lưu: VT."], signer_competence="KT. GIÁM ĐỐC",
    signer_position="Phó Giám đốc", signer_name="Trần Quốc Bảo", urgency_label=None,
    secrecy_label=None)


class Authority:
    """A root CA like svc-identity's, issuing document-signing certificates."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Tỉnh Thanh Hóa")])
        self.cert = (self._builder(name, self.key.public_key())
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
                     .sign(self.key, hashes.SHA256()))

    def _builder(self, subject: x509.Name,
                 public_key: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        now = datetime.now(UTC)
        issuer = getattr(self, "cert", None)
        return (x509.CertificateBuilder().subject_name(subject)
                .issuer_name(issuer.subject if issuer else subject).public_key(public_key)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365)))

    def issue(self, common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        # pyHanko's default policy wants non-repudiation, as svc-identity's certificates have.
        usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                              key_encipherment=False, data_encipherment=False,
                              key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        cert = (self._builder(subject, key.public_key())
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                .add_extension(usage, critical=True)
                .sign(self.key, hashes.SHA256()))
        return key, cert

    def signer(self, common_name: str) -> signers.SimpleSigner:
        key, cert = self.issue(common_name)
        pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
            signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=SimpleCertificateStore.from_certs([self.root]))

    @property
    def root(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(Encoding.DER))


async def validate(pdf: bytes, authority: Authority) -> list[PdfSignatureStatus]:
    """pyHanko's own verdict on each signature, with difference analysis."""
    context = ValidationContext(trust_roots=[authority.root], allow_fetching=False)
    reader = PdfFileReader(BytesIO(pdf))
    return [await async_validate_pdf_signature(signature, context)
            for signature in reader.embedded_regular_signatures]


def appearance(pdf: bytes, field_name: str) -> tuple[list[float], bytes]:
    """A widget's box and every content stream its appearance draws (nested XObjects)."""
    field = next(ref.get_object() for ref in PdfFileReader(BytesIO(pdf)).root["/AcroForm"][
        "/Fields"] if ref.get_object()["/T"] == field_name)
    return [float(v) for v in field["/Rect"]], _drawn(field["/AP"]["/N"])


def _drawn(stream: generic.StreamObject) -> bytes:
    xobjects = stream.get("/Resources", generic.DictionaryObject()).get(
        "/XObject", generic.DictionaryObject())
    return stream.data + b"".join(_drawn(xobject.get_object()) for xobject in xobjects.values())


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture(scope="module")
async def leader_signed(authority: Authority) -> bytes:
    return await sign_leader(render_draft(DRAFT), signer=authority.signer("Trần Quốc Bảo"),
                             name="Trần Quốc Bảo", position="Phó Giám đốc", signed_at=SIGNED_AT)


@pytest.fixture(scope="module")
async def numbered(leader_signed: bytes) -> bytes:
    return await stamp_number(leader_signed, number_text=NUMBER, date_text=DATE)


@pytest.fixture(scope="module")
async def sealed(numbered: bytes, authority: Authority) -> bytes:
    return await sign_agency(numbered, signer=authority.signer("Sở Tư pháp tỉnh Thanh Hóa"),
                             agency_name="Sở Tư pháp", signed_at=SIGNED_AT)


class TestSignLeader:
    async def test_the_signature_is_valid_and_covers_the_whole_draft(
            self, leader_signed: bytes, authority: Authority) -> None:
        [status] = await validate(leader_signed, authority)
        assert status.intact and status.valid and status.trusted and status.bottom_line
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    async def test_states_the_signer_and_the_signing_time_shown(
            self, leader_signed: bytes, authority: Authority) -> None:
        [status] = await validate(leader_signed, authority)
        assert status.signer_reported_dt == SIGNED_AT
        assert status.signing_cert.subject.native["common_name"] == "Trần Quốc Bảo"

    async def test_shows_a_blue_signature_between_position_and_name(
            self, leader_signed: bytes) -> None:
        box, drawn = appearance(leader_signed, "ChuKyLanhDao")
        assert box == pytest.approx(list(layout_of(leader_signed).leader), abs=1)
        assert BLUE in drawn and RED not in drawn


class TestStampNumber:
    async def test_the_leader_signature_stays_intact_as_form_filling(
            self, numbered: bytes, authority: Authority) -> None:
        [status] = await validate(numbered, authority)
        print(f"after stamp_number: {status.modification_level}, docmdp_ok={status.docmdp_ok}")
        assert status.intact and status.valid and status.trusted and status.bottom_line
        assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        assert status.modification_level == ModificationLevel.FORM_FILLING

    async def test_writes_the_number_and_the_date_into_their_fields(
            self, numbered: bytes) -> None:
        fields = PdfReader(BytesIO(numbered)).get_fields() or {}
        assert (fields["SoKyHieu"].get("/V"), fields["NgayBanHanh"].get("/V")) == (NUMBER, DATE)
        for name in ("SoKyHieu", "NgayBanHanh"):
            box, _ = appearance(numbered, name)
            assert box == pytest.approx(list(getattr(layout_of(numbered), {
                "SoKyHieu": "number", "NgayBanHanh": "date"}[name])))

    async def test_refuses_a_pdf_that_is_not_a_draft(self) -> None:
        out = BytesIO()
        canvas = Canvas(out)
        canvas.drawString(100, 100, "Một tệp PDF khác")
        canvas.save()
        with pytest.raises(ValueError, match="not a draft"):
            await stamp_number(out.getvalue(), number_text=NUMBER, date_text=DATE)


class TestSignAgency:
    async def test_both_signatures_are_valid_and_trusted(self, sealed: bytes,
                                                         authority: Authority) -> None:
        leader, agency = await validate(sealed, authority)
        assert leader.bottom_line and agency.bottom_line
        assert leader.modification_level == ModificationLevel.FORM_FILLING
        assert agency.coverage == SignatureCoverageLevel.ENTIRE_FILE
        report = await verify_pdf(sealed, trust_roots=[authority.root.dump()], crls=[])
        assert report.status == "valid"

    async def test_shows_a_red_seal_over_the_left_of_the_leader_signature(
            self, sealed: bytes) -> None:
        box, drawn = appearance(sealed, "ChuKyCoQuan")
        leader_box, _ = appearance(sealed, "ChuKyLanhDao")
        assert box == pytest.approx(list(layout_of(sealed).seal), abs=1)
        assert box[0] < leader_box[0] < box[2] < leader_box[2]
        assert RED in drawn and BLUE not in drawn


class FakeIdentity:
    """svc-identity's certificate and signing endpoints, answered with a real key."""

    def __init__(self, authority: Authority, status: int = 200) -> None:
        self.key, self.cert = authority.issue("Trần Quốc Bảo")
        self.ca_pem = authority.cert.public_bytes(Encoding.PEM).decode()
        self.status, self.tokens = status, set[str]()

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.tokens.add(request.headers.get("Authorization", ""))
        if self.status != 200:
            return httpx.Response(self.status, json={"code": "not_the_signer"})
        if request.url.path == "/pki/ca.crt":
            return httpx.Response(200, text=self.ca_pem)
        if request.url.path == "/api/v1/certificates":
            return httpx.Response(200, json=[{
                "serial": "a1", "kind": "personal", "subject": "CN=Trần Quốc Bảo",
                "key_held_by": "service",
                "certificate_pem": self.cert.public_bytes(Encoding.PEM).decode()}])
        digest = base64.b64decode(json.loads(request.content)["digest"])
        signature = self.key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        return httpx.Response(200, json={"signature": base64.b64encode(signature).decode()})


def identity(fake: FakeIdentity | None) -> IdentitySigner:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport = httpx.MockTransport(fake.handle if fake else unreachable)
    return IdentitySigner("http://identity.test", "token-1", transport=transport)


class TestRemoteSigning:
    async def test_the_leader_signs_with_the_key_held_by_svc_identity(
            self, authority: Authority) -> None:
        fake = FakeIdentity(authority)
        async with identity(fake) as remote:
            cert = await remote.personal_certificate("account-1")
            signed = await sign_leader(render_draft(DRAFT), signer=remote.remote_signer(cert),
                                       name="Trần Quốc Bảo", position="Phó Giám đốc",
                                       signed_at=SIGNED_AT)
        report = await verify_pdf(signed, trust_roots=[authority.root.dump()], crls=[])
        assert report.status == "valid" and fake.tokens == {"Bearer token-1"}

    async def test_a_refusal_is_signing_refused(self, authority: Authority) -> None:
        async with identity(FakeIdentity(authority, status=403)) as remote:
            with pytest.raises(SigningUnavailable) as refused:
                await remote.personal_certificate("account-1")
        assert refused.value.reason == "signing_refused"

    async def test_no_valid_certificate_is_no_certificate(self, authority: Authority) -> None:
        async with identity(FakeIdentity(authority)) as remote:
            with pytest.raises(SigningUnavailable) as missing:
                await remote.agency_certificate("38.STP")  # the fake has a personal one only
        assert missing.value.reason == "no_certificate"

    async def test_svc_identity_down_is_identity_unavailable(self) -> None:
        async with identity(None) as remote:
            with pytest.raises(SigningUnavailable) as down:
                await remote.crl()
        assert down.value.reason == "identity_unavailable"

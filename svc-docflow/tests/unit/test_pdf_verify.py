"""Checking signed documents as a receiver does: verify_pdf against a CA and its CRL built
here with real keys (EC P-256, like svc-identity's), real pyHanko validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov_shared.timeutil import VN_TZ
from svc_docflow.pdf import (
    DraftView,
    SignatureReport,
    render_draft,
    sign_agency,
    sign_leader,
    stamp_number,
    verify_pdf,
)

CRL_URL = "http://identity.example/pki/crl"


class Authority:
    """A root CA like svc-identity's: it issues document-signing certificates and CRLs."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.now = datetime.now(UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            self._builder(subject, self.key.public_key(), 1)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .sign(self.key, hashes.SHA256()))

    def _builder(self, subject: x509.Name, public_key: ec.EllipticCurvePublicKey,
                 serial: int) -> x509.CertificateBuilder:
        issuer = getattr(self, "cert", None)
        return (x509.CertificateBuilder().subject_name(subject)
                .issuer_name(issuer.subject if issuer else subject).public_key(public_key)
                .serial_number(serial).not_valid_before(self.now - timedelta(days=1))
                .not_valid_after(self.now + timedelta(days=365))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False))

    def signer(self, common_name: str, serial: int) -> signers.SimpleSigner:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None,
                                       None)
        cert = (self._builder(subject, key.public_key(), serial)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                .add_extension(_usage(ca=False), critical=True)
                .add_extension(x509.CRLDistributionPoints([point]), critical=False)
                .sign(self.key, hashes.SHA256()))
        pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
            signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(
                self.der)]))

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)

    def crl(self, *revoked_serials: int) -> bytes:
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
                   .last_update(self.now - timedelta(hours=1))
                   .next_update(self.now + timedelta(days=7)))
        for serial in revoked_serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial)
                .revocation_date(self.now - timedelta(minutes=30)).build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(Encoding.DER)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=not ca,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                         decipher_only=False)


DRAFT = DraftView(
    issuer_parent="UBND TỈNH THANH HÓA", issuer_name="SỞ TƯ PHÁP", type_name="QUYẾT ĐỊNH",
    notation="QĐ-STP", place="Thanh Hóa", subject="Về việc ban hành quy chế làm việc",
    body="Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Sở Tư pháp.",
    recipients=["Như Điều 3;", "Lưu: VT, VP."], signer_competence="KT. GIÁM ĐỐC",
    signer_position="Phó Giám đốc", signer_name="Lê Thị Hồng", urgency_label=None,
    secrecy_label=None)
SIGNED_AT = datetime.now(VN_TZ).replace(microsecond=0)


async def issue(leader: signers.Signer, agency: signers.Signer) -> bytes:
    """The whole issuing sequence: leader, number and date, seal."""
    signed = await sign_leader(render_draft(DRAFT), signer=leader, name="Lê Thị Hồng",
                               position="Phó Giám đốc", signed_at=SIGNED_AT)
    numbered = await stamp_number(signed, number_text="Số: 07/QĐ-STP",
                                  date_text="Thanh Hóa, ngày 28 tháng 11 năm 2026")
    return await sign_agency(numbered, signer=agency, agency_name="Sở Tư pháp",
                             signed_at=SIGNED_AT)


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority("CA Tỉnh Thanh Hóa")


@pytest.fixture(scope="module")
async def issued(authority: Authority) -> bytes:
    return await issue(authority.signer("Lê Thị Hồng", 0x51), authority.signer("Sở Tư pháp", 0x52))


async def check(pdf: bytes, authority: Authority, *revoked: int) -> SignatureReport:
    return await verify_pdf(pdf, trust_roots=[authority.der], crls=[authority.crl(*revoked)])


class TestAnIssuedDocument:
    async def test_is_valid_with_both_signatures_trusted(self, issued: bytes,
                                                         authority: Authority) -> None:
        report = await check(issued, authority)
        assert report.status == "valid"
        leader, agency = report.signatures
        assert (leader.field, leader.signer_name, leader.serial) == (
            "ChuKyLanhDao", "Lê Thị Hồng", "51")
        assert (agency.field, agency.signer_name, agency.serial) == (
            "ChuKyCoQuan", "Sở Tư pháp", "52")
        assert all(c.intact and c.trusted and not c.revoked for c in report.signatures)

    async def test_tells_what_came_after_each_signature(self, issued: bytes,
                                                        authority: Authority) -> None:
        leader, agency = (await check(issued, authority)).signatures
        assert (leader.covers_whole_document, leader.modification) == (False, "form_filling")
        assert (agency.covers_whole_document, agency.modification) == (True, "none")

    async def test_answers_the_signing_time_in_vietnam_time(self, issued: bytes,
                                                            authority: Authority) -> None:
        report = await check(issued, authority)
        for signature in report.signatures:
            assert signature.signed_at == SIGNED_AT
            assert signature.signed_at is not None
            assert signature.signed_at.utcoffset() == timedelta(hours=7)

    async def test_accepts_the_trust_root_in_pem(self, issued: bytes,
                                                 authority: Authority) -> None:
        pem = authority.cert.public_bytes(Encoding.PEM)
        report = await verify_pdf(issued, trust_roots=[pem], crls=[])
        assert report.status == "valid"


class TestAlteredDocument:
    async def test_a_byte_changed_in_the_signed_range_is_altered(
            self, issued: bytes, authority: Authority) -> None:
        tampered = bytearray(issued)
        inside_a_stream = issued.index(b"stream", issued.index(b"/Length")) + 20
        tampered[inside_a_stream] ^= 0x01
        report = await check(bytes(tampered), authority)
        assert report.status == "altered"
        assert not all(c.intact for c in report.signatures)

    async def test_a_signature_that_cannot_be_read_is_altered(self, issued: bytes,
                                                              authority: Authority) -> None:
        garbled = bytearray(issued)
        seal_cms = issued.rindex(b"/Contents <") + len(b"/Contents <")
        garbled[seal_cms:seal_cms + 8] = b"00000000"  # no longer DER
        report = await check(bytes(garbled), authority)
        assert report.status == "altered"
        assert [(c.field, c.status) for c in report.signatures] == [
            ("ChuKyLanhDao", "valid"), ("ChuKyCoQuan", "altered")]

    async def test_content_drawn_on_the_page_after_signing_is_altered(
            self, issued: bytes, authority: Authority) -> None:
        writer = IncrementalPdfFileWriter(BytesIO(issued))
        drawing = generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f")
        writer.add_stream_to_page(0, writer.add_object(drawing))
        out = BytesIO()
        writer.write(out)
        report = await check(out.getvalue(), authority)
        assert report.status == "altered"
        assert [c.modification for c in report.signatures] == ["other", "other"]

    async def test_a_new_number_after_the_seal_breaks_the_seal(self, issued: bytes,
                                                               authority: Authority) -> None:
        renumbered = await stamp_number(issued, number_text="Số: 99/QĐ-STP",
                                        date_text="Thanh Hóa, ngày 30 tháng 11 năm 2026")
        report = await check(renumbered, authority)
        assert report.status == "altered"
        assert [c.status for c in report.signatures] == ["valid", "altered"]


class TestUntrustedDocument:
    async def test_a_certificate_of_another_ca_is_untrusted(self, authority: Authority) -> None:
        other = Authority("CA Tỉnh Thanh Hóa")  # the same name, another key
        pdf = await issue(other.signer("Lê Thị Hồng", 0x61), other.signer("Sở Tư pháp", 0x62))
        report = await check(pdf, authority)
        assert report.status == "untrusted"
        assert [(c.intact, c.trusted) for c in report.signatures] == [(True, False)] * 2


class TestRevokedCertificate:
    async def test_a_certificate_on_the_crl_is_revoked(self, issued: bytes,
                                                       authority: Authority) -> None:
        report = await check(issued, authority, 0x51)
        assert report.status == "revoked"
        leader, agency = report.signatures
        assert (leader.revoked, leader.status) == (True, "revoked")
        assert (agency.revoked, agency.status) == (False, "valid")


class TestUnreadableInput:
    @pytest.mark.parametrize("garbage", [
        b"", b"not a pdf at all", b"%PDF-1.7\n" + bytes(range(256)) * 8,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>"
        b"\n%%EOF"])
    async def test_garbage_is_unreadable(self, garbage: bytes, authority: Authority) -> None:
        report = await check(garbage, authority)
        assert report == SignatureReport((), "unreadable")

    async def test_a_truncated_signed_pdf_is_unreadable(self, issued: bytes,
                                                        authority: Authority) -> None:
        report = await check(issued[: len(issued) // 2], authority)
        assert report == SignatureReport((), "unreadable")

    async def test_a_bad_crl_is_a_configuration_error_not_a_verdict(self, issued: bytes,
                                                                    authority: Authority) -> None:
        with pytest.raises(ValueError):
            await verify_pdf(issued, trust_roots=[authority.der], crls=[b"not a CRL"])

    async def test_an_unsigned_draft_is_unsigned(self, authority: Authority) -> None:
        report = await check(render_draft(DRAFT), authority)
        assert report == SignatureReport((), "unsigned")

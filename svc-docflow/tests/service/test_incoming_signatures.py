"""The signature check of an incoming PDF, as the clerk sees it in the document's
``signature_report``: against svc-identity's real CA and CRL (a certificate it issued for a key
made here, from a CSR), with real pyHanko signatures: valid, altered after signing, signed by a
stranger's CA (untrusted), signed with a certificate revoked through svc-identity's API. A bad
signature is reported; the document is received all the same."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen.canvas import Canvas

from egov_testing import Databases, NatsServer, TestIssuer
from svc_docflow.edxml import Attachment, DocumentPackage, Organ, TraceHeader, build_document
from svc_docflow.edxml import document_id as edxml_document_id
from svc_docflow.settings import DocflowSettings

Officials = Any  # conftest.Officials: the demo officials' real tokens
TEXT_IN_PDF = b"Noi dung van ban"
VPCP = Organ("000.00.00.G22", "Văn phòng Chính phủ")


@pytest.fixture(scope="module")
def docflow_settings(databases: Databases, nats_server: NatsServer,
                     identity_url: str) -> DocflowSettings:
    """The CRL fetched afresh for every check: a revocation shows at once."""
    return DocflowSettings(database_url=databases.new_url("docflow"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING", identity_url=identity_url,
                           crl_cache_seconds=0, national_axis_url="http://127.0.0.1:9/axis")


def plain_pdf() -> bytes:
    """Uncompressed, so that a test can change the signed text in place."""
    out = BytesIO()
    canvas = Canvas(out, pageCompression=0)
    canvas.drawString(72, 770, TEXT_IN_PDF.decode())
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def package_with(pdf: bytes) -> bytes:
    number, day = str(uuid.uuid4().int % 900_000 + 100_000), date(2026, 11, 26)
    return build_document(DocumentPackage(
        from_organ=VPCP, to_organs=(Organ("000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa"),),
        code_number=number, code_notation="VPCP-PL", place="Hà Nội", promulgation_date=day,
        type=1, type_name="Công văn", subject="V/v văn bản đã ký số", content=None,
        signer_competence=None, signer_position="Phó Chủ nhiệm", signer_full_name="Trần Ký",
        due_date=None, to_places=(), priority=0, steering_type=None,
        document_id=edxml_document_id(VPCP.organ_id, day, number, "VPCP-PL"),
        trace=(TraceHeader(VPCP.organ_id, datetime.now(UTC)),), business_doc_type=0,
        business_reason=None, attachments=(Attachment("van-ban.pdf", "application/pdf", pdf),)))


class Keys:
    """A key made here and the certificate svc-identity's CA issued for it."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())

    def csr_pem(self, name: str) -> str:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(
            self.key, hashes.SHA256())
        return csr.public_bytes(Encoding.PEM).decode()

    def signer(self, cert_der: bytes, chain: list[bytes]) -> signers.SimpleSigner:
        pkcs8 = self.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(cert_der),
            signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(c) for c in chain]))


async def identity_signer(identity_url: str, officials: Officials,
                          agency_id: str) -> tuple[signers.SimpleSigner, str]:
    """An organisational certificate of ``agency_id`` from svc-identity (our key, its CA)."""
    keys, admin = Keys(), await officials.headers("admin")
    body = {"kind": "organisational", "agency_id": agency_id, "csr_pem": keys.csr_pem(agency_id)}
    async with httpx.AsyncClient(base_url=identity_url, timeout=30) as http:
        r = await http.post("/api/v1/certificates", headers=admin, json=body)
        if r.status_code == 409:  # the agency has one already: superseded by ours
            await http.post(f"/api/v1/certificates/{r.json()['serial']}/revoke", headers=admin,
                            json={"reason": "superseded"})
            r = await http.post("/api/v1/certificates", headers=admin, json=body)
        assert r.status_code == 201, r.text
        ca = x509.load_pem_x509_certificate((await http.get("/pki/ca.crt")).content)
    cert = x509.load_pem_x509_certificate(r.json()["certificate_pem"].encode())
    return (keys.signer(cert.public_bytes(Encoding.DER), [ca.public_bytes(Encoding.DER)]),
            r.json()["serial"])


def stranger_signer() -> signers.SimpleSigner:
    """A certificate of a CA nobody here trusts."""
    keys, ca_key = Keys(), ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA lạ")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Người ký lạ")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name)
            .public_key(keys.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    return keys.signer(cert.public_bytes(Encoding.DER), [ca.public_bytes(Encoding.DER)])


def government_ca_signer() -> tuple[signers.SimpleSigner, bytes]:
    """A signer under another CA (as a ministry's, under the government's specialised CA),
    with the key usage a document signature needs; and that CA's certificate (PEM)."""
    keys, ca_key = Keys(), ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA chuyên dùng Chính phủ")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bộ Tư pháp")]))
            .issuer_name(ca_name).public_key(keys.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(usage, critical=True).sign(ca_key, hashes.SHA256()))
    signer = keys.signer(cert.public_bytes(Encoding.DER), [ca.public_bytes(Encoding.DER)])
    return signer, ca.public_bytes(Encoding.PEM)


async def signed_pdf(signer: signers.SimpleSigner) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(plain_pdf()))
    meta = signers.PdfSignatureMetadata(field_name="Signature1")
    signed = await signers.PdfSigner(meta, signer).async_sign_pdf(writer)
    return signed.getvalue()


class TestSignatures:
    """One valid organisational certificate per agency: each test signs for its own agency."""

    async def report_of(self, client: httpx.AsyncClient, issuer: TestIssuer,
                        officials: Officials, pdf: bytes) -> dict[str, Any]:
        r = await client.post("/api/v1/axis/packages", content=package_with(pdf), headers={
            "Content-Type": "application/xml", **issuer.headers(kind="client", scope="axis")})
        assert r.status_code == 201, r.text
        doc_id = r.json()["results"][0]["document_id"]
        doc = await client.get(f"/api/v1/documents/incoming/{doc_id}",
                               headers=await officials.headers("vanthu"))
        assert doc.json()["status"] == "received"  # reported, never refused for it
        return dict(doc.json()["signature_report"])

    async def test_a_pdf_signed_with_a_certificate_of_the_province_is_valid(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        identity_url: str,
    ) -> None:
        signer, serial = await identity_signer(identity_url, officials, "H56.10")
        report = await self.report_of(client, issuer, officials, await signed_pdf(signer))
        assert report["status"] == "valid"
        assert report["signatures"][0]["serial"] == serial.lower()

    async def test_a_signed_pdf_changed_afterwards_is_reported_altered(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        identity_url: str,
    ) -> None:
        signer, _ = await identity_signer(identity_url, officials, "H56.11")
        pdf = await signed_pdf(signer)
        assert TEXT_IN_PDF in pdf
        altered = pdf.replace(TEXT_IN_PDF, b"Noi dung VAN BAN")
        report = await self.report_of(client, issuer, officials, altered)
        assert report["status"] == "altered"

    async def test_a_pdf_signed_by_a_stranger_is_reported_untrusted(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
    ) -> None:
        pdf = await signed_pdf(stranger_signer())
        report = await self.report_of(client, issuer, officials, pdf)
        assert report["status"] == "untrusted"

    async def test_roots_configured_beside_the_provincial_ca_are_trusted(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        docflow_settings: DocflowSettings, tmp_path: Path,
    ) -> None:
        signer, ca_pem = government_ca_signer()
        pdf = await signed_pdf(signer)
        assert (await self.report_of(client, issuer, officials, pdf))["status"] == "untrusted"
        bundle = tmp_path / "roots.pem"
        bundle.write_bytes(ca_pem)
        docflow_settings.trust_roots_file = str(bundle)  # DOCFLOW_TRUST_ROOTS_FILE
        try:
            report = await self.report_of(client, issuer, officials, await signed_pdf(signer))
        finally:
            docflow_settings.trust_roots_file = None
        assert report["status"] == "valid"

    async def test_a_pdf_signed_with_a_revoked_certificate_is_reported_revoked(
        self, client: httpx.AsyncClient, issuer: TestIssuer, officials: Officials,
        identity_url: str,
    ) -> None:
        signer, serial = await identity_signer(identity_url, officials, "H56.20")
        pdf = await signed_pdf(signer)
        async with httpx.AsyncClient(base_url=identity_url, timeout=30) as http:
            r = await http.post(f"/api/v1/certificates/{serial}/revoke",
                                headers=await officials.headers("admin"),
                                json={"reason": "key_compromise"})
            assert r.status_code == 200, r.text
        report = await self.report_of(client, issuer, officials, pdf)
        assert report["status"] == "revoked"

"""The provincial CA through its API: the CA certificate and CRL, issuing, listing, revoking,
remote signing (also of a real PAdES signature made with pyHanko), PKCS#12 export, events."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from io import BytesIO
from typing import Any

import httpx
import nats
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from nats.js.api import ConsumerConfig, DeliverPolicy
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov_testing import NatsServer, serve_in_process
from svc_identity.main import create_app

API = "/api/v1/certificates"
SO_TU_PHAP = "Sở Tư pháp tỉnh Thanh Hóa"


# Tokens are reused across tests (signing in costs a TOTP step for admin and leader); an
# access token lives 900 s by default, so one is reused for at most 600 s.
_SIGNED_IN: dict[str, tuple[float, dict[str, str]]] = {}
TOKEN_REUSE_SECONDS = 600.0


class People:
    """Demo officials' access tokens, each signed in from their own browser."""

    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client, self.tokens = client, tokens

    async def __call__(self, username: str) -> dict[str, str]:
        signed_in = _SIGNED_IN.get(username)
        if signed_in is None or time.monotonic() - signed_in[0] > TOKEN_REUSE_SECONDS:
            self.client.cookies.clear()  # no single sign-on carried over from someone else
            signed_in = (time.monotonic(), await self.tokens.bearer(username))
            _SIGNED_IN[username] = signed_in
        return signed_in[1]

    async def account_id(self, username: str) -> str:
        me = await self.client.get("/api/v1/me", headers=await self(username))
        return str(me.json()["id"])


@pytest.fixture
def people(client: httpx.AsyncClient, tokens: Any) -> People:
    return People(client, tokens)


async def issue_fresh(client: httpx.AsyncClient, people: People, **body: Any) -> dict[str, Any]:
    """Issues as admin, first revoking (superseded) the holder's valid certificate, if any:
    one valid certificate per holder and kind."""
    admin = await people("admin")
    holder = {k: v for k, v in body.items() if k in ("account_id", "agency_id")}
    listed = await client.get(API, params={**holder, "status": "valid"}, headers=admin)
    for cert in listed.json():
        if cert["kind"] == body["kind"]:
            revoked = await client.post(f"{API}/{cert['serial']}/revoke",
                                        json={"reason": "superseded"}, headers=admin)
            assert revoked.status_code == 200, revoked.text
    answer = await client.post(API, json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    issued: dict[str, Any] = answer.json()
    return issued


async def lanhdao_certificate(client: httpx.AsyncClient, people: People,
                              **changes: Any) -> dict[str, Any]:
    return await issue_fresh(client, people, kind="personal",
                             account_id=await people.account_id("lanhdao"), **changes)


async def so_tu_phap_certificate(client: httpx.AsyncClient, people: People,
                                 **changes: Any) -> dict[str, Any]:
    return await issue_fresh(client, people, kind="organisational", agency_id="H56.14",
                             **changes)


async def ca_certificate(client: httpx.AsyncClient) -> x509.Certificate:
    return x509.load_pem_x509_certificate((await client.get("/pki/ca.crt")).content)


async def current_crl(client: httpx.AsyncClient) -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl((await client.get("/pki/crl")).content)


async def sign(client: httpx.AsyncClient, headers: dict[str, str], serial: str,
               digest: bytes, algorithm: str = "sha256") -> httpx.Response:
    body = {"digest_algorithm": algorithm, "digest": base64.b64encode(digest).decode()}
    return await client.post(f"{API}/{serial}/signatures", json=body, headers=headers)


def verifies(certificate_pem: str, signature: bytes, digest: bytes) -> bool:
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    prehashed = utils.Prehashed(hashes.SHA256())
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, digest, ec.ECDSA(prehashed))
        else:
            assert isinstance(public_key, rsa.RSAPublicKey)
            public_key.verify(signature, digest, padding.PKCS1v15(), prehashed)
    except Exception:
        return False
    return True


DOCUMENT = hashlib.sha256("Quyết định số 12/QĐ-UBND".encode()).digest()


class TestPublishTheCa:
    async def test_the_ca_certificate_is_public_pem(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/pki/ca.crt")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/x-pem-file"
        root = x509.load_pem_x509_certificate(answer.content)
        root.verify_directly_issued_by(root)
        assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert "CA Chính quyền điện tử tỉnh Thanh Hóa" in root.subject.rfc4514_string()

    async def test_the_crl_is_public_der_signed_by_the_ca(self,
                                                           client: httpx.AsyncClient) -> None:
        answer = await client.get("/pki/crl")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pkix-crl"
        crl = x509.load_der_x509_crl(answer.content)
        root = await ca_certificate(client)
        ca_key = root.public_key()
        assert isinstance(ca_key, ec.EllipticCurvePublicKey)
        assert crl.issuer == root.subject and crl.is_signature_valid(ca_key)
        as_pem = x509.load_pem_x509_crl((await client.get("/pki/crl.pem")).content)
        assert as_pem.issuer == root.subject


    async def test_another_start_on_the_same_database_keeps_the_ca(
        self, client: httpx.AsyncClient, identity: Any
    ) -> None:
        first = (await client.get("/pki/ca.crt")).content
        async with serve_in_process(create_app(identity.settings)) as replica:
            assert (await replica.get("/pki/ca.crt")).content == first
            crl = x509.load_der_x509_crl((await replica.get("/pki/crl")).content)
        ca_key = x509.load_pem_x509_certificate(first).public_key()
        assert isinstance(ca_key, ec.EllipticCurvePublicKey)
        assert crl.is_signature_valid(ca_key)


class TestIssuePersonalCertificate:
    async def test_admin_issues_one_for_lanhdao_that_chains_to_the_ca(
        self, client: httpx.AsyncClient, people: People, identity: Any
    ) -> None:
        account_id = await people.account_id("lanhdao")
        body = await lanhdao_certificate(client, people)
        assert body["kind"] == "personal" and body["account_id"] == account_id
        assert body["agency_id"] == "H56.14" and body["status"] == "valid"
        assert body["key_held_by"] == "service" and body["key_algorithm"] == "EC-P256"
        assert "CN=Lê Văn Cường" in body["subject"] and f"O={SO_TU_PHAP}" in body["subject"]
        assert f"UID={account_id}" in body["subject"]
        assert body["not_before"].endswith("+07:00")
        assert "PRIVATE KEY" not in json.dumps(body)
        cert = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
        cert.verify_directly_issued_by(await ca_certificate(client))
        assert format(cert.serial_number, "x") == body["serial"]
        days = identity.settings.cert_validity_days
        assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == days
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert points[0].full_name[0].value == identity.settings.token_issuer + "/pki/crl"

    async def test_a_second_valid_one_is_a_conflict(self, client: httpx.AsyncClient,
                                                    people: People) -> None:
        first = await lanhdao_certificate(client, people)
        again = await client.post(API, headers=await people("admin"), json={
            "kind": "personal", "account_id": first["account_id"]})
        assert again.status_code == 409
        assert again.json()["code"] == "certificate_exists"
        assert again.json()["serial"] == first["serial"]

    async def test_an_rsa_key_on_request(self, client: httpx.AsyncClient,
                                         people: People) -> None:
        body = await issue_fresh(client, people, kind="personal", key_algorithm="RSA-2048",
                                 account_id=await people.account_id("chuyenvien"))
        cert = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
        assert body["key_algorithm"] == "RSA-2048"
        assert isinstance(cert.public_key(), rsa.RSAPublicKey)

    async def test_from_a_csr_only_the_public_key_is_taken(self, client: httpx.AsyncClient,
                                                           people: People) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "Tên tự đặt")])).sign(
            key, hashes.SHA256()))
        body = await issue_fresh(
            client, people, kind="personal", account_id=await people.account_id("motcua"),
            csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode())
        cert = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
        assert cert.public_key() == key.public_key()
        assert body["key_held_by"] == "owner"
        assert "CN=Nguyễn Thị Mai" in body["subject"] and "Tên tự đặt" not in body["subject"]

    @pytest.mark.parametrize(("changes", "code"), [
        ({"csr_pem": "garbage"}, "invalid_csr"),
        ({"csr_pem": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE "
                     "REQUEST-----\n"}, "invalid_csr"),
        ({"csr_pem": "x" * 20_000}, "validation_failed"),
        ({"key_algorithm": "DSA-1024"}, "validation_failed"),
        ({"account_id": None}, "invalid_holder"),
        ({"agency_id": "H56.14"}, "invalid_holder"),
        ({"kind": "ca"}, "validation_failed"),
    ])
    async def test_refuses_a_bad_request_with_a_stable_code(
        self, client: httpx.AsyncClient, people: People, changes: dict[str, Any], code: str
    ) -> None:
        body = {"kind": "personal", "account_id": await people.account_id("lanhdao"),
                **changes}
        answer = await client.post(API, json=body, headers=await people("admin"))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code

    async def test_a_citizen_gets_no_personal_certificate(
        self, client: httpx.AsyncClient, people: People, citizen: dict[str, Any]
    ) -> None:
        citizen_id = (await client.post("/api/v1/citizens", json=citizen)).json()["id"]
        answer = await client.post(API, headers=await people("admin"), json={
            "kind": "personal", "account_id": citizen_id})
        assert answer.status_code == 422 and answer.json()["code"] == "not_an_official"

    async def test_an_unknown_account_is_not_found(self, client: httpx.AsyncClient,
                                                   people: People) -> None:
        answer = await client.post(API, headers=await people("admin"), json={
            "kind": "personal", "account_id": "00000000-0000-0000-0000-000000000000"})
        assert answer.status_code == 404 and answer.json()["code"] == "account_not_found"

    @pytest.mark.parametrize("username", ["lanhdao", "vanthu", "baocao"])
    async def test_only_an_administrator_issues(self, client: httpx.AsyncClient,
                                                people: People, username: str) -> None:
        answer = await client.post(API, headers=await people(username), json={
            "kind": "organisational", "agency_id": "H56.14"})
        assert answer.status_code == 403 and answer.json()["code"] == "admin_required"

    async def test_without_a_token_it_is_unauthorized(self, client: httpx.AsyncClient) -> None:
        answer = await client.post(API, json={"kind": "organisational", "agency_id": "H56.14"})
        assert answer.status_code == 401


class TestIssueOrganisationalCertificate:
    async def test_admin_issues_one_for_so_tu_phap(self, client: httpx.AsyncClient,
                                                   people: People) -> None:
        body = await so_tu_phap_certificate(client, people)
        assert body["kind"] == "organisational" and body["account_id"] is None
        assert body["subject"] == f"UID=H56.14,CN={SO_TU_PHAP},O={SO_TU_PHAP},C=VN"
        cert = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
        cert.verify_directly_issued_by(await ca_certificate(client))

    async def test_an_unknown_agency_is_not_found(self, client: httpx.AsyncClient,
                                                  people: People) -> None:
        answer = await client.post(API, headers=await people("admin"), json={
            "kind": "organisational", "agency_id": "H56.99"})
        assert answer.status_code == 404 and answer.json()["code"] == "agency_not_found"


class TestSeeCertificates:
    async def test_each_sees_their_own_and_their_agency(self, client: httpx.AsyncClient,
                                                        people: People) -> None:
        personal = await lanhdao_certificate(client, people)
        agency = await so_tu_phap_certificate(client, people)
        serials = {c["serial"] for c in (await client.get(
            API, headers=await people("lanhdao"))).json()}
        assert {personal["serial"], agency["serial"]} <= serials
        clerk = {c["serial"] for c in (await client.get(
            API, headers=await people("vanthu"))).json()}
        assert agency["serial"] in clerk and personal["serial"] not in clerk
        elsewhere = {c["serial"] for c in (await client.get(
            API, headers=await people("motcua"))).json()}
        assert not {personal["serial"], agency["serial"]} & elsewhere

    async def test_admin_filters_the_subtree(self, client: httpx.AsyncClient,
                                             people: People) -> None:
        current = await lanhdao_certificate(client, people)
        found = await client.get(API, headers=await people("admin"), params={
            "account_id": current["account_id"], "status": "valid"})
        assert [c["serial"] for c in found.json()] == [current["serial"]]
        revoked = await client.get(API, headers=await people("admin"), params={
            "account_id": current["account_id"], "status": "revoked"})
        assert all(c["status"] == "revoked" for c in revoked.json())

    async def test_someone_elses_certificate_is_not_found(self, client: httpx.AsyncClient,
                                                          people: People) -> None:
        serial = (await lanhdao_certificate(client, people))["serial"]
        mine = await client.get(f"{API}/{serial}", headers=await people("lanhdao"))
        assert mine.status_code == 200 and mine.json()["serial"] == serial
        for username in ("vanthu", "motcua"):
            answer = await client.get(f"{API}/{serial}", headers=await people(username))
            assert answer.status_code == 404
            assert answer.json()["code"] == "certificate_not_found"

    @pytest.mark.parametrize("serial", ["xyz", "1" * 41])
    async def test_a_malformed_serial_is_a_validation_error(
        self, client: httpx.AsyncClient, people: People, serial: str
    ) -> None:
        answer = await client.get(f"{API}/{serial}", headers=await people("admin"))
        assert answer.status_code == 422


class TestRemoteSignature:
    async def test_lanhdao_signs_and_the_signature_verifies(self, client: httpx.AsyncClient,
                                                            people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await sign(client, await people("lanhdao"), cert["serial"], DOCUMENT)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["signature_algorithm"] == "ecdsa"
        assert body["certificate_pem"] == cert["certificate_pem"]
        assert body["chain_pem"] == [(await client.get("/pki/ca.crt")).text]
        assert verifies(cert["certificate_pem"], base64.b64decode(body["signature"]), DOCUMENT)

    async def test_a_clerk_signs_for_the_agency_with_an_rsa_key(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        cert = await so_tu_phap_certificate(client, people, key_algorithm="RSA-2048")
        answer = await sign(client, await people("vanthu"), cert["serial"], DOCUMENT)
        assert answer.status_code == 200, answer.text
        assert answer.json()["signature_algorithm"] == "rsa_pkcs1v15"
        signature = base64.b64decode(answer.json()["signature"])
        assert verifies(cert["certificate_pem"], signature, DOCUMENT)

    @pytest.mark.parametrize(("username", "status"), [("vanthu", 404), ("chuyenvien", 404),
                                                      ("admin", 403)])
    async def test_nobody_else_signs_with_lanhdaos_certificate(
        self, client: httpx.AsyncClient, people: People, username: str, status: int
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await sign(client, await people(username), cert["serial"], DOCUMENT)
        assert answer.status_code == status

    @pytest.mark.parametrize(("username", "status"), [("chuyenvien", 403), ("motcua", 404),
                                                      ("admin", 403)])
    async def test_only_a_clerk_or_leader_of_the_agency_signs_for_it(
        self, client: httpx.AsyncClient, people: People, username: str, status: int
    ) -> None:
        cert = await so_tu_phap_certificate(client, people)
        answer = await sign(client, await people(username), cert["serial"], DOCUMENT)
        assert answer.status_code == status

    @pytest.mark.parametrize(("digest", "algorithm"), [
        (base64.b64encode(b"short").decode(), "sha256"),
        (base64.b64encode(bytes(32)).decode(), "sha512"),
        ("not base64 at all!", "sha256"),
        ("é" * 44, "sha256"),
    ])
    async def test_a_wrong_digest_is_a_validation_error(
        self, client: httpx.AsyncClient, people: People, digest: str, algorithm: str
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/signatures",
                                   headers=await people("lanhdao"),
                                   json={"digest_algorithm": algorithm, "digest": digest})
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_digest"

    async def test_a_csr_issued_certificate_has_no_key_here(self, client: httpx.AsyncClient,
                                                            people: People) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(
            key, hashes.SHA256())
        cert = await lanhdao_certificate(
            client, people, csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode())
        answer = await sign(client, await people("lanhdao"), cert["serial"], DOCUMENT)
        assert answer.status_code == 409 and answer.json()["code"] == "key_not_held"


def _pem_der(text: str) -> bytes:
    return pem.unarmor(text.encode())[2]


class RemoteSigner(signers.Signer):
    """A pyHanko signer whose key stays in svc-identity: each raw signature is a call to the
    remote signing endpoint with the digest of the CMS signed attributes."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str],
                 certificate: dict[str, Any], ca_pem: str) -> None:
        self.client, self.headers, self.serial = client, headers, certificate["serial"]
        root = asn1_x509.Certificate.load(_pem_der(ca_pem))
        super().__init__(
            signing_cert=asn1_x509.Certificate.load(_pem_der(certificate["certificate_pem"])),
            cert_registry=SimpleCertificateStore.from_certs([root]))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(512)  # room enough for ECDSA and RSA-2048 signatures
        digest = hashlib.new(digest_algorithm, data).digest()
        answer = await sign(self.client, self.headers, self.serial, digest, digest_algorithm)
        assert answer.status_code == 200, answer.text
        return base64.b64decode(answer.json()["signature"])


def small_pdf() -> bytes:
    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
    }))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


async def pades_sign(client: httpx.AsyncClient, headers: dict[str, str],
                     certificate: dict[str, Any]) -> bytes:
    signer = RemoteSigner(client, headers, certificate, (await client.get("/pki/ca.crt")).text)
    meta = signers.PdfSignatureMetadata(field_name="ChuKy", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = await signers.async_sign_pdf(IncrementalPdfFileWriter(BytesIO(small_pdf())), meta,
                                       signer=signer)
    return bytes(out.getvalue())


async def validate_pades(client: httpx.AsyncClient, signed: bytes) -> Any:
    """pyHanko's validation with the CA as the only trust root and the current CRL (required:
    a certificate without revocation information fails)."""
    root = asn1_x509.Certificate.load(_pem_der((await client.get("/pki/ca.crt")).text))
    context = ValidationContext(trust_roots=[root], crls=[(await client.get("/pki/crl")).content],
                                allow_fetching=False, revocation_mode="hard-fail")
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    return await async_validate_pdf_signature(embedded, context)


class TestPadesSignature:
    async def test_a_pdf_signed_by_lanhdao_validates_against_the_ca(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        status = await validate_pades(client, await pades_sign(client, await people("lanhdao"),
                                                               cert))
        assert status.intact and status.valid and status.trusted and not status.revoked
        assert status.bottom_line
        assert status.signing_cert.subject.native["common_name"] == "Lê Văn Cường"

    async def test_a_pdf_sealed_for_the_agency_with_rsa_validates(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        cert = await so_tu_phap_certificate(client, people, key_algorithm="RSA-2048")
        status = await validate_pades(client, await pades_sign(client, await people("vanthu"),
                                                               cert))
        assert status.bottom_line
        assert status.signing_cert.subject.native["organization_name"] == SO_TU_PHAP

    async def test_after_revocation_the_signature_no_longer_validates(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        signed = await pades_sign(client, await people("lanhdao"), cert)
        await client.post(f"{API}/{cert['serial']}/revoke", headers=await people("lanhdao"),
                          json={"reason": "key_compromise"})
        status = await validate_pades(client, signed)
        assert status.intact and status.revoked and not status.bottom_line


class TestRevokeCertificate:
    async def test_admin_revokes_and_the_serial_is_on_the_crl(self, client: httpx.AsyncClient,
                                                              people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/revoke",
                                   headers=await people("admin"),
                                   json={"reason": "key_compromise"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["status"] == "revoked" and body["revocation_reason"] == "key_compromise"
        assert body["revoked_at"].endswith("+07:00")
        entry = (await current_crl(client)).get_revoked_certificate_by_serial_number(
            int(cert["serial"], 16))
        assert entry is not None
        reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        assert reason == x509.ReasonFlags.key_compromise

    async def test_a_revoked_certificate_no_longer_signs(self, client: httpx.AsyncClient,
                                                         people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        await client.post(f"{API}/{cert['serial']}/revoke", headers=await people("admin"),
                          json={"reason": "affiliation_changed"})
        answer = await sign(client, await people("lanhdao"), cert["serial"], DOCUMENT)
        assert answer.status_code == 409 and answer.json()["code"] == "certificate_revoked"

    async def test_the_holder_revokes_their_own_once(self, client: httpx.AsyncClient,
                                                     people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        url = f"{API}/{cert['serial']}/revoke"
        first = await client.post(url, headers=await people("lanhdao"),
                                  json={"reason": "unspecified"})
        assert first.status_code == 200
        again = await client.post(url, headers=await people("admin"),
                                  json={"reason": "superseded"})
        assert again.status_code == 409 and again.json()["code"] == "already_revoked"

    @pytest.mark.parametrize(("username", "status"), [("vanthu", 403), ("lanhdao", 403),
                                                      ("motcua", 404)])
    async def test_others_cannot_revoke_the_agency_certificate(
        self, client: httpx.AsyncClient, people: People, username: str, status: int
    ) -> None:
        cert = await so_tu_phap_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/revoke",
                                   headers=await people(username), json={"reason": "superseded"})
        assert answer.status_code == status
        still = await client.get(f"{API}/{cert['serial']}", headers=await people("admin"))
        assert still.json()["status"] == "valid"

    async def test_an_unknown_reason_is_a_validation_error(self, client: httpx.AsyncClient,
                                                           people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/revoke",
                                   headers=await people("admin"), json={"reason": "bored"})
        assert answer.status_code == 422


class TestExportPkcs12:
    async def test_the_holder_gets_key_and_certificate(self, client: httpx.AsyncClient,
                                                       people: People) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/pkcs12",
                                   headers=await people("lanhdao"),
                                   json={"passphrase": "một câu dài đủ 12"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-pkcs12"
        assert answer.headers["cache-control"] == "no-store"
        bundle = pkcs12.load_pkcs12(answer.content, "một câu dài đủ 12".encode())
        assert bundle.cert is not None and bundle.key is not None
        certificate = bundle.cert.certificate
        assert certificate.public_bytes(serialization.Encoding.PEM).decode() == (
            cert["certificate_pem"])
        assert bundle.key.public_key() == certificate.public_key()
        assert [c.certificate for c in bundle.additional_certs] == [
            await ca_certificate(client)]

    @pytest.mark.parametrize(("username", "status"), [("admin", 403), ("vanthu", 404)])
    async def test_nobody_else_gets_lanhdaos_key(self, client: httpx.AsyncClient,
                                                 people: People, username: str,
                                                 status: int) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/pkcs12",
                                   headers=await people(username),
                                   json={"passphrase": "một câu dài đủ 12"})
        assert answer.status_code == status

    async def test_an_agency_key_never_leaves(self, client: httpx.AsyncClient,
                                              people: People) -> None:
        cert = await so_tu_phap_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/pkcs12",
                                   headers=await people("vanthu"),
                                   json={"passphrase": "một câu dài đủ 12"})
        assert answer.status_code == 403 and answer.json()["code"] == "not_the_holder"

    @pytest.mark.parametrize("passphrase", ["short", "x" * 300])
    async def test_the_passphrase_has_a_length(self, client: httpx.AsyncClient, people: People,
                                               passphrase: str) -> None:
        cert = await lanhdao_certificate(client, people)
        answer = await client.post(f"{API}/{cert['serial']}/pkcs12",
                                   headers=await people("lanhdao"),
                                   json={"passphrase": passphrase})
        assert answer.status_code == 422


async def event_about(nats_url: str, nats_subject: str, serial: str) -> dict[str, Any]:
    """The CloudEvent about ``serial`` on ``nats_subject`` (the stream read from its start)."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(
            nats_subject, stream="IDENTITY", ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        while True:
            event: dict[str, Any] = json.loads((await sub.next_msg(timeout=10)).data)
            if event.get("subject") == serial:
                return event
    finally:
        await nc.close()


class TestCertificateEvents:
    async def test_issuing_publishes_identity_certificate_issued(
        self, client: httpx.AsyncClient, people: People, nats_server: NatsServer
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        event = await event_about(nats_server.url, "identity.certificate.issued", cert["serial"])
        assert event["type"] == "vn.egov.identity.certificate.issued.v1"
        assert event["data"]["serial"] == cert["serial"]
        assert event["data"]["kind"] == "personal"
        assert event["data"]["account_id"] == cert["account_id"]
        assert event["data"]["agency_id"] == "H56.14"
        assert "PRIVATE" not in json.dumps(event)

    async def test_revoking_publishes_identity_certificate_revoked(
        self, client: httpx.AsyncClient, people: People, nats_server: NatsServer
    ) -> None:
        cert = await so_tu_phap_certificate(client, people)
        await client.post(f"{API}/{cert['serial']}/revoke", headers=await people("admin"),
                          json={"reason": "cessation_of_operation"})
        event = await event_about(nats_server.url, "identity.certificate.revoked",
                                  cert["serial"])
        assert event["data"]["reason"] == "cessation_of_operation"
        assert event["data"]["kind"] == "organisational"


class TestAuditTrail:
    async def test_issue_signature_export_and_revocation_are_audited_without_secrets(
        self, client: httpx.AsyncClient, people: People
    ) -> None:
        cert = await lanhdao_certificate(client, people)
        lanhdao = await people("lanhdao")
        assert (await sign(client, lanhdao, cert["serial"], DOCUMENT)).status_code == 200
        exported = await client.post(f"{API}/{cert['serial']}/pkcs12", headers=lanhdao,
                                     json={"passphrase": "một câu dài đủ 12"})
        assert exported.status_code == 200
        await client.post(f"{API}/{cert['serial']}/revoke", headers=lanhdao,
                          json={"reason": "superseded"})
        answer = await client.get("/api/v1/audit", headers=await people("admin"),
                                  params={"target_id": cert["serial"]})
        entries = {e["action"]: e for e in answer.json()}
        assert set(entries) == {"certificate.issued", "certificate.signature",
                                "certificate.exported", "certificate.revoked"}
        assert entries["certificate.signature"]["actor_id"] == cert["account_id"]
        assert entries["certificate.signature"]["details"] == {
            "digest_algorithm": "sha256", "digest": DOCUMENT.hex()}
        assert entries["certificate.revoked"]["details"] == {"reason": "superseded"}
        assert all(e["target_type"] == "certificate" and e["agency_id"] == "H56.14"
                   for e in entries.values())
        text = answer.text
        assert "PRIVATE" not in text and "một câu" not in text and "v1:" not in text

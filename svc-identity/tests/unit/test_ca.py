"""The provincial CA's cryptography (svc_identity.pki.ca): certificates, CSRs, CRLs, raw
signatures and PKCS#12, checked with ``cryptography`` and ``asn1crypto`` as a relying party
would; and the subtree rule its access checks rest on."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from svc_identity.pki import ca, policy

NOW = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)
LINKS = ca.Links.under("https://dichvucong.thanhhoa.gov.vn/")
CA_NAME = "CA Chính quyền điện tử tỉnh Thanh Hóa"


@pytest.fixture(scope="module")
def authority() -> tuple[x509.Certificate, ca.PrivateKey]:
    key = ca.new_key("EC-P256")
    return ca.make_authority(CA_NAME, key, serial=ca.authority_serial(CA_NAME), now=NOW), key


def _issue(authority: tuple[x509.Certificate, ca.PrivateKey], subject: x509.Name,
           public_key: ca.PublicKey, validity: timedelta = timedelta(days=730)
           ) -> x509.Certificate:
    return ca.issue(authority[0], authority[1], subject=subject, public_key=public_key,
                    serial=x509.random_serial_number(), now=NOW, validity=validity,
                    links=LINKS)


def _personal(authority: tuple[x509.Certificate, ca.PrivateKey],
              key: ca.PrivateKey) -> x509.Certificate:
    name = ca.personal_name(full_name="Lê Văn Cường", position="Giám đốc",
                            agency_name="Sở Tư pháp tỉnh Thanh Hóa", account_id="acc-1")
    return _issue(authority, name, key.public_key())


def _csr(key: ca.PrivateKey, common_name: str = "Ai đó") -> str:
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM).decode()


class TestAuthority:
    def test_is_a_self_signed_root_that_may_only_sign_certificates_and_crls(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        cert = authority[0]
        cert.verify_directly_issued_by(cert)
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert constraints.value.path_length == 0
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.key_cert_sign and usage.crl_sign and not usage.content_commitment
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CA_NAME

    def test_its_serial_is_derived_from_its_name(self) -> None:
        assert ca.authority_serial(CA_NAME) == ca.authority_serial(CA_NAME)
        assert ca.authority_serial(CA_NAME) != ca.authority_serial("CA khác")
        assert 0 < ca.authority_serial(CA_NAME) < 2**159


class TestPersonalCertificate:
    def test_chains_to_the_ca_with_the_signing_profile(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        cert = _personal(authority, ca.new_key("EC-P256"))
        cert.verify_directly_issued_by(authority[0])
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical and usage.value.digital_signature
        assert usage.value.content_commitment and not usage.value.key_cert_sign
        purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(purposes) == [ca.DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca

    def test_names_the_official_in_utf8_with_diacritics(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        cert = _personal(authority, ca.new_key("EC-P256"))
        assert ca.subject_text(cert.subject) == (
            "UID=acc-1,CN=Lê Văn Cường,title=Giám đốc,O=Sở Tư pháp tỉnh Thanh Hóa,C=VN")
        parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        kinds = {atv["type"].native: atv["value"].chosen.__class__.__name__
                 for rdn in parsed.subject.chosen for atv in rdn}
        assert kinds["common_name"] == kinds["organization_name"] == "UTF8String"
        assert kinds["title"] == "UTF8String" and kinds["country_name"] == "PrintableString"

    def test_leaves_out_a_missing_position(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        name = ca.personal_name(full_name="Phạm Thị Dung", position=None,
                                agency_name="Sở Tư pháp tỉnh Thanh Hóa", account_id="acc-2")
        assert not name.get_attributes_for_oid(NameOID.TITLE)

    def test_points_to_the_crl_and_the_ca_certificate(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        cert = _personal(authority, ca.new_key("EC-P256"))
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [n.value for n in points[0].full_name or []] == [
            "https://dichvucong.thanhhoa.gov.vn/pki/crl"]
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        assert access[0].access_method == x509.AuthorityInformationAccessOID.CA_ISSUERS
        assert access[0].access_location.value == "https://dichvucong.thanhhoa.gov.vn/pki/ca.crt"

    def test_key_identifiers_link_it_to_the_ca(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        key = ca.new_key("RSA-2048")
        cert = _personal(authority, key)
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert ski == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ca_ski = authority[0].extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        assert aki.key_identifier == ca_ski.value.digest
        assert ca.key_algorithm_of(cert.public_key()) == "RSA-2048"

    def test_never_outlives_the_ca(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        key = ca.new_key("EC-P256")
        cert = _issue(authority, x509.Name([]), key.public_key(), timedelta(days=365 * 30))
        assert cert.not_valid_after_utc == authority[0].not_valid_after_utc


class TestOrganisationalCertificate:
    def test_names_the_agency_as_holder_and_organisation(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        name = ca.organisational_name(agency_name="Sở Tư pháp tỉnh Thanh Hóa",
                                      agency_id="H56.14")
        cert = _issue(authority, name, ca.new_key("EC-P256").public_key())
        assert ca.subject_text(cert.subject) == (
            "UID=H56.14,CN=Sở Tư pháp tỉnh Thanh Hóa,O=Sở Tư pháp tỉnh Thanh Hóa,C=VN")
        assert ca.common_name(cert) == "Sở Tư pháp tỉnh Thanh Hóa"


class TestCsr:
    @pytest.mark.parametrize(("key", "algorithm"), [
        (ec.generate_private_key(ec.SECP256R1()), "EC-P256"),
        (ec.generate_private_key(ec.SECP384R1()), "EC-P384"),
        (rsa.generate_private_key(public_exponent=65537, key_size=3072), "RSA-3072"),
    ])
    def test_only_its_public_key_is_taken(self, key: ca.PrivateKey, algorithm: str) -> None:
        public_key = ca.csr_public_key(_csr(key))
        assert public_key == key.public_key()
        assert ca.key_algorithm_of(public_key) == algorithm

    @pytest.mark.parametrize("pem", [
        "", "garbage", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
        "REQUEST-----\n", "-----BEGIN CERTIFICATE REQUEST-----\n" + "é" * 50])
    def test_garbage_is_refused(self, pem: str) -> None:
        with pytest.raises(ca.CsrRefused) as refused:
            ca.csr_public_key(pem)
        assert refused.value.code == "invalid_csr"

    def test_a_csr_whose_signature_does_not_match_is_refused(self) -> None:
        pem = _csr(ec.generate_private_key(ec.SECP256R1()))
        csr = x509.load_pem_x509_csr(pem.encode())
        der = bytearray(csr.public_bytes(serialization.Encoding.DER))
        der[-3] ^= 0x01  # inside the signature
        forged = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)
        with pytest.raises(ca.CsrRefused) as refused:
            ca.csr_public_key(forged.decode())
        assert refused.value.code == "invalid_csr"

    @pytest.mark.parametrize("key", [
        ec.generate_private_key(ec.SECP521R1()),
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
    ])
    def test_weak_or_unsupported_keys_are_refused(self, key: ca.PrivateKey) -> None:
        with pytest.raises(ca.CsrRefused) as refused:
            ca.csr_public_key(_csr(key))
        assert refused.value.code == "unsupported_key"


class TestCrl:
    def test_lists_revocations_with_their_reasons(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        crl = ca.build_crl(authority[0], authority[1], [
            ca.Revocation("abc123", NOW - timedelta(hours=1), "key_compromise"),
            ca.Revocation("def456", NOW - timedelta(hours=2), "unspecified"),
        ], now=NOW)
        assert crl.is_signature_valid(authority[1].public_key())
        assert crl.issuer == authority[0].subject
        compromised = crl.get_revoked_certificate_by_serial_number(0xABC123)
        assert compromised is not None
        assert compromised.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
            x509.ReasonFlags.key_compromise)
        plain = crl.get_revoked_certificate_by_serial_number(0xDEF456)
        assert plain is not None and len(plain.extensions) == 0
        assert crl.next_update_utc == NOW + ca.CRL_VALIDITY

    def test_a_later_crl_has_a_greater_number(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        first = ca.build_crl(authority[0], authority[1], [], now=NOW)
        later = ca.build_crl(authority[0], authority[1], [], now=NOW + timedelta(seconds=1))
        numbers = [c.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
                   for c in (first, later)]
        assert numbers[0] < numbers[1]


class TestSignDigest:
    @pytest.mark.parametrize(("algorithm", "mechanism"), [("EC-P256", "ecdsa"),
                                                          ("RSA-2048", "rsa_pkcs1v15")])
    @pytest.mark.parametrize("digest_algorithm", ["sha256", "sha384", "sha512"])
    def test_the_signature_verifies_over_the_document(
        self, algorithm: ca.KeyAlgorithm, mechanism: str, digest_algorithm: ca.DigestAlgorithm
    ) -> None:
        key = ca.new_key(algorithm)
        digest = hashlib.new(digest_algorithm, b"Quyet dinh so 12/QD-UBND").digest()
        signature, used = ca.sign_digest(key, digest, digest_algorithm)
        assert used == mechanism
        assert ca.verify_digest(key.public_key(), signature, digest, digest_algorithm)
        other = hashlib.new(digest_algorithm, b"another document").digest()
        assert not ca.verify_digest(key.public_key(), signature, other, digest_algorithm)


class TestPkcs12:
    def test_opens_with_the_passphrase_and_holds_key_certificate_and_ca(
        self, authority: tuple[x509.Certificate, ca.PrivateKey]
    ) -> None:
        key = ca.new_key("EC-P256")
        cert = _personal(authority, key)
        bundle = ca.export_pkcs12(key, cert, authority[0], passphrase="mật khẩu dài 12+")
        opened = pkcs12.load_pkcs12(bundle, "mật khẩu dài 12+".encode())
        assert opened.cert is not None and opened.cert.certificate == cert
        assert opened.cert.friendly_name == "Lê Văn Cường".encode()
        assert opened.key is not None
        assert opened.key.public_key() == key.public_key()
        assert [c.certificate for c in opened.additional_certs] == [authority[0]]
        with pytest.raises(ValueError):
            pkcs12.load_pkcs12(bundle, b"wrong passphrase")


class TestSubtree:
    @pytest.mark.parametrize(("agency_id", "admin_agency_id", "covered"), [
        ("H56.14", "H56", True), ("H56.14", "H56.14", True), ("H56.14.01", "H56.14", True),
        ("H56.14", "H56.1", False), ("H56", "H56.14", False), ("H56.14", None, False),
        (None, "H56", False),
    ])
    def test_an_administrator_covers_their_agency_and_below(
        self, agency_id: str | None, admin_agency_id: str | None, covered: bool
    ) -> None:
        assert policy.covers(agency_id, admin_agency_id) is covered

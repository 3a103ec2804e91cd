"""The provincial CA's cryptography, with ``cryptography`` and no I/O: keys, the self-signed
CA certificate, signing certificates for officials (personal) and agencies (organisational),
certificates from a CSR, the CRL, raw signatures over a digest and PKCS#12 export.

Names are UTF8String so that Vietnamese names keep their diacritics (Thông tư 41/2017/TT-BTTTT
profile: C=VN, O=agency, CN=holder). Keys: ECDSA P-256 by default, RSA-2048 for old readers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KeyAlgorithm = Literal["EC-P256", "RSA-2048"]
DigestAlgorithm = Literal["sha256", "sha384", "sha512"]
SignatureAlgorithm = Literal["ecdsa", "rsa_pkcs1v15"]
RevocationReason = Literal["key_compromise", "affiliation_changed", "superseded",
                           "cessation_of_operation", "unspecified"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # RFC 9336
CA_VALIDITY = timedelta(days=20 * 365)
CRL_VALIDITY = timedelta(days=1)
PKCS12_KDF_ROUNDS = 100_000
HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512(),
}
REASON_FLAGS: dict[str, x509.ReasonFlags | None] = {
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "unspecified": None,  # RFC 5280 §5.3.1: leave the reason out rather than "unspecified"
}
RSA_SIZES = (2048, 3072, 4096)
_NAME_LABELS = {NameOID.TITLE: "title"}


class CsrRefused(ValueError):
    """A certificate signing request we will not certify; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Links:
    """Where relying parties fetch the CRL and the CA certificate (the public issuer URL)."""

    crl_url: str
    ca_url: str

    @classmethod
    def under(cls, issuer: str) -> Links:
        base = issuer.rstrip("/")
        return cls(crl_url=f"{base}/pki/crl", ca_url=f"{base}/pki/ca.crt")


@dataclass(frozen=True)
class Revocation:
    serial: str
    revoked_at: datetime
    reason: str | None


def new_key(algorithm: KeyAlgorithm) -> PrivateKey:
    if algorithm == "RSA-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def key_algorithm_of(public_key: object) -> str:
    """``EC-P256``, ``EC-P384`` or ``RSA-<bits>``; refuses anything weaker or exotic."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if isinstance(public_key.curve, ec.SECP256R1 | ec.SECP384R1):
            return f"EC-P{public_key.curve.key_size}"
    elif isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size in RSA_SIZES:
        return f"RSA-{public_key.key_size}"
    raise CsrRefused("unsupported_key", "Chỉ chứng thực khóa EC P-256/P-384 hoặc RSA "
                                        "2048/3072/4096 bit.")


def serial_hex(serial: int) -> str:
    return format(serial, "x")


def authority_serial(ca_name: str) -> int:
    """The CA certificate's serial, derived from its name: replicas starting together agree on
    it, so one insert wins and the others find that row (159 bits, positive)."""
    digest = hashlib.sha256(("provincial-ca:" + ca_name).encode()).digest()
    return int.from_bytes(digest[:20], "big") >> 1 or 1


def private_key_pem(key: PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def load_private_key(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise TypeError("unexpected key type in the certificate store")
    return key


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def subject_text(name: x509.Name) -> str:
    """RFC 4514, with ``title`` spelt out (cryptography prints its OID otherwise)."""
    return name.rfc4514_string(_NAME_LABELS)


def _name(*pairs: tuple[x509.ObjectIdentifier, str | None]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs if value])


def authority_name(ca_name: str) -> x509.Name:
    return _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, ca_name),
                 (NameOID.COMMON_NAME, ca_name))


def personal_name(*, full_name: str, position: str | None, agency_name: str,
                  account_id: str) -> x509.Name:
    return _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, agency_name),
                 (NameOID.TITLE, position), (NameOID.COMMON_NAME, full_name),
                 (NameOID.USER_ID, account_id))


def organisational_name(*, agency_name: str, agency_id: str) -> x509.Name:
    return _name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, agency_name),
                 (NameOID.COMMON_NAME, agency_name), (NameOID.USER_ID, agency_id))


def make_authority(ca_name: str, key: PrivateKey, *, serial: int,
                   now: datetime) -> x509.Certificate:
    """The self-signed root: may sign certificates and CRLs, with no CA below it."""
    name = authority_name(ca_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(serial)
        .not_valid_before(now).not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
    )
    return builder.sign(key, hashes.SHA256())


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=not cert_sign, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def issue(authority: x509.Certificate, authority_key: PrivateKey, *, subject: x509.Name,
          public_key: PublicKey, serial: int, now: datetime, validity: timedelta,
          links: Links) -> x509.Certificate:
    """A signing certificate (not a CA): digital signature and non-repudiation, for documents
    (RFC 9336 documentSigning) and e-mail; never valid beyond the CA itself."""
    not_after = min(now + validity, authority.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(authority.subject)
        .public_key(public_key).serial_number(serial)
        .not_valid_before(now).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_id(authority), critical=False)
        .add_extension(_crl_distribution(links), critical=False)
        .add_extension(_authority_access(links), critical=False)
    )
    return builder.sign(authority_key, hashes.SHA256())


def _authority_key_id(authority: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = authority.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _crl_distribution(links: Links) -> x509.CRLDistributionPoints:
    point = x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(links.crl_url)],
                                   relative_name=None, reasons=None, crl_issuer=None)
    return x509.CRLDistributionPoints([point])


def _authority_access(links: Links) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess([x509.AccessDescription(
        x509.AuthorityInformationAccessOID.CA_ISSUERS,
        x509.UniformResourceIdentifier(links.ca_url))])


def csr_public_key(pem: str) -> PublicKey:
    """The public key of a well-formed, self-consistent CSR; its subject and extensions are
    ignored (the CA sets them from the account or agency)."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode("utf-8"))
        public_key = csr.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CsrRefused("invalid_csr", "CSR không phải yêu cầu chứng thực PEM hợp lệ.") from exc
    key_algorithm_of(public_key)  # before checking a signature made with an unsupported key
    if not _self_signed(csr):
        raise CsrRefused("invalid_csr", "Chữ ký của CSR không khớp với khóa của nó.")
    assert isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)
    return public_key


def _self_signed(csr: x509.CertificateSigningRequest) -> bool:
    try:
        return csr.is_signature_valid
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False


def build_crl(authority: x509.Certificate, authority_key: PrivateKey,
              revocations: list[Revocation], *, now: datetime) -> x509.CertificateRevocationList:
    """A complete CRL; its number is the issuing second, so successive CRLs count upwards."""
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(authority.subject)
        .last_update(now).next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(_authority_key_id(authority), critical=False)
    )
    for revocation in revocations:
        builder = builder.add_revoked_certificate(_revoked(revocation))
    return builder.sign(authority_key, hashes.SHA256())


def _revoked(revocation: Revocation) -> x509.RevokedCertificate:
    entry = (x509.RevokedCertificateBuilder().serial_number(int(revocation.serial, 16))
             .revocation_date(revocation.revoked_at))
    flag = REASON_FLAGS.get(revocation.reason or "unspecified")
    if flag is not None:
        entry = entry.add_extension(x509.CRLReason(flag), critical=False)
    return entry.build()


def sign_digest(key: PrivateKey, digest: bytes,
                algorithm: DigestAlgorithm) -> tuple[bytes, SignatureAlgorithm]:
    """A raw signature over an already computed digest: DER ECDSA, or RSA PKCS#1 v1.5 (what
    CMS/PAdES signers embed as the SignerInfo's signature)."""
    prehashed = utils.Prehashed(HASHES[algorithm])
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest, ec.ECDSA(prehashed)), "ecdsa"
    return key.sign(digest, padding.PKCS1v15(), prehashed), "rsa_pkcs1v15"


def verify_digest(public_key: PublicKey, signature: bytes, digest: bytes,
                  algorithm: DigestAlgorithm) -> bool:
    prehashed = utils.Prehashed(HASHES[algorithm])
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, digest, ec.ECDSA(prehashed))
        else:
            public_key.verify(signature, digest, padding.PKCS1v15(), prehashed)
    except InvalidSignature:
        return False
    return True


def export_pkcs12(key: PrivateKey, certificate: x509.Certificate, authority: x509.Certificate,
                  *, passphrase: str) -> bytes:
    """PKCS#12 with PBES2 (PBKDF2-SHA256, AES-256-CBC) and a SHA-256 MAC, not the legacy
    3DES/RC2 that many tools still default to."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        common_name(certificate).encode("utf-8"), key, certificate, [authority], encryption)


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")

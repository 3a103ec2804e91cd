"""Representations of the provincial CA's API. No private key ever appears in one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, Field

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from egov_shared.timeutil import to_vn
from svc_identity.models import Certificate
from svc_identity.pki.ca import DigestAlgorithm, KeyAlgorithm, RevocationReason, SignatureAlgorithm

CertificateKind = Literal["personal", "organisational"]
CertificateStatus = Literal["valid", "revoked", "expired"]
SERIAL_PATTERN = r"^[0-9A-Fa-f]{1,40}$"
MAX_CSR_LENGTH = 16_000


class CertificateRequest(BaseModel):
    """Personal: ``account_id`` of an official (the agency is theirs). Organisational:
    ``agency_id``. Without ``csr_pem`` the service makes the key and keeps it sealed."""

    kind: CertificateKind
    account_id: str | None = Field(default=None, min_length=1, max_length=36)
    agency_id: str | None = Field(default=None, max_length=AGENCY_ID_MAX_LENGTH,
                                  pattern=AGENCY_ID_PATTERN)
    key_algorithm: KeyAlgorithm | None = None
    csr_pem: str | None = Field(default=None, max_length=MAX_CSR_LENGTH,
                                description="PKCS#10 in PEM: only its public key is used.")


class RevocationRequest(BaseModel):
    reason: RevocationReason


class SignatureRequest(BaseModel):
    digest_algorithm: DigestAlgorithm
    digest: str = Field(max_length=200, description="Base64 of the digest to sign.")


class SignatureOut(BaseModel):
    signature: str = Field(description="Base64: DER ECDSA-Sig-Value or RSA PKCS#1 v1.5.")
    signature_algorithm: SignatureAlgorithm
    certificate_pem: str
    chain_pem: list[str] = Field(description="The issuing CA, up to the root.")


class Pkcs12Request(BaseModel):
    passphrase: str = Field(min_length=12, max_length=256)


class CertificateOut(BaseModel):
    serial: str
    kind: CertificateKind
    subject: str
    account_id: str | None
    agency_id: str | None
    key_algorithm: str
    not_before: datetime
    not_after: datetime
    issued_at: datetime
    status: CertificateStatus
    revoked_at: datetime | None
    revocation_reason: str | None
    certificate_pem: str
    key_held_by: Literal["service", "owner"]

    @classmethod
    def of(cls, row: Certificate, *, now: datetime) -> CertificateOut:
        return cls(
            serial=row.serial, kind=cast(CertificateKind, row.kind), subject=row.subject,
            account_id=row.account_id, agency_id=row.agency_id,
            key_algorithm=row.key_algorithm, not_before=_vn(row.not_before),
            not_after=_vn(row.not_after), issued_at=_vn(row.issued_at),
            status=status_of(row, now=now), revoked_at=to_vn(row.revoked_at),
            revocation_reason=row.revocation_reason, certificate_pem=row.certificate_pem,
            key_held_by="service" if row.private_key else "owner",
        )


def status_of(row: Certificate, *, now: datetime) -> CertificateStatus:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.not_after <= now else "valid"


def _vn(moment: datetime) -> datetime:
    shown = to_vn(moment)
    assert shown is not None
    return shown

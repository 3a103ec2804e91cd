"""The platform's event contracts: type, NATS subject, stream and payload schema.

Additive-only within a version: add optional fields freely; a breaking change is a new
``…v2`` type published beside the old one.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

# One JetStream stream per publishing context (DESIGN §4), plus the dead letters.
STREAMS: dict[str, list[str]] = {
    "IDENTITY": ["identity.>"],
    "DOSSIER": ["dossier.>"],
    "DOCFLOW": ["docflow.>"],
    "AXIS": ["axis.>"],
    "REPORTING": ["reporting.>"],
    "DEADLETTER": ["deadletter.>"],
}


class EventData(BaseModel):
    model_config = ConfigDict(extra="allow")


class AccountRegisteredV1(EventData):
    """A citizen, business or official account was created. No personal data travels."""

    account_id: str
    kind: Literal["citizen", "business", "official"]
    assurance_level: int
    agency_id: str | None = None
    registered_at: datetime


class AccountVerifiedV1(EventData):
    """An account reached level of assurance 2 (chip ID checked at the counter, or the national
    population database confirmed the declared identity)."""

    account_id: str
    kind: Literal["citizen", "business", "official"]
    assurance_level: int
    method: Literal["counter", "population_db"]
    verified_by: str | None = None
    agency_id: str | None = None
    verified_at: datetime


class AccountLockedV1(EventData):
    """Repeated wrong passwords locked an account until ``locked_until``."""

    account_id: str
    kind: Literal["citizen", "business", "official"]
    failed_attempts: int
    locked_until: datetime
    locked_at: datetime


class AccountDisabledV1(EventData):
    """An administrator disabled an account: it can no longer sign in."""

    account_id: str
    kind: Literal["citizen", "business", "official"]
    agency_id: str | None = None
    disabled_by: str | None = None
    disabled_at: datetime


class RoleChangedV1(EventData):
    """A role was granted to or revoked from an official, on the official's agency."""

    account_id: str
    role: str
    agency_id: str | None = None
    changed_by: str | None = None
    changed_at: datetime


class CertificateChangedV1(EventData):
    """A signing certificate of the provincial CA was issued or revoked. No key material."""

    serial: str
    kind: Literal["personal", "organisational"]
    account_id: str | None = None
    agency_id: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    reason: str | None = None
    changed_at: datetime


class DossierSubmittedV1(EventData):
    """A dossier was submitted (national status 1, or 2 when received at the counter)."""

    code: str
    procedure_code: str
    agency_id: str
    channel: Literal["online", "counter", "post"]
    status_code: int
    submitted_at: datetime
    due_at: datetime | None = None
    applicant_account_id: str | None = None


@dataclass(frozen=True)
class EventContract:
    type: str
    subject: str
    data_model: builtins.type[EventData]
    summary: str

    @property
    def stream(self) -> str:
        return stream_for_subject(self.subject)


ACCOUNT_REGISTERED = EventContract(
    "vn.egov.identity.account.registered.v1", "identity.account.registered",
    AccountRegisteredV1, "An account was registered.",
)
ACCOUNT_VERIFIED = EventContract(
    "vn.egov.identity.account.verified.v1", "identity.account.verified",
    AccountVerifiedV1, "An account was verified to level of assurance 2.",
)
ACCOUNT_LOCKED = EventContract(
    "vn.egov.identity.account.locked.v1", "identity.account.locked",
    AccountLockedV1, "An account was locked after repeated failed sign-ins.",
)
ACCOUNT_DISABLED = EventContract(
    "vn.egov.identity.account.disabled.v1", "identity.account.disabled",
    AccountDisabledV1, "An account was disabled by an administrator.",
)
ROLE_GRANTED = EventContract(
    "vn.egov.identity.role.granted.v1", "identity.role.granted",
    RoleChangedV1, "A role was granted to an official.",
)
ROLE_REVOKED = EventContract(
    "vn.egov.identity.role.revoked.v1", "identity.role.revoked",
    RoleChangedV1, "A role was revoked from an official.",
)
CERTIFICATE_ISSUED = EventContract(
    "vn.egov.identity.certificate.issued.v1", "identity.certificate.issued",
    CertificateChangedV1, "The provincial CA issued a signing certificate.",
)
CERTIFICATE_REVOKED = EventContract(
    "vn.egov.identity.certificate.revoked.v1", "identity.certificate.revoked",
    CertificateChangedV1, "The provincial CA revoked a signing certificate.",
)
DOSSIER_SUBMITTED = EventContract(
    "vn.egov.dossier.submitted.v1", "dossier.dossier.submitted",
    DossierSubmittedV1, "A dossier was submitted to an agency.",
)

CONTRACTS: dict[str, EventContract] = {c.type: c for c in (
    ACCOUNT_REGISTERED, ACCOUNT_VERIFIED, ACCOUNT_LOCKED, ACCOUNT_DISABLED, ROLE_GRANTED,
    ROLE_REVOKED, CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, DOSSIER_SUBMITTED,
)}


def contract_for_type(event_type: str) -> EventContract | None:
    return CONTRACTS.get(event_type)


def stream_for_subject(subject: str) -> str:
    context = subject.split(".", 1)[0]
    for name, subjects in STREAMS.items():
        if any(s.split(".", 1)[0] == context for s in subjects):
            return name
    raise ValueError(f"no stream carries subject {subject!r}")


def dead_letter_subject(durable: str) -> str:
    return f"deadletter.{durable}"

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
    online_level: str | None = None  # the procedure's: full (toàn trình), partial, info


class DossierChangedV1(EventData):
    """A dossier moved in its lifecycle (một cửa điện tử). What svc-reporting and the national
    portal sync need, and no personal data: the status before and after (national codes 1–10),
    the due time after the change and the kind of actor (never who)."""

    code: str
    agency_id: str
    procedure_code: str
    channel: Literal["online", "counter", "post"]
    online_level: str | None = None  # the procedure's: full (toàn trình), partial, info
    action: str
    status_code_before: int
    status_code: int
    at: datetime
    due_at: datetime | None = None
    actor_kind: str
    received_at: datetime | None = None
    to_agency_id: str | None = None  # handed_over: the unit that now holds the dossier
    amount: int | None = None  # payment_requested / payment_received: integer đồng
    outcome: Literal["approved", "rejected"] | None = None  # decided


class DossierReturnedV1(DossierChangedV1):
    """The result was returned (status 10): with the timeliness for the KPIs."""

    timeliness: Literal["early", "on_time", "late"]
    completed_at: datetime
    processing_working_hours: float  # office hours from receipt to return
    # The office hours the procedure's statutory duration allows from receipt (for "time
    # against the statutory time"); None from producers older than this field.
    statutory_working_hours: float | None = None


class DossierRatedV1(EventData):
    """The applicant rated a finished dossier (the 766 index's satisfaction group): scores
    1–5 per category, never the free-text comment."""

    code: str
    agency_id: str
    procedure_code: str
    channel: str
    scores: dict[str, int]  # category → 1 (rất không hài lòng) … 5 (rất hài lòng)
    average: float
    satisfied: bool  # average ≥ 4 (hài lòng or rất hài lòng)
    at: datetime


class DossierDocumentV1(EventData):
    """A component was digitised at the counter or reused from the applicant's data store, or
    an electronic result was issued into it (the 766 index's digitisation group). No personal
    data: no names, file names or digests."""

    code: str
    agency_id: str
    procedure_code: str
    component_code: str | None = None  # None for a result
    source: Literal["counter_scan", "datastore_reuse", "result"]
    to_datastore: bool = False  # also kept in the applicant's data store
    at: datetime


class DocumentChangedV1(EventData):
    """An official document moved a step (svc-docflow). Counts and times for reporting and
    partners; no subject line, no names, no content: a secret document's existence only."""

    document_id: str
    agency_id: str
    direction: Literal["outgoing", "incoming"]
    doc_type: str
    status: str
    urgency: str = "normal"
    secret: bool = False
    source: Literal["axis", "upload", "paper"] | None = None  # incoming only
    signed: bool | None = None  # carries valid digital signatures (outgoing: leader + agency)
    number: int | None = None
    notation: str | None = None
    recipients: int | None = None  # outgoing, issued: how many recipients
    unit_id: str | None = None  # assigned / progress / done: the unit concerned
    created_at: datetime | None = None  # drafted (outgoing) or received (incoming)
    at: datetime


class AuditRecordedV1(EventData):
    """A security-relevant action seen by another service (an official reading a dossier or a
    document, downloading a file, exporting a register or a report), for svc-identity's
    tamper-evident audit log. ``owner_id`` is the citizen account whose data it is, when known
    (a dossier's applicant): it is what lets a citizen see who read their dossiers."""

    action: str  # e.g. dossier.read, dossier.attachment_downloaded, report.exported
    actor_id: str | None = None
    actor_kind: str | None = None
    actor_name: str | None = None
    agency_id: str | None = None  # the actor's agency
    target_type: str | None = None
    target_id: str | None = None
    owner_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    at: datetime


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
DOSSIER_RECEIVED = EventContract(
    "vn.egov.dossier.received.v1", "dossier.dossier.received",
    DossierChangedV1, "A dossier was received (status 2).",
)
DOSSIER_REFUSED = EventContract(
    "vn.egov.dossier.refused.v1", "dossier.dossier.refused",
    DossierChangedV1, "A dossier was refused (status 3).",
)
DOSSIER_SUPPLEMENT_REQUESTED = EventContract(
    "vn.egov.dossier.supplement_requested.v1", "dossier.dossier.supplement_requested",
    DossierChangedV1, "A supplement was requested; the clock pauses (status 5).",
)
DOSSIER_SUPPLEMENTED = EventContract(
    "vn.egov.dossier.supplemented.v1", "dossier.dossier.supplemented",
    DossierChangedV1, "The applicant supplemented the dossier; the clock resumes.",
)
DOSSIER_HANDED_OVER = EventContract(
    "vn.egov.dossier.handed_over.v1", "dossier.dossier.handed_over",
    DossierChangedV1, "A dossier was handed over to another unit (status 4).",
)
DOSSIER_PAYMENT_REQUESTED = EventContract(
    "vn.egov.dossier.payment_requested.v1", "dossier.dossier.payment_requested",
    DossierChangedV1, "A financial obligation was requested (status 6).",
)
DOSSIER_PAYMENT_RECEIVED = EventContract(
    "vn.egov.dossier.payment_received.v1", "dossier.dossier.payment_received",
    DossierChangedV1, "The payment was received; processing resumes (status 4).",
)
DOSSIER_DECIDED = EventContract(
    "vn.egov.dossier.decided.v1", "dossier.dossier.decided",
    DossierChangedV1, "A dossier was decided; the result is ready (status 9).",
)
DOSSIER_RETURNED = EventContract(
    "vn.egov.dossier.returned.v1", "dossier.dossier.returned",
    DossierReturnedV1, "The result was returned (status 10).",
)
DOSSIER_WITHDRAWN = EventContract(
    "vn.egov.dossier.withdrawn.v1", "dossier.dossier.withdrawn",
    DossierChangedV1, "The applicant withdrew the dossier (status 7).",
)
DOSSIER_STOPPED = EventContract(
    "vn.egov.dossier.stopped.v1", "dossier.dossier.stopped",
    DossierChangedV1, "Processing was stopped (status 8).",
)
DOSSIER_APOLOGISED = EventContract(
    "vn.egov.dossier.apologised.v1", "dossier.dossier.apologised",
    DossierChangedV1, "A late dossier got an apology and a new appointed date (form 04).",
)

DOSSIER_RATED = EventContract(
    "vn.egov.dossier.rated.v1", "dossier.dossier.rated",
    DossierRatedV1, "The applicant rated a finished dossier (satisfaction).",
)
DOSSIER_COMPONENT_DIGITISED = EventContract(
    "vn.egov.dossier.component_digitised.v1", "dossier.dossier.component_digitised",
    DossierDocumentV1, "A component was digitised (scanned) at the counter.",
)
DOSSIER_COMPONENT_REUSED = EventContract(
    "vn.egov.dossier.component_reused.v1", "dossier.dossier.component_reused",
    DossierDocumentV1, "A component was reused from the applicant's data store.",
)
DOSSIER_RESULT_ISSUED = EventContract(
    "vn.egov.dossier.result_issued.v1", "dossier.dossier.result_issued",
    DossierDocumentV1, "An electronic result was returned into the applicant's data store.",
)

DOCUMENT_APPROVED = EventContract(
    "vn.egov.docflow.document.approved.v1", "docflow.document.approved",
    DocumentChangedV1, "A leader approved a draft outgoing document.",
)
DOCUMENT_SIGNED = EventContract(
    "vn.egov.docflow.document.signed.v1", "docflow.document.signed",
    DocumentChangedV1, "The leader signed an outgoing document digitally.",
)
DOCUMENT_ISSUED = EventContract(
    "vn.egov.docflow.document.issued.v1", "docflow.document.issued",
    DocumentChangedV1, "An outgoing document was numbered, sealed and issued.",
)
DOCUMENT_RECALLED = EventContract(
    "vn.egov.docflow.document.recalled.v1", "docflow.document.recalled",
    DocumentChangedV1, "An issued document was recalled (sender) or withdrawn (recipient).",
)
DOCUMENT_RECEIVED = EventContract(
    "vn.egov.docflow.document.received.v1", "docflow.document.received",
    DocumentChangedV1, "An incoming document arrived (axis, upload or paper scan).",
)
DOCUMENT_REGISTERED = EventContract(
    "vn.egov.docflow.document.registered.v1", "docflow.document.registered",
    DocumentChangedV1, "An incoming document got its arrival number.",
)
DOCUMENT_REFUSED = EventContract(
    "vn.egov.docflow.document.refused.v1", "docflow.document.refused",
    DocumentChangedV1, "An incoming document was refused (status 02).",
)
DOCUMENT_ASSIGNED = EventContract(
    "vn.egov.docflow.document.assigned.v1", "docflow.document.assigned",
    DocumentChangedV1, "A leader assigned an incoming document to units.",
)
DOCUMENT_COMPLETED = EventContract(
    "vn.egov.docflow.document.completed.v1", "docflow.document.completed",
    DocumentChangedV1, "The lead unit finished processing an incoming document.",
)
# The audit entries of the other contexts, consumed by svc-identity's audit log.
DOSSIER_AUDIT_RECORDED = EventContract(
    "vn.egov.dossier.audit.recorded.v1", "dossier.audit.recorded",
    AuditRecordedV1, "An official read or downloaded a dossier's data, or exported a register.",
)
DOCFLOW_AUDIT_RECORDED = EventContract(
    "vn.egov.docflow.audit.recorded.v1", "docflow.audit.recorded",
    AuditRecordedV1, "An official read an official document or downloaded its files.",
)
REPORTING_AUDIT_RECORDED = EventContract(
    "vn.egov.reporting.audit.recorded.v1", "reporting.audit.recorded",
    AuditRecordedV1, "An official exported a periodic report as a file.",
)
AUDIT_EVENTS: tuple[EventContract, ...] = (
    DOSSIER_AUDIT_RECORDED, DOCFLOW_AUDIT_RECORDED, REPORTING_AUDIT_RECORDED,
)

DOCFLOW_EVENTS: tuple[EventContract, ...] = (
    DOCUMENT_APPROVED, DOCUMENT_SIGNED, DOCUMENT_ISSUED, DOCUMENT_RECALLED, DOCUMENT_RECEIVED,
    DOCUMENT_REGISTERED, DOCUMENT_REFUSED, DOCUMENT_ASSIGNED, DOCUMENT_COMPLETED,
)

# The lifecycle contracts, one per action (svc_dossier.dossiers.state names them).
DOSSIER_LIFECYCLE: tuple[EventContract, ...] = (
    DOSSIER_RECEIVED, DOSSIER_REFUSED, DOSSIER_SUPPLEMENT_REQUESTED, DOSSIER_SUPPLEMENTED,
    DOSSIER_HANDED_OVER, DOSSIER_PAYMENT_REQUESTED, DOSSIER_PAYMENT_RECEIVED, DOSSIER_DECIDED,
    DOSSIER_RETURNED, DOSSIER_WITHDRAWN, DOSSIER_STOPPED, DOSSIER_APOLOGISED,
)

CONTRACTS: dict[str, EventContract] = {c.type: c for c in (
    ACCOUNT_REGISTERED, ACCOUNT_VERIFIED, ACCOUNT_LOCKED, ACCOUNT_DISABLED, ROLE_GRANTED,
    ROLE_REVOKED, CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, DOSSIER_SUBMITTED,
    *DOSSIER_LIFECYCLE, DOSSIER_RATED,
    DOSSIER_COMPONENT_DIGITISED, DOSSIER_COMPONENT_REUSED, DOSSIER_RESULT_ISSUED,
    *DOCFLOW_EVENTS, *AUDIT_EVENTS,
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

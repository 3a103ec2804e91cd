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
DOSSIER_SUBMITTED = EventContract(
    "vn.egov.dossier.submitted.v1", "dossier.dossier.submitted",
    DossierSubmittedV1, "A dossier was submitted to an agency.",
)

CONTRACTS: dict[str, EventContract] = {c.type: c for c in (ACCOUNT_REGISTERED, DOSSIER_SUBMITTED)}


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

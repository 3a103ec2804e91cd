"""Dossier representations (DESIGN §3 field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from egov_shared.agency import AGENCY_ID_PATTERN

Channel = Literal["online", "counter", "post"]


class Applicant(BaseModel):
    """The person a counter or postal dossier is for."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(pattern=r"^[0-9]{12}$")
    full_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)


class DossierSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(min_length=1, max_length=64)
    agency_id: str | None = Field(default=None, max_length=35, pattern=AGENCY_ID_PATTERN)
    form_data: dict[str, Any] = Field(default_factory=dict)
    channel: Channel = "online"
    applicant: Applicant | None = None


class PublicDossier(BaseModel):
    """What anyone with the code may see: status and dates, no personal data."""

    code: str
    procedure_code: str
    agency_id: str
    status_code: int
    status: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    timeliness: Literal["early", "on_time", "late"] | None


class Dossier(PublicDossier):
    channel: Channel
    applicant: Applicant | None
    form_data: dict[str, Any]

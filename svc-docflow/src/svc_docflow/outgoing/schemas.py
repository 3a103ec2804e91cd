"""Outgoing document representations (văn bản đi)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from egov_shared.agency import AGENCY_ID_PATTERN
from svc_docflow.common.types import Secrecy, Urgency

# An edXML OrganId: the legacy 13-character form (000.00.00.G22) or the current one.
ORGAN_ID_PATTERN = r"^[0-9A-Z.]{1,35}$"
UNIT_NOTATION_PATTERN = r"^[0-9A-Za-zĐđ]{1,30}$"


class RecipientIn(BaseModel):
    """Nơi nhận: an agency on the platform (``agency_id``), or an organ outside it reached
    through the national axis (``organ_id`` and its ``name``)."""

    model_config = ConfigDict(extra="forbid")

    agency_id: str | None = Field(default=None, max_length=35, pattern=AGENCY_ID_PATTERN)
    organ_id: str | None = Field(default=None, max_length=35, pattern=ORGAN_ID_PATTERN)
    name: str | None = Field(default=None, min_length=1, max_length=300)

    @model_validator(mode="after")
    def _one_address(self) -> RecipientIn:
        if (self.agency_id is None) == (self.organ_id is None):
            raise ValueError("give either agency_id or organ_id")
        if self.organ_id is not None and self.name is None:
            raise ValueError("an organ outside the platform needs its name")
        return self


class SignerIn(BaseModel):
    """The leader who will sign: their account id, and how the signature block reads."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(min_length=1, max_length=200, description="e.g. GIÁM ĐỐC")
    competence: str | None = Field(default=None, max_length=100,
                                   description="Thẩm quyền ký, e.g. KT. GIÁM ĐỐC, TM. UBND")


class DraftFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=500, description="Trích yếu")
    summary: str | None = Field(default=None, max_length=2000,
                                description="Short content (edXML Content)")
    body: str | None = Field(default=None, max_length=100_000,
                             description="The text printed on the rendered draft")
    urgency: Urgency = "normal"
    secrecy: Secrecy = "normal"
    due_date: date | None = Field(default=None, description="Hạn trả lời, if any")
    unit_notation: str | None = Field(default=None, pattern=UNIT_NOTATION_PATTERN,
                                      description="Công văn: the drafting unit (VP in UBND-VP)")
    signer: SignerIn | None = None
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=200)


class DraftCreate(DraftFields):
    doc_type: str = Field(min_length=1, max_length=8, description="common.types code: QĐ, CV …")


class DraftChange(BaseModel):
    """Fields left out stay as they are; ``recipients`` replaces the whole list."""

    model_config = ConfigDict(extra="forbid")

    doc_type: str | None = Field(default=None, min_length=1, max_length=8)
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=2000)
    body: str | None = Field(default=None, max_length=100_000)
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    due_date: date | None = None
    unit_notation: str | None = Field(default=None, pattern=UNIT_NOTATION_PATTERN)
    signer: SignerIn | None = None
    recipients: list[RecipientIn] | None = Field(default=None, max_length=200)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000, description="What to change")


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class UpdateBody(BaseModel):
    """Cập nhật (BussinessDocType 2): corrections of the metadata the recipients hold. The signed
    PDF cannot change: a changed text is a new document that replaces this one."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=2000)
    due_date: date | None = None
    urgency: Urgency | None = None


class SendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organ_ids: list[str] | None = Field(default=None, min_length=1, max_length=200,
                                        description="Default: every recipient")


class Signer(BaseModel):
    account_id: str
    name: str
    position: str
    competence: str | None = None


class Recipient(BaseModel):
    organ_id: str
    agency_id: str | None
    name: str
    external: bool
    status_code: str | None
    status: str | None
    status_description: str | None
    sent_at: datetime | None
    updated_at: datetime | None


class FileVersion(BaseModel):
    id: int
    kind: str
    name: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime


class HistoryEntry(BaseModel):
    action: str
    action_name: str
    from_status: str | None
    to_status: str | None
    actor_id: str | None
    actor_agency_id: str | None
    note: str | None
    data: dict[str, Any] | None
    at: datetime


class DocumentSummary(BaseModel):
    id: str
    agency_id: str
    direction: str
    status: str
    status_name: str
    doc_type: str
    type_name: str
    subject: str
    urgency: str
    secrecy: str
    number: int | None
    notation: str | None
    code: str | None = Field(description='Số và ký hiệu as printed: "01/QĐ-STP"')
    promulgation_date: date | None
    issued_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Document(DocumentSummary):
    summary: str | None
    body: str | None
    due_date: date | None
    unit_notation: str | None
    signer: Signer | None
    created_by: str
    register_id: str | None
    year: int | None
    external_id: str | None
    recipients: list[Recipient]
    files: list[FileVersion]
    history: list[HistoryEntry]

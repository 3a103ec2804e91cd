"""Request and response bodies of incoming documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN

UnitId = str
Note = str


class Refusal(BaseModel):
    reason: str = Field(min_length=3, max_length=2000, description="Lý do từ chối, gửi cho "
                        "bên gửi trong gói tin trạng thái 02.")


class Registration(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class Assignment(BaseModel):
    """Phân công: exactly one lead unit; units are agencies of the leader's subtree."""

    lead_unit_id: str = Field(max_length=AGENCY_ID_MAX_LENGTH, pattern=AGENCY_ID_PATTERN,
                              description="Đơn vị chủ trì")
    cooperating_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50,
                                               description="Đơn vị phối hợp")
    info_unit_ids: list[UnitId] = Field(default_factory=list, max_length=50,
                                        description="Đơn vị để biết")
    deadline: date | None = Field(default=None, description="Hạn xử lý; default: the "
                                  "sender's DueDate")
    note: str | None = Field(default=None, max_length=2000, description="Ý kiến chỉ đạo")


class ProgressNote(BaseModel):
    note: str | None = Field(default=None, max_length=4000)


class Contribution(BaseModel):
    note: str = Field(min_length=1, max_length=4000, description="Ý kiến phối hợp")
    done: bool = False


class AssignedUnit(BaseModel):
    unit_id: str
    role: Literal["lead", "cooperate", "info"]
    deadline: date | None
    status: str
    assigned_at: datetime
    done_at: datetime | None


class StoredFile(BaseModel):
    id: int
    kind: str
    name: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime


class IncomingDocument(BaseModel):
    id: str
    agency_id: str
    status: str
    status_name: str
    source: str | None
    doc_type: str
    doc_type_name: str | None
    subject: str
    summary: str | None
    urgency: str
    sender_organ_id: str | None
    sender_name: str | None
    code: str | None = Field(description="Số và ký hiệu as the sender wrote them")
    promulgation_date: date | None
    due_date: date | None
    external_id: str | None = Field(description="edXML DocumentId")
    signer_name: str | None
    signer_position: str | None
    steering_type: str | None
    received_at: datetime | None
    arrival_number: int | None
    arrival_year: int | None
    arrival_register_id: str | None
    refusal_reason: str | None
    processing_deadline: date | None
    overdue: bool
    signature_report: dict[str, Any] | None = Field(
        description="The signature check of the PDF(s): status valid | altered | untrusted | "
                    "revoked | unsigned | unreadable, and each signature found")
    extra: dict[str, Any] | None = None
    assignments: list[AssignedUnit] = Field(default_factory=list)
    files: list[StoredFile] = Field(default_factory=list)


class HistoryEntry(BaseModel):
    action: str
    from_status: str | None
    to_status: str | None
    actor_id: str | None
    actor_agency_id: str | None
    note: str | None
    data: dict[str, Any] | None
    at: datetime


class PaperDocument(BaseModel):
    """What the clerk types for a scanned paper document."""

    sender_name: str = Field(min_length=2, max_length=300)
    sender_organ_id: str | None = Field(default=None, max_length=35)
    code_number: str | None = Field(default=None, max_length=20)
    notation: str | None = Field(default=None, max_length=100)
    promulgation_date: date | None = None
    doc_type: str = Field(max_length=8)
    subject: str = Field(min_length=2, max_length=500)
    summary: str | None = Field(default=None, max_length=4000)
    urgency: Literal["normal", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"] = "normal"
    due_date: date | None = None
    agency_id: str | None = Field(default=None, max_length=AGENCY_ID_MAX_LENGTH,
                                  pattern=AGENCY_ID_PATTERN)

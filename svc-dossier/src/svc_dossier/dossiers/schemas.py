"""Dossier representations (DESIGN §3 field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

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


class Representative(BaseModel):
    """Người được ủy quyền: who files a counter or postal dossier for the applicant, with the
    authorisation they showed (a power of attorney, or the legal relationship)."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(pattern=r"^[0-9]{12}$")
    full_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    relationship: str | None = Field(default=None, max_length=100,
                                     description="e.g. cha, mẹ, người giám hộ")
    authorisation: str = Field(min_length=1, max_length=500, description=(
        "Giấy ủy quyền / văn bản ủy quyền shown at the counter: its number and date, or the "
        "legal basis (e.g. cha mẹ của người chưa thành niên)"))


class Contact(BaseModel):
    """Thông tin liên hệ: where an online applicant wants to hear about this dossier (email,
    Vietnamese mobile number). Used for notifications until the applicant saves preferences."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)


class DossierSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(min_length=1, max_length=64)
    agency_id: str | None = Field(default=None, max_length=35, pattern=AGENCY_ID_PATTERN)
    form_data: dict[str, Any] = Field(default_factory=dict)
    channel: Channel = "online"
    applicant: Applicant | None = None
    representative: Representative | None = Field(
        default=None, description="Counter and post only: who files it for the applicant")
    contact: Contact | None = Field(
        default=None, description="Online only: the email and mobile number to notify about "
                                  "this dossier (at the counter: the applicant's)")


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


class DecisionResult(BaseModel):
    """Kết quả giải quyết: the leader's decision, once the dossier is decided (status 9, 10)."""

    outcome: Literal["approved", "rejected"]
    result_note: str | None = Field(description="The result as text, for the applicant")
    result_file: str | None = Field(
        description="The electronic result: an attachment id of this dossier (download it "
                    "from its attachments), or a free reference")
    decided_at: datetime


class Dossier(PublicDossier):
    reception_agency_id: str | None = Field(
        default=None, description="Nơi tiếp nhận: the agency whose one-stop shop received the "
                                  "dossier and returns the result (the service centre), when "
                                  "not the responsible agency's own")
    channel: Channel
    applicant: Applicant | None
    representative: Representative | None = None
    contact: Contact | None = None
    form_data: dict[str, Any]
    result: DecisionResult | None = Field(
        default=None, description="Only in the single-dossier answer, once decided")
    rated_at: datetime | None = Field(
        default=None, description="Only in the single-dossier answer: when the applicant "
                                  "rated the service (GET …/rating then answers the rating)")


# Lifecycle action bodies. ``reason`` is part of what the applicant is told (forms 02, 03, 04);
# ``note`` is the officers' internal note, never shown to the applicant.
ReasonText = Annotated[str, Field(min_length=1, max_length=2000)]
NoteText = Annotated[str | None, Field(max_length=2000)]


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: NoteText = None


class Refusal(ActionBody):
    """Phiếu từ chối tiếp nhận (form 03)."""

    reason: ReasonText


class SupplementRequest(ActionBody):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02): once per dossier."""

    reason: ReasonText
    missing: list[str] = Field(min_length=1, max_length=50,
                               description="What the applicant must supply, one per item")


class Supplement(ActionBody):
    documents: list[str] = Field(default_factory=list, max_length=50,
                                 description="References of the documents supplied")


class HandOver(ActionBody):
    to_agency_id: str = Field(max_length=35, pattern=AGENCY_ID_PATTERN,
                              description="A unit inside the dossier agency's subtree")
    deadline_days: int = Field(ge=1, le=365, description="This hop's deadline, working days")


class PaymentRequest(ActionBody):
    amount: int | None = Field(default=None, gt=0, le=10_000_000_000,
                               description="VND (integer đồng); default: the procedure's fees")


class PaymentReceived(ActionBody):
    amount: int | None = Field(default=None, gt=0, le=10_000_000_000)
    reference: str | None = Field(default=None, max_length=64,
                                  description="Receipt or transaction reference")


class Decision(ActionBody):
    outcome: Literal["approved", "rejected"]
    result_file: str | None = Field(default=None, max_length=500,
                                    description="Reference of the electronic result file")
    result_note: str | None = Field(default=None, max_length=2000,
                                    description="The result as text, told to the applicant")


class Withdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class Stop(ActionBody):
    reason: ReasonText


class Apology(ActionBody):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (form 04)."""

    reason: ReasonText
    new_due_at: datetime = Field(description="The new appointed time (ISO 8601 with offset)")


class HistoryEntry(BaseModel):
    sequence: int
    action: str
    from_status: int | None
    to_status: int
    status: str
    actor_kind: str
    actor_id: str | None = Field(description="Hidden from the applicant for officers' actions")
    actor_agency_id: str | None
    reason: str | None
    note: str | None = Field(description="Officers' internal note; hidden from the applicant")
    data: dict[str, Any]
    at: datetime


class Hop(BaseModel):
    sequence: int
    from_agency_id: str
    to_agency_id: str
    received_at: datetime
    deadline_at: datetime
    handed_on_at: datetime | None


class DossierHistory(BaseModel):
    code: str
    entries: list[HistoryEntry]
    hops: list[Hop] = Field(description="Hand-overs between units (form 05)")

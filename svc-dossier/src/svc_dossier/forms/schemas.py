"""What each form says, independent of how it is drawn (render.py) or read (service.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

DossierForm = Literal["01", "02", "03", "04", "05"]
PROVINCE_PLACE = "Thanh Hóa"  # the dateline's place name


@dataclass(frozen=True)
class Issuer:
    """The agency header: the superior body on the first line, the agency under it."""

    superior: str
    name: str
    place: str = PROVINCE_PLACE


@dataclass(frozen=True)
class DossierFacts:
    code: str
    agency_id: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str | None = None
    applicant_phone: str | None = None
    applicant_email: str | None = None
    representative: str | None = None  # "Trần Văn Bình (cha; Cha của người chưa thành niên)"


@dataclass(frozen=True)
class Receipt:
    """Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    issuer: Issuer
    dossier: DossierFacts
    components: list[str]
    received_at: datetime
    due_at: datetime | None
    officer: str | None
    channel: str


@dataclass(frozen=True)
class SupplementSlip:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    issuer: Issuer
    dossier: DossierFacts
    requested_at: datetime
    reason: str
    missing: list[str]
    officer: str | None


@dataclass(frozen=True)
class RefusalSlip:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    issuer: Issuer
    dossier: DossierFacts
    refused_at: datetime
    reason: str
    officer: str | None


@dataclass(frozen=True)
class ApologySlip:
    """Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả."""

    issuer: Issuer
    dossier: DossierFacts
    apologised_at: datetime
    reason: str
    due_before: datetime | None
    new_due_at: datetime | None


HopOutcome = Literal["on_time", "late", "open", "open_late"]


@dataclass(frozen=True)
class HopLine:
    sequence: int
    from_unit: str
    to_unit: str
    received_at: datetime
    deadline_at: datetime
    handed_on_at: datetime | None
    outcome: HopOutcome


@dataclass(frozen=True)
class ControlSheet:
    """Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ: one line per hop."""

    issuer: Issuer
    dossier: DossierFacts
    received_at: datetime
    due_at: datetime | None
    hops: list[HopLine]
    completed_at: datetime | None = None
    timeliness: str | None = None


@dataclass(frozen=True)
class RegisterLine:
    code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    status: str
    timeliness: str | None


@dataclass(frozen=True)
class Register:
    """Mẫu 06 Sổ theo dõi hồ sơ: an agency's dossiers received in a period."""

    issuer: Issuer
    agency_id: str
    start: date
    end: date
    lines: list[RegisterLine] = field(default_factory=list)


@dataclass(frozen=True)
class Stamp:
    """The visible signature's text (DOMAIN §5): who signed and when, in Vietnam time."""

    signer: str
    signed_at: datetime
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in points on the last page


AnyForm = Receipt | SupplementSlip | RefusalSlip | ApologySlip | ControlSheet | Register

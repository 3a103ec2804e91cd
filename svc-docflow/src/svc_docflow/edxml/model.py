"""What an edXML package (QCVN 102:2016/BTTTT) carries, as plain values: no XML here.

Both directions meet in these dataclasses: ``build`` turns them into a package, ``parse`` turns a
package into them, and ``rules`` holds the checks both apply, so that we never send a package we
would refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from egov_shared.timeutil import VN_TZ

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"  # the national axis refuses packages whose envelope elements lack it

SUBJECT_MAX_CHARS = 500

PRIORITIES = {0: "thường", 1: "khẩn", 2: "thượng khẩn", 3: "hỏa tốc", 4: "hỏa tốc hẹn giờ"}
BUSINESS_DOC_TYPES = {0: "văn bản mới", 1: "thu hồi", 2: "cập nhật", 3: "thay thế"}
STATUS_CODES = {
    "01": "đã đến",
    "02": "từ chối tiếp nhận",
    "03": "đã tiếp nhận (vào sổ)",
    "04": "đã phân công",
    "05": "đang xử lý",
    "06": "hoàn thành",
    "13": "bên gửi đã thu hồi",
    "15": "đồng ý thu hồi/cập nhật",
    "16": "từ chối thu hồi/cập nhật",
}

_DATE_FORMAT = "%Y/%m/%d"
_TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"
# Some partner SDKs write day first (dd/MM/yyyy); the four-digit year makes it unambiguous.
_DATE_READS = ((re.compile(r"\d{4}/\d{2}/\d{2}", re.ASCII), "%Y/%m/%d"),
               (re.compile(r"\d{2}/\d{2}/\d{4}", re.ASCII), "%d/%m/%Y"))
_TIMESTAMP_READS = (
    (re.compile(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", re.ASCII), "%Y/%m/%d %H:%M:%S"),
    (re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", re.ASCII), "%d/%m/%Y %H:%M:%S"),
)


class PackageError(Exception):
    """A package we refuse (or would refuse to send).

    ``code`` is stable snake_case for problem+json; ``message`` is Vietnamese, for its detail;
    ``field`` names the edXML element at fault (``From/OrganId``) when there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Organ:
    organ_id: str
    organ_name: str
    organ_add: str | None = None
    email: str | None = None
    telephone: str | None = None
    website: str | None = None
    fax: str | None = None
    organization_in_charge: str | None = None  # cơ quan chủ quản, carried by most SDKs


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes
    description: str | None = None
    content_id: str | None = None  # without the "cid:" the manifest puts in front


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str
    timestamp: datetime  # aware, Vietnam time


@dataclass(frozen=True)
class ResponseFor:
    organ_id: str
    code: str  # "12/QĐ-STP": number and notation of the document answered
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class DocumentPackage:
    from_organ: Organ
    to_organs: tuple[Organ, ...]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: date
    type: int
    type_name: str
    subject: str
    content: str | None
    signer_competence: str | None
    signer_position: str | None
    signer_full_name: str | None
    due_date: date | None
    to_places: tuple[str, ...]
    priority: int
    steering_type: str | None
    document_id: str
    trace: tuple[TraceHeader, ...]
    business_doc_type: int
    business_reason: str | None
    attachments: tuple[Attachment, ...]
    response_for: tuple[ResponseFor, ...] = ()
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusPackage:
    from_organ: Organ
    response_for: ResponseFor
    status_code: str
    description: str | None
    timestamp: datetime  # aware, Vietnam time
    staff_department: str | None = None
    staff_name: str | None = None
    staff_email: str | None = None
    staff_mobile: str | None = None


def document_id(organ_id: str, promulgation_date: date, code_number: str,
                code_notation: str) -> str:
    """``{OrganId},{yyyy/MM/dd},{CodeNumber}/{CodeNotation}``: how the axis names a document."""
    return f"{organ_id},{format_date(promulgation_date)},{code_number}/{code_notation}"


def format_date(day: date) -> str:
    return day.strftime(_DATE_FORMAT)


def format_timestamp(moment: datetime) -> str:
    """Vietnam wall-clock time, to the second: the format carries no offset."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: edXML timestamps are Vietnam time, pass an aware one")
    return moment.astimezone(VN_TZ).strftime(_TIMESTAMP_FORMAT)


def read_date(text: str) -> date | None:
    """The date, or None when the text is not one (the caller knows which field it was)."""
    for pattern, fmt in _DATE_READS:
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                return None
    return None


def read_timestamp(text: str) -> datetime | None:
    for pattern, fmt in _TIMESTAMP_READS:
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=VN_TZ)
            except ValueError:
                return None
    return None

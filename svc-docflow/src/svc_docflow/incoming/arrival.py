"""What arrived, whatever the source (a package from the axis, a package file a clerk uploaded,
a scanned paper document and what the clerk typed), in one shape for the intake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from svc_docflow.common.types import CONG_VAN, TYPES, type_by_name
from svc_docflow.edxml import DocumentPackage
from svc_docflow.edxml.model import format_date

Source = Literal["axis", "upload", "paper"]
PDF = "application/pdf"
PRIORITY_URGENCY = {0: "normal", 1: "khan", 2: "thuong_khan", 3: "hoa_toc", 4: "hoa_toc_hen_gio"}


@dataclass(frozen=True)
class IncomingFile:
    name: str
    media_type: str
    content: bytes

    @property
    def is_pdf(self) -> bool:
        return self.media_type == PDF or self.content.startswith(b"%PDF-")


@dataclass(frozen=True)
class Arrival:
    agency_id: str  # the receiving agency
    source: Source
    doc_type: str
    subject: str
    sender_name: str
    files: tuple[IncomingFile, ...]
    sender_organ_id: str | None = None
    code_number: str | None = None
    notation: str | None = None
    promulgation_date: date | None = None
    summary: str | None = None
    urgency: str = "normal"
    due_date: date | None = None
    steering_type: str | None = None
    external_id: str | None = None  # the edXML DocumentId
    signer_name: str | None = None
    signer_position: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pdfs(self) -> list[IncomingFile]:
        return [f for f in self.files if f.is_pdf]


def doc_type_of(type_name: str | None, notation: str | None) -> str:
    """Our type code from the package's TypeName, else from the notation's first part
    (``QĐ-UBND`` → QĐ); a công văn otherwise (its notation names no type)."""
    found = type_by_name(type_name)
    if found:
        return found
    head = (notation or "").split("-")[0]
    return next((code for code, (_, abbr) in TYPES.items() if abbr and abbr == head), CONG_VAN)


def number_of(code_number: str | None) -> int | None:
    text = (code_number or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def arrival_of(package: DocumentPackage, agency_id: str, source: Source) -> Arrival:
    return Arrival(
        agency_id=agency_id, source=source,
        doc_type=doc_type_of(package.type_name, package.code_notation),
        subject=package.subject, sender_name=package.from_organ.organ_name,
        files=tuple(IncomingFile(a.name, a.content_type, a.content)
                    for a in package.attachments),
        sender_organ_id=package.from_organ.organ_id, code_number=package.code_number,
        notation=package.code_notation, promulgation_date=package.promulgation_date,
        summary=package.content, urgency=PRIORITY_URGENCY.get(package.priority, "normal"),
        due_date=package.due_date, steering_type=(package.steering_type or None),
        external_id=package.document_id, signer_name=package.signer_full_name,
        signer_position=package.signer_position, extra=_extra_of(package))


def _extra_of(package: DocumentPackage) -> dict[str, Any]:
    """What else the package carried, kept as sent."""
    return {
        "code_number": package.code_number, "type_name": package.type_name,
        "place": package.place, "signer_competence": package.signer_competence,
        "to_places": list(package.to_places), "priority": package.priority,
        "business_doc_type": package.business_doc_type,
        "business_reason": package.business_reason,
        "to_organs": [{"organ_id": o.organ_id, "organ_name": o.organ_name}
                      for o in package.to_organs],
        "response_for": [{"organ_id": r.organ_id, "code": r.code,
                          "promulgation_date": format_date(r.promulgation_date),
                          "document_id": r.document_id} for r in package.response_for],
    }

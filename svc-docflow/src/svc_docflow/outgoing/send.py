"""Sending on the document axis: one edXML package per document and business type, put into
the outbox once per recipient (``axis.<agency-id>.inbox`` for an agency on the platform,
``axis.<organ-id>.inbox`` for an organ outside it, which the axis relays to the national axis),
in the transaction that records it. Secret documents never travel on the axis (DOMAIN §5)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import Conflict
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from svc_docflow.common.types import TYPES, URGENCY_PRIORITY
from svc_docflow.edxml import (
    Attachment,
    DocumentPackage,
    Organ,
    PackageError,
    TraceHeader,
    build_document,
)
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.issuer import Issuer
from svc_docflow.outgoing.steps import is_secret

NEW, RECALL, UPDATE = 0, 1, 2  # edXML BussinessDocType (3, replace, is a new document)
# DocumentType/Type: partners write 1 for administrative documents (văn bản hành chính), which
# every NĐ 30 type is; TypeName carries the type itself.
ADMINISTRATIVE = 1


@dataclass(frozen=True)
class Dispatch:
    """What to send: the document as it is now, to whom, as which business type."""

    row: Row[Any]
    issuer: Issuer
    recipients: Sequence[Row[Any]]
    business_type: int
    reason: str | None
    pdf: bytes | None
    at: datetime
    max_bytes: int


def secret_refused() -> Conflict:
    return Conflict("Văn bản mật không được gửi qua trục liên thông văn bản.",
                    code="secret_not_on_axis")


def inbox_subject(recipient: Row[Any]) -> str:
    return f"axis.{recipient.agency_id or recipient.organ_id}.inbox"


def package_of(d: Dispatch) -> DocumentPackage:
    row, extra = d.row, d.row.extra or {}
    attachments = (Attachment(name=f"{row.number:02d}-{fold(row.notation)}.pdf",
                              content_type="application/pdf", content=d.pdf),) if d.pdf else ()
    return DocumentPackage(
        from_organ=Organ(d.issuer.agency.organ_id, d.issuer.agency.name),
        to_organs=tuple(Organ(r.organ_id, r.name) for r in d.recipients),
        code_number=f"{row.number:02d}", code_notation=row.notation, place=d.issuer.place,
        promulgation_date=row.promulgation_date, type=ADMINISTRATIVE,
        type_name=TYPES[row.doc_type][0], subject=row.subject, content=row.summary,
        signer_competence=extra.get("signer_competence"),
        signer_position=row.signer_position, signer_full_name=row.signer_name,
        due_date=row.due_date, to_places=tuple(r.name for r in d.recipients),
        priority=URGENCY_PRIORITY.get(row.urgency, 0), steering_type=None,
        document_id=row.external_id,
        trace=(TraceHeader(d.issuer.agency.organ_id, d.at),),
        business_doc_type=d.business_type, business_reason=d.reason, attachments=attachments)


def build(d: Dispatch) -> bytes:
    try:
        package = build_document(package_of(d))
    except PackageError as exc:
        raise Conflict(f"Không lập được gói tin edXML: {exc.message}", code="package_invalid",
                       extra={"field": exc.field}) from exc
    if len(package) > d.max_bytes:
        raise Conflict("Gói tin edXML vượt quá giới hạn của trục.", code="package_too_large",
                       extra={"limit": d.max_bytes, "size": len(package)})
    return package


async def dispatch(session: AsyncSession, outbox: Outbox, d: Dispatch) -> list[str]:
    """Puts the package into the outbox for every recipient and records each; answers the
    organ IDs it went to. Refuses a secret document (409 ``secret_not_on_axis``)."""
    if is_secret(d.row):
        raise secret_refused()
    if not d.recipients:
        return []
    package = build(d)
    payload, digest = package.decode("utf-8"), hashlib.sha256(package).hexdigest()
    ids = [str(uuid.uuid4()) for _ in d.recipients]
    await outbox.add_raw_to_many(session, payload=payload, messages=[
        (inbox_subject(recipient), message_id)
        for recipient, message_id in zip(d.recipients, ids, strict=True)])
    await repository.record_packages(session, [
        _package_row(d, recipient, message_id, digest, len(package))
        for recipient, message_id in zip(d.recipients, ids, strict=True)])
    return [r.organ_id for r in d.recipients]


def _package_row(d: Dispatch, recipient: Row[Any], message_id: str, digest: str,
                 size: int) -> dict[str, Any]:
    return {"id": message_id, "direction": "out", "kind": "document",
            "document_id": d.row.id, "external_id": d.row.external_id,
            "from_organ_id": d.issuer.agency.organ_id, "to_organ_id": recipient.organ_id,
            "business_type": d.business_type, "status_code": None, "sha256": digest,
            "size": size, "outcome": "sent", "reason": d.reason, "at": d.at}

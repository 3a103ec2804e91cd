"""A sender recalls (BussinessDocType 1) or updates (2) a document we received: before we have
finished with it, a recall marks it recalled and an update replaces its metadata and files,
both answered 15; once it is done (or was refused, or already recalled, for an update) the
answer is 16 with the reason. The package names the document by its DocumentId."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_docflow.axis import send
from svc_docflow.axis.context import AxisContext
from svc_docflow.common import history
from svc_docflow.edxml import DocumentPackage
from svc_docflow.incoming import repository
from svc_docflow.incoming.arrival import Arrival, arrival_of, number_of
from svc_docflow.incoming.service import Receipt, advance, refusal_of, store_file
from svc_docflow.incoming.signatures import check_pdfs
from svc_docflow.incoming.state import DESCRIPTIONS, RECALLABLE, Action, Status

RECALL, UPDATE = 1, 2
TOO_LATE = "Văn bản đã được xử lý xong, không thể thu hồi hay cập nhật."
NOTHING_TO_UPDATE = "Văn bản đã bị từ chối hoặc đã thu hồi, không còn để cập nhật."


class UnknownDocument(Exception):
    """The recall or update names a document this agency never received."""


async def recall_or_update(session: AsyncSession, ctx: AxisContext, package: DocumentPackage,
                           agency_id: str, source: str) -> Receipt:
    doc = await repository.find_external(session, agency_id, package.document_id, lock=True)
    if doc is None:
        raise UnknownDocument(package.document_id)
    reason = package.business_reason or None
    if package.business_doc_type == RECALL:
        return await _recall(session, ctx, doc, reason)
    return await _update(session, ctx, doc, arrival_of(package, agency_id, "axis"), reason,
                         source)


async def _recall(session: AsyncSession, ctx: AxisContext, doc: Row[Any],
                  reason: str | None) -> Receipt:
    if doc.status in (Status.RECALLED, Status.REFUSED):  # nothing left to stop: agree again
        await _answer(session, ctx, doc, "15", DESCRIPTIONS["15"], "recall_acknowledged", reason)
        return Receipt(doc.agency_id, "accepted", "15", doc.id, reason, replayed=True)
    if doc.status not in RECALLABLE:
        return await _decline(session, ctx, doc, TOO_LATE, "recall_declined")
    await advance(session, ctx, doc, Action.RECALL, actor=None, note=reason,
                  data={"business_doc_type": RECALL})
    return Receipt(doc.agency_id, "accepted", "15", doc.id, reason)


async def _update(session: AsyncSession, ctx: AxisContext, doc: Row[Any], arrival: Arrival,
                  reason: str | None, source: str) -> Receipt:
    if doc.status not in RECALLABLE:
        why = TOO_LATE if doc.status == Status.DONE else NOTHING_TO_UPDATE
        return await _decline(session, ctx, doc, why, "update_declined")
    broken = refusal_of(arrival, ctx.settings.max_pdf_bytes)
    if broken:
        return await _decline(session, ctx, doc, broken, "update_declined")
    report = await check_pdfs([(f.name, f.content) for f in arrival.pdfs],
                              identity_url=ctx.settings.identity_url,
                              max_age=ctx.settings.crl_cache_seconds,
                              trust_roots_file=ctx.settings.trust_roots_file)
    row = await repository.update_document(session, doc.id, **_metadata(arrival, report))
    main = arrival.pdfs[0]
    for item in arrival.files:
        await store_file(session, doc.id, item, main=item is main, paper=False, actor=None)
    await _answer(session, ctx, row, "15", DESCRIPTIONS["15"], "updated", reason,
                  data={"source": source, "files": [f.name for f in arrival.files]})
    return Receipt(doc.agency_id, "accepted", "15", doc.id, reason)


def _metadata(arrival: Arrival, report: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": arrival.subject[:500], "subject_folded": fold(arrival.subject)[:500],
        "summary": arrival.summary,
        "doc_type": arrival.doc_type, "urgency": arrival.urgency,
        "number": number_of(arrival.code_number), "due_date": arrival.due_date,
        "signer_name": (arrival.signer_name or None) and arrival.signer_name[:200],
        "signer_position": (arrival.signer_position or None) and arrival.signer_position[:200],
        "signature_report": report, "extra": arrival.extra or None, "updated_at": utcnow(),
    }


async def _decline(session: AsyncSession, ctx: AxisContext, doc: Row[Any], why: str,
                   action: str) -> Receipt:
    await _answer(session, ctx, doc, "16", why, action, why)
    return Receipt(doc.agency_id, "refused", "16", doc.id, why)


async def _answer(session: AsyncSession, ctx: AxisContext, doc: Row[Any], code: str,
                  description: str, action: str, note: str | None,
                  data: dict[str, Any] | None = None) -> None:
    await history.record(session, doc.id, action, actor=None, from_status=doc.status,
                         to_status=doc.status, note=note,
                         data={"status_code": code, **(data or {})})
    await send.answer(session, ctx, doc, code, description)


async def recall_notice(session: AsyncSession, doc: Row[Any], description: str | None) -> None:
    """Status 13 from the sender (bên gửi đã thu hồi): its notice, recorded with the copy we
    hold; the recall itself comes as a package with BussinessDocType 1."""
    await history.record(session, doc.id, "recall_notice", actor=None, from_status=doc.status,
                         to_status=doc.status, note=description, data={"status_code": "13"})

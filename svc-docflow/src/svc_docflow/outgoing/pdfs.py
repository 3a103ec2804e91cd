"""The draft's PDF: uploaded by the drafter, or rendered from the draft's fields (NĐ 30
layout). Either way it carries the empty fields the number, the date and the two signatures
fill later (``svc_docflow.pdf.layout``); an uploaded PDF without them gets them at the
places the NĐ 30 template gives (number under the issuer, date under the motto, signatures
above the signer's name at the foot of the last page)."""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import AppError, ValidationFailed
from svc_docflow.common import files
from svc_docflow.common.agencies import AgencyDirectory
from svc_docflow.common.types import CONG_VAN, SECRECY_LABELS, TYPES, URGENCY_LABELS, notation
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.issuer import Issuer, issuer_of
from svc_docflow.pdf import DraftView, layout_of, render_draft
from svc_docflow.pdf.layout import Placed, Placements, reserve
from svc_docflow.registers.numbering import issuer_notation_of, register_for

PDF_MAGIC = b"%PDF-"
DRAFT_NAME = "du-thao.pdf"
# A4 points, origin bottom left: the NĐ 30 template's number line and date line (first page)
# and signature space (last page), for uploads that have no fields.
NUMBER_BOX = (30 * mm, 245 * mm, 95 * mm, 252 * mm)
DATE_BOX = (105 * mm, 245 * mm, 195 * mm, 252 * mm)
SIGNATURE_BOX = (115 * mm, 40 * mm, 195 * mm, 72 * mm)


class PdfTooLarge(AppError):
    status, code, title = 413, "pdf_too_large", "PDF too large"


def not_a_pdf(why: str) -> ValidationFailed:
    return ValidationFailed(f"Tệp không phải PDF dùng được: {why}.", code="not_a_pdf")


async def checked_upload(content: bytes, limit: int) -> bytes:
    """The uploaded bytes with their fields: 413 ``pdf_too_large``; 422 ``not_a_pdf`` for
    anything pyHanko cannot open as an unencrypted PDF with pages."""
    if len(content) > limit:
        raise PdfTooLarge(f"Tệp PDF vượt quá {limit} byte.", extra={"limit": limit})
    if not content.startswith(PDF_MAGIC):
        raise not_a_pdf("không bắt đầu bằng %PDF-")
    return await asyncio.to_thread(_with_fields, content)


def _with_fields(content: bytes) -> bytes:
    try:
        pages = _page_count(content)
    except Exception as exc:  # hostile input: any parser failure is the client's file
        raise not_a_pdf("không đọc được") from exc
    try:
        layout_of(content)
        return content
    except ValueError:
        pass
    places = Placements(number=Placed(0, NUMBER_BOX), date=Placed(0, DATE_BOX),
                        signature=Placed(pages - 1, SIGNATURE_BOX))
    try:
        return reserve(content, places)
    except Exception as exc:
        raise not_a_pdf("không thêm được ô số, ngày và chữ ký") from exc


def _page_count(content: bytes) -> int:
    reader = PdfFileReader(BytesIO(content))
    if reader.encrypted:
        raise ValueError("encrypted")
    count = int(reader.root["/Pages"]["/Count"])
    if count < 1:
        raise ValueError("no pages")
    return count


async def store_upload(session: AsyncSession, row: Row[Any], content: bytes,
                       filename: str | None, actor: str) -> Row[Any]:
    stored = await files.store(session, row.id, "draft", filename or "du-thao-tai-len.pdf",
                               content, created_by=actor)
    await repository.set_values(session, row.id,
                                {"extra": {**(row.extra or {}), "pdf_source": "uploaded"}})
    return stored


async def outgoing_register(session: AsyncSession, issuer: Issuer,
                            row: Row[Any]) -> tuple[Row[Any], str]:
    """The register that numbers the document (created on the agency's first use, with the
    notation its name gives) and what follows the number ("QĐ-STP", "STP-VP")."""
    derived = issuer_notation_of(issuer.agency.name)
    chosen = await register_for(session, row.agency_id, "outgoing", row.doc_type,
                                issuer_notation=derived)
    return chosen, notation(row.doc_type, chosen.issuer_notation or derived, row.unit_notation)


async def render(session: AsyncSession, directory: AgencyDirectory, row: Row[Any],
                 actor: str) -> Row[Any]:
    """Renders the draft from its fields and stores it as the draft's PDF."""
    issuer = await issuer_of(directory, row.agency_id)
    _, notation_text = await outgoing_register(session, issuer, row)
    view = draft_view(row, issuer, notation_text,
                      [r.name for r in await repository.recipients_of(session, row.id)])
    content = await asyncio.to_thread(render_draft, view)
    stored = await files.store(session, row.id, "draft", DRAFT_NAME, content, created_by=actor)
    await repository.set_values(session, row.id,
                                {"extra": {**(row.extra or {}), "pdf_source": "rendered"}})
    return stored


def draft_view(row: Row[Any], issuer: Issuer, notation_text: str,
               recipients: list[str]) -> DraftView:
    extra = row.extra or {}
    return DraftView(
        issuer_parent=issuer.parent.name if issuer.parent else None,
        issuer_name=issuer.agency.name,
        type_name="" if row.doc_type == CONG_VAN else TYPES[row.doc_type][0],
        notation=notation_text, place=issuer.place, subject=row.subject,
        body=extra.get("body") or row.summary or "", recipients=recipients,
        signer_competence=extra.get("signer_competence"),
        signer_position=row.signer_position or "", signer_name=row.signer_name or "",
        urgency_label=URGENCY_LABELS.get(row.urgency),
        secrecy_label=SECRECY_LABELS.get(row.secrecy))


async def ensure_draft(session: AsyncSession, directory: AgencyDirectory, row: Row[Any],
                       actor: str) -> None:
    """Before review: an uploaded PDF stays; a rendered one is rendered again from the
    fields as they are now (they may have been edited since)."""
    if (row.extra or {}).get("pdf_source") != "uploaded":
        await render(session, directory, row, actor)

"""Rows → representations (times in Vietnam time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import to_vn
from svc_docflow.common import files, history
from svc_docflow.common.types import TYPES
from svc_docflow.edxml import STATUS_CODES
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.issuer import code_of
from svc_docflow.outgoing.schemas import (
    Document,
    DocumentSummary,
    FileVersion,
    HistoryEntry,
    Recipient,
    Signer,
)
from svc_docflow.outgoing.state import ACTION_NAMES, STATUS_NAMES


def summary_fields(row: Row[Any]) -> dict[str, Any]:
    code = code_of(row.number, row.notation) if row.number and row.notation else None
    return {
        "id": row.id, "agency_id": row.agency_id, "direction": row.direction,
        "status": row.status, "status_name": STATUS_NAMES.get(row.status, row.status),
        "doc_type": row.doc_type, "type_name": TYPES.get(row.doc_type, (row.doc_type, ""))[0],
        "subject": row.subject, "urgency": row.urgency, "secrecy": row.secrecy,
        "number": row.number, "notation": row.notation, "code": code,
        "promulgation_date": row.promulgation_date, "issued_at": to_vn(row.issued_at),
        "created_at": to_vn(row.created_at), "updated_at": to_vn(row.updated_at)}


def to_summary(row: Row[Any]) -> DocumentSummary:
    return DocumentSummary(**summary_fields(row))


def _signer(row: Row[Any]) -> Signer | None:
    if row.signer_id is None:
        return None
    return Signer(account_id=row.signer_id, name=row.signer_name or "",
                  position=row.signer_position or "",
                  competence=(row.extra or {}).get("signer_competence"))


def _recipient(r: Row[Any]) -> Recipient:
    return Recipient(organ_id=r.organ_id, agency_id=r.agency_id, name=r.name,
                     external=r.external, status_code=r.status_code,
                     status=STATUS_CODES.get(r.status_code) if r.status_code else None,
                     status_description=r.status_description, sent_at=to_vn(r.sent_at),
                     updated_at=to_vn(r.updated_at))


def to_version(f: Row[Any]) -> FileVersion:
    return FileVersion(id=f.id, kind=f.kind, name=f.name, media_type=f.media_type,
                       size=f.size, sha256=f.sha256, created_at=to_vn(f.created_at))


def _entry(h: Row[Any]) -> HistoryEntry:
    return HistoryEntry(action=h.action, action_name=ACTION_NAMES.get(h.action, h.action),
                        from_status=h.from_status, to_status=h.to_status, actor_id=h.actor_id,
                        actor_agency_id=h.actor_agency_id, note=h.note, data=h.data,
                        at=to_vn(h.at))


async def to_document(session: AsyncSession, row: Row[Any]) -> Document:
    """The document with its recipients and their statuses, its PDF versions, its history."""
    return Document(
        **summary_fields(row), summary=row.summary, body=(row.extra or {}).get("body"),
        due_date=row.due_date, unit_notation=row.unit_notation, signer=_signer(row),
        created_by=row.created_by, register_id=row.register_id, year=row.year,
        external_id=row.external_id,
        recipients=[_recipient(r) for r in await repository.recipients_of(session, row.id)],
        files=[to_version(f) for f in await files.listing(session, row.id)],
        history=[_entry(h) for h in await history.of(session, row.id)])

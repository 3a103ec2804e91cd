"""Rows to the API's representations (times in Vietnam time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import to_vn
from svc_docflow.axis.send import code_of
from svc_docflow.common import files
from svc_docflow.common.types import TYPES
from svc_docflow.incoming import repository
from svc_docflow.incoming.routing import today_vn
from svc_docflow.incoming.schemas import AssignedUnit, HistoryEntry, IncomingDocument, StoredFile
from svc_docflow.incoming.state import OPEN, STATUS_NAMES


def overdue(row: Row[Any]) -> bool:
    deadline = row.processing_deadline or row.due_date
    return row.status in OPEN and deadline is not None and deadline < today_vn()


def document_view(row: Row[Any], assignments: Sequence[Row[Any]] = (),
                  stored: Sequence[Row[Any]] = ()) -> IncomingDocument:
    return IncomingDocument(
        id=row.id, agency_id=row.agency_id, status=row.status,
        status_name=STATUS_NAMES.get(row.status, row.status), source=row.source,
        doc_type=row.doc_type, doc_type_name=TYPES.get(row.doc_type, (None, ""))[0],
        subject=row.subject, summary=row.summary, urgency=row.urgency,
        sender_organ_id=row.sender_organ_id, sender_name=row.sender_name,
        code=code_of(row) or None, promulgation_date=row.promulgation_date,
        due_date=row.due_date, external_id=row.external_id, signer_name=row.signer_name,
        signer_position=row.signer_position, steering_type=row.steering_type,
        received_at=to_vn(row.received_at), arrival_number=row.arrival_number,
        arrival_year=row.arrival_year, arrival_register_id=row.arrival_register_id,
        refusal_reason=row.refusal_reason, processing_deadline=row.processing_deadline,
        overdue=overdue(row), signature_report=row.signature_report, extra=row.extra,
        assignments=[assigned_view(a) for a in assignments],
        files=[file_view(f) for f in stored])


def assigned_view(row: Row[Any]) -> AssignedUnit:
    return AssignedUnit(unit_id=row.unit_id, role=row.role, deadline=row.deadline,
                        status=row.status, assigned_at=to_vn(row.assigned_at),
                        done_at=to_vn(row.done_at))


def file_view(row: Row[Any]) -> StoredFile:
    return StoredFile(id=row.id, kind=row.kind, name=row.name, media_type=row.media_type,
                      size=row.size, sha256=row.sha256, created_at=to_vn(row.created_at))


def history_view(row: Row[Any]) -> HistoryEntry:
    return HistoryEntry(action=row.action, from_status=row.from_status,
                        to_status=row.to_status, actor_id=row.actor_id,
                        actor_agency_id=row.actor_agency_id, note=row.note, data=row.data,
                        at=to_vn(row.at))


async def detail(session: AsyncSession, row: Row[Any]) -> IncomingDocument:
    """The document with its assignments and files (without their bytes)."""
    return document_view(row, await repository.assignments(session, row.id),
                         await files.listing(session, row.id))

"""Drafting and review of outgoing documents: draft → edit → submit → approve (or return).
Never commits (the request's unit of work does) and never talks to NATS."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden, ValidationFailed
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_docflow.common.agencies import AgencyDirectory
from svc_docflow.common.types import TYPES
from svc_docflow.outgoing import pdfs, repository
from svc_docflow.outgoing.issuer import resolve_recipients
from svc_docflow.outgoing.repository import DocumentFilter
from svc_docflow.outgoing.schemas import DraftChange, DraftCreate, SignerIn
from svc_docflow.outgoing.state import Action, Status
from svc_docflow.outgoing.steps import DOCUMENT_ROLES, check_step, load_visible, move, record


def check_type(doc_type: str) -> None:
    if doc_type not in TYPES:
        raise ValidationFailed(f"Loại văn bản {doc_type} không có trong danh mục NĐ 30.",
                               code="unknown_doc_type", extra={"doc_type": doc_type})


def _signer_columns(signer: SignerIn | None) -> dict[str, Any]:
    if signer is None:
        return {"signer_id": None, "signer_name": None, "signer_position": None}
    return {"signer_id": signer.account_id, "signer_name": signer.name,
            "signer_position": signer.position}


async def create_draft(session: AsyncSession, outbox: Outbox, directory: AgencyDirectory,
                       principal: Principal, body: DraftCreate) -> Row[Any]:
    """Access: clerks, leaders and processing officers, for their own agency."""
    if not principal.has_role(*DOCUMENT_ROLES) or principal.agency_id is None:
        raise Forbidden("Chỉ cán bộ của cơ quan mới soạn văn bản đi.",
                        code="action_not_allowed", extra={"action": "draft"})
    check_type(body.doc_type)
    recipients = await resolve_recipients(directory, principal.agency_id, body.recipients)
    now = utcnow()
    row = await repository.insert_document(session, {
        "id": str(uuid.uuid4()), "agency_id": principal.agency_id, "direction": "outgoing",
        "status": Status.DRAFT.value, "doc_type": body.doc_type, "subject": body.subject,
        "subject_folded": fold(body.subject)[:500], "summary": body.summary,
        "urgency": body.urgency, "secrecy": body.secrecy, "unit_notation": body.unit_notation,
        **_signer_columns(body.signer), "due_date": body.due_date,
        "created_by": principal.subject, "created_at": now, "updated_at": now,
        # The body text, the signer's competence; later where the draft PDF came from
        # (``pdf_source``: rendered | uploaded).
        "extra": {"body": body.body,
                  "signer_competence": body.signer.competence if body.signer else None}})
    await repository.replace_recipients(session, row.id, recipients)
    await record(session, outbox, row, "draft", actor=principal, from_status=None)
    return row


async def edit_draft(session: AsyncSession, outbox: Outbox, directory: AgencyDirectory,
                     principal: Principal, document_id: str, body: DraftChange) -> Row[Any]:
    """Access: the drafter or a clerk, while it is a draft."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    check_step(principal, row, Action.EDIT)
    given = body.model_dump(exclude_unset=True)
    if body.doc_type is not None:
        check_type(body.doc_type)
    if body.recipients is not None:
        rows = await resolve_recipients(directory, row.agency_id, body.recipients)
        await repository.replace_recipients(session, row.id, rows)
    moved = await move(session, row, Action.EDIT, _changed_columns(row, body, given))
    await record(session, outbox, moved, Action.EDIT, actor=principal, from_status=row.status,
                 data={"fields": sorted(given)})
    return moved


REQUIRED = ("doc_type", "subject", "urgency", "secrecy")  # null in a change leaves them as is
OPTIONAL = ("summary", "due_date", "unit_notation")  # null in a change clears them


def _changed_columns(row: Row[Any], body: DraftChange, given: dict[str, Any]) -> dict[str, Any]:
    values = {name: getattr(body, name) for name in OPTIONAL if name in given}
    values.update({name: getattr(body, name) for name in REQUIRED
                   if getattr(body, name) is not None})
    if "subject" in values:
        values["subject_folded"] = fold(values["subject"])[:500]
    extra = dict(row.extra or {})
    if "body" in given:
        extra["body"] = body.body
    if "signer" in given:
        values.update(_signer_columns(body.signer))
        extra["signer_competence"] = body.signer.competence if body.signer else None
    return {**values, "extra": extra}


async def submit(session: AsyncSession, outbox: Outbox, directory: AgencyDirectory,
                 principal: Principal, document_id: str, note: str | None) -> Row[Any]:
    """Access: the drafter or a clerk. The draft names its signer (422 ``signer_required``);
    a rendered draft is rendered again from its fields as they are now, an uploaded PDF
    stays."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    check_step(principal, row, Action.SUBMIT)
    if row.signer_id is None:
        raise ValidationFailed("Dự thảo chưa có người ký.", code="signer_required")
    await pdfs.ensure_draft(session, directory, row, principal.subject)
    moved = await move(session, row, Action.SUBMIT)
    await record(session, outbox, moved, Action.SUBMIT, actor=principal,
                 from_status=row.status, note=note)
    return moved


async def review(session: AsyncSession, outbox: Outbox, principal: Principal,
                 document_id: str, action: Action, note: str | None) -> Row[Any]:
    """Approve, or return to the drafter with a note. Access: leaders of the agency subtree."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    check_step(principal, row, action)
    moved = await move(session, row, action)
    await record(session, outbox, moved, action, actor=principal, from_status=row.status,
                 note=note)
    return moved


async def listed(session: AsyncSession, principal: Principal, *, direction: str | None,
                 status: str | None, doc_type: str | None, q: str | None, limit: int,
                 offset: int) -> Sequence[Row[Any]]:
    """Documents of the caller's agency subtree."""
    if principal.kind != "official" or principal.agency_id is None:
        return []
    where = DocumentFilter(agency_subtree=principal.agency_id, direction=direction,
                           status=status, doc_type=doc_type, q=q)
    return await repository.search(session, where, limit=limit, offset=offset)

"""After issue, on the sender's side: send again (BussinessDocType 0, to some or all
recipients), recall (1) and update (2). Each sends its package to the recipients in the
transaction that records the step; a secret document's steps send nothing (and an explicit
send is 409 ``secret_not_on_axis``). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import ValidationFailed
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_docflow.common import files
from svc_docflow.common.agencies import directory
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.issuer import Issuer, issuer_of
from svc_docflow.outgoing.schemas import UpdateBody
from svc_docflow.outgoing.send import NEW, RECALL, UPDATE, Dispatch, dispatch, secret_refused
from svc_docflow.outgoing.state import Action
from svc_docflow.outgoing.steps import check_step, is_secret, load_visible, move, record
from svc_docflow.settings import DocflowSettings


async def _issued_pdf(session: AsyncSession, row: Row[Any]) -> bytes | None:
    found = await files.latest(session, row.id, ["issued"])
    return bytes(found.content) if found is not None else None


def _chosen(recipients: Sequence[Row[Any]], organ_ids: list[str] | None) -> list[Row[Any]]:
    if organ_ids is None:
        return list(recipients)
    unknown = sorted(set(organ_ids) - {r.organ_id for r in recipients})
    if unknown:
        raise ValidationFailed("Không phải nơi nhận của văn bản: " + ", ".join(unknown),
                               code="unknown_recipient", extra={"organ_ids": unknown})
    return [r for r in recipients if r.organ_id in organ_ids]


async def _send(session: AsyncSession, outbox: Outbox, principal: Principal, row: Row[Any],
                dispatched: Dispatch) -> list[str]:
    sent = await dispatch(session, outbox, dispatched)
    if sent:
        await record(session, outbox, row, Action.SEND, actor=principal, from_status=row.status,
                     note=dispatched.reason,
                     data={"organ_ids": sent, "business_type": dispatched.business_type})
    return sent


async def send_again(session: AsyncSession, outbox: Outbox, settings: DocflowSettings,
                     principal: Principal, document_id: str,
                     organ_ids: list[str] | None) -> Row[Any]:
    """Access: clerks. The issued document to the recipients named (default: all)."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    if is_secret(row):
        raise secret_refused()
    check_step(principal, row, Action.SEND)
    recipients = _chosen(await repository.recipients_of(session, row.id), organ_ids)
    issuer = await issuer_of(directory(settings.identity_url), row.agency_id)
    moved = await move(session, row, Action.SEND)
    now = utcnow()
    sent = await _send(session, outbox, principal, moved, Dispatch(
        moved, issuer, recipients, NEW, None, await _issued_pdf(session, row), now,
        settings.max_package_bytes))
    await repository.mark_sent(session, row.id, sent, {"sent_at": now, "updated_at": now})
    return moved


async def recall(session: AsyncSession, outbox: Outbox, settings: DocflowSettings,
                 principal: Principal, document_id: str, reason: str) -> Row[Any]:
    """Access: clerks and leaders. issued → recalled; a recall package to every recipient."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    check_step(principal, row, Action.RECALL)
    issuer = await issuer_of(directory(settings.identity_url), row.agency_id)
    moved = await move(session, row, Action.RECALL)
    recipients = await repository.recipients_of(session, row.id)
    await record(session, outbox, moved, Action.RECALL, actor=principal, from_status=row.status,
                 note=reason, recipients=len(recipients))
    await _notify(session, outbox, principal, moved, issuer, recipients, RECALL, reason, None,
                  settings.max_package_bytes)
    return moved


async def update(session: AsyncSession, outbox: Outbox, settings: DocflowSettings,
                 principal: Principal, document_id: str, body: UpdateBody) -> Row[Any]:
    """Access: clerks and leaders. Corrects the subject, summary, due date or urgency of an
    issued document; an update package (with the issued PDF) to every recipient."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    check_step(principal, row, Action.UPDATE)
    values = _corrections(body)
    issuer = await issuer_of(directory(settings.identity_url), row.agency_id)
    moved = await move(session, row, Action.UPDATE, values)
    await record(session, outbox, moved, Action.UPDATE, actor=principal, from_status=row.status,
                 note=body.reason, data={"fields": sorted(k for k in values
                                                         if k != "subject_folded")})
    await _notify(session, outbox, principal, moved, issuer,
                  await repository.recipients_of(session, row.id), UPDATE, body.reason,
                  await _issued_pdf(session, row), settings.max_package_bytes)
    return moved


def _corrections(body: UpdateBody) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True, exclude={"reason"})
    values = {k: v for k, v in values.items() if v is not None or k == "due_date"}
    if not values:
        raise ValidationFailed("Không có thông tin nào để cập nhật.", code="nothing_to_update")
    if "subject" in values:
        values["subject_folded"] = fold(values["subject"])[:500]
    return values


async def _notify(session: AsyncSession, outbox: Outbox, principal: Principal, row: Row[Any],
                  issuer: Issuer, recipients: Sequence[Row[Any]], business_type: int,
                  reason: str, pdf: bytes | None, max_bytes: int) -> None:
    if is_secret(row) or not recipients:
        return
    await _send(session, outbox, principal, row, Dispatch(
        row, issuer, recipients, business_type, reason, pdf, utcnow(), max_bytes))

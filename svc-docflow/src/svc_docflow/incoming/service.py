"""Incoming documents (văn bản đến): the intake every source goes through, the clerk's
registration or refusal, and the one transition helper every later step uses (history, event,
status package to the sender, all in the caller's unit of work).

Never commits (the request's unit of work or the consumer's transaction does) and never talks
to NATS (the relay publishes the outbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound
from egov_shared.events.contracts import EventContract
from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_docflow.axis import send
from svc_docflow.axis.context import AxisContext
from svc_docflow.common import files, history
from svc_docflow.incoming import repository
from svc_docflow.incoming.arrival import Arrival, IncomingFile, number_of
from svc_docflow.incoming.signatures import check_pdfs
from svc_docflow.incoming.state import (
    DESCRIPTIONS,
    RECEIVED_EVENT,
    STATUS_NAMES,
    TRANSITIONS,
    Action,
    Status,
)
from svc_docflow.registers.numbering import issuing_now, register_for, take_number, vn_year

DOCUMENT_ROLES = ("clerk", "leader", "processing_officer")


@dataclass(frozen=True)
class Receipt:
    """What became of a document for one receiving agency: ``accepted`` (answered 01),
    ``refused`` (02), or a recall/update answered 15/16. ``replayed``: delivered before."""

    agency_id: str
    outcome: str
    status_code: str | None
    document_id: str | None = None
    reason: str | None = None
    replayed: bool = False


# ---- intake ----

async def receive(session: AsyncSession, ctx: AxisContext, arrival: Arrival, *,
                  actor: Principal | None) -> Receipt:
    """Validate and record what arrived: ``received`` and 01 to the sender, or, for a broken
    package, ``refused`` and 02 with the reason. Delivered twice: recorded once, same answer."""
    if arrival.external_id:
        existing = await repository.find_external(session, arrival.agency_id, arrival.external_id)
        if existing is not None:
            return replayed(existing)
    reason = refusal_of(arrival, ctx.settings.max_pdf_bytes)
    report = None if reason else await check_pdfs(
        [(f.name, f.content) for f in arrival.pdfs], identity_url=ctx.settings.identity_url,
        max_age=ctx.settings.crl_cache_seconds,
        trust_roots_file=ctx.settings.trust_roots_file)
    try:
        async with session.begin_nested():  # a concurrent delivery may win the unique key
            row = await repository.insert_document(session, _values(arrival, report, actor))
    except IntegrityError:
        existing = await repository.find_external(session, arrival.agency_id,
                                                  arrival.external_id or "")
        if existing is None:
            raise
        return replayed(existing)
    await _store_files(session, row.id, arrival, actor)
    await history.record(session, row.id, Action.RECEIVE.value, actor=actor, from_status=None,
                         to_status=Status.RECEIVED, data={"source": arrival.source})
    await publish(session, ctx, row, RECEIVED_EVENT)
    await send.answer(session, ctx, row, "01", DESCRIPTIONS["01"], staff=actor)
    if reason:
        row = await advance(session, ctx, row, Action.REFUSE, actor=actor, note=reason,
                            changes={"refusal_reason": reason})
        return Receipt(row.agency_id, "refused", "02", row.id, reason)
    return Receipt(row.agency_id, "accepted", "01", row.id)


def replayed(doc: Row[Any]) -> Receipt:
    refused = doc.status == Status.REFUSED
    return Receipt(doc.agency_id, "refused" if refused else "accepted", "02" if refused else "01",
                   doc.id, doc.refusal_reason, replayed=True)


def refusal_of(arrival: Arrival, max_pdf_bytes: int) -> str | None:
    """Why a package is broken beyond use (refused automatically); None when it is sound.
    Signatures never refuse on their own: the clerk reads the report and decides."""
    if not arrival.pdfs:
        return "Gói tin không có tệp PDF của văn bản."
    big = next((f for f in arrival.pdfs if len(f.content) > max_pdf_bytes), None)
    if big is not None:
        return f"Tệp {big.name} vượt giới hạn {max_pdf_bytes} byte."
    return None


def _values(arrival: Arrival, report: dict[str, Any] | None,
            actor: Principal | None) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": str(uuid.uuid4()), "agency_id": arrival.agency_id, "status": Status.RECEIVED,
        "doc_type": arrival.doc_type, "subject": arrival.subject[:500],
        "subject_folded": fold(arrival.subject)[:500], "summary": arrival.summary,
        "urgency": arrival.urgency, "secrecy": "normal",
        "created_by": actor.subject if actor else arrival.source, "created_at": now,
        "updated_at": now, "number": number_of(arrival.code_number),
        "notation": (arrival.notation or None) and arrival.notation[:100],
        "promulgation_date": arrival.promulgation_date, "due_date": arrival.due_date,
        "external_id": arrival.external_id, "source": arrival.source,
        "sender_organ_id": arrival.sender_organ_id, "sender_name": arrival.sender_name[:300],
        "received_at": now, "signature_report": report,
        "steering_type": (arrival.steering_type or None) and arrival.steering_type[:30],
        "signer_name": (arrival.signer_name or None) and arrival.signer_name[:200],
        "signer_position": (arrival.signer_position or None) and arrival.signer_position[:200],
        "extra": arrival.extra or None,
    }


async def _store_files(session: AsyncSession, document_id: str, arrival: Arrival,
                       actor: Principal | None) -> None:
    main = arrival.pdfs[0] if arrival.pdfs else None
    for item in arrival.files:
        await store_file(session, document_id, item, main=item is main,
                         paper=arrival.source == "paper", actor=actor)


async def store_file(session: AsyncSession, document_id: str, item: IncomingFile, *,
                     main: bool, paper: bool, actor: Principal | None) -> None:
    kind = ("scan" if paper else "incoming") if main else "attachment"
    await files.store(session, document_id, kind, item.name[:255] or "van-ban.pdf",
                      item.content, media_type=item.media_type[:100] or "application/pdf",
                      created_by=actor.subject if actor else None)


# ---- who may see and act ----

def in_unit(principal: Principal, unit_id: str) -> bool:
    """An official of the unit (or below it), or one whose agency covers it."""
    own = principal.agency_id or ""
    return principal.covers_agency(unit_id) or own.startswith(unit_id + ".")


async def load_visible(session: AsyncSession, principal: Principal, document_id: str, *,
                       lock: bool = False) -> Row[Any]:
    """Officers of the receiving agency's subtree and of the units it is assigned to; for
    anyone else it does not exist (404)."""
    doc = await repository.get(session, document_id, lock=lock)
    if doc is not None and principal.kind == "official":
        if principal.covers_agency(doc.agency_id):
            return doc
        units = [a.unit_id for a in await repository.assignments(session, doc.id)]
        if any(in_unit(principal, unit) for unit in units):
            return doc
    raise NotFound(f"Không có văn bản đến {document_id}.", code="document_not_found")


def is_officer(principal: Principal) -> bool:
    """Steps are taken by officers; an administrator reads but takes none (README)."""
    return principal.has_role(*DOCUMENT_ROLES)


def require_clerk(principal: Principal, doc: Row[Any]) -> None:
    if not (principal.has_role("clerk") and principal.covers_agency(doc.agency_id)):
        raise Forbidden("Văn thư của cơ quan nhận mới được vào sổ hay từ chối văn bản đến.",
                        code="clerk_only")


# ---- transitions ----

async def register(session: AsyncSession, ctx: AxisContext, principal: Principal,
                   document_id: str, note: str | None) -> Row[Any]:
    """The arrival number from the agency's incoming register (yearly, gap-free) → 03."""
    doc = await load_visible(session, principal, document_id, lock=True)
    require_clerk(principal, doc)
    check(doc, Action.REGISTER)
    chosen = await register_for(session, doc.agency_id, "incoming", doc.doc_type)
    year = vn_year(issuing_now(ctx.settings))
    number = await take_number(session, chosen.id, year)
    changes = {"arrival_register_id": chosen.id, "arrival_year": year, "arrival_number": number}
    return await advance(session, ctx, doc, Action.REGISTER, actor=principal, note=note,
                         changes=changes, data={"register_id": chosen.id, "number": number})


async def refuse(session: AsyncSession, ctx: AxisContext, principal: Principal,
                 document_id: str, reason: str) -> Row[Any]:
    doc = await load_visible(session, principal, document_id, lock=True)
    require_clerk(principal, doc)
    return await advance(session, ctx, doc, Action.REFUSE, actor=principal, note=reason,
                         changes={"refusal_reason": reason})


def check(doc: Row[Any], action: Action) -> None:
    if doc.status not in TRANSITIONS[action].sources:
        name = STATUS_NAMES.get(doc.status, doc.status)
        raise Conflict(f"Văn bản đang ở trạng thái «{name}»: không thể {action.value}.",
                       code="illegal_transition",
                       extra={"current_status": doc.status, "action": action.value})


async def advance(session: AsyncSession, ctx: AxisContext, doc: Row[Any], action: Action, *,
                  actor: Principal | None, changes: dict[str, Any] | None = None,
                  note: str | None = None, data: dict[str, Any] | None = None,
                  unit_id: str | None = None, answer: bool = True) -> Row[Any]:
    """Move ``doc`` by ``action``: the row, its history, its event and the status package."""
    check(doc, action)
    step = TRANSITIONS[action]
    row = await repository.update_document(session, doc.id, status=step.target,
                                           updated_at=utcnow(), **(changes or {}))
    await history.record(session, doc.id, action.value, actor=actor, from_status=doc.status,
                         to_status=step.target, note=note, data=data)
    if step.event is not None:
        await publish(session, ctx, row, step.event, unit_id=unit_id)
    if answer and step.status_code:
        description = note if action == Action.REFUSE and note else DESCRIPTIONS[step.status_code]
        await send.answer(session, ctx, row, step.status_code, description, staff=actor)
    return row


async def publish(session: AsyncSession, ctx: AxisContext, row: Row[Any],
                  contract: EventContract, *, unit_id: str | None = None) -> None:
    """Counts and times only: no subject line, no names (DocumentChangedV1)."""
    report = row.signature_report or {}
    await ctx.outbox.add(session, contract, subject=row.id, agency=row.agency_id, data={
        "document_id": row.id, "agency_id": row.agency_id, "direction": "incoming",
        "doc_type": row.doc_type, "status": row.status, "urgency": row.urgency,
        "secret": row.secrecy != "normal", "source": row.source,
        "signed": report.get("status") == "valid", "number": row.arrival_number,
        "unit_id": unit_id, "created_at": row.received_at, "at": utcnow()})

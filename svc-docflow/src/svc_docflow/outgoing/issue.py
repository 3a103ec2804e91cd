"""Issuing (ban hành) a signed document, by the clerk, in two committed halves:

(a) the number: the register's counter row is locked from taking the number until this short
    transaction commits the document as ``numbered`` (with its number, notation, date and
    DocumentId); nothing remote happens meanwhile;
(b) the number and date are written into the PDF, svc-identity seals it with the agency's
    certificate, and one transaction commits it ``issued`` with the packages for its
    recipients in the outbox (none for a secret document).

A failure in (b) leaves the document ``numbered`` with its number; issuing again resumes at
(b). This is the one use case that opens its own units of work (the request's would hold the
counter lock through the remote signature); each commits before the next step starts, and
the relay is woken when one wrote to the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import ServiceRuntime, unit_of_work
from egov_shared.auth import Principal
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.common import files
from svc_docflow.common.agencies import directory
from svc_docflow.edxml import document_id as edxml_document_id
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.issuer import Issuer, code_of, date_text, issuer_of, number_text
from svc_docflow.outgoing.pdfs import outgoing_register
from svc_docflow.outgoing.send import NEW, Dispatch, dispatch
from svc_docflow.outgoing.signing import agency_seal, signing_moment
from svc_docflow.outgoing.state import Action, Status
from svc_docflow.outgoing.steps import (
    check_step,
    illegal,
    is_secret,
    load_visible,
    move,
    record,
    settings_of,
)
from svc_docflow.pdf import stamp_number
from svc_docflow.registers.numbering import issuing_now, take_number, vn_year

NUMBERED_NAME, ISSUED_NAME = "da-cap-so.pdf", "ban-hanh.pdf"


async def issue(runtime: ServiceRuntime, *, principal: Principal, token: str | None,
                document_id: str) -> Row[Any]:
    """Access: clerks of the document's agency subtree; from ``signed`` (both halves) or
    ``numbered`` (the second)."""
    settings = settings_of(runtime)
    async with unit_of_work(runtime) as session:
        row = await load_visible(session, principal, document_id, outgoing=True)
        check_step(principal, row, Action.NUMBER if row.status == Status.SIGNED else Action.ISSUE)
    issuer = await issuer_of(directory(settings.identity_url), row.agency_id)
    if row.status == Status.SIGNED:
        async with unit_of_work(runtime) as session:
            row = await number(session, runtime.outbox, principal, row, issuer,
                               issuing_now(settings))
    async with unit_of_work(runtime) as session:
        pdf = await numbered_pdf(session, principal, row, issuer)
    sealed = await agency_seal(settings.identity_url, token, row.agency_id, issuer.agency.name,
                               pdf, signing_moment())
    async with unit_of_work(runtime) as session:
        return await finish(session, runtime.outbox, principal, row, issuer, sealed,
                            settings.max_package_bytes)


async def number(session: AsyncSession, outbox: Outbox, principal: Principal, row: Row[Any],
                 issuer: Issuer, now: datetime) -> Row[Any]:
    """(a): signed → numbered. The document is moved (and locked) first, then the counter
    row: every issuing transaction takes the two locks in that order."""
    register, notation = await outgoing_register(session, issuer, row)
    moved = await move(session, row, Action.NUMBER)
    day = now.astimezone(VN_TZ).date()
    taken = await take_number(session, register.id, vn_year(now))
    external_id = edxml_document_id(issuer.agency.organ_id, day, f"{taken:02d}", notation)
    numbered = await repository.set_values(session, moved.id, {
        "register_id": register.id, "year": vn_year(now), "number": taken,
        "notation": notation, "promulgation_date": day, "external_id": external_id})
    await record(session, outbox, numbered, Action.NUMBER, actor=principal,
                 from_status=row.status, data={"register_id": register.id, "number": taken,
                                               "code": code_of(taken, notation)})
    return numbered


async def numbered_pdf(session: AsyncSession, principal: Principal, row: Row[Any],
                       issuer: Issuer) -> bytes:
    """The leader-signed PDF with the number and the date written in (kept as a version of
    its own; an earlier attempt's is reused)."""
    done = await files.latest(session, row.id, ["numbered"])
    if done is not None:
        return bytes(done.content)
    signed = await files.latest(session, row.id, ["leader_signed"])
    if signed is None:
        raise illegal(Action.ISSUE, row.status)
    stamped = await stamp_number(signed.content, number_text=number_text(row.number, row.notation),
                                 date_text=date_text(issuer.place, row.promulgation_date))
    await files.store(session, row.id, "numbered", NUMBERED_NAME, stamped,
                      created_by=principal.subject)
    return stamped


async def finish(session: AsyncSession, outbox: Outbox, principal: Principal, row: Row[Any],
                 issuer: Issuer, sealed: bytes, max_package_bytes: int) -> Row[Any]:
    """(b), once sealed: numbered → issued, the sealed PDF, the packages, history, event."""
    now = utcnow()
    moved = await move(session, row, Action.ISSUE, {"issued_at": now})
    await files.store(session, row.id, "issued", ISSUED_NAME, sealed,
                      created_by=principal.subject)
    recipients = await repository.recipients_of(session, row.id)
    await record(session, outbox, moved, Action.ISSUE, actor=principal, from_status=row.status,
                 recipients=len(recipients))
    if recipients and not is_secret(moved):
        sent = await dispatch(session, outbox, Dispatch(
            moved, issuer, recipients, NEW, None, sealed, now, max_package_bytes))
        await repository.mark_sent(session, row.id, sent, {"sent_at": now, "updated_at": now})
        await record(session, outbox, moved, Action.SEND, actor=principal,
                     from_status=moved.status, data={"organ_ids": sent, "business_type": NEW})
    return moved

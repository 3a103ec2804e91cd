"""Status packages back to a document's sender, over the axis, in the unit of work of the
change they report (``Outbox.add_raw``; the relay publishes them): to an agency on the platform
on ``axis.<agency-id>.inbox``, to an organ outside it on ``axis.<organ-id>.inbox``, which the
bridge forwards to the national axis."""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.axis import repository
from svc_docflow.axis.context import AxisContext
from svc_docflow.edxml import Organ, ResponseFor, StatusPackage, build_status

log = structlog.get_logger("docflow.axis")

# An organ ID that is also a sound NATS subject (tokens of letters and digits): IDs read from
# hostile packages are never published on unless they are.
ORGAN_SUBJECT = re.compile(r"[0-9A-Za-z]{1,20}(\.[0-9A-Za-z]{1,20}){0,10}", re.ASCII)


def inbox_subject(key: str) -> str | None:
    """``axis.<key>.inbox``, or None when ``key`` cannot be a subject token sequence."""
    return f"axis.{key}.inbox" if len(key) <= 35 and ORGAN_SUBJECT.fullmatch(key) else None


def organ_of_inbox(subject: str) -> str | None:
    """The agency or organ ID an inbox subject addresses: ``axis.H56.16.inbox`` → ``H56.16``."""
    if not (subject.startswith("axis.") and subject.endswith(".inbox")):
        return None
    key = subject[len("axis."):-len(".inbox")]
    return key if inbox_subject(key) else None


async def our_organ(ctx: AxisContext, agency_id: str) -> Organ:
    agency = await ctx.directory.find(agency_id)
    if agency is None:
        return Organ(organ_id=agency_id, organ_name=agency_id)
    return Organ(organ_id=agency.organ_id, organ_name=agency.name)


async def subject_for(ctx: AxisContext, organ_id: str) -> str | None:
    agency = await ctx.directory.find(organ_id)
    return inbox_subject(agency.id if agency is not None else organ_id)


def code_of(doc: Row[Any]) -> str:
    """The answered document's number and notation as its sender wrote them (``12/QĐ-UBND``)."""
    number = (doc.extra or {}).get("code_number") or (str(doc.number) if doc.number else "")
    return f"{number}/{doc.notation}" if doc.notation else number


async def answer(session: AsyncSession, ctx: AxisContext, doc: Row[Any], code: str,
                 description: str, *, staff: Principal | None = None) -> None:
    """Send status ``code`` about incoming document ``doc`` to its sender (documents that did
    not come as a package have no DocumentId and nobody to answer)."""
    if not doc.external_id or not doc.sender_organ_id or doc.promulgation_date is None:
        return
    subject = await subject_for(ctx, doc.sender_organ_id)
    if subject is None:
        log.warning("status_not_sent", document=doc.id, reason="sender_id_not_addressable")
        return
    package = StatusPackage(
        from_organ=await our_organ(ctx, doc.agency_id),
        response_for=ResponseFor(organ_id=doc.sender_organ_id, code=code_of(doc),
                                 promulgation_date=doc.promulgation_date,
                                 document_id=doc.external_id),
        status_code=code, description=description, timestamp=utcnow().astimezone(VN_TZ),
        staff_name=staff.username if staff else None)
    await send_raw(session, ctx, subject, build_status(package), document_id=doc.id,
                   external_id=doc.external_id, status_code=code,
                   from_organ_id=package.from_organ.organ_id, to_organ_id=doc.sender_organ_id)


async def send_raw(session: AsyncSession, ctx: AxisContext, subject: str, data: bytes,
                   **logged: Any) -> None:
    await ctx.outbox.add_raw(session, subject=subject, payload=data.decode("utf-8"),
                             message_id=uuid.uuid4().hex)
    await repository.record(session, direction="out", kind="status", data=data,
                            outcome="sent", **logged)

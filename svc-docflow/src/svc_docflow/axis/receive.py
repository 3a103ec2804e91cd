"""One package in, whichever way it came (the inbound endpoint, the axis on NATS, a clerk's
upload): parsed as hostile XML, then a document goes to the intake of each receiving agency (or
to the recall/update of our copy) and a status package to the document it answers. Every
package is logged in ``axis_package`` with what became of it.

Packages that cannot be parsed raise ``PackageError`` and leave nothing behind; packages that
parse but name nothing of ours raise ``Refused`` after their refusal was logged, so that the
caller commits the log and answers 4xx."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden
from svc_docflow.axis import repository
from svc_docflow.axis.context import AxisContext
from svc_docflow.axis.statuses import UnknownStatusTarget, take_status
from svc_docflow.edxml import DocumentPackage, PackageError, StatusPackage, parse_package
from svc_docflow.incoming.arrival import arrival_of
from svc_docflow.incoming.recall import UnknownDocument, recall_or_update
from svc_docflow.incoming.service import Receipt, receive

NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3
AXIS_SCOPE = "axis"


@dataclass(frozen=True)
class Delivery:
    """How a package came: ``agency_id`` the agency it was addressed to (an inbox subject, a
    clerk's upload), or None to take it for each agency of the platform its To names."""

    source: Literal["axis", "upload"]
    agency_id: str | None = None
    caller: Principal | None = None


@dataclass(frozen=True)
class Outcome:
    kind: Literal["document", "status"]
    external_id: str
    business_type: int | None
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def replayed(self) -> bool:
        return bool(self.receipts) and all(r.replayed for r in self.receipts)


class Refused(Exception):
    """A sound package naming nothing of ours; logged as refused."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse(ctx: AxisContext, data: bytes) -> DocumentPackage | StatusPackage:
    package = parse_package(data, max_bytes=ctx.settings.max_package_bytes,
                            max_attachments=ctx.settings.max_attachments)
    _check_lengths(package)
    return package


def _check_lengths(package: DocumentPackage | StatusPackage) -> None:
    """What our columns hold: organ IDs of 35 characters (the 13-character legacy form and the
    current one fit), DocumentIds of 300."""
    organs = [package.from_organ]
    if isinstance(package, DocumentPackage):
        organs += list(package.to_organs)
        ids = [package.document_id]
    else:
        ids = [package.response_for.document_id]
    for organ in organs:
        if len(organ.organ_id) > 35:
            raise PackageError("invalid_field", "OrganId dài quá 35 ký tự.", "OrganId")
    if any(len(i) > 300 for i in ids):
        raise PackageError("invalid_field", "DocumentId dài quá 300 ký tự.", "DocumentId")


async def take(session: AsyncSession, ctx: AxisContext, data: bytes,
               delivery: Delivery) -> Outcome:
    package = parse(ctx, data)
    await _check_sender(ctx, package, delivery.caller)
    if isinstance(package, StatusPackage):
        return await _status(session, ctx, package, data)
    return await _document(session, ctx, package, data, delivery)


async def _check_sender(ctx: AxisContext, package: DocumentPackage | StatusPackage,
                        caller: Principal | None) -> None:
    """A partner system bound to an agency speaks for that agency's subtree only; the national
    axis (a client bound to none) for organs outside the platform only: agencies of the
    platform exchange over the platform's own axis."""
    if caller is None or caller.kind != "client":
        return
    agency = await ctx.directory.find(package.from_organ.organ_id)
    if caller.agency_id is not None:
        allowed = agency is not None and caller.covers_agency(agency.id)
    else:
        allowed = agency is None
    if not allowed:
        raise Forbidden("Hệ thống gửi không được gửi gói tin thay cho cơ quan này.",
                        code="sender_not_allowed",
                        extra={"organ_id": package.from_organ.organ_id})


async def _status(session: AsyncSession, ctx: AxisContext, package: StatusPackage,
                  data: bytes) -> Outcome:
    logged: dict[str, Any] = {"external_id": package.response_for.document_id,
                              "from_organ_id": package.from_organ.organ_id,
                              "status_code": package.status_code}
    outcome = Outcome("status", package.response_for.document_id, None)
    if await repository.accepted_before(session, data):
        await repository.record(session, direction="in", kind="status", data=data,
                                outcome="duplicate", **logged)
        return outcome
    try:
        receipts = await take_status(session, ctx, package)
    except UnknownStatusTarget:
        await repository.record(session, direction="in", kind="status", data=data,
                                outcome="refused", reason="unknown_document", **logged)
        raise Refused(404, "document_not_found", "Không có văn bản nào của chúng tôi mang "
                      f"DocumentId {package.response_for.document_id}.") from None
    for receipt in receipts:
        await repository.record(session, direction="in", kind="status", data=data,
                                outcome="accepted", document_id=receipt.document_id, **logged)
    outcome.receipts.extend(receipts)
    return outcome


async def _document(session: AsyncSession, ctx: AxisContext, package: DocumentPackage,
                    data: bytes, delivery: Delivery) -> Outcome:
    logged: dict[str, Any] = {"external_id": package.document_id,
                              "from_organ_id": package.from_organ.organ_id,
                              "business_type": package.business_doc_type}
    addressed = await _addressed(ctx, package)
    targets = [delivery.agency_id] if delivery.agency_id else addressed
    if delivery.source == "upload" and delivery.agency_id not in addressed:
        targets = []  # a clerk uploads what was sent to their own agency
    if not targets:
        await repository.record(session, direction="in", kind="document", data=data,
                                outcome="refused", reason="not_addressed_here", **logged)
        raise Refused(422, "not_addressed_here",
                      "Gói tin không gửi cho cơ quan nhận này (xem To).")
    outcome = Outcome("document", package.document_id, package.business_doc_type)
    for agency_id in targets:
        receipt = await _for_agency(session, ctx, package, agency_id, delivery)
        outcome.receipts.append(receipt)
        await repository.record(
            session, direction="in", kind="document", data=data, to_organ_id=agency_id,
            outcome="duplicate" if receipt.replayed else receipt.outcome,
            document_id=receipt.document_id, status_code=receipt.status_code,
            reason=receipt.reason, **logged)
    if all(r.document_id is None for r in outcome.receipts):
        raise Refused(404, "document_not_found", "Không có văn bản nào mang DocumentId "
                      f"{package.document_id} để thu hồi hay cập nhật.")
    return outcome


async def _addressed(ctx: AxisContext, package: DocumentPackage) -> list[str]:
    """The agencies of the platform among the package's To organs (by either ID form)."""
    found: list[str] = []
    for organ in package.to_organs:
        agency = await ctx.directory.find(organ.organ_id)
        if agency is not None and agency.id not in found:
            found.append(agency.id)
    return found


async def _for_agency(session: AsyncSession, ctx: AxisContext, package: DocumentPackage,
                      agency_id: str, delivery: Delivery) -> Receipt:
    if package.business_doc_type in (RECALL, UPDATE):
        try:
            return await recall_or_update(session, ctx, package, agency_id, delivery.source)
        except UnknownDocument:
            return Receipt(agency_id, "refused", None, None, "unknown_document")
    return await receive(session, ctx, arrival_of(package, agency_id, delivery.source),
                         actor=delivery.caller if delivery.source == "upload" else None)

"""Status packages that answer our outgoing documents (01–06, 13, 15, 16): the document by its
DocumentId (``external_id``), the recipient by the answering organ (its OrganId or agency ID);
the recipient's status, description and time are updated and the step goes to the history.
A status 13 about a document we received is its sender's recall notice, kept with our copy."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from svc_docflow.axis import repository
from svc_docflow.axis.context import AxisContext
from svc_docflow.common import history
from svc_docflow.edxml import StatusPackage
from svc_docflow.incoming import recall
from svc_docflow.incoming import repository as incoming
from svc_docflow.incoming.service import Receipt

log = structlog.get_logger("docflow.axis")
PROGRESS = ("01", "03", "04", "05", "06")  # a later step is never overwritten by an earlier


class UnknownStatusTarget(Exception):
    """No document of ours is answered by this status package."""


async def take_status(session: AsyncSession, ctx: AxisContext,
                      package: StatusPackage) -> list[Receipt]:
    keys = await _keys_of(ctx, package.from_organ.organ_id)
    external_id = package.response_for.document_id
    doc = await repository.outgoing_by_external_id(session, external_id)
    found = await repository.recipient(session, doc.id, keys) if doc is not None else None
    if doc is not None and found is not None:
        await _answered(session, doc, found, package)
        return [Receipt(doc.agency_id, "accepted", package.status_code, doc.id)]
    if package.status_code == "13":
        copies = await incoming.from_sender(session, external_id, keys)
        for copy in copies:
            await recall.recall_notice(session, copy, package.description)
        if copies:
            return [Receipt(c.agency_id, "accepted", "13", c.id) for c in copies]
    log.warning("status_for_unknown_document", document_id=external_id,
                organ_id=package.from_organ.organ_id, status_code=package.status_code)
    raise UnknownStatusTarget(external_id)


async def _keys_of(ctx: AxisContext, organ_id: str) -> list[str]:
    """Both IDs an organ on the platform goes by (``000.00.16.H56`` and ``H56.16``)."""
    agency = await ctx.directory.find(organ_id)
    keys = {organ_id}
    if agency is not None:
        keys |= {agency.id, agency.organ_id}
    return sorted(keys)


async def _answered(session: AsyncSession, doc: Row[Any], found: Row[Any],
                    package: StatusPackage) -> None:
    code = package.status_code
    if not _goes_back(found.status_code, code):
        await repository.update_recipient(session, doc.id, found.organ_id, status_code=code,
                                          description=package.description)
    await history.record(session, doc.id, "status_received", actor=None,
                         from_status=doc.status, to_status=doc.status, note=package.description,
                         data={"organ_id": found.organ_id, "status_code": code,
                               "staff": package.staff_name,
                               "at": package.timestamp.isoformat()})


def _goes_back(current: str | None, new: str) -> bool:
    """A 01 that overtook a 03 on the way must not undo it."""
    if current in PROGRESS and new in PROGRESS:
        return PROGRESS.index(new) < PROGRESS.index(str(current))
    return False

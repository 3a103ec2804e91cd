"""Kho dữ liệu điện tử của tổ chức, cá nhân: the applicant's personal data store.

Documents arrive from two places: a component digitised (scanned) at the counter, and the
electronic result of a dossier when it is returned (status 10). Both point at the blob the
dossier already holds (content-addressed: no copy of the bytes). A later dossier reuses a
stored document instead of a new upload (``attachments.service.reuse``). Digitisation, reuse
and issued results are published for the 766 index's digitisation group.

The owner is the applicant's account when the dossier has one (online submissions), else the
applicant's personal ID number (counter and postal submissions): such documents show in the
store of a citizen whose account carries that ID number and is verified (level of assurance 2),
since a self-declared account could claim anyone's number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden, NotFound, ValidationFailed
from egov_shared.events.contracts import DOSSIER_RESULT_ISSUED, EventContract
from egov_shared.messaging.outbox import Outbox
from svc_dossier.attachments import repository as attachments
from svc_dossier.datastore import repository
from svc_dossier.dossiers import repository as dossiers
from svc_dossier.procedures import repository as procedures

APPLICANT_KINDS = ("citizen", "business")
ID_NUMBER = re.compile(r"^\d{12}$")
ATTACHMENT_REFERENCE = re.compile(r"^\d{1,18}$")  # result_file naming a result attachment


def owner_of(principal: Principal) -> tuple[str, str | None]:
    """The caller's store: their account, plus their verified personal ID number."""
    if principal.kind not in APPLICANT_KINDS:
        raise Forbidden("Kho dữ liệu điện tử dành cho công dân và tổ chức; cán bộ không xem "
                        "kho của người khác.", code="datastore_for_applicants")
    verified = principal.kind == "citizen" and principal.assurance_level >= 2
    number = principal.username if verified and principal.username else None
    return principal.subject, number if number and ID_NUMBER.match(number) else None


async def documents(session: AsyncSession, principal: Principal, *, limit: int,
                    offset: int) -> Sequence[Row[Any]]:
    account, number = owner_of(principal)
    return await repository.owned(session, account, number, limit=limit, offset=offset)


async def own_document(session: AsyncSession, principal: Principal,
                       document_id: int) -> Row[Any]:
    """The caller's document, or 404 (also for someone else's)."""
    account, number = owner_of(principal)
    row = await repository.get_owned(session, document_id, account, number)
    if row is None:
        raise NotFound("Không có tài liệu này trong kho của bạn.", code="document_not_found")
    return row


def _owner_columns(dossier: Row[Any]) -> dict[str, str | None] | None:
    if dossier.applicant_account_id:
        return {"owner_account_id": dossier.applicant_account_id, "owner_id_number": None}
    number = dossier.applicant_id_number
    if number and ID_NUMBER.match(number):
        return {"owner_account_id": None, "owner_id_number": number}
    return None  # e.g. a business at the counter: no store to put it in


async def keep(session: AsyncSession, dossier: Row[Any], blob: Row[Any], *, title: str,
               source: str, at: datetime) -> Row[Any] | None:
    """Files an attachment's blob in the applicant's store; None when there is no owner."""
    owner = _owner_columns(dossier)
    if owner is None:
        return None
    return await repository.add(session, {
        **owner, "title": title, "component_code": blob.component_code,
        "procedure_code": dossier.procedure_code, "dossier_code": dossier.code,
        "source": source, "filename": blob.filename, "media_type": blob.media_type,
        "size": blob.size, "sha256": blob.sha256, "storage_key": blob.storage_key,
        "created_at": at,
    })


async def publish(session: AsyncSession, outbox: Outbox, contract: EventContract,
                  dossier: Row[Any], *, component: str | None, source: str,
                  to_datastore: bool, at: datetime) -> None:
    """Digitisation group events: no personal data (no names, file names or digests)."""
    await outbox.add(session, contract, subject=dossier.code, agency=dossier.agency_id, data={
        "code": dossier.code, "agency_id": dossier.agency_id,
        "procedure_code": dossier.procedure_code, "component_code": component,
        "source": source, "to_datastore": to_datastore, "at": at,
    })


# --- electronic results (called by the lifecycle) ------------------------------------------

async def check_result_file(session: AsyncSession, dossier: Row[Any],
                            result_file: str | None) -> None:
    """``decide`` may name an uploaded result attachment by its id; any other text stays a
    reference to a result kept elsewhere (a paper original, another system's number)."""
    if result_file is None or not ATTACHMENT_REFERENCE.match(result_file):
        return
    row = await attachments.get(session, dossier.id, int(result_file))
    if row is None or row.kind != "result":
        raise ValidationFailed("Tệp kết quả không phải là tệp kết quả đã tải lên của hồ sơ.",
                               code="result_file_not_found",
                               extra={"result_file": result_file})


async def issue_result(session: AsyncSession, outbox: Outbox, dossier: Row[Any], *,
                       at: datetime) -> None:
    """On return (status 10): an approved decision's uploaded result file goes into the
    applicant's store, and ``result_issued`` is published."""
    decision = await dossiers.last_action(session, dossier.id, "decide")
    data = (decision.data or {}) if decision is not None else {}
    reference = data.get("result_file")
    if data.get("outcome") != "approved" or not isinstance(reference, str) \
            or not ATTACHMENT_REFERENCE.match(reference):
        return
    result = await attachments.get(session, dossier.id, int(reference))
    if result is None:
        return
    procedure = await procedures.get(session, dossier.procedure_code)
    title = f"Kết quả: {procedure.name}" if procedure is not None else "Kết quả giải quyết"
    kept = await keep(session, dossier, result, title=title, source="result", at=at)
    await publish(session, outbox, DOSSIER_RESULT_ISSUED, dossier, component=None,
                  source="result", to_datastore=kept is not None, at=at)

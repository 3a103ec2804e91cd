"""Attachments per component (thành phần hồ sơ): upload, counter digitisation, reuse from the
personal data store, the electronic result; list, download, delete.

An upload is checked twice: once before its body is read (who, which status, which component,
how many copies, the size the client announces), in a short read-only session so no database
connection waits on a slow upload; then again, authoritatively, in the request's unit of work
with the dossier locked, after the body was spooled (size and SHA-256 while streaming, type
from the magic bytes). Only then is the blob put into the store and the row written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.events.contracts import DOSSIER_COMPONENT_DIGITISED, DOSSIER_COMPONENT_REUSED
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import utcnow
from svc_dossier.attachments import repository
from svc_dossier.attachments.storage import BlobStore, Spooled, safe_filename
from svc_dossier.datastore import service as datastore
from svc_dossier.dossiers import repository as dossiers
from svc_dossier.dossiers.service import can_see, load_visible
from svc_dossier.dossiers.state import STATUS_NAMES, Status
from svc_dossier.procedures import repository as procedures

# The applicant adds files before reception and while a supplement is pending; at the counter
# the one-stop officer scans them while receiving too; the result while processing.
APPLICANT_STATUSES = frozenset({Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED})
COUNTER_STATUSES = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED})
RESULT_STATUSES = frozenset({Status.PROCESSING})
DELETE_STATUSES = frozenset({Status.SUBMITTED})
RESULT_MEDIA_TYPES = ("application/pdf",)  # an electronic result is a (signed) PDF
RESULT_ROLES = ("leader", "processing_officer")


class AttachmentTooLarge(AppError):
    status, code, title = 413, "attachment_too_large", "Attachment too large"


@dataclass(frozen=True)
class Upload:
    component: str | None  # None: the dossier's electronic result
    filename: str | None
    declared_type: str | None
    digitised: bool = False


@dataclass(frozen=True)
class Plan:
    dossier: Row[Any]
    procedure: Row[Any]
    component: dict[str, Any] | None
    source: str
    limit: int
    media_types: tuple[str, ...]


def _is_applicant(principal: Principal, dossier: Row[Any]) -> bool:
    return principal.kind in datastore.APPLICANT_KINDS and \
        dossier.applicant_account_id == principal.subject


def _source(principal: Principal, dossier: Row[Any], upload: Upload) -> tuple[str, frozenset[int]]:
    """Who uploads what: the source recorded and the statuses that allow it."""
    if upload.component is None:
        if not principal.has_role(*RESULT_ROLES) or principal.kind != "official":
            raise Forbidden("Chỉ cán bộ xử lý hoặc lãnh đạo tải lên kết quả giải quyết.",
                            code="action_not_allowed")
        return "result", RESULT_STATUSES
    if _is_applicant(principal, dossier):
        if upload.digitised:
            raise Forbidden("Số hóa tại bộ phận một cửa do cán bộ thực hiện.",
                            code="digitisation_for_officers")
        return "upload", APPLICANT_STATUSES
    if principal.kind == "official" and principal.has_role("one_stop_officer"):
        return ("counter_scan" if upload.digitised else "upload"), COUNTER_STATUSES
    raise Forbidden("Bạn không thể đính kèm tệp vào hồ sơ này.", code="action_not_allowed")


def check_status(dossier: Row[Any], allowed: frozenset[int]) -> None:
    """409 ``attachments_closed`` unless the dossier's status is one of ``allowed``."""
    if dossier.status_code not in allowed:
        raise Conflict(f"Không thể thay đổi tệp đính kèm khi hồ sơ đang ở trạng thái "
                       f"“{STATUS_NAMES[dossier.status_code]}”.", code="attachments_closed",
                       extra={"current_status_code": dossier.status_code,
                              "current_status": STATUS_NAMES[dossier.status_code]})


def component_of(procedure: Row[Any], code: str) -> dict[str, Any]:
    for component in procedure.components or []:
        if component.get("code") == code:
            return dict(component)
    raise ValidationFailed(f"Thủ tục không có thành phần hồ sơ {code}.",
                           code="unknown_component", extra={"component": code})


async def _check_copies(session: AsyncSession, dossier: Row[Any],
                        component: dict[str, Any]) -> None:
    copies = int(component.get("copies", 1))
    if await repository.count_for_component(session, dossier.id, component["code"]) >= copies:
        raise Conflict(f"Thành phần {component['code']} đã đủ {copies} bản.",
                       code="too_many_copies", extra={"copies": copies})


async def visible_dossier(session: AsyncSession, principal: Principal, code: str, *,
                   lock: bool) -> Row[Any]:
    """The dossier ``code`` if ``principal`` may see it (else 404), locked for an update when
    ``lock``."""
    if not lock:
        return await load_visible(session, principal, code)
    row = await dossiers.get_for_update(session, code)
    if row is None or not can_see(principal, row):
        raise NotFound(f"Không có hồ sơ {code}.", code="dossier_not_found")
    return row


async def plan_upload(session: AsyncSession, principal: Principal, code: str, upload: Upload,
                      *, cap: int, lock: bool = False) -> Plan:
    """Every check that needs no body: 404, 403, 409, 422 before a byte is read."""
    dossier = await visible_dossier(session, principal, code, lock=lock)
    source, statuses = _source(principal, dossier, upload)
    check_status(dossier, statuses)
    procedure = await procedures.get(session, dossier.procedure_code)
    if procedure is None:  # the foreign key rules it out
        raise NotFound(f"Không có thủ tục {dossier.procedure_code}.", code="procedure_not_found")
    if upload.component is None:
        return Plan(dossier, procedure, None, source, cap, RESULT_MEDIA_TYPES)
    component = component_of(procedure, upload.component)
    await _check_copies(session, dossier, component)
    limit = min(cap, int(component.get("max_bytes") or cap))
    return Plan(dossier, procedure, component, source, limit,
                tuple(component.get("media_types") or RESULT_MEDIA_TYPES))


def check_media_type(plan: Plan, sniffed: str | None, declared: str | None) -> str:
    """The type the bytes announce must be one the component accepts; a declared type that
    contradicts it is refused too (a renamed file)."""
    if sniffed is None or sniffed not in plan.media_types:
        raise ValidationFailed("Định dạng tệp không được chấp nhận.",
                               code="unsupported_media_type",
                               extra={"accepted": list(plan.media_types), "detected": sniffed})
    known = declared is not None and declared != "application/octet-stream"
    if known and declared != sniffed:
        raise ValidationFailed("Loại tệp khai báo không khớp với nội dung tệp.",
                               code="media_type_mismatch",
                               extra={"declared": declared, "detected": sniffed})
    return sniffed


def too_large(limit: int) -> AttachmentTooLarge:
    return AttachmentTooLarge(f"Tệp vượt quá dung lượng cho phép ({limit} byte).",
                              extra={"max_bytes": limit})


async def record_upload(session: AsyncSession, outbox: Outbox, store: BlobStore, *,
                        principal: Principal, code: str, upload: Upload, spooled: Spooled,
                        cap: int) -> Row[Any]:
    """Checks again under the dossier's lock, stores the blob, writes the row; at the counter
    also files it in the applicant's store and publishes ``component_digitised``."""
    plan = await plan_upload(session, principal, code, upload, cap=cap, lock=True)
    if spooled.size > plan.limit:
        raise too_large(plan.limit)
    media_type = check_media_type(plan, spooled.media_type, upload.declared_type)
    key = await store.put(spooled)
    now = utcnow()
    row = await repository.add(session, {
        "dossier_id": plan.dossier.id, "component_code": upload.component,
        "kind": "result" if upload.component is None else "component", "source": plan.source,
        "filename": safe_filename(upload.filename, media_type), "media_type": media_type,
        "size": spooled.size, "sha256": spooled.sha256, "storage_key": key,
        "uploaded_by": principal.subject, "uploader_kind": principal.kind, "uploaded_at": now,
    })
    if plan.source == "counter_scan" and plan.component is not None:
        kept = await datastore.keep(session, plan.dossier, row, title=plan.component["name"],
                                    source="counter_scan", at=now)
        await datastore.publish(session, outbox, DOSSIER_COMPONENT_DIGITISED, plan.dossier,
                                component=upload.component, source="counter_scan",
                                to_datastore=kept is not None, at=now)
    return row


async def reuse(session: AsyncSession, outbox: Outbox, *, principal: Principal, code: str,
                component_code: str, document_id: int, cap: int) -> Row[Any]:
    """The applicant attaches a document of their own store: same blob, no new bytes."""
    dossier = await visible_dossier(session, principal, code, lock=True)
    if not _is_applicant(principal, dossier):
        raise Forbidden("Chỉ người nộp hồ sơ dùng lại giấy tờ trong kho của mình.",
                        code="not_the_applicant")
    check_status(dossier, APPLICANT_STATUSES)
    plan = await plan_upload(session, principal, code, Upload(component_code, None, None),
                             cap=cap)
    assert plan.component is not None  # a component upload always has one
    if not plan.component.get("reusable"):
        raise Conflict(f"Thành phần {component_code} không được dùng lại từ kho dữ liệu.",
                       code="component_not_reusable")
    document = await datastore.own_document(session, principal, document_id)
    if document.size > plan.limit:
        raise too_large(plan.limit)
    check_media_type(plan, document.media_type, None)
    now = utcnow()
    row = await repository.add(session, {
        "dossier_id": dossier.id, "component_code": component_code, "kind": "component",
        "source": "datastore_reuse", "filename": document.filename,
        "media_type": document.media_type, "size": document.size, "sha256": document.sha256,
        "storage_key": document.storage_key, "datastore_document_id": document.id,
        "uploaded_by": principal.subject, "uploader_kind": principal.kind, "uploaded_at": now,
    })
    await datastore.publish(session, outbox, DOSSIER_COMPONENT_REUSED, dossier,
                            component=component_code, source="datastore_reuse",
                            to_datastore=False, at=now)
    return row


async def listed(session: AsyncSession, principal: Principal, code: str) -> Sequence[Row[Any]]:
    dossier = await load_visible(session, principal, code)
    return await repository.for_dossier(session, dossier.id)


async def visible_attachment(session: AsyncSession, principal: Principal, code: str,
                             attachment_id: int) -> Row[Any]:
    dossier = await load_visible(session, principal, code)
    row = await repository.get(session, dossier.id, attachment_id)
    if row is None:
        raise NotFound("Không có tệp đính kèm này.", code="attachment_not_found")
    return row


async def delete(session: AsyncSession, principal: Principal, code: str,
                 attachment_id: int) -> None:
    """The applicant removes a file before reception. The blob stays: it is content-addressed
    and may be shared (the data store, another dossier)."""
    dossier = await visible_dossier(session, principal, code, lock=True)
    if not _is_applicant(principal, dossier):
        raise Forbidden("Chỉ người nộp hồ sơ xóa tệp trước khi hồ sơ được tiếp nhận.",
                        code="not_the_applicant")
    check_status(dossier, DELETE_STATUSES)
    row = await repository.get(session, dossier.id, attachment_id)
    if row is None:
        raise NotFound("Không có tệp đính kèm này.", code="attachment_not_found")
    await repository.remove(session, row.id)

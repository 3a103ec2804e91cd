"""Ký số kết quả: the leader signs the dossier's electronic result (an uploaded PDF) with their
own personal certificate, whose key svc-identity holds (remote signing with the leader's own
token, relayed, as the receipts' seal is). The signed PDF is kept as a new result attachment,
beside the unsigned one, so that the decision can name it; nothing is written when signing
fails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import anyio
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import AppError, Forbidden, NotFound, ServiceUnavailable
from egov_shared.timeutil import to_vn, utcnow
from svc_dossier.attachments import repository
from svc_dossier.attachments.service import RESULT_STATUSES, check_status, visible_dossier
from svc_dossier.attachments.storage import BlobStore, safe_filename, spool, spool_dir_of
from svc_dossier.forms.identity import Identity, SigningUnavailable
from svc_dossier.forms.schemas import Stamp
from svc_dossier.forms.signing import RemoteSigner, sign_pdf, signing_moment

SIGNER_ROLE = "leader"
# The visible signature, bottom right of the last page (points; A4 is 595 × 842).
STAMP_BOX = (330.0, 36.0, 565.0, 96.0)


class NotSignable(AppError):
    status, code, title = 409, "result_not_signable", "Result cannot be signed"


@dataclass(frozen=True)
class Caller:
    principal: Principal
    token: str | None
    identity_url: str


async def sign_result(session: AsyncSession, store: BlobStore, caller: Caller, code: str,
                      attachment_id: int) -> Row[Any]:
    """The signed copy of result ``attachment_id``, as a new result attachment."""
    principal = caller.principal
    dossier = await visible_dossier(session, principal, code, lock=True)
    if not (principal.has_role(SIGNER_ROLE) and principal.covers_agency(dossier.agency_id)):
        raise Forbidden("Chỉ lãnh đạo của cơ quan giải quyết hồ sơ ký số kết quả.",
                        code="leader_required")
    check_status(dossier, RESULT_STATUSES)
    result = await repository.get(session, dossier.id, attachment_id)
    if result is None:
        raise NotFound("Không có tệp đính kèm này.", code="attachment_not_found")
    if result.kind != "result" or result.media_type != "application/pdf":
        raise NotSignable("Chỉ ký số tệp kết quả giải quyết ở dạng PDF.",
                          extra={"attachment_id": attachment_id})
    pdf = await _read(store, result.storage_key)
    signed = await _signed(caller, pdf, reason=f"Phê duyệt kết quả giải quyết hồ sơ {code}")
    return await _keep(session, store, dossier, result, signed, principal)


async def _read(store: BlobStore, key: str) -> bytes:
    return await anyio.to_thread.run_sync(lambda: b"".join(store.read(key)))


async def _signed(caller: Caller, pdf: bytes, *, reason: str) -> bytes:
    try:
        async with Identity(caller.identity_url, caller.token) as identity:
            certificate = await identity.personal_certificate(caller.principal.subject)
            signer = RemoteSigner(identity, certificate["certificate_pem"],
                                  certificate["serial"], await identity.ca_pem())
            name = str(caller.principal.claims.get("name") or certificate["subject"])
            stamp = Stamp(signer=name, signed_at=signing_moment(to_vn(utcnow()) or utcnow()),
                          box=STAMP_BOX)
            return await sign_pdf(pdf, signer=signer, stamp=stamp, page=-1, reason=reason,
                                  location="Thanh Hóa")
    except SigningUnavailable as exc:
        if exc.reason == "identity_unavailable":
            raise ServiceUnavailable("Chưa ký được: dịch vụ chứng thư số không phản hồi.",
                                     code="signing_unavailable") from exc
        raise NotSignable("Chưa ký được: không có chứng thư số cá nhân còn hiệu lực để ký.",
                          extra={"reason": exc.reason}) from exc
    except (ValueError, KeyError) as exc:  # a PDF pyHanko cannot sign (damaged, encrypted)
        raise NotSignable("Tệp PDF không ký số được (hỏng hoặc bị mã hóa).",
                          extra={"reason": "unreadable_pdf"}) from exc


async def _keep(session: AsyncSession, store: BlobStore, dossier: Row[Any], result: Row[Any],
                signed: bytes, principal: Principal) -> Row[Any]:
    async def chunks() -> Any:
        yield signed

    spooled = await spool(chunks(), limit=len(signed), directory=spool_dir_of(store))
    key = await store.put(spooled)
    stem = PurePosixPath(result.filename).stem
    return await repository.add(session, {
        "dossier_id": dossier.id, "component_code": None, "kind": "result",
        "source": "signed", "filename": safe_filename(f"{stem}-ky-so.pdf", "application/pdf"),
        "media_type": "application/pdf", "size": spooled.size, "sha256": spooled.sha256,
        "storage_key": key, "uploaded_by": principal.subject, "uploader_kind": principal.kind,
        "uploaded_at": utcnow(),
    })

"""Signatures made with keys svc-identity keeps, asked for with the caller's own token (the
leader's for their personal certificate, the clerk's for the agency's seal): svc-identity
decides who may sign with which key. Nothing is written until the signature is made, so a
failure there changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import AppError, Conflict, Forbidden, ServiceUnavailable
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import utcnow
from svc_docflow.common import files
from svc_docflow.outgoing.state import Action
from svc_docflow.outgoing.steps import check_step, load_visible, move, record
from svc_docflow.pdf import IdentitySigner, SigningUnavailable, sign_agency, sign_leader

LEADER_SIGNED_NAME = "da-ky.pdf"


def signing_failed(exc: SigningUnavailable) -> AppError:
    """503 ``identity_unavailable``; 409 ``no_certificate``; 403 ``signing_refused``."""
    if exc.reason == "no_certificate":
        return Conflict("Không có chứng thư số còn hiệu lực để ký (svc-identity).",
                        code="no_certificate")
    if exc.reason == "signing_refused":
        return Forbidden("svc-identity từ chối ký bằng chứng thư số này.",
                         code="signing_refused")
    return ServiceUnavailable("Dịch vụ ký số (svc-identity) tạm thời không truy cập được; "
                              "văn bản chưa thay đổi, hãy thử lại.", code="identity_unavailable")


def not_signable(exc: Exception) -> Conflict:
    return Conflict("Tệp PDF của văn bản không có ô chữ ký.", code="pdf_not_signable")


def identity_session(identity_url: str, token: str | None) -> IdentitySigner:
    """A session with svc-identity on the caller's token, over the process's pooled
    connections to it (egov_shared.http.pooled)."""
    return IdentitySigner(identity_url, token)


def signing_moment() -> datetime:
    return utcnow().replace(microsecond=0)


async def leader_signature(identity_url: str, token: str | None, account_id: str, pdf: bytes,
                           row: Row[Any], signed_at: datetime) -> bytes:
    try:
        async with identity_session(identity_url, token) as identity:
            cert = await identity.personal_certificate(account_id)
            return await sign_leader(pdf, signer=identity.remote_signer(cert),
                                     name=row.signer_name or "",
                                     position=row.signer_position or "", signed_at=signed_at)
    except SigningUnavailable as exc:
        raise signing_failed(exc) from exc
    except ValueError as exc:
        raise not_signable(exc) from exc


async def agency_seal(identity_url: str, token: str | None, agency_id: str, agency_name: str,
                      pdf: bytes, signed_at: datetime) -> bytes:
    try:
        async with identity_session(identity_url, token) as identity:
            cert = await identity.agency_certificate(agency_id)
            return await sign_agency(pdf, signer=identity.remote_signer(cert),
                                     agency_name=agency_name, signed_at=signed_at)
    except SigningUnavailable as exc:
        raise signing_failed(exc) from exc
    except ValueError as exc:
        raise not_signable(exc) from exc


async def sign(session: AsyncSession, outbox: Outbox, *, identity_url: str, token: str | None,
               principal: Principal, document_id: str) -> Row[Any]:
    """Access: the leader the draft names as its signer, once approved."""
    row = await load_visible(session, principal, document_id, outgoing=True)
    if row.signer_id != principal.subject and principal.has_role("leader"):
        raise Forbidden("Văn bản này do lãnh đạo khác ký.", code="not_the_signer")
    check_step(principal, row, Action.SIGN)
    draft = await files.latest(session, row.id, ["draft"])
    if draft is None:
        raise Conflict("Văn bản chưa có tệp PDF.", code="no_pdf")
    signed = await leader_signature(identity_url, token, principal.subject, draft.content, row,
                                    signing_moment())
    moved = await move(session, row, Action.SIGN)
    stored = await files.store(session, row.id, "leader_signed", LEADER_SIGNED_NAME, signed,
                               created_by=principal.subject)
    await record(session, outbox, moved, Action.SIGN, actor=principal, from_status=row.status,
                 data={"file_id": stored.id})
    return moved

"""Online payment of a dossier's fees through the national payment platform.

The applicant opens a payment when the dossier asks for one (status 6): INIT gives the address
of the platform's payment page. The platform then calls back; a callback changes anything only
when its ``MaXacThuc`` verifies with the shared secret, its reference is ours, its amount and
currency are exactly what we asked, and it has not been applied before. Every callback is kept
in ``payment_notification`` with its outcome, whatever it was. QUERY reconciles a payment whose
callback never came.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ServiceUnavailable
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import utcnow
from svc_dossier.dossiers import lifecycle
from svc_dossier.dossiers import repository as dossier_repository
from svc_dossier.dossiers import service as dossiers
from svc_dossier.dossiers.state import Action, Status
from svc_dossier.payments import repository
from svc_dossier.payments.platform import PaymentPlatform
from svc_dossier.payments.protocol import (
    SUCCESS,
    InitRequest,
    Notification,
    QueryRequest,
    national_time,
)
from svc_dossier.procedures import repository as procedures

log = structlog.get_logger("svc_dossier.payments")


@dataclass(frozen=True)
class Urls:
    notify: str  # UrlThongBao: where the platform calls back
    back: str  # UrlTraVe: where the payer's browser comes back to


@dataclass(frozen=True)
class Verdict:
    """What a notification did: its outcome (kept in the trail), HTTP status, MaLoi."""

    outcome: str
    status: int
    code: str
    message: str

    @property
    def accepted(self) -> bool:
        return self.status < 400


async def amount_due(session: AsyncSession, dossier: Row[Any]) -> int:
    """What the officer asked for when requesting payment (integer đồng); the fees of the
    dossier's procedure if the request named no amount."""
    requested = await dossier_repository.last_action(session, dossier.id,
                                                     Action.REQUEST_PAYMENT.value)
    if requested is not None and (requested.data or {}).get("amount"):
        return int(requested.data["amount"])
    procedure = await procedures.get(session, dossier.procedure_code)
    fees = procedure.fees if procedure is not None else []
    return sum(int(fee["amount"]) for fee in fees)


async def start_payment(session: AsyncSession, platform: PaymentPlatform, urls: Urls, *,
                        principal: Principal, dossier_code: str) -> Row[Any]:
    """A pending payment with the platform's payment address (the open one if there is)."""
    dossier = await dossiers.load_visible(session, principal, dossier_code)
    if dossier.applicant_account_id != principal.subject:
        raise Forbidden("Chỉ người nộp hồ sơ thanh toán trực tuyến.", code="not_the_applicant")
    if dossier.status_code != Status.PAYMENT_REQUESTED:
        raise Conflict("Hồ sơ không ở trạng thái chờ thực hiện nghĩa vụ tài chính.",
                       code="payment_not_requested", extra={"status_code": dossier.status_code})
    open_payment = await repository.pending_for(session, dossier.id)
    if open_payment is not None:
        return open_payment
    amount = await amount_due(session, dossier)
    if amount <= 0:
        raise Conflict("Hồ sơ không có khoản phí nào phải nộp.", code="nothing_to_pay")
    reference = f"{dossier.code}-{secrets.token_hex(4).upper()}"
    message = InitRequest(partner=platform.partner, reference=reference, amount=amount,
                          time=national_time(utcnow()), return_url=urls.back,
                          notify_url=urls.notify, dossier_code=dossier.code,
                          description=f"Nộp phí, lệ phí hồ sơ {dossier.code}",
                          payer_name=dossier.applicant_name or "")
    answer = await platform.init(message)
    if answer.error_code != SUCCESS or answer.reference != reference:
        raise ServiceUnavailable(f"Nền tảng thanh toán từ chối: {answer.error_message}",
                                 code="payment_platform_refused")
    payment_id = await repository.add(session, {
        "reference": reference, "dossier_id": dossier.id, "dossier_code": dossier.code,
        "amount": amount, "status": "pending", "payer_account_id": principal.subject,
        "payment_url": answer.payment_url, "created_at": utcnow()})
    row = await repository.by_reference(session, reference)
    assert row is not None and row.id == payment_id
    return row


async def accept_notification(session: AsyncSession, outbox: Outbox, platform: PaymentPlatform,
                              body: Any, *, ip: str | None) -> Verdict:
    """Judge one callback, apply it if it is genuine and new, and keep it in the trail."""
    reference = body.get("MaThamChieu") if isinstance(body, dict) else None
    verdict = await _judge(session, outbox, platform, body)
    await repository.log_notification(
        session, received_at=utcnow(), reference=str(reference)[:64] if reference else None,
        outcome=verdict.outcome, ip=ip, body=body if isinstance(body, dict) else {"raw": body})
    if not verdict.accepted:
        log.warning("payment_notification_refused", outcome=verdict.outcome,
                    reference=reference, ip=ip)
    return verdict


def authentic(body: Any, *, partner: str, secret: str) -> Notification | Verdict:
    """The callback's body as a notification when it is one, from the platform, with a
    ``MaXacThuc`` that verifies; otherwise the refusal (any body at all: nothing raises)."""
    try:
        notification = Notification.model_validate(body)
    except ValidationError:
        return Verdict("malformed", 400, "98", "Bản tin không đúng định dạng.")
    if notification.partner != partner:
        return Verdict("unknown_partner", 400, "03", "Sai mã đối tác.")
    if not notification.verifies(secret, received=body):
        return Verdict("invalid_checksum", 400, "01", "Sai mã xác thực.")
    return notification


async def _judge(session: AsyncSession, outbox: Outbox, platform: PaymentPlatform,
                 body: Any) -> Verdict:
    notification = authentic(body, partner=platform.partner, secret=platform.shared_secret())
    if isinstance(notification, Verdict):
        return notification
    payment = await repository.by_reference(session, notification.reference, for_update=True)
    if payment is None:
        return Verdict("unknown_reference", 404, "04", "Không tìm thấy giao dịch.")
    if notification.amount != payment.amount or notification.currency != "VND":
        return Verdict("amount_mismatch", 400, "06", "Số tiền không khớp với khoản phải nộp.")
    if payment.status != "pending":
        return Verdict("replayed", 200, SUCCESS, "Giao dịch đã được ghi nhận trước đó.")
    return await _settle(session, outbox, payment, paid=notification.error_code == SUCCESS,
                         transaction_id=notification.transaction_id)


async def reconcile(session: AsyncSession, outbox: Outbox, platform: PaymentPlatform, *,
                    principal: Principal, reference: str) -> Row[Any]:
    """QUERY the platform about a payment still pending here, and apply what it says."""
    payment = await visible_payment(session, principal, reference)
    if payment.status == "pending":
        answer = await platform.query(QueryRequest(partner=platform.partner, reference=reference,
                                                   time=national_time(utcnow())))
        if answer.error_code == SUCCESS and answer.state in ("1", "2"):
            if answer.state == "1" and answer.amount != payment.amount:
                raise Conflict("Số tiền nền tảng báo không khớp.", code="amount_mismatch")
            locked = await repository.by_reference(session, reference, for_update=True)
            if locked is not None and locked.status == "pending":
                await _settle(session, outbox, locked, paid=answer.state == "1",
                              transaction_id=answer.transaction_id)
    row = await repository.by_reference(session, reference)
    assert row is not None
    return row


async def _settle(session: AsyncSession, outbox: Outbox, payment: Row[Any], *, paid: bool,
                  transaction_id: str) -> Verdict:
    now = utcnow()
    if not paid:
        await repository.set_fields(session, payment.id, {"status": "failed",
                                                          "transaction_id": transaction_id})
        return Verdict("payer_cancelled", 200, SUCCESS, "Đã ghi nhận giao dịch không thành công.")
    await repository.set_fields(session, payment.id, {
        "status": "paid", "transaction_id": transaction_id, "paid_at": now,
        "receipt_number": receipt_number(payment.id, now)})
    applied = await _dossier_paid(session, outbox, payment, now)
    return Verdict("paid" if applied else "paid_dossier_not_waiting", 200, SUCCESS, "Thành công.")


async def _dossier_paid(session: AsyncSession, outbox: Outbox, payment: Row[Any],
                        now: datetime) -> bool:
    """Moves the dossier on (6 → 4) through the lifecycle; False if it no longer waits for
    this payment (withdrawn or stopped meanwhile: the money is recorded, a refund is manual)."""
    del now
    dossier = await dossier_repository.get_by_code(session, payment.dossier_code)
    if dossier is None or dossier.status_code != Status.PAYMENT_REQUESTED:
        log.warning("payment_for_dossier_not_waiting", reference=payment.reference,
                    dossier=payment.dossier_code)
        return False
    await lifecycle.payment_received(session, outbox, code=payment.dossier_code,
                                     amount=payment.amount, reference=payment.reference)
    return True


def receipt_number(payment_id: int, paid_at: datetime) -> str:
    """Biên lai điện tử: BL-<year>-<payment id, 8 digits>."""
    return f"BL-{paid_at.year}-{payment_id:08d}"


async def visible_payment(session: AsyncSession, principal: Principal, reference: str
                          ) -> Row[Any]:
    """The payment, if the caller may see its dossier (else 404 like an unknown one)."""
    payment = await repository.by_reference(session, reference)
    if payment is None:
        raise NotFound(f"Không có giao dịch {reference}.", code="payment_not_found")
    await dossiers.load_visible(session, principal, payment.dossier_code)
    return payment

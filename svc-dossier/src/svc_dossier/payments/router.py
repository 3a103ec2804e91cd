"""Online payment endpoints. Each states who may call it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import JSONResponse

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    problem,
    problem_responses,
)
from svc_dossier.dossiers import service as dossiers
from svc_dossier.payments import repository, service
from svc_dossier.payments.platform import PaymentPlatform
from svc_dossier.payments.schemas import FeeLine, Payment, PlatformAnswer, Receipt
from svc_dossier.procedures import repository as procedures

router = APIRouter(tags=["payments"])
Code = Annotated[str, Path(max_length=64)]


def _platform(request: Request) -> PaymentPlatform:
    platform: PaymentPlatform = request.app.state.payment_platform
    return platform


def _urls(request: Request, runtime: Any) -> service.Urls:
    base = runtime.settings.token_issuer.rstrip("/")
    back = runtime.settings.payment_return_url or f"{base}/"
    return service.Urls(notify=f"{base}/api/v1/payments/notifications", back=back)


@router.post("/api/v1/dossiers/{code}/payments", status_code=201, response_model=Payment,
             openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                         ServiceUnavailable))
async def start_payment(code: Code, request: Request, session: SessionDep, runtime: RuntimeDep,
                        principal: PrincipalDep) -> Payment:
    """Access: the applicant of the dossier (a citizen or business). Opens an online payment
    of the dossier's fees when it waits for one (status 6), or answers the open one; send the
    payer's browser to ``payment_url``."""
    row = await service.start_payment(session, _platform(request), _urls(request, runtime),
                                      principal=principal, dossier_code=code)
    return Payment.of(row)


@router.get("/api/v1/dossiers/{code}/payments", response_model=list[Payment],
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def list_payments(code: Code, session: SessionDep,
                        principal: PrincipalDep) -> list[Payment]:
    """Access: whoever may see the dossier (its applicant; officers covering its agency)."""
    dossier = await dossiers.load_visible(session, principal, code)
    return [Payment.of(row) for row in await repository.for_dossier(session, dossier.id)]


@router.post("/api/v1/payments/notifications", response_model=PlatformAnswer,
             openapi_extra=access("public"),
             responses=problem_responses(BadRequest, NotFound, ServiceUnavailable))
async def notification(request: Request, session: SessionDep, runtime: RuntimeDep,
                       body: Annotated[Any, Body()] = None) -> Any:
    """Access: public: the national payment platform's callback, trusted only when its
    ``MaXacThuc`` verifies with the shared secret. A forged, unknown or mismatched callback is
    refused with 4xx and changes nothing; a repeated one is acknowledged and changes nothing.
    Each one is kept with its outcome."""
    ip = request.client.host if request.client else None
    verdict = await service.accept_notification(session, runtime.outbox, _platform(request),
                                                body, ip=ip)
    if verdict.accepted:
        return JSONResponse({"MaLoi": verdict.code, "MoTaLoi": verdict.message})
    return problem(verdict.status, verdict.outcome, "Payment notification refused",
                   verdict.message, request, MaLoi=verdict.code, MoTaLoi=verdict.message)


@router.post("/api/v1/payments/{reference}/reconcile", response_model=Payment,
             openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, NotFound, Conflict, ServiceUnavailable))
async def reconcile(reference: Code, request: Request, session: SessionDep,
                    runtime: RuntimeDep, principal: PrincipalDep) -> Payment:
    """Access: whoever may see the dossier. Asks the platform (QUERY) what became of a
    payment still pending here and applies the answer."""
    row = await service.reconcile(session, runtime.outbox, _platform(request),
                                  principal=principal, reference=reference)
    return Payment.of(row)


@router.get("/api/v1/payments/{reference}/receipt", response_model=Receipt,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound, Conflict))
async def receipt(reference: Code, session: SessionDep, principal: PrincipalDep) -> Receipt:
    """Access: whoever may see the dossier. The electronic receipt of a paid payment."""
    payment = await service.visible_payment(session, principal, reference)
    if payment.status != "paid":
        raise Conflict("Giao dịch chưa được thanh toán.", code="not_paid")
    dossier = await dossiers.load_visible(session, principal, payment.dossier_code)
    procedure = await procedures.get(session, dossier.procedure_code)
    fees = [FeeLine(name=f["name"], amount=int(f["amount"]))
            for f in (procedure.fees if procedure is not None else [])]
    return Receipt(receipt_number=payment.receipt_number, issued_at=Payment.of(payment).paid_at,
                   dossier_code=dossier.code, procedure_code=dossier.procedure_code,
                   procedure_name=procedure.name if procedure is not None else "",
                   agency_id=dossier.agency_id, payer_name=dossier.applicant_name, fees=fees,
                   amount=payment.amount, payment_reference=payment.reference,
                   transaction_id=payment.transaction_id)

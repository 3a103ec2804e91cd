"""SIMULATOR of the national payment platform (Nền tảng thanh toán trực tuyến của Cổng Dịch vụ
công quốc gia). It is NOT the national platform and moves no money: it speaks the platform's
message format (``protocol.py``) so that the province's side can be built and tested end to end.

svc-dossier mounts it at ``/simulators/payment`` in demo mode (``EGOV_DEMO``); elsewhere every
call answers 503, so a deployment that forgot to point ``DOSSIER_PAYMENT_URL`` at the real
platform cannot mark anything paid.

- ``POST /api/transactions``: INIT → ``UrlThanhToan``, the page the payer is sent to;
- ``GET /pay/{token}``: that page (Vietnamese), with "Thanh toán" and "Hủy";
- ``POST /pay/{token}``: the payer's choice; the platform then calls the partner's
  ``UrlThongBao`` with a signed notification (once: a partner that missed it reconciles with
  QUERY) and sends the browser back to ``UrlTraVe``;
- ``POST /api/transactions/query``: QUERY → the payment's state.

Error codes (``MaLoi``): 00 success, 01 bad checksum, 02 duplicate reference, 03 unknown
partner, 04 unknown reference, 05 cancelled by the payer, 99 unavailable.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import structlog
from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from svc_dossier.payments.protocol import (
    SUCCESS,
    InitRequest,
    InitResponse,
    Notification,
    QueryRequest,
    QueryResponse,
    national_time,
)

log = structlog.get_logger("svc_dossier.payments.simulator")
SIMULATOR_HEADER = {"X-Simulator": "thanh-toan-quoc-gia"}


@dataclass
class Transaction:
    request: InitRequest
    token: str
    state: str = "0"  # 0 pending, 1 paid, 2 cancelled
    transaction_id: str = ""
    paid_time: str = ""


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SIMULATOR_HEADER)


def create_simulator(partners: dict[str, str], *, enabled: bool,
                     http: httpx.AsyncClient | None = None) -> FastAPI:
    """``partners``: partner code → shared secret. ``http`` sends the notifications (a test
    may hand in a client bound to the partner's app)."""
    app = FastAPI(title="SIMULATOR - Nền tảng thanh toán quốc gia (mô phỏng)", openapi_url=None)
    app.state.partners = partners
    app.state.enabled = enabled
    app.state.http = http
    app.state.transactions = {}
    app.state.tokens = {}

    @app.middleware("http")
    async def only_in_demo(request: Request, call_next: Any) -> Response:
        if not app.state.enabled:
            return _json({"MaLoi": "99", "MoTaLoi": "Hệ thống mô phỏng chỉ chạy ở chế độ demo."},
                         503)
        response: Response = await call_next(request)
        response.headers.update(SIMULATOR_HEADER)
        return response

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, _exc: RequestValidationError) -> JSONResponse:
        return _json({"MaLoi": "98", "MoTaLoi": "Bản tin không đúng định dạng."}, 400)

    @app.post("/api/transactions")
    async def init(message: InitRequest, request: Request) -> JSONResponse:
        secret = app.state.partners.get(message.partner)
        if secret is None:
            return _answer_init(message, "03", "Đối tác không tồn tại.", "", None)
        if not message.verifies(secret):
            return _answer_init(message, "01", "Sai mã xác thực.", "", secret)
        if message.reference in app.state.transactions:
            return _answer_init(message, "02", "Mã tham chiếu đã tồn tại.", "", secret)
        token = secrets.token_urlsafe(16)
        app.state.transactions[message.reference] = Transaction(message, token)
        app.state.tokens[token] = message.reference
        url = str(request.url_for("payment_page", token=token))
        return _answer_init(message, SUCCESS, "Thành công.", url, secret)

    @app.get("/pay/{token}", response_class=HTMLResponse, name="payment_page")
    async def payment_page(token: str) -> HTMLResponse:
        transaction = _by_token(token)
        if transaction is None:
            return HTMLResponse(_page("Không tìm thấy giao dịch.", ""), status_code=404)
        return HTMLResponse(_page(_summary(transaction), _buttons(transaction)))

    @app.post("/pay/{token}")
    async def pay(token: str, action: str = Form(max_length=16)) -> Response:
        transaction = _by_token(token)
        if transaction is None or transaction.state != "0":
            return HTMLResponse(_page("Giao dịch không còn hiệu lực.", ""), status_code=409)
        code = SUCCESS if action == "pay" else "05"
        transaction.state = "1" if code == SUCCESS else "2"
        transaction.transaction_id = "GD" + secrets.token_hex(8).upper()
        transaction.paid_time = national_time(datetime.now(UTC))
        await _notify(transaction, code)
        query = urlencode({"MaThamChieu": transaction.request.reference, "MaLoi": code})
        return RedirectResponse(f"{transaction.request.return_url}?{query}", status_code=303)

    @app.post("/api/transactions/query")
    async def query(message: QueryRequest) -> JSONResponse:
        secret = app.state.partners.get(message.partner)
        transaction = app.state.transactions.get(message.reference)
        if secret is None or not message.verifies(secret):
            return _json(QueryResponse(error_code="01", error_message="Sai mã xác thực.",
                                       partner=message.partner,
                                       reference=message.reference).wire(), 400)
        if transaction is None or transaction.request.partner != message.partner:
            answer = QueryResponse(error_code="04", error_message="Không tìm thấy giao dịch.",
                                   partner=message.partner, reference=message.reference)
            return _json(answer.signed(secret).wire(), 404)
        answer = QueryResponse(error_code=SUCCESS, partner=message.partner,
                               reference=message.reference, state=transaction.state,
                               transaction_id=transaction.transaction_id,
                               amount=transaction.request.amount)
        return _json(answer.signed(secret).wire())

    def _by_token(token: str) -> Transaction | None:
        reference = app.state.tokens.get(token)
        return app.state.transactions.get(reference) if reference else None

    async def _notify(transaction: Transaction, code: str) -> None:
        request = transaction.request
        notification = Notification(
            error_code=code, partner=request.partner, reference=request.reference,
            transaction_id=transaction.transaction_id, amount=request.amount,
            currency=request.currency, time=transaction.paid_time,
        ).signed(app.state.partners[request.partner])
        try:
            if app.state.http is not None:
                await app.state.http.post(request.notify_url, json=notification.wire())
            else:
                async with httpx.AsyncClient(timeout=10) as http:
                    await http.post(request.notify_url, json=notification.wire())
        except httpx.HTTPError as exc:  # the partner reconciles with QUERY
            log.warning("payment_notification_failed", reference=request.reference,
                        error=type(exc).__name__)

    return app


def _answer_init(message: InitRequest, code: str, text: str, url: str,
                 secret: str | None) -> JSONResponse:
    answer = InitResponse(error_code=code, error_message=text, partner=message.partner,
                          reference=message.reference, payment_url=url)
    signed = answer.signed(secret) if secret else answer
    return _json(signed.wire(), 200 if code == SUCCESS else 400)


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _summary(transaction: Transaction) -> str:
    request = transaction.request
    rows = [("Mã tham chiếu", request.reference), ("Hồ sơ", request.dossier_code),
            ("Nội dung", request.description), ("Người nộp", request.payer_name),
            ("Số tiền", _money(request.amount))]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<table>{cells}</table>"


def _buttons(transaction: Transaction) -> str:
    if transaction.state != "0":
        return "<p>Giao dịch đã kết thúc.</p>"
    return ('<form method="post"><button name="action" value="pay">Thanh toán</button> '
            '<button name="action" value="cancel">Hủy</button></form>')


def _page(body: str, actions: str) -> str:
    return ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            '<link rel="icon" href="data:,">'  # no icon: a browser would ask for /favicon.ico
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Thanh toán trực tuyến (MÔ PHỎNG)</title></head><body><main>"
            "<h1>Nền tảng thanh toán trực tuyến</h1>"
            '<p role="note"><strong>MÔ PHỎNG</strong>: không có tiền thật nào được chuyển.</p>'
            f"{body}{actions}</main></body></html>")

"""The province's side of the national payment platform: INIT and QUERY over HTTPS, every
answer's ``MaXacThuc`` checked before it is believed."""

from __future__ import annotations

from typing import TypeVar

import httpx

from egov_shared import http as shared_http
from egov_shared.errors import ServiceUnavailable
from svc_dossier.payments.protocol import (
    InitRequest,
    InitResponse,
    Message,
    QueryRequest,
    QueryResponse,
)

Answer = TypeVar("Answer", bound=Message)


class PaymentPlatform:
    """``http`` is the client the calls go through (a test may bind it to the simulator)."""

    def __init__(self, base_url: str, *, partner: str, secret: str | None, timeout: float,
                 http: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.partner = partner
        self.secret = secret
        self.timeout = timeout
        self.http = http

    def shared_secret(self) -> str:
        if self.secret is None:
            raise ServiceUnavailable("Chưa cấu hình kết nối nền tảng thanh toán.",
                                     code="payments_unavailable")
        return self.secret

    async def init(self, message: InitRequest) -> InitResponse:
        return await self._call("/api/transactions", message, InitResponse)

    async def query(self, message: QueryRequest) -> QueryResponse:
        return await self._call("/api/transactions/query", message, QueryResponse)

    async def _call(self, path: str, message: Message, answer: type[Answer]) -> Answer:
        secret = self.shared_secret()
        body = message.signed(secret).wire()
        try:
            if self.http is not None:
                response = await self.http.post(self.base_url + path, json=body,
                                                timeout=self.timeout)
            else:
                async with shared_http.client(timeout=self.timeout) as http:
                    response = await http.post(self.base_url + path, json=body)
            received = response.json()
            parsed = answer.model_validate(received)
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable("Nền tảng thanh toán không phản hồi.",
                                     code="payment_platform_unavailable") from exc
        if not parsed.verifies(secret, received=received):
            raise ServiceUnavailable("Phản hồi của nền tảng thanh toán không đúng mã xác thực.",
                                     code="payment_platform_untrusted")
        return parsed

"""The province's side of the national reporting system: a report version as the national
message, sent over HTTPS and its decision asked for (``protocol.py`` has the format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import httpx

from egov_shared import http as shared_http
from svc_reporting.periodic import protocol as p
from svc_reporting.periodic.indicators import indicators

Answer = TypeVar("Answer", p.Receipt, p.StatusAnswer)


class Unavailable(Exception):
    """The system did not answer (down, timeout, 5xx): try again later."""


class NotConfigured(Exception):
    """No API key, or the system refuses ours: retrying will not help."""


class Refused(Exception):
    """The system refused the message itself (malformed): final, with its reason."""


class UnknownReceipt(Refused):
    """The system does not know the receipt (it lost it): send the version again."""


def message_of(report: Any, *, replaces: str | None, now: datetime) -> p.ReportMessage:
    """``report``: a version's row (its content is what was frozen at submission)."""
    content: dict[str, Any] = report.content
    figures = [p.Figure(code=i.code, label=i.label, unit=i.unit, value=i.value)
               for i in indicators(content["sections"])]
    return p.ReportMessage(
        report_id=report.id, unit_id=report.agency_id, template=report.template_code,
        title=content["template_name"], period_kind=p.PERIOD_KINDS[report.kind],
        period=report.period, period_label=content["period_label"],
        window_from=p.national_time(datetime.fromisoformat(content["window_start"])),
        window_to=p.national_time(datetime.fromisoformat(content["window_end"])),
        version=report.version, replaces=replaces,
        correction_reason=report.correction_reason, sent_at=p.national_time(now),
        content_hash=report.content_hash, figures=figures)


class NationalReporting:
    """``http`` is the client the calls go through (a test may bind it to the simulator)."""

    def __init__(self, base_url: str, *, api_key: str | None, timeout: float,
                 http: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.http = http

    async def send(self, message: p.ReportMessage) -> p.Receipt:
        response = await self._call("POST", "/api/bao-cao", message.wire())
        receipt = self._read(response, p.Receipt)
        if not receipt.receipt_id:
            raise Refused(receipt.error_message or "no receipt")
        return receipt

    async def status(self, receipt_id: str) -> p.StatusAnswer:
        response = await self._call("GET", f"/api/bao-cao/{receipt_id}", None)
        return self._read(response, p.StatusAnswer)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None
                    ) -> httpx.Response:
        if not self.api_key:
            raise NotConfigured("national_reporting_not_configured")
        headers = {"X-Api-Key": self.api_key}
        try:
            if self.http is not None:
                return await self.http.request(method, self.base_url + path, json=body,
                                               headers=headers, timeout=self.timeout)
            async with shared_http.client(timeout=self.timeout) as http:
                return await http.request(method, self.base_url + path, json=body,
                                          headers=headers)
        except httpx.HTTPError as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc

    @staticmethod
    def _read(response: httpx.Response, answer: type[Answer]) -> Answer:
        if response.status_code >= 500:
            raise Unavailable(f"HTTP {response.status_code}")
        try:
            parsed = answer.model_validate(response.json())
        except ValueError as exc:  # not the national system speaking (a proxy, a wrong URL)
            raise Unavailable(f"unreadable answer (HTTP {response.status_code})") from exc
        if parsed.error_code == p.WRONG_KEY:
            raise NotConfigured(parsed.error_message or "wrong API key")
        if parsed.error_code == p.UNKNOWN_RECEIPT:
            raise UnknownReceipt(parsed.error_message or "unknown receipt")
        if parsed.error_code != p.SUCCESS:
            raise Refused(f"{parsed.error_code}: {parsed.error_message}")
        return parsed

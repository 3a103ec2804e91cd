"""SIMULATOR of the national reporting system (Hệ thống thông tin báo cáo quốc gia). It is NOT
the national system and files nothing anywhere: it speaks the message format of
``svc_reporting.periodic.protocol`` so that the province's side (submission, retries, status
tracking, corrections) can be built, demonstrated and tested end to end.

svc-reporting mounts it at ``/simulators/national-reporting`` in demo mode (``EGOV_DEMO``);
elsewhere every call answers 503, so a deployment that forgot to point
``REPORTING_NATIONAL_REPORTING_URL`` at the real system files nothing. It keeps what it
received in memory (a restart forgets it; the province's side then sends again).

- ``POST /api/bao-cao``: a report → a receipt (``MaTiepNhan``), state DA_TIEP_NHAN; the same
  ``MaBaoCao`` again → the same receipt; a message that does not parse → 400, ``MaLoi`` 98.
- ``GET /api/bao-cao/{MaTiepNhan}``: the state. The first time it is asked, the simulator
  "processes" the report: DA_CHAP_NHAN, or TU_CHOI with ``LyDo`` (no figures, a bad agency ID
  or window, a negative figure, or a second report for a period already accepted that does
  not name the receipt it replaces in ``MaTiepNhanThayThe``).
- ``PUT /control/availability`` ``{"available": false}``: simulate an outage (every other call
  answers 503, ``MaLoi`` 99) for demonstrations and tests; ``true`` ends it.
- ``PUT /control/rejections/{MaBaoCao}`` ``{"reason": "…"}``: that report (the sender's id)
  is rejected with that reason when it is decided (to show a rejection and its correction).

Every call needs the header ``X-Api-Key`` with a key the simulator was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from egov_shared.agency import is_agency_id
from svc_reporting.periodic import protocol as p

SIMULATOR_HEADER = {"X-Simulator": "he-thong-bao-cao-quoc-gia"}
TITLE = "SIMULATOR — Hệ thống thông tin báo cáo quốc gia (mô phỏng)"


@dataclass
class Filed:
    receipt_id: str
    message: p.ReportMessage
    state: str = p.RECEIVED
    reason: str | None = None
    decided_at: str | None = None


class Availability(BaseModel):
    available: bool


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SIMULATOR_HEADER)


def _error(code: str, text: str, status: int) -> JSONResponse:
    return _json({"MaLoi": code, "MoTaLoi": text}, status)


class Registry:
    """What the simulated system has received, by receipt and by the sender's report id."""

    def __init__(self) -> None:
        self.filed: dict[str, Filed] = {}
        self.by_report: dict[str, str] = {}
        self.rejections: dict[str, str] = {}  # MaBaoCao → reason, set through /control

    def receive(self, message: p.ReportMessage) -> Filed:
        known = self.by_report.get(message.report_id)
        if known is not None:
            return self.filed[known]
        now = datetime.now(UTC)
        receipt = f"BC{p.national_time(now)[:8]}{len(self.filed) + 1:06d}"
        self.filed[receipt] = Filed(receipt, message)
        self.by_report[message.report_id] = receipt
        return self.filed[receipt]

    def decide(self, filed: Filed) -> None:
        if filed.state != p.RECEIVED:
            return
        filed.reason = (self.rejections.pop(filed.message.report_id, None)
                        or self.problem(filed.message))
        filed.state = p.REJECTED if filed.reason else p.ACCEPTED
        filed.decided_at = p.national_time(datetime.now(UTC))

    def problem(self, m: p.ReportMessage) -> str | None:
        """Why the report is refused, or None."""
        if not m.figures:
            return "Báo cáo không có số liệu (SoLieu)."
        if not is_agency_id(m.unit_id):
            return f"Mã đơn vị {m.unit_id!r} không hợp lệ."
        if not _window_ok(m.window_from, m.window_to):
            return "Thời gian chốt số liệu (TuNgay, DenNgay) không hợp lệ."
        negative = next((f.code for f in m.figures if f.value is not None and f.value < 0), None)
        if negative:
            return f"Chỉ tiêu {negative} có giá trị âm."
        return self._replacement_problem(m)

    def _replacement_problem(self, m: p.ReportMessage) -> str | None:
        same = [f for f in self.filed.values() if f.state == p.ACCEPTED
                and (f.message.unit_id, f.message.template, f.message.period)
                == (m.unit_id, m.template, m.period)]
        if m.replaces is None and same:
            return ("Kỳ báo cáo đã có báo cáo được chấp nhận; báo cáo điều chỉnh phải ghi "
                    "MaTiepNhanThayThe.")
        if m.replaces is not None and m.replaces not in {f.receipt_id for f in same}:
            return f"MaTiepNhanThayThe {m.replaces} không phải báo cáo đã chấp nhận của kỳ này."
        return None


def _window_ok(start: str, end: str) -> bool:
    try:
        return p.parse_national_time(start) < p.parse_national_time(end)
    except ValueError:
        return False


def _status(filed: Filed) -> dict[str, Any]:
    m = filed.message
    return p.StatusAnswer(error_code=p.SUCCESS, error_message="Thành công.",
                          receipt_id=filed.receipt_id, state=filed.state, reason=filed.reason,
                          decided_at=filed.decided_at, report_id=m.report_id,
                          version=m.version, replaces=m.replaces).wire()


def create_simulator(api_keys: set[str], *, enabled: bool) -> FastAPI:
    """``api_keys``: the keys the simulated system has issued (the demo key)."""
    app = FastAPI(title=TITLE, version="sim", description=__doc__ or "")
    app.state.enabled, app.state.available = enabled, True
    app.state.keys, app.state.registry = set(api_keys), Registry()

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if not app.state.enabled:
            return _error(p.UNAVAILABLE, "Hệ thống mô phỏng chỉ chạy ở chế độ demo.", 503)
        if request.url.path.endswith(("/openapi.json", "/docs")):
            return await _labelled(call_next(request))
        if request.headers.get("x-api-key") not in app.state.keys:
            return _error(p.WRONG_KEY, "Sai khóa kết nối (X-Api-Key).", 401)
        if not app.state.available and "/control/" not in request.url.path:
            return _error(p.UNAVAILABLE, "Hệ thống đang bảo trì (mô phỏng).", 503)
        return await _labelled(call_next(request))

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(x) for x in e["loc"][1:]) for e in exc.errors())
        return _error(p.MALFORMED, f"Bản tin không đúng định dạng: {fields}.", 400)

    @app.post("/api/bao-cao", summary="Nộp báo cáo (MÔ PHỎNG)")
    async def receive(message: p.ReportMessage) -> JSONResponse:
        filed = app.state.registry.receive(message)
        return _json(p.Receipt(error_code=p.SUCCESS, error_message="Tiếp nhận thành công.",
                               receipt_id=filed.receipt_id, state=filed.state).wire())

    @app.get("/api/bao-cao/{receipt_id}", summary="Tra cứu trạng thái báo cáo (MÔ PHỎNG)")
    async def status(receipt_id: str) -> JSONResponse:
        filed = app.state.registry.filed.get(receipt_id)
        if filed is None:
            return _error(p.UNKNOWN_RECEIPT, "Không tìm thấy mã tiếp nhận.", 404)
        app.state.registry.decide(filed)
        return _json(_status(filed))

    @app.put("/control/availability", summary="Giả lập sự cố (MÔ PHỎNG)")
    async def availability(body: Availability) -> JSONResponse:
        app.state.available = body.available
        return _json({"MaLoi": p.SUCCESS, "available": body.available})

    @app.put("/control/rejections/{report_id}", summary="Giả lập từ chối một báo cáo (MÔ PHỎNG)")
    async def reject(report_id: str, body: Rejection) -> JSONResponse:
        app.state.registry.rejections[report_id] = body.reason
        return _json({"MaLoi": p.SUCCESS, "MaBaoCao": report_id, "LyDo": body.reason})

    return app


async def _labelled(pending: Any) -> Response:
    response: Response = await pending
    response.headers.update(SIMULATOR_HEADER)
    return response

"""SIMULATOR of the national public-service portal (Cổng Dịch vụ công quốc gia, MÔ PHỎNG). It
is NOT the national portal: it speaks the dossier messages of ``format.py`` so that the
province's side can be built and tested end to end, and keeps everything in memory.

svc-dossier mounts it at ``/simulators/national-portal`` in demo mode (``EGOV_DEMO``); elsewhere
every call answers 503. Its OpenAPI document is its own (``…/openapi.json``, ``…/docs``).

- ``POST /api/DongBoHoSoMC``, ``POST /api/CapNhatTienDoHoSoMC``: pushes of dossiers and of their
  progress, ``{"data": [message, ...]}`` with 1 to 100 messages, applied one after the other
  (two messages of a dossier in one call work in sequence). The answer, HTTP 200, is
  ``{"MaLoi": "00", "MoTaLoi": ..., "KetQua": [...]}``: an item per message in the same order,
  ``{"MaHoSo", "SoThuTu", "MaLoi", "MoTaLoi"}``. Each message's field names and formats are
  checked (MaLoi 01 with ``LoiChiTiet`` for that item; the others are still applied), and the
  order per dossier (``SoThuTu``). A malformed call (not an object, no ``data``, none or more
  than 100 messages) is HTTP 400, MaLoi 01 with ``LoiChiTiet``. ``app.state.calls`` counts
  the push calls it applied, per message name;
- ``POST /api/TraCuuHoSo``: the statuses it holds, for reconciliation;
- ``GET``/``DELETE /api/hoso/{MaHoSo}``: what it received for a dossier / forget it;
- ``POST /admin/down``, ``POST /admin/up``: switch it off and on (it then answers 503);
- ``POST /citizen/dossiers``: a citizen submits a dossier on the national portal; the simulator
  gives it a code in the receiving agency's series and posts it to the province's facade
  (``/integration/dossiers``) with its client token.

MaLoi (of a push's item): 00 accepted, 01 malformed, 02 already received (acknowledged, kept
once), 04 unknown dossier (a progress of a dossier it does not hold), 05 out of order (the
expected ``SoThuTu`` is in ``SoThuTuMongDoi``); of a call: 00, 01 malformed, 99 unavailable
(HTTP 503).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from egov_shared.timeutil import VN_TZ
from svc_dossier.national.format import TIME_FORMAT, national_time, parse_national_time
from svc_dossier.national.schemas import NationalApplicant

SIMULATOR_HEADER = {"X-Simulator": "cong-dvc-quoc-gia"}
TokenSource = Callable[[], Awaitable[str]]
FIRST_NATIONAL_NUMBER = 5001  # the portal's codes in an agency's daily series
MAX_MESSAGES = 100  # per push call
MALFORMED = "Bản tin không đúng định dạng."


class Push(BaseModel):
    """One pushed message, as the simulator checks it."""

    model_config = ConfigDict(extra="allow", strict=True)

    MaHoSo: str = Field(min_length=1, max_length=64)
    SoThuTu: int = Field(ge=1)
    MaTTHC: str = Field(min_length=1, max_length=64)
    MaCoQuan: str = Field(min_length=1, max_length=35)
    KenhThucHien: Literal[1, 2, 3]
    TrangThaiHoSo: int = Field(ge=1, le=10)
    NgayNopHoSo: str | None = None
    NgayTiepNhan: str | None = None
    NgayHenTra: str | None = None
    NgayKetThucXuLy: str | None = None
    ThoiDiemCapNhat: str | None = None

    @field_validator("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
                     "ThoiDiemCapNhat")
    @classmethod
    def national_time(cls, value: str | None) -> str | None:
        if value is not None:
            parse_national_time(value)  # ValueError: not yyyyMMddHHmmss
        return value


class PushCall(BaseModel):
    """A push call: its messages are checked one by one (``Push``), so one malformed message
    does not refuse the others."""

    data: list[Any] = Field(min_length=1, max_length=MAX_MESSAGES)


class Query(BaseModel):
    DanhSachMaHoSo: list[str] = Field(max_length=1000)


class CitizenDossier(BaseModel):
    MaTTHC: str = Field(min_length=1, max_length=64)
    MaCoQuan: str = Field(min_length=1, max_length=35)
    ChuHoSo: NationalApplicant
    DuLieuBieuMau: dict[str, Any] = Field(default_factory=dict)


@dataclass
class Held:
    """What the portal holds about one dossier."""

    origin: str  # national (submitted here) | province (first heard of by a push)
    status: int | None = None
    last_sequence: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    out_of_order: int = 0

    def view(self, code: str) -> dict[str, Any]:
        return {"MaHoSo": code, "NguonHoSo": self.origin, "TrangThaiHoSo": self.status,
                "SoThuTu": self.last_sequence, "BanTin": self.messages,
                "SoBanTinTrungLap": self.duplicates, "SoBanTinSaiThuTu": self.out_of_order}


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SIMULATOR_HEADER)


def _error(code: str, text: str, status: int, **extra: Any) -> JSONResponse:
    return _json({"MaLoi": code, "MoTaLoi": text, **extra}, status)


def _details(errors: Sequence[Any], *, skip: int) -> list[dict[str, str]]:
    """``LoiChiTiet``: the field (its path without the first ``skip`` parts) and the fault."""
    return [{"TruongDuLieu": ".".join(str(p) for p in e["loc"][skip:]), "MoTa": e["msg"]}
            for e in errors][:20]


def create_simulator(*, enabled: bool, facade_url: str, token_source: TokenSource | None,
                     http: httpx.AsyncClient | None = None) -> FastAPI:
    """``facade_url``: where the province's facade answers (``/integration/dossiers``);
    ``token_source`` gives the portal's client token; ``http`` (tests) the client to post
    with."""
    app = FastAPI(title="SIMULATOR - Cổng Dịch vụ công quốc gia (MÔ PHỎNG)", version="1",
                  description="MÔ PHỎNG: không phải Cổng Dịch vụ công quốc gia. Chế độ demo.")
    app.state.enabled, app.state.up = enabled, True
    app.state.facade_url, app.state.token_source, app.state.http = (
        facade_url, token_source, http)
    app.state.dossiers = {}
    app.state.counters = {}
    app.state.calls = Counter()

    @app.middleware("http")
    async def only_in_demo(request: Request, call_next: Any) -> Response:
        if not app.state.enabled:
            return _error("99", "Hệ thống mô phỏng chỉ chạy ở chế độ demo.", 503)
        path = request.url.path
        if not app.state.up and not (path.endswith(("/admin/up", "/admin/down"))):
            return _error("99", "Cổng Dịch vụ công quốc gia (mô phỏng) đang tạm dừng.", 503)
        response: Response = await call_next(request)
        response.headers.update(SIMULATOR_HEADER)
        return response

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error("01", MALFORMED, 400, LoiChiTiet=_details(exc.errors(), skip=1))

    @app.post("/api/DongBoHoSoMC")
    async def sync_dossiers(call: PushCall) -> JSONResponse:
        """Đồng bộ hồ sơ: whole dossiers; the first message of a dossier it does not know."""
        return _apply(app, "DongBoHoSoMC", call, _sync_dossier)

    @app.post("/api/CapNhatTienDoHoSoMC")
    async def progress(call: PushCall) -> JSONResponse:
        """Cập nhật tiến độ: later states of dossiers it knows."""
        return _apply(app, "CapNhatTienDoHoSoMC", call, _progress)

    @app.post("/api/TraCuuHoSo")
    async def look_up(query: Query) -> JSONResponse:
        held: dict[str, Held] = app.state.dossiers
        found = [{"MaHoSo": code, "TrangThaiHoSo": held[code].status,
                  "SoThuTu": held[code].last_sequence}
                 for code in query.DanhSachMaHoSo if code in held and held[code].status]
        return _json({"MaLoi": "00", "DanhSach": found})

    @app.get("/api/hoso/{code}")
    async def dossier_view(code: str) -> JSONResponse:
        held: Held | None = app.state.dossiers.get(code)
        if held is None:
            return _error("04", f"Không có hồ sơ {code}.", 404)
        return _json(held.view(code))

    @app.delete("/api/hoso/{code}")
    async def forget(code: str) -> JSONResponse:
        app.state.dossiers.pop(code, None)
        return _json({"MaLoi": "00"})

    @app.post("/admin/down")
    async def down() -> JSONResponse:
        app.state.up = False
        return _json({"HoatDong": False})

    @app.post("/admin/up")
    async def up() -> JSONResponse:
        app.state.up = True
        return _json({"HoatDong": True})

    @app.post("/citizen/dossiers")
    async def citizen_submits(body: CitizenDossier) -> JSONResponse:
        """Người dân nộp hồ sơ trên Cổng quốc gia: sent on to the province's facade."""
        now = datetime.now(UTC)
        code = _allocate(app, body.MaCoQuan, now)
        app.state.dossiers[code] = Held("national", status=1)
        message = {"MaHoSo": code, "MaTTHC": body.MaTTHC, "MaCoQuan": body.MaCoQuan,
                   "NgayNopHoSo": national_time(now), "ChuHoSo": body.ChuHoSo.model_dump(),
                   "DuLieuBieuMau": body.DuLieuBieuMau}
        status, answer = await _post(app, message)
        if status >= 300:
            app.state.dossiers.pop(code, None)
            return _error("06", "Cổng tỉnh từ chối hồ sơ.", 502, PhanHoiCongTinh=answer)
        return _json({"MaLoi": "00", "MaHoSo": code, "PhanHoiCongTinh": answer}, 201)

    return app


Apply = Callable[[dict[str, Held], Push], dict[str, Any]]


def _apply(app: FastAPI, name: str, call: PushCall, apply: Apply) -> JSONResponse:
    """The call's messages, one after the other: a ``KetQua`` item each."""
    app.state.calls[name] += 1
    results = [_apply_one(app.state.dossiers, item, apply) for item in call.data]
    return _json({"MaLoi": "00", "MoTaLoi": f"Đã xử lý {len(results)} bản tin.",
                  "KetQua": results})


def _apply_one(dossiers: dict[str, Held], item: Any, apply: Apply) -> dict[str, Any]:
    try:
        message = Push.model_validate(item)
    except ValidationError as exc:
        source = item if isinstance(item, dict) else {}
        return {"MaHoSo": _echo(source.get("MaHoSo")), "SoThuTu": _echo(source.get("SoThuTu")),
                "MaLoi": "01", "MoTaLoi": MALFORMED,
                "LoiChiTiet": _details(exc.errors(), skip=0)}
    return apply(dossiers, message)


def _echo(value: Any) -> str | int | None:
    """A malformed message's code or number as sent, when it is a short text or an integer
    (a float such as 1e400 would not even be valid JSON back)."""
    if type(value) is int or (isinstance(value, str) and len(value) <= 64):
        return value
    return None


def _result(message: Push, code: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"MaHoSo": message.MaHoSo, "SoThuTu": message.SoThuTu, "MaLoi": code,
            "MoTaLoi": text, **extra}


def _sync_dossier(dossiers: dict[str, Held], message: Push) -> dict[str, Any]:
    if message.MaHoSo not in dossiers:
        dossiers[message.MaHoSo] = Held("province", last_sequence=message.SoThuTu - 1)
    return _accept(dossiers[message.MaHoSo], message)


def _progress(dossiers: dict[str, Held], message: Push) -> dict[str, Any]:
    known = dossiers.get(message.MaHoSo)
    if known is None:
        return _result(message, "04", f"Không có hồ sơ {message.MaHoSo}.")
    return _accept(known, message)


def _accept(held: Held, message: Push) -> dict[str, Any]:
    if message.SoThuTu <= held.last_sequence:
        held.duplicates += 1
        return _result(message, "02", "Bản tin đã được tiếp nhận trước đó.")
    if message.SoThuTu != held.last_sequence + 1:
        held.out_of_order += 1
        return _result(message, "05", "Sai thứ tự bản tin.",
                       SoThuTuMongDoi=held.last_sequence + 1)
    held.last_sequence, held.status = message.SoThuTu, message.TrangThaiHoSo
    held.messages.append(message.model_dump())
    return _result(message, "00", "Thành công.")


def _allocate(app: FastAPI, agency_id: str, now: datetime) -> str:
    day = now.astimezone(VN_TZ).strftime(TIME_FORMAT)[2:8]
    key = (agency_id, day)
    app.state.counters[key] = app.state.counters.get(key, FIRST_NATIONAL_NUMBER - 1) + 1
    return f"{agency_id}-{day}-{app.state.counters[key]:04d}"


async def _post(app: FastAPI, message: dict[str, Any]) -> tuple[int, Any]:
    url = app.state.facade_url.rstrip("/") + "/integration/dossiers"
    try:
        token = await app.state.token_source() if app.state.token_source else ""
        headers = {"Authorization": f"Bearer {token}"}
        if app.state.http is not None:
            response = await app.state.http.post(url, json=message, headers=headers)
        else:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(url, json=message, headers=headers)
        return response.status_code, response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return 599, {"error": type(exc).__name__}


def client_credentials(token_url: str, client_id: str, secret: str) -> TokenSource:
    """The portal's token, from the province's OIDC provider (``client_credentials``)."""
    async def fetch() -> str:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(token_url, auth=(client_id, secret), data={
                "grant_type": "client_credentials", "scope": "national-portal"})
            response.raise_for_status()
            return str(response.json()["access_token"])

    return fetch

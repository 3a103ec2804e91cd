"""SIMULATOR of the national population database (Cơ sở dữ liệu quốc gia về dân cư, CSDLQG về
dân cư). It is NOT the national system and holds no real person: a few made-up residents of
Thanh Hóa (``residents.json``) plus whoever is added through its simulator-only endpoint.

svc-identity mounts it at ``/simulators/population`` so that verification by population
database works out of the box in demo mode; in production ``IDENTITY_POPULATION_URL`` points at
the real connection instead. The simulator only answers when demo mode is on (``EGOV_DEMO``,
or ``enabled=True``): otherwise every call gets 503, so a deployment that forgot to configure
the real database cannot raise anyone to level 2 against made-up data.

Routes (below the mount point), in the national style:

- ``POST /api/citizens/lookup`` ``{"soDinhDanh": "…"}`` → 200 the record, 404 ``KHONG_TIM_THAY``;
- ``POST /api/citizens`` (simulator only) a record → 201, 409 ``DA_TON_TAI``, 400 if invalid.

Additions live in memory: a restart goes back to the seeded residents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

from egov_shared.errors import ValidationFailed
from svc_identity.accounts import validation
from svc_identity.population.schemas import (
    SEX_CODES,
    LookupRequest,
    NationalError,
    Resident,
    parse_birth_date,
)
from svc_identity.settings import IdentitySettings

RESIDENTS_FILE = Path(__file__).resolve().parent / "residents.json"
SIMULATOR_HEADER = {"X-Simulator": "csdlqg-dan-cu"}  # every answer says it is a simulator


def seed_residents() -> dict[str, Resident]:
    """The made-up residents shipped with the package, by personal ID number."""
    data = json.loads(RESIDENTS_FILE.read_text(encoding="utf-8"))
    residents = (Resident.model_validate(item) for item in data["congDan"])
    return {resident.id_number: resident for resident in residents}


def _answer(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SIMULATOR_HEADER)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return _answer(status, NationalError(code=code, message=message).model_dump(by_alias=True))


def _consistency_error(resident: Resident) -> str | None:
    """What the national database would never hold: a birth date it cannot read, or an ID
    number whose province, century, sex or year digits disagree with the record."""
    born = parse_birth_date(resident.birth_date)
    if born is None:
        return "ngaySinh phải có dạng yyyyMMdd hoặc dd/MM/yyyy."
    try:
        validation.check_id_number(resident.id_number)
        validation.check_id_number_matches(resident.id_number, date_of_birth=born,
                                           sex=SEX_CODES[resident.sex_code])
    except ValidationFailed:
        return "soDinhDanh không khớp với mã tỉnh, ngày sinh hoặc giới tính."
    return None


def create_simulator(*, enabled: bool | None = None) -> FastAPI:
    """The simulator as an app of its own; ``enabled`` defaults to the platform's demo mode."""
    app = FastAPI(title="SIMULATOR - CSDLQG về dân cư (mô phỏng)", openapi_url=None)
    app.state.enabled = IdentitySettings().demo if enabled is None else enabled
    app.state.residents = seed_residents()

    @app.middleware("http")
    async def only_in_demo(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not app.state.enabled:
            return _error(503, "TAM_NGUNG",
                          "Bộ mô phỏng CSDLQG về dân cư chỉ hoạt động ở chế độ demo.")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "DU_LIEU_KHONG_HOP_LE", "Dữ liệu yêu cầu không hợp lệ.")

    @app.post("/api/citizens/lookup")
    async def lookup(body: LookupRequest) -> JSONResponse:
        """Tra cứu thông tin công dân theo số định danh cá nhân."""
        resident: Resident | None = app.state.residents.get(body.id_number)
        if resident is None:
            return _error(404, "KHONG_TIM_THAY", "Không tìm thấy công dân có số định danh này.")
        return _answer(200, resident.national())

    @app.post("/api/citizens")
    async def add_resident(body: Resident) -> JSONResponse:
        """SIMULATOR ONLY: adds a made-up resident (tests and demos use it)."""
        problem = _consistency_error(body)
        if problem is not None:
            return _error(400, "DU_LIEU_KHONG_HOP_LE", problem)
        if body.id_number in app.state.residents:
            return _error(409, "DA_TON_TAI", "Số định danh này đã có trong cơ sở dữ liệu.")
        app.state.residents[body.id_number] = body
        return _answer(201, body.national())

    return app

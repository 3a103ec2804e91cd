"""The facade's use cases: dossiers arriving from the national portal. Never commits (the
request's unit of work does) and never talks to NATS (the relay does)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, ValidationFailed
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from egov_shared.timeutil import VN_TZ, utcnow
from svc_dossier.calendar.service import calendar_for
from svc_dossier.dossiers import repository as dossiers
from svc_dossier.dossiers.deadlines import due_at_for
from svc_dossier.dossiers.state import Status
from svc_dossier.national import repository
from svc_dossier.national.format import dossier_message, parse_national_time
from svc_dossier.national.schemas import NationalDossier, NationalDossierView
from svc_dossier.procedures import service as procedure_rules
from svc_dossier.procedures.service import validate_form

NATIONAL_SCOPE = "national-portal"


def require_national_portal(principal: Principal) -> None:
    """Only the national portal's system: a client_credentials token with its scope."""
    if principal.kind != "client" or NATIONAL_SCOPE not in principal.scopes:
        raise Forbidden("Chỉ Cổng Dịch vụ công quốc gia (client_credentials, phạm vi "
                        f"{NATIONAL_SCOPE!r}) gọi được giao diện này.",
                        code="national_portal_only")


def view_of(row: Row[Any]) -> NationalDossierView:
    message = dossier_message({**row._mapping, "action": None, "at": None}, sequence=0)
    return NationalDossierView.model_validate(
        {k: v for k, v in message.items() if k not in ("SoThuTu", "HanhDong", "ThoiDiemCapNhat")})


async def receive_national_dossier(session: AsyncSession, outbox: Outbox, *,
                                   principal: Principal,
                                   body: NationalDossier) -> tuple[Row[Any], bool]:
    """A dossier submitted on the national portal becomes a local online dossier with the same
    code (status 1, waiting to be received). Answers it and whether it is new: the same
    dossier sent again by the same client is answered as it is (the portal retries)."""
    existing = await dossiers.get_by_code(session, body.MaHoSo)
    if existing is not None:
        if existing.submitted_by != principal.subject:
            raise Conflict(f"Mã hồ sơ {body.MaHoSo} đã được dùng.", code="dossier_exists")
        return existing, False
    procedure = await procedure_rules.for_submission(session, body.MaTTHC)
    if procedure.online_level == "info":
        raise ValidationFailed("Thủ tục chỉ cung cấp thông tin; không nộp hồ sơ được.",
                               code="procedure_not_submittable")
    validate_form(procedure, body.DuLieuBieuMau)
    agency_id = body.MaCoQuan or procedure.agency_id
    submitted_at, day, number = _check_code(body, agency_id)
    await repository.reserve_sequence(session, agency_id, day, number)
    row = await _insert(session, body, procedure, agency_id, submitted_at, principal)
    await outbox.add(session, DOSSIER_SUBMITTED, subject=row.code, agency=agency_id, data={
        "code": row.code, "procedure_code": procedure.code, "agency_id": agency_id,
        "channel": "online", "status_code": int(Status.SUBMITTED),
        "submitted_at": submitted_at, "due_at": row.due_at, "applicant_account_id": None,
        "online_level": procedure.online_level,
    })
    return row, True


def _check_code(body: NationalDossier, agency_id: str) -> tuple[datetime, Any, int]:
    """The code must lie in the receiving agency's series, dated the day of submission."""
    try:
        submitted_at = parse_national_time(body.NgayNopHoSo)
        day = datetime.strptime(body.MaHoSo.rsplit("-", 2)[1], "%y%m%d").date()
    except ValueError:
        raise ValidationFailed("NgayNopHoSo không đúng định dạng yyyyMMddHHmmss.",
                               code="invalid_national_time") from None
    prefix, _, number = body.MaHoSo.rpartition("-")
    if (prefix.rpartition("-")[0] != agency_id
            or day != submitted_at.astimezone(VN_TZ).date() or submitted_at > utcnow()):
        raise ValidationFailed(
            "MaHoSo phải có dạng {MaCoQuan}-{YYMMDD}-{NNNN} của cơ quan tiếp nhận, đúng ngày "
            "nộp (NgayNopHoSo, không ở tương lai).", code="invalid_dossier_code",
            extra={"field": "MaHoSo"})
    return submitted_at, day, int(number)


async def _insert(session: AsyncSession, body: NationalDossier, procedure: Row[Any],
                  agency_id: str, submitted_at: datetime, principal: Principal) -> Row[Any]:
    applicant = body.ChuHoSo
    due_at = due_at_for(await calendar_for(session, agency_id), procedure, "online",
                        max(submitted_at, utcnow().astimezone(UTC)))
    contact = {k: v for k, v in {"phone": applicant.SoDienThoai,
                                 "email": applicant.Email}.items() if v}
    row = await dossiers.insert_dossier(session, {
        "code": body.MaHoSo, "procedure_code": procedure.code, "agency_id": agency_id,
        "channel": "online", "status_code": int(Status.SUBMITTED),
        "applicant_account_id": None, "applicant_id_number": applicant.SoDinhDanh,
        "applicant_name": applicant.HoVaTen,
        "search_text": fold(" ".join([body.MaHoSo, applicant.HoVaTen, procedure.name])),
        "form_data": {**body.DuLieuBieuMau, **({"contact": contact} if contact else {}),
                      "national_portal": {"MaHoSo": body.MaHoSo}},
        "submitted_by": principal.subject, "submitted_at": submitted_at,
        "received_at": None, "due_at": due_at,
    })
    await dossiers.add_history(session, {
        "dossier_id": row.id, "action": "submit", "from_status": None,
        "to_status": int(Status.SUBMITTED), "actor_id": principal.subject,
        "actor_kind": principal.kind, "actor_agency_id": None,
        "data": {"channel": "online", "source": "national_portal"}, "at": submitted_at,
    })
    return row

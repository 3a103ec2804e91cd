"""The national portal's dossier messages (Thông tư 04/2025/TT-VPCP style), pure mapping.

A push (``DongBoHoSoMC`` for dossiers, ``CapNhatTienDoHoSoMC`` for their progress) carries
``{"data": [message, ...]}``, 1 to 100 messages, each one::

    {"MaHoSo": "H56.14-261128-0001", "SoThuTu": 3, "MaTTHC": "2.000748.000.00.00.H56",
     "MaCoQuan": "H56.14", "KenhThucHien": 2, "TrangThaiHoSo": 4,
     "TenTrangThaiHoSo": "Đang xử lý", "HanhDong": "hand_over",
     "NgayNopHoSo": "20261128090500", "NgayTiepNhan": "20261128091000",
     "NgayHenTra": "20261205170000", "NgayKetThucXuLy": null,
     "ThoiDiemCapNhat": "20261128100000"}

Times are ``yyyyMMddHHmmss`` in Vietnam time. No personal data: the national portal knows its
own applicants; the province's are told by the province.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from egov_shared.timeutil import VN_TZ
from svc_dossier.dossiers.state import STATUS_NAMES

TIME_FORMAT = "%Y%m%d%H%M%S"
TIME_PATTERN = re.compile(r"^[0-9]{14}$")
CHANNELS = {"counter": 1, "online": 2, "post": 3}  # KenhThucHien
DOSSIER, PROGRESS = "dossier", "progress"
MESSAGE_NAMES = {DOSSIER: "DongBoHoSoMC", PROGRESS: "CapNhatTienDoHoSoMC"}


def national_time(moment: datetime | str | None) -> str | None:
    """``yyyyMMddHHmmss`` in Vietnam time; naive moments are UTC (as SQLite hands them)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).strftime(TIME_FORMAT)


def parse_national_time(value: str) -> datetime:
    """The inverse of ``national_time``; raises ``ValueError`` for anything else."""
    if not TIME_PATTERN.match(value):
        raise ValueError(f"not yyyyMMddHHmmss: {value!r}")
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=VN_TZ).astimezone(UTC)


def dossier_message(facts: dict[str, Any], *, sequence: int) -> dict[str, Any]:
    """The message for one state of a dossier. ``facts``: our field names, as the lifecycle
    events carry them (``code``, ``procedure_code``, ``agency_id``, ``channel``,
    ``status_code``, ``submitted_at``, ``received_at``, ``due_at``, ``completed_at``, ``at``,
    ``action``)."""
    status = int(facts["status_code"])
    return {
        "MaHoSo": facts["code"],
        "SoThuTu": sequence,
        "MaTTHC": facts["procedure_code"],
        "MaCoQuan": facts["agency_id"],
        "KenhThucHien": CHANNELS.get(str(facts.get("channel")), 2),
        "TrangThaiHoSo": status,
        "TenTrangThaiHoSo": STATUS_NAMES[status],
        "HanhDong": facts.get("action"),
        "NgayNopHoSo": national_time(facts.get("submitted_at")),
        "NgayTiepNhan": national_time(facts.get("received_at")),
        "NgayHenTra": national_time(facts.get("due_at")),
        "NgayKetThucXuLy": national_time(facts.get("completed_at")),
        "ThoiDiemCapNhat": national_time(facts.get("at")),
    }

"""The message format of the national reporting system (Hệ thống thông tin báo cáo quốc gia)
as this platform speaks it: JSON with Vietnamese field names in the style of the national
portal, times as ``yyyyMMddHHmmss`` in Vietnam time (DOMAIN §9). The real system's interface
is agreed with the Government Office at connection time; this is the shape the SIMULATOR
(``svc_reporting.simulators.national_reporting``) accepts.

- ``POST {base}/api/bao-cao`` with header ``X-Api-Key``: a ``ReportMessage``; answers a
  ``Receipt`` (``MaLoi`` 00 and ``MaTiepNhan``). Sending the same ``MaBaoCao`` again answers the
  same receipt.
- ``GET {base}/api/bao-cao/{MaTiepNhan}``: a ``StatusAnswer``: ``TrangThai`` DA_TIEP_NHAN
  (received), DA_CHAP_NHAN (accepted) or TU_CHOI (rejected, with ``LyDo``).

``MaLoi``: 00 success, 01 wrong API key, 97 unknown receipt, 98 malformed message,
99 unavailable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from egov_shared.timeutil import VN_TZ

SUCCESS, WRONG_KEY, UNKNOWN_RECEIPT, MALFORMED, UNAVAILABLE = "00", "01", "97", "98", "99"
RECEIVED, ACCEPTED, REJECTED = "DA_TIEP_NHAN", "DA_CHAP_NHAN", "TU_CHOI"
PERIOD_KINDS = {"monthly": "THANG", "quarterly": "QUY", "half_year": "6THANG", "annual": "NAM"}
NATIONAL_TIME = "%Y%m%d%H%M%S"


def national_time(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime(NATIONAL_TIME)


def parse_national_time(text: str) -> datetime:
    return datetime.strptime(text, NATIONAL_TIME).replace(tzinfo=VN_TZ)


class Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


class Figure(Wire):
    code: str = Field(alias="MaChiTieu", max_length=100)
    label: str = Field(alias="TenChiTieu", max_length=300)
    unit: str = Field(alias="DonViTinh", max_length=40)
    value: int | float | None = Field(alias="GiaTri")


class ReportMessage(Wire):
    report_id: str = Field(alias="MaBaoCao", min_length=1, max_length=64)  # ours; idempotency
    unit_id: str = Field(alias="MaDonVi", min_length=1, max_length=35)  # the agency ID
    template: str = Field(alias="MaMauBaoCao", min_length=1, max_length=40)
    title: str = Field(alias="TenBaoCao", max_length=300)
    period_kind: Literal["THANG", "QUY", "6THANG", "NAM"] = Field(alias="LoaiKy")
    period: str = Field(alias="KyBaoCao", max_length=8)  # 2026-11, 2026-Q4, 2026-H1, 2026
    period_label: str = Field(alias="TenKyBaoCao", max_length=100)
    window_from: str = Field(alias="TuNgay", max_length=14)  # yyyyMMddHHmmss
    window_to: str = Field(alias="DenNgay", max_length=14)  # 23:59:59 of the last day
    version: int = Field(alias="PhienBan", ge=1)
    replaces: str | None = Field(default=None, alias="MaTiepNhanThayThe", max_length=64)
    correction_reason: str | None = Field(default=None, alias="LyDoDieuChinh",
                                          max_length=2000)
    sent_at: str = Field(alias="NgayGui", max_length=14)
    content_hash: str = Field(alias="MaBam", max_length=64)  # sha256 of our content
    figures: list[Figure] = Field(alias="SoLieu", max_length=2000)


class Receipt(Wire):
    error_code: str = Field(alias="MaLoi")
    error_message: str = Field(default="", alias="MoTaLoi")
    receipt_id: str | None = Field(default=None, alias="MaTiepNhan")
    state: str | None = Field(default=None, alias="TrangThai")


class StatusAnswer(Wire):
    error_code: str = Field(alias="MaLoi")
    error_message: str = Field(default="", alias="MoTaLoi")
    receipt_id: str | None = Field(default=None, alias="MaTiepNhan")
    state: str | None = Field(default=None, alias="TrangThai")
    reason: str | None = Field(default=None, alias="LyDo")
    decided_at: str | None = Field(default=None, alias="ThoiGianXuLy")
    # What was received, echoed for the sender's checks.
    report_id: str | None = Field(default=None, alias="MaBaoCao")
    version: int | None = Field(default=None, alias="PhienBan")
    replaces: str | None = Field(default=None, alias="MaTiepNhanThayThe")

"""Bodies of the national-portal facade, in the national field names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CODE = r"^[A-Z][0-9]{2}(\.[0-9A-Z]+)*-[0-9]{6}-[0-9]{4,8}$"  # {MaCoQuan}-{YYMMDD}-{NNNN}
TIME = r"^[0-9]{14}$"  # yyyyMMddHHmmss, Vietnam time


class NationalApplicant(BaseModel):
    """Chủ hồ sơ, as the national portal identified them (VNeID)."""

    model_config = ConfigDict(extra="ignore")

    HoVaTen: str = Field(min_length=1, max_length=200)
    SoDinhDanh: str = Field(pattern=r"^[0-9]{12}$")
    SoDienThoai: str | None = Field(default=None, max_length=20)
    Email: str | None = Field(default=None, max_length=254)


class NationalDossier(BaseModel):
    """A dossier submitted on the national portal (online, status 1), with the code the portal
    gave it in the receiving agency's series."""

    model_config = ConfigDict(extra="ignore")

    MaHoSo: str = Field(pattern=CODE, max_length=64)
    MaTTHC: str = Field(min_length=1, max_length=64)
    MaCoQuan: str | None = Field(default=None, max_length=35)
    NgayNopHoSo: str = Field(pattern=TIME)
    ChuHoSo: NationalApplicant
    DuLieuBieuMau: dict[str, Any] = Field(default_factory=dict)


class NationalDossierView(BaseModel):
    """A dossier's state in the national field names (times ``yyyyMMddHHmmss``)."""

    model_config = ConfigDict(extra="allow")

    MaHoSo: str
    MaTTHC: str
    MaCoQuan: str
    KenhThucHien: int
    TrangThaiHoSo: int
    TenTrangThaiHoSo: str
    NgayNopHoSo: str | None = None
    NgayTiepNhan: str | None = None
    NgayHenTra: str | None = None
    NgayKetThucXuLy: str | None = None


class SyncMessage(BaseModel):
    sequence: int
    kind: str
    status_code: int
    state: str
    attempts: int
    last_error: str | None
    payload: dict[str, Any]


class ReconciliationReport(BaseModel):
    checked: int
    repushed: list[str]

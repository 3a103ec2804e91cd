"""The national payment platform's message format (Nền tảng thanh toán trực tuyến, reached
through the national public-service portal): JSON messages whose ``MaXacThuc`` is the SHA-256
hex digest of the message's fields joined by ``|`` with the shared secret last.

Each message type names its signed fields, in order. Both directions are signed: the platform
checks ours, and we check every answer and every callback before anything changes. Times are
``yyyyMMddHHmmss`` in Vietnam time; amounts are integer đồng.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from egov_shared.timeutil import VN_TZ

VERSION = "1.0.6"
SUCCESS = "00"
TIME_FORMAT = "%Y%m%d%H%M%S"


def checksum(values: list[str], secret: str) -> str:
    """``MaXacThuc``: SHA-256 hex of the values joined by ``|``, the shared secret last."""
    return hashlib.sha256("|".join([*values, secret]).encode("utf-8")).hexdigest()


def national_time(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime(TIME_FORMAT)


class Message(BaseModel):
    """A signed message; ``SIGNED`` lists the aliases covered by ``MaXacThuc``, in order."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)
    SIGNED: ClassVar[tuple[str, ...]] = ()

    checksum_value: str = Field(default="", alias="MaXacThuc", max_length=128)

    def signed_values(self) -> list[str]:
        data = self.model_dump(by_alias=True)
        return [_as_signed(data[name]) for name in self.SIGNED]

    def signed(self, secret: str) -> Message:
        return self.model_copy(update={"checksum_value": checksum(self.signed_values(), secret)})

    def verifies(self, secret: str, *, received: Mapping[str, Any] | None = None) -> bool:
        """Whether ``MaXacThuc`` is right. With the body as ``received``, over the signed
        fields' text as they came (a field left out counts as its default): the sender signed
        its own text, and a reformatted value (`` 050000 `` for ``50000``) that parses to the
        same number is not what it signed."""
        values = self.signed_values()
        if received is not None:
            values = [_as_signed(received[name]) if name in received else value
                      for name, value in zip(self.SIGNED, values, strict=True)]
        expected = checksum(values, secret)
        # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
        return hmac.compare_digest(expected.encode(), self.checksum_value.encode())

    def wire(self) -> dict[str, object]:
        return self.model_dump(by_alias=True)


def _as_signed(value: Any) -> str:
    return "" if value is None else str(value)


class InitRequest(Message):
    """INIT: open a payment; the answer carries the address to send the payer to."""

    SIGNED = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien", "MaTienTe",
              "ThoiGianGD", "UrlTraVe", "UrlThongBao")
    message_type: Literal["INIT"] = Field(default="INIT", alias="LoaiBanTin")
    version: str = Field(default=VERSION, alias="PhienBan", max_length=16)
    partner: str = Field(alias="MaDoiTac", max_length=64)
    reference: str = Field(alias="MaThamChieu", max_length=64)
    amount: int = Field(alias="SoTien", gt=0, le=10**12)
    currency: Literal["VND"] = Field(default="VND", alias="MaTienTe")
    time: str = Field(alias="ThoiGianGD", pattern=r"^\d{14}$")
    return_url: str = Field(alias="UrlTraVe", max_length=1000)
    notify_url: str = Field(alias="UrlThongBao", max_length=1000)
    description: str = Field(default="", alias="NoiDungThanhToan", max_length=500)
    payer_name: str = Field(default="", alias="TenNguoiNop", max_length=255)
    dossier_code: str = Field(default="", alias="MaHoSo", max_length=64)


class InitResponse(Message):
    SIGNED = ("MaLoi", "MaDoiTac", "MaThamChieu", "UrlThanhToan")
    error_code: str = Field(alias="MaLoi", max_length=8)
    error_message: str = Field(default="", alias="MoTaLoi", max_length=500)
    partner: str = Field(alias="MaDoiTac", max_length=64)
    reference: str = Field(alias="MaThamChieu", max_length=64)
    payment_url: str = Field(default="", alias="UrlThanhToan", max_length=1000)


class Notification(Message):
    """The platform's callback once the payer has paid (``MaLoi`` "00") or given up."""

    SIGNED = ("MaLoi", "MaDoiTac", "MaThamChieu", "MaGiaoDich", "SoTien", "MaTienTe",
              "ThoiGianGD")
    error_code: str = Field(alias="MaLoi", max_length=8)
    partner: str = Field(alias="MaDoiTac", max_length=64)
    reference: str = Field(alias="MaThamChieu", max_length=64)
    transaction_id: str = Field(alias="MaGiaoDich", max_length=64)
    amount: int = Field(alias="SoTien", ge=0, le=10**12)
    currency: str = Field(default="VND", alias="MaTienTe", max_length=8)
    time: str = Field(alias="ThoiGianGD", pattern=r"^\d{14}$")


class QueryRequest(Message):
    """QUERY: what became of a payment (reconciliation)."""

    SIGNED = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
    message_type: Literal["QUERY"] = Field(default="QUERY", alias="LoaiBanTin")
    version: str = Field(default=VERSION, alias="PhienBan", max_length=16)
    partner: str = Field(alias="MaDoiTac", max_length=64)
    reference: str = Field(alias="MaThamChieu", max_length=64)
    time: str = Field(alias="ThoiGianGD", pattern=r"^\d{14}$")


class QueryResponse(Message):
    """``TrangThai``: 1 paid, 0 pending, 2 failed or cancelled."""

    SIGNED = ("MaLoi", "MaDoiTac", "MaThamChieu", "TrangThai", "MaGiaoDich", "SoTien")
    error_code: str = Field(alias="MaLoi", max_length=8)
    error_message: str = Field(default="", alias="MoTaLoi", max_length=500)
    partner: str = Field(alias="MaDoiTac", max_length=64)
    reference: str = Field(alias="MaThamChieu", max_length=64)
    state: str = Field(default="0", alias="TrangThai", max_length=2)
    transaction_id: str = Field(default="", alias="MaGiaoDich", max_length=64)
    amount: int = Field(default=0, alias="SoTien", ge=0, le=10**12)

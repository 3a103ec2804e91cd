"""Payment representations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Row

from egov_shared.timeutil import to_vn


class Payment(BaseModel):
    reference: str = Field(description="MaThamChieu, the reference on the payment platform")
    dossier_code: str
    amount: int = Field(description="integer đồng")
    currency: Literal["VND"] = "VND"
    status: Literal["pending", "paid", "failed"]
    payment_url: str | None = Field(description="Send the payer's browser here while pending")
    transaction_id: str | None = Field(description="MaGiaoDich, once the platform has one")
    receipt_number: str | None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, row: Row[Any]) -> Payment:
        return cls(reference=row.reference, dossier_code=row.dossier_code, amount=row.amount,
                   status=row.status,
                   payment_url=row.payment_url if row.status == "pending" else None,
                   transaction_id=row.transaction_id, receipt_number=row.receipt_number,
                   created_at=to_vn(row.created_at), paid_at=to_vn(row.paid_at))


class FeeLine(BaseModel):
    name: str
    amount: int


class Receipt(BaseModel):
    """Biên lai thu phí, lệ phí điện tử."""

    receipt_number: str
    issued_at: datetime
    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency_id: str
    payer_name: str | None
    fees: list[FeeLine]
    amount: int
    currency: Literal["VND"] = "VND"
    payment_reference: str
    transaction_id: str | None
    channel: Literal["national_payment_platform"] = "national_payment_platform"


class PlatformAnswer(BaseModel):
    """Our answer to the platform's callback, in its own terms."""

    MaLoi: str
    MoTaLoi: str

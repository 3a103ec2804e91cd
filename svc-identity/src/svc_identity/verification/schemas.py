"""Request and response bodies of the verification API (levels of assurance)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from egov_shared.timeutil import to_vn
from svc_identity.accounts.schemas import IsoDate, Kind
from svc_identity.models import Account


class CounterVerification(BaseModel):
    """What the one-stop-shop officer read from the document the person showed in person:
    the chip ID card (CCCD gắn chip) or the VNeID app's electronic identity."""

    id_number: str = Field(max_length=32, examples=["038195001234"])
    full_name: str = Field(max_length=200, examples=["Nguyễn Thị Hoa"])
    date_of_birth: IsoDate = Field(examples=["1995-03-14"])
    document: Literal["chip_id_card", "vneid"]
    note: str | None = Field(default=None, max_length=500)


class AssuranceOut(BaseModel):
    """An account's level of assurance: 1 self-declared, 2 verified (and how, when, by whom:
    ``verified_by`` is the officer's account id for a counter check)."""

    account_id: str
    kind: Kind
    assurance_level: int
    verified: bool
    verification_method: str | None = Field(
        description="`counter` or `population_db`; a business inherits its representative's.")
    verified_at: datetime | None
    verified_by: str | None

    @classmethod
    def fields_of(cls, account: Account) -> dict[str, object]:
        return {
            "account_id": account.id, "kind": account.kind,
            "assurance_level": account.assurance_level,
            "verified": account.assurance_level >= 2,
            "verification_method": account.verification_method,
            "verified_at": to_vn(account.verified_at), "verified_by": account.verified_by,
        }

    @classmethod
    def of(cls, account: Account) -> AssuranceOut:
        return cls.model_validate(cls.fields_of(account))


class VerificationOut(AssuranceOut):
    """The verified account, and the businesses it represents that reached level 2 with it."""

    businesses: list[str] = Field(
        default_factory=list,
        description="Tax codes of the businesses this citizen legally represents that were "
                    "raised to level 2 together with them.")

    @classmethod
    def of_verified(cls, account: Account, businesses: list[Account]) -> VerificationOut:
        return cls.model_validate({**cls.fields_of(account),
                                   "businesses": [b.tax_code for b in businesses]})

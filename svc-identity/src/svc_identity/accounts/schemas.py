"""Request and response bodies of the accounts API (field names fixed by DESIGN §3)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from svc_identity.models import Account

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date_string(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic would otherwise take numbers as Unix timestamps."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_string)]
Sex = Literal["male", "female"]
Kind = Literal["citizen", "business", "official"]


class CitizenRegistration(BaseModel):
    """Self-registration of a citizen; ``id_number`` becomes the username."""

    id_number: str = Field(max_length=32, examples=["038095001234"])
    full_name: str = Field(max_length=200, examples=["Nguyễn Văn An"])
    date_of_birth: IsoDate = Field(examples=["1995-03-14"])
    sex: Sex
    phone: str | None = Field(default=None, max_length=32, examples=["0912345678"])
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(max_length=128, repr=False)


class AccountOut(BaseModel):
    """An account as its owner sees it; never the password hash."""

    id: str
    username: str
    kind: Kind
    full_name: str
    id_number: str | None
    date_of_birth: date | None
    sex: Sex | None
    phone: str | None
    email: str | None
    assurance_level: int
    agency_id: str | None
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls.model_validate(
            {**_columns(account), "roles": account.role_names}
        )


class MeOut(BaseModel):
    """The caller's identity, roles and agency (``GET /api/v1/me``)."""

    id: str
    username: str
    full_name: str
    kind: Kind
    roles: list[str]
    agency_id: str | None
    assurance_level: int

    @classmethod
    def of(cls, account: Account) -> MeOut:
        return cls.model_validate({**_columns(account), "roles": account.role_names})


def _columns(account: Account) -> dict[str, object]:
    return {c.key: getattr(account, c.key) for c in Account.__table__.columns
            if c.key != "password_hash"}

"""Request and response bodies of the officials API. Never a password hash or a TOTP secret
on the way out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from egov_shared.timeutil import to_vn
from svc_identity.accounts.validation import TOTP_REQUIRED_ROLES
from svc_identity.agencies.schemas import AgencyId
from svc_identity.models import Account


class OfficialCreate(BaseModel):
    """A new official (cán bộ, công chức) of ``agency_id`` with their roles there."""

    username: str = Field(max_length=64, examples=["nguyenvana.stp"],
                          description="3–64 of a-z 0-9 . _ -, with at least one letter.")
    full_name: str = Field(max_length=200, examples=["Nguyễn Văn An"])
    agency_id: AgencyId
    position: str | None = Field(default=None, max_length=200, examples=["Chuyên viên"])
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    roles: list[str] = Field(default_factory=list, max_length=16,
                             examples=[["processing_officer"]])
    password: str = Field(max_length=128, repr=False)


_NOT_NULLABLE = ("full_name", "agency_id")


class OfficialChanges(BaseModel):
    """Only the fields sent change; ``null`` clears position, email or phone."""

    full_name: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    agency_id: AgencyId | None = Field(default=None,
                                       description="Move to another agency of your subtree.")
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)

    @model_validator(mode="before")
    @classmethod
    def _required_stay_set(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in _NOT_NULLABLE:
                if key in data and data[key] is None:
                    raise ValueError(f"{key} cannot be null")
        return data

    def changed(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.model_fields_set}


class RoleGrant(BaseModel):
    role: str = Field(max_length=64, examples=["leader"])


class Colleague(BaseModel):
    """An official as other officials of the agency see them: no contact details."""

    id: str
    username: str
    full_name: str
    agency_id: str
    position: str | None
    roles: list[str]

    @classmethod
    def of(cls, account: Account) -> Colleague:
        return cls(id=account.id, username=account.username, full_name=account.full_name,
                   agency_id=account.agency_id or "", position=account.position,
                   roles=account.role_names)


class OfficialOut(BaseModel):
    """An official as an administrator sees them."""

    id: str
    username: str
    full_name: str
    agency_id: str
    position: str | None
    email: str | None
    phone: str | None
    roles: list[str]
    active: bool
    created_at: datetime
    disabled_at: datetime | None
    totp_enabled: bool = Field(description="A second factor (TOTP) is enrolled.")
    totp_required: bool = Field(description="A role held requires a second factor.")

    @classmethod
    def of(cls, account: Account) -> OfficialOut:
        roles = account.role_names
        return cls(
            id=account.id, username=account.username, full_name=account.full_name,
            agency_id=account.agency_id or "", position=account.position, email=account.email,
            phone=account.phone, roles=roles, active=account.active,
            created_at=to_vn(account.created_at) or account.created_at,
            disabled_at=to_vn(account.disabled_at),
            totp_enabled=account.totp_enabled_at is not None,
            totp_required=bool(TOTP_REQUIRED_ROLES.intersection(roles)),
        )

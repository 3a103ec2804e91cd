"""Request and response bodies of the businesses API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from egov_shared.timeutil import to_vn
from svc_identity.businesses.validation import head_office_of
from svc_identity.models import Account


class BusinessRegistration(BaseModel):
    """A business account opened by its legal representative (the signed-in citizen);
    ``tax_code`` becomes the username."""

    tax_code: str = Field(max_length=32, examples=["0100233488", "0314409058-002"])
    name: str = Field(max_length=200, examples=["Công ty TNHH Thương mại Hạc Thành"])
    password: str = Field(max_length=128, repr=False)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32, examples=["02373852000"])


class Representative(BaseModel):
    id: str
    full_name: str


class BusinessOut(BaseModel):
    """A business account as its representative, itself or a one-stop-shop officer sees it."""

    id: str
    username: str
    tax_code: str
    name: str
    head_office_tax_code: str | None = Field(description="For a branch (chi nhánh): the "
                                                         "tax code of its head office.")
    phone: str | None
    email: str | None
    assurance_level: int
    active: bool
    legal_representative: Representative
    created_at: datetime

    @classmethod
    def of(cls, business: Account, representative: Account) -> BusinessOut:
        tax_code = business.tax_code or business.username
        return cls(
            id=business.id, username=business.username, tax_code=tax_code,
            name=business.full_name, head_office_tax_code=head_office_of(tax_code),
            phone=business.phone, email=business.email,
            assurance_level=business.assurance_level, active=business.active,
            legal_representative=Representative(id=representative.id,
                                                full_name=representative.full_name),
            created_at=to_vn(business.created_at) or business.created_at,
        )

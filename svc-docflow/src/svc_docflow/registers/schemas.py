"""Register representations (sổ văn bản đi / đến)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from egov_shared.agency import AGENCY_ID_PATTERN

Direction = Literal["outgoing", "incoming"]
# The issuer part of a notation ("UBND", "STP", "SKHĐT"): letters and digits, no hyphen (the
# hyphen separates the parts of 12/QĐ-UBND).
NOTATION_PATTERN = r"^[0-9A-Za-zĐđ]{1,30}$"
Notation = Annotated[str, Field(pattern=NOTATION_PATTERN)]
TypeCode = Annotated[str, Field(min_length=1, max_length=8)]


class RegisterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: str | None = Field(default=None, max_length=35, pattern=AGENCY_ID_PATTERN,
                                  description="Default: the caller's agency")
    direction: Direction
    name: str = Field(min_length=1, max_length=200)
    issuer_notation: Notation | None = Field(
        default=None, description="Outgoing registers: the issuer part of the notation")
    doc_types: list[TypeCode] | None = Field(
        default=None, min_length=1, max_length=40,
        description="Type codes it numbers (common.types); null: every type no other "
                    "register of the agency claims")


class RegisterChange(BaseModel):
    """What an administrator or clerk may change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    issuer_notation: Notation | None = None


class Register(BaseModel):
    id: str
    agency_id: str
    direction: Direction
    name: str
    issuer_notation: str | None
    doc_types: list[str] | None
    active: bool
    created_at: datetime
    year: int = Field(description="The current year in Vietnam time")
    last_number: int = Field(description="The last number taken this year (0: none yet)")

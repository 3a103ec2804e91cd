"""Procedure (thủ tục hành chính) representations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Fee(BaseModel):
    name: str
    amount: int = Field(ge=0, description="VND, integer đồng")


class Procedure(BaseModel):
    code: str
    name: str
    field: str
    agency_id: str
    duration: int
    duration_unit: Literal["working_days", "calendar_days"]
    online_level: Literal["full", "partial", "info"]
    fees: list[Fee]
    required_assurance_level: Literal[1, 2] = Field(
        default=1,
        description="Level of assurance the applicant's account needs to submit online: 1 "
                    "self-declared, 2 verified (chip ID checked at a one-stop-shop counter, or "
                    "confirmed by the national population database). Read from the access "
                    "token's `acr`; counter and postal submissions are checked in person.")

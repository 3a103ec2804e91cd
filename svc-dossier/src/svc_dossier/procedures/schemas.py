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

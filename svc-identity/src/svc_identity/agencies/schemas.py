"""Agency representation (field names fixed by DESIGN §3)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    legacy_id: str | None
    name: str
    parent_id: str | None
    kind: str
    valid_from: date | None
    valid_to: date | None

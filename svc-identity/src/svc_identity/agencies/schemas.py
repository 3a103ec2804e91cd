"""Agency representation and administration bodies (field names fixed by DESIGN §3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from svc_identity.accounts.schemas import IsoDate
from svc_identity.agencies.validation import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN

AgencyKind = Literal["province", "department", "service_centre", "commune", "division", "unit",
                     "other"]
# Checked in depth by ``validation.normalize_office_hours`` (stable error codes); only the
# outer shape and size here.
OfficeHours = Annotated[dict[str, Any], Field(
    max_length=7, examples=[{"mon": [["07:00", "11:30"], ["13:30", "17:00"]]}],
    description="Weekday (mon…sun) → ordered, non-overlapping [\"HH:MM\", \"HH:MM\"] ranges; "
                "a day left out is closed. null: the platform's default hours.",
)]
AgencyId = Annotated[str, Field(max_length=AGENCY_ID_MAX_LENGTH, pattern=AGENCY_ID_PATTERN,
                                examples=["H56.14.01"])]
LegacyId = Annotated[str, Field(max_length=13, examples=["000.00.14.H56"])]


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    legacy_id: str | None
    name: str
    parent_id: str | None
    kind: str
    valid_from: date | None
    valid_to: date | None
    successor_id: str | None
    office_hours: dict[str, list[list[str]]] | None


class AgencyCreate(BaseModel):
    """A new agency under ``parent_id``; its ID is the parent's plus one group."""

    id: AgencyId
    parent_id: AgencyId = Field(examples=["H56.14"])
    name: str = Field(max_length=255, examples=["Phòng Hành chính tư pháp"])
    kind: AgencyKind
    legacy_id: LegacyId | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    successor_id: AgencyId | None = None
    office_hours: OfficeHours | None = None


_NOT_NULLABLE = ("name", "kind")


class AgencyChanges(BaseModel):
    """Only the fields sent change; ``null`` clears an optional one."""

    name: str | None = Field(default=None, max_length=255)
    kind: AgencyKind | None = None
    legacy_id: LegacyId | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    successor_id: AgencyId | None = None
    office_hours: OfficeHours | None = None

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

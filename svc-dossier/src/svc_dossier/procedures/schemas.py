"""Procedure (thủ tục hành chính) representations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

OnlineLevel = Literal["full", "partial", "info"]
DurationUnit = Literal["working_days", "calendar_days"]
AgencyId = Annotated[str, StringConstraints(pattern=r"^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$",
                                            max_length=35)]
Duration = Annotated[int, Field(ge=1, le=3650, strict=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]

# Nghị định 42/2022: the national MucDo of each online level (4 toàn trình, 3 một phần,
# 2 information only).
NATIONAL_LEVEL: dict[str, int] = {"full": 4, "partial": 3, "info": 2}
DEFAULT_MEDIA_TYPES = ["application/pdf", "image/jpeg", "image/png"]


class Fee(BaseModel):
    name: Text
    amount: int = Field(ge=0, le=10**12, strict=True, description="VND, integer đồng")


def total_fee(fees: list[Fee] | list[dict[str, Any]]) -> int:
    """Sum of a procedure's fees (phí, lệ phí) in đồng."""
    return sum(f.amount if isinstance(f, Fee) else int(f["amount"]) for f in fees)


class Component(BaseModel):
    """Thành phần hồ sơ: one document the applicant supplies."""

    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                      description="Unique within the procedure, e.g. `TP01`")
    name: Text
    required: bool = True
    reusable: bool = Field(
        default=False, description="May be taken from the applicant's stored earlier results "
                                   "(kho dữ liệu cá nhân) instead of a new upload.")
    media_types: list[Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+-]+$")]] = (
        Field(default_factory=lambda: list(DEFAULT_MEDIA_TYPES), min_length=1, max_length=20))
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, le=100 * 1024 * 1024, strict=True)
    copies: int = Field(default=1, ge=1, le=100, strict=True, description="Số bản")


class ProcedureFields(BaseModel):
    """What an administrator sets (everything but the code)."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    field: Text = Field(description="Lĩnh vực")
    field_code: str | None = Field(default=None, max_length=64,
                                   description="National field code (MaLinhVuc)")
    agency_id: AgencyId = Field(description="Responsible agency (cơ quan thực hiện)")
    reception_agency_id: AgencyId | None = Field(
        default=None,
        description="Nơi tiếp nhận: the agency whose one-stop shop receives the dossiers, passes "
                    "them on to the responsible agency and returns the results (the provincial "
                    "public-administration service centre for the departments' procedures); "
                    "null: the responsible agency's own one-stop shop")
    duration: Duration
    duration_unit: DurationUnit = "working_days"
    online_duration: Duration | None = Field(
        default=None, description="Duration for online submissions, where it differs")
    online_level: OnlineLevel
    fees: list[Fee] = Field(default_factory=list, max_length=50)
    components: list[Component] = Field(default_factory=list, max_length=100)
    required_assurance_level: Literal[1, 2] = Field(
        default=1,
        description="Level of assurance the applicant's account needs to submit online: 1 "
                    "self-declared, 2 verified (chip ID checked at a one-stop-shop counter, or "
                    "confirmed by the national population database). Read from the access "
                    "token's `acr`; counter and postal submissions are checked in person.")
    after_15h_next_day: bool = Field(
        default=False, description="Received after 15:00: counted from the next working day")
    form_schema: dict[str, Any] | None = Field(
        default=None, description="JSON Schema (2020-12 unless `$schema` says otherwise) of "
                                  "the application form; null accepts any object")
    active: bool = True


class ProcedureCreate(ProcedureFields):
    code: str = Field(max_length=64, description="e.g. `1.001193.000.00.00.H56`")


class ProcedurePatch(BaseModel):
    """Only the fields given change; `null` clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    field: Text | None = None
    field_code: str | None = Field(default=None, max_length=64)
    agency_id: AgencyId | None = None
    reception_agency_id: AgencyId | None = None
    duration: Duration | None = None
    duration_unit: DurationUnit | None = None
    online_duration: Duration | None = None
    online_level: OnlineLevel | None = None
    fees: list[Fee] | None = Field(default=None, max_length=50)
    components: list[Component] | None = Field(default=None, max_length=100)
    required_assurance_level: Literal[1, 2] | None = None
    after_15h_next_day: bool | None = None
    form_schema: dict[str, Any] | None = None
    active: bool | None = None


class Procedure(ProcedureCreate):
    model_config = ConfigDict(extra="ignore")

    @computed_field(description="Sum of the fees, integer đồng")  # type: ignore[prop-decorator]
    @property
    def total_fee(self) -> int:
        return total_fee(self.fees)

    @computed_field(description="National MucDo: 4 toàn trình, 3 một phần, 2 information")  # type: ignore[prop-decorator]
    @property
    def national_level(self) -> int:
        return NATIONAL_LEVEL[self.online_level]


class ImportItemResult(BaseModel):
    index: int
    code: str | None
    result: Literal["created", "updated", "unchanged", "refused"]
    error_code: str | None = None
    reason: str | None = None


class ImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    refused: int
    items: list[ImportItemResult]

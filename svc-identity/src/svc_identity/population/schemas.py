"""The wire format of the national population database (CSDLQG về dân cư) as its partner APIs
spell it: Vietnamese field names in camelCase, the birth date as text in one of the two layouts
found in the field (``yyyyMMdd`` or ``dd/MM/yyyy``), sex as a code (``1`` nam, ``2`` nữ).

Shared by the simulator (which serves it) and the client (which reads it); Python names are
English, the JSON names are the national ones (aliases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SEX_CODES: dict[str, Literal["male", "female"]] = {"1": "male", "2": "female"}
_DATE_LAYOUTS = ("%Y%m%d", "%d/%m/%Y")


def parse_birth_date(value: str) -> date | None:
    """``19950314`` or ``14/03/1995``; None for anything else (e.g. a year alone)."""
    for layout in _DATE_LAYOUTS:
        try:
            return datetime.strptime(value, layout).date()  # a calendar day, no zone
        except ValueError:
            continue
    return None


class _National(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=True)


class LookupRequest(_National):
    """``POST …/api/citizens/lookup``: one citizen by personal ID number."""

    id_number: str = Field(alias="soDinhDanh", pattern=r"^[0-9]{12}$")
    request_id: str | None = Field(default=None, alias="maYeuCau", max_length=64)


class Resident(_National):
    """One citizen's record (công dân) as the national database answers it."""

    id_number: str = Field(alias="soDinhDanh", pattern=r"^[0-9]{12}$")
    old_id_number: str | None = Field(default=None, alias="soCMND", pattern=r"^[0-9]{9}$")
    full_name: str = Field(alias="hoVaTen", min_length=2, max_length=200)
    birth_date: str = Field(alias="ngaySinh", max_length=10, examples=["19950314", "14/03/1995"])
    sex_code: Literal["1", "2"] = Field(alias="gioiTinh")
    ethnicity: str | None = Field(default="Kinh", alias="danToc", max_length=64)
    religion: str | None = Field(default="Không", alias="tonGiao", max_length=64)
    nationality: str = Field(default="Việt Nam", alias="quocTich", max_length=64)
    home_town: str | None = Field(default=None, alias="queQuan", max_length=255)
    permanent_address: str | None = Field(default=None, alias="noiThuongTru", max_length=255)
    current_address: str | None = Field(default=None, alias="noiOHienTai", max_length=255)

    def national(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class NationalError(BaseModel):
    """The national systems' error body: a code (``maLoi``) and a message (``moTa``)."""

    code: str = Field(serialization_alias="maLoi")
    message: str = Field(serialization_alias="moTa")

"""The issuing agency as documents print it and packages name it (svc-identity's agency
directory), the recipients (nơi nhận) resolved against that directory, and the number and
date lines of NĐ 30/2020."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from egov_shared.errors import ServiceUnavailable, ValidationFailed
from svc_docflow.common.agencies import Agency, AgencyDirectory, AgencyDirectoryUnavailable
from svc_docflow.outgoing.schemas import RecipientIn

_PLACE = re.compile(r"(?:tỉnh|thành phố)\s+(.+)$")


@dataclass(frozen=True)
class Issuer:
    agency: Agency
    parent: Agency | None  # the governing body printed above the issuer's name
    place: str  # địa danh: "Thanh Hóa"


def directory_down(exc: Exception) -> ServiceUnavailable:
    return ServiceUnavailable("Danh mục cơ quan (svc-identity) tạm thời không truy cập được.",
                              code="agency_directory_unavailable")


async def issuer_of(directory: AgencyDirectory, agency_id: str) -> Issuer:
    try:
        chain = await directory.chain(agency_id)
    except AgencyDirectoryUnavailable as exc:
        raise directory_down(exc) from exc
    if not chain:  # an official's agency the directory does not know: nothing to print
        raise ValidationFailed(f"Cơ quan {agency_id} không có trong danh mục.",
                               code="unknown_agency")
    return Issuer(chain[0], chain[1] if len(chain) > 1 else None, place_of(chain[-1].name))


def place_of(province_name: str) -> str:
    """The place a document is promulgated at: the province of the tree's root ("UBND tỉnh
    Thanh Hóa" → "Thanh Hóa"), or the root's name where it names none."""
    found = _PLACE.search(province_name)
    return found.group(1).strip() if found else province_name


def number_text(number: int, notation: str) -> str:
    """NĐ 30: numbers below 10 are written with a leading zero ("Số: 01/QĐ-STP")."""
    return f"Số: {code_of(number, notation)}"


def code_of(number: int, notation: str) -> str:
    return f"{number:02d}/{notation}"


def date_text(place: str, day: date) -> str:
    """NĐ 30: days below 10 and months below 3 get a leading zero ("ngày 05 tháng 02",
    "ngày 28 tháng 11")."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


async def resolve_recipients(directory: AgencyDirectory, sender_id: str,
                             wanted: Sequence[RecipientIn]) -> list[dict[str, Any]]:
    """``document_recipient`` rows: agencies on the platform by their current ID (an organ
    ID that names one counts as that agency), the others as external organs. 422
    ``unknown_recipient``, ``duplicate_recipient``, ``recipient_is_sender``."""
    rows: list[dict[str, Any]] = []
    for item in wanted:
        row = await _resolve(directory, item)
        if row["agency_id"] == sender_id:
            raise ValidationFailed("Văn bản không gửi cho chính cơ quan ban hành.",
                                   code="recipient_is_sender")
        if any(r["organ_id"] == row["organ_id"] for r in rows):
            raise ValidationFailed(f"Nơi nhận {row['name']} bị trùng.",
                                   code="duplicate_recipient", extra={"organ_id": row["organ_id"]})
        rows.append(row)
    return rows


async def _resolve(directory: AgencyDirectory, item: RecipientIn) -> dict[str, Any]:
    key = item.agency_id or item.organ_id or ""
    try:
        agency = await directory.find(key)
    except AgencyDirectoryUnavailable as exc:
        raise directory_down(exc) from exc
    if agency is not None:
        return {"organ_id": agency.organ_id, "agency_id": agency.id, "name": agency.name,
                "external": False}
    if item.agency_id is not None:
        raise ValidationFailed(f"Không có cơ quan {item.agency_id} trên hệ thống.",
                               code="unknown_recipient", extra={"agency_id": item.agency_id})
    return {"organ_id": item.organ_id, "agency_id": None, "name": item.name, "external": True}

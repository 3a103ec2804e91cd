"""Client of the national population database (CSDLQG về dân cư), over HTTP with httpx.

It speaks the national wire format (``population.schemas``) and hands back what svc-identity
needs to compare. Anything but a clear answer (refused connection, timeout, a server error, a
body it cannot read) is :class:`PopulationUnavailable`: the caller must change nothing then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import httpx
from pydantic import ValidationError

from egov_shared import http as shared_http
from svc_identity.population.schemas import SEX_CODES, Resident, parse_birth_date
from svc_identity.settings import IdentitySettings

NOT_FOUND_CODE = "KHONG_TIM_THAY"


class PopulationUnavailable(Exception):
    """The population database gave no usable answer."""


@dataclass(frozen=True)
class PopulationRecord:
    """The identity the national database holds for one personal ID number."""

    id_number: str
    full_name: str
    date_of_birth: date | None  # None when the record's date is partial or unreadable
    sex: Literal["male", "female"]
    permanent_address: str | None


class PopulationClient:
    def __init__(self, base_url: str, *, timeout: float) -> None:
        self.lookup_url = base_url.rstrip("/") + "/api/citizens/lookup"
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> PopulationClient:
        return cls(settings.population_url, timeout=settings.population_timeout_seconds)

    async def lookup(self, id_number: str) -> PopulationRecord | None:
        """The record for this personal ID number, or None when the database has none."""
        try:
            async with shared_http.client(timeout=self.timeout) as client:
                response = await client.post(self.lookup_url, json={"soDinhDanh": id_number})
        except httpx.HTTPError as exc:
            raise PopulationUnavailable(f"{type(exc).__name__} from {self.lookup_url}") from exc
        if response.status_code == 404 and _error_code(response) == NOT_FOUND_CODE:
            return None
        if response.status_code != 200:
            raise PopulationUnavailable(f"HTTP {response.status_code} from {self.lookup_url}")
        return _record(response)


def _error_code(response: httpx.Response) -> str | None:
    """A 404 means "no such citizen" only when the database says so: a wrong URL is not an
    answer about the citizen."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("maLoi") if isinstance(body, dict) else None


def _record(response: httpx.Response) -> PopulationRecord:
    try:
        resident = Resident.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise PopulationUnavailable("unreadable answer from the population database") from exc
    return PopulationRecord(
        id_number=resident.id_number, full_name=resident.full_name,
        date_of_birth=parse_birth_date(resident.birth_date), sex=SEX_CODES[resident.sex_code],
        permanent_address=resident.permanent_address,
    )

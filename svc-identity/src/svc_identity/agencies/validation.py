"""Agency electronic IDs (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg): the current form,
read left to right (``H56.14``), and the legacy 13-character form read right to left
(``000.00.14.H56``), still carried by edXML packages and older systems."""

from __future__ import annotations

import re

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN, is_agency_id

__all__ = ["AGENCY_ID_MAX_LENGTH", "AGENCY_ID_PATTERN", "LEGACY_ID_PATTERN", "is_agency_id",
           "is_legacy_id"]

LEGACY_ID_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Y][0-9]{2}$"
_LEGACY_ID = re.compile(LEGACY_ID_PATTERN)


def is_legacy_id(value: str) -> bool:
    return _LEGACY_ID.match(value) is not None

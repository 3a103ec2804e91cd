"""Agency electronic IDs (QĐ 20/2020/QĐ-TTg, amended by QĐ 09/2025/QĐ-TTg): the current form,
read left to right (``H56.14``), and the legacy 13-character form read right to left
(``000.00.14.H56``), still carried by edXML packages and older systems."""

from __future__ import annotations

import re

AGENCY_ID_PATTERN = r"^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$"
LEGACY_ID_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Y][0-9]{2}$"
AGENCY_ID_MAX_LENGTH = 35

_AGENCY_ID = re.compile(AGENCY_ID_PATTERN)
_LEGACY_ID = re.compile(LEGACY_ID_PATTERN)


def is_agency_id(value: str) -> bool:
    return len(value) <= AGENCY_ID_MAX_LENGTH and _AGENCY_ID.match(value) is not None


def is_legacy_id(value: str) -> bool:
    return _LEGACY_ID.match(value) is not None

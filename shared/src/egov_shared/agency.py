"""Agency electronic IDs (mã định danh điện tử, QĐ 20/2020 amended by QĐ 09/2025)."""

from __future__ import annotations

import re

# Current form, read left to right: level 1 is a letter A–Y and two digits, lower levels append
# groups (``H56.14``). IDs nest, so an agency's subtree is itself plus ``<id>.``-prefixed IDs.
AGENCY_ID_PATTERN = r"^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$"
AGENCY_ID_MAX_LENGTH = 35
_AGENCY_ID = re.compile(AGENCY_ID_PATTERN)


def is_agency_id(value: str) -> bool:
    return len(value) <= AGENCY_ID_MAX_LENGTH and _AGENCY_ID.match(value) is not None

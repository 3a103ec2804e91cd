"""Contacts: Vietnamese mobile numbers and email addresses, checked and normalised."""

from __future__ import annotations

import re

# Mobile numbers: 10 digits starting 03, 05, 07, 08, 09 (after the 2018 renumbering), written
# 0xxxxxxxxx or +84xxxxxxxxx; stored as E.164 (+84…), which SMS gateways expect.
_MOBILE = re.compile(r"^(?:0|\+84|84)([35789][0-9]{8})$")
_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(  # ASCII addresses, as svc-identity accepts them
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
)


def normalize_phone(raw: str | None) -> str | None:
    """``+84912345678`` for a Vietnamese mobile number, else ``None``."""
    if not raw:
        return None
    match = _MOBILE.match(_SEPARATORS.sub("", raw))
    return f"+84{match.group(1)}" if match else None


def normalize_email(raw: str | None) -> str | None:
    """The address with its domain in lower case, else ``None``."""
    if not raw:
        return None
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"

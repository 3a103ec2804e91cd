"""Pure checks of what a business declares (DOMAIN §7); no I/O.

The tax code (mã số thuế = mã số doanh nghiệp) is 10 digits with a check digit; a branch
(chi nhánh) adds ``-NNN``. ``python-stdnum`` knows the rule; we keep one canonical form, the one
printed on certificates: ``0100233488`` or ``0100233488-001``.
"""

from __future__ import annotations

import unicodedata

from stdnum import exceptions
from stdnum.vn import mst

from egov_shared.errors import ValidationFailed

_REASONS: dict[type[exceptions.ValidationError], str] = {
    exceptions.InvalidLength: "length",
    exceptions.InvalidFormat: "format",
    exceptions.InvalidComponent: "component",
    exceptions.InvalidChecksum: "check_digit",
}


def check_tax_code(tax_code: str) -> str:
    """The canonical form of a valid tax code; spaces, dots and dashes as typed are accepted."""
    try:
        compact = mst.validate(tax_code)
    except exceptions.ValidationError as exc:
        raise ValidationFailed(
            "Mã số thuế không hợp lệ: 10 chữ số (chi nhánh: thêm -NNN) với chữ số kiểm tra đúng.",
            code="invalid_tax_code",
            extra={"field": "tax_code", "reason": _REASONS.get(type(exc), "format")},
        ) from exc
    return str(mst.format(compact))


def canonical_tax_code(tax_code: str) -> str | None:
    """The canonical form, or None when it is not a valid tax code (lookups answer 404)."""
    return str(mst.format(mst.compact(tax_code))) if mst.is_valid(tax_code) else None


def head_office_of(tax_code: str) -> str | None:
    """A branch's head-office tax code (the first ten digits); None for a head office."""
    return tax_code[:10] if len(tax_code) > 10 else None


def normalize_business_name(name: str) -> str:
    """NFC with single spaces. Unlike a person's name, a business name may hold digits and
    signs ("Công ty TNHH Thương mại & Dịch vụ 368")."""
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    if len(clean) < 2 or not clean.isprintable():
        raise ValidationFailed("Tên doanh nghiệp không hợp lệ.", code="invalid_business_name",
                               extra={"field": "name"})
    return clean

"""Notification preferences of citizens and businesses (their own only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden, ValidationFailed
from egov_shared.timeutil import to_vn, utcnow
from svc_dossier.notifications import repository
from svc_dossier.notifications.contacts import normalize_email, normalize_phone
from svc_dossier.notifications.schemas import Preferences, PreferencesUpdate
from svc_dossier.notifications.templates import ESSENTIAL, KINDS, OPTIONAL

APPLICANT_KINDS = ("citizen", "business")


def _applicant(principal: Principal) -> str:
    if principal.kind not in APPLICANT_KINDS:
        raise Forbidden("Chỉ công dân, doanh nghiệp có thiết lập nhận thông báo hồ sơ.",
                        code="applicants_only")
    return principal.subject


def _fail(code: str, message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, extra={"field": field})


async def get_preferences(session: AsyncSession, principal: Principal) -> Preferences:
    row = await repository.preference_of(session, _applicant(principal))
    if row is not None:
        return _answer(row)
    # Nothing saved: suggest the contact the sign-in token carries (scopes email, phone).
    email = normalize_email(_claim(principal, "email"))
    phone = normalize_phone(_claim(principal, "phone_number"))
    return Preferences(email=email, phone=phone, email_enabled=email is not None,
                       sms_enabled=phone is not None, muted_events=[], saved=False,
                       updated_at=None, **_catalogue())


async def put_preferences(session: AsyncSession, principal: Principal,
                          body: PreferencesUpdate) -> Preferences:
    account_id = _applicant(principal)
    values = _checked(body)
    row = await repository.save_preference(session, {
        "account_id": account_id, **values, "updated_at": utcnow()})
    return _answer(row)


def _checked(body: PreferencesUpdate) -> dict[str, Any]:
    email = normalize_email(body.email)
    if body.email and email is None:
        raise _fail("invalid_email", "Địa chỉ thư điện tử không hợp lệ.", "email")
    phone = normalize_phone(body.phone)
    if body.phone and phone is None:
        raise _fail("invalid_phone", "Số điện thoại di động không hợp lệ (0xxxxxxxxx hoặc "
                                     "+84xxxxxxxxx).", "phone")
    if body.email_enabled and email is None:
        raise _fail("email_required", "Cần địa chỉ thư điện tử để nhận thông báo qua thư.",
                    "email")
    if body.sms_enabled and phone is None:
        raise _fail("phone_required", "Cần số điện thoại để nhận thông báo qua SMS.", "phone")
    return {"email": email, "phone": phone, "email_enabled": body.email_enabled,
            "sms_enabled": body.sms_enabled, "muted_events": _muted(body.muted_events)}


def _muted(kinds: list[str]) -> list[str]:
    for kind in kinds:
        if kind not in KINDS:
            raise _fail("unknown_event", f"Không có loại thông báo “{kind}”.", "muted_events")
        if kind in ESSENTIAL:
            raise _fail("essential_event", f"Thông báo “{kind}” là bắt buộc, không thể tắt.",
                        "muted_events")
    return sorted(set(kinds))


def _claim(principal: Principal, name: str) -> str | None:
    value = principal.claims.get(name)
    return value if isinstance(value, str) else None


def _catalogue() -> dict[str, list[str]]:
    return {"essential_events": sorted(ESSENTIAL), "optional_events": sorted(OPTIONAL)}


def _answer(row: Row[Any]) -> Preferences:
    return Preferences(email=row.email, phone=row.phone, email_enabled=row.email_enabled,
                       sms_enabled=row.sms_enabled, muted_events=list(row.muted_events or []),
                       saved=True, updated_at=to_vn(row.updated_at), **_catalogue())

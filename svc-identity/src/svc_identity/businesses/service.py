"""Business use cases: a citizen opens the account of a business they legally represent; who
may see which business.

Services never commit: the account, its ``ACCOUNT_REGISTERED`` outbox row and its audit entry
are stored together by the request's unit of work, or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.events.contracts import ACCOUNT_REGISTERED
from egov_shared.messaging.outbox import Outbox
from svc_identity.accounts import passwords, validation
from svc_identity.accounts import repository as accounts
from svc_identity.accounts.service import SELF_DECLARED
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.businesses import repository
from svc_identity.businesses.schemas import BusinessRegistration
from svc_identity.businesses.validation import (
    canonical_tax_code,
    check_tax_code,
    normalize_business_name,
)
from svc_identity.models import Account

# Officials who may look any business up (the one-stop shop receives businesses' dossiers).
LOOKUP_ROLES = ("one_stop_officer", "admin")

BusinessView = tuple[Account, Account]  # the business and its legal representative


def _validated(data: BusinessRegistration) -> dict[str, str | None]:
    tax_code = check_tax_code(data.tax_code)
    name = normalize_business_name(data.name)
    phone = validation.normalize_phone(data.phone) if data.phone else None
    email = validation.normalize_email(data.email) if data.email else None
    validation.check_password(data.password, id_number=tax_code[:10])
    return {"tax_code": tax_code, "full_name": name, "phone": phone, "email": email}


def _business_exists() -> Conflict:
    return Conflict("Mã số thuế này đã có tài khoản.", code="account_exists")


async def _representative(session: AsyncSession, account_id: str) -> Account:
    account = await accounts.get_account(session, account_id)
    if account is None or not account.active or account.kind != "citizen":
        raise NotFound("Tài khoản không tồn tại.", code="account_not_found")
    return account


def _new_business(clean: dict[str, str | None], representative: Account,
                  password_hash: str) -> Account:
    """The business starts at its representative's level of assurance, and says so."""
    tax_code = str(clean["tax_code"])
    return Account(
        id=str(uuid.uuid4()), username=tax_code, kind="business", tax_code=tax_code,
        full_name=clean["full_name"], phone=clean["phone"], email=clean["email"],
        password_hash=password_hash, legal_representative_id=representative.id,
        assurance_level=representative.assurance_level or SELF_DECLARED,
        verified_at=representative.verified_at,
        verification_method=representative.verification_method,
        verified_by=representative.verified_by,
        active=True, created_at=datetime.now(UTC), roles=[],
    )


async def register_business(
    session: AsyncSession, *, outbox: Outbox, representative_id: str,
    data: BusinessRegistration, origin: Origin,
) -> BusinessView:
    representative = await _representative(session, representative_id)
    clean = _validated(data)
    if await accounts.account_exists(session, username=str(clean["tax_code"]), id_number=None):
        raise _business_exists()
    business = _new_business(clean, representative,
                             await passwords.hash_password(data.password))
    try:
        await accounts.add_account(session, business)
    except IntegrityError as exc:  # a concurrent registration of the same tax code won
        raise _business_exists() from exc
    await outbox.add(session, ACCOUNT_REGISTERED, subject=business.id, data={
        "account_id": business.id, "kind": "business",
        "assurance_level": business.assurance_level, "registered_at": business.created_at,
    })
    await audit.record(session, action="business.registered", origin=origin,
                       actor=Actor(representative.id, "citizen"), target_type="account",
                       target_id=business.id, details={"tax_code": business.tax_code})
    return business, representative


def can_see(principal: Principal, business: Account) -> bool:
    """The business itself, its legal representative and one-stop-shop officers."""
    if principal.subject in (business.id, business.legal_representative_id):
        return True
    return principal.kind == "official" and principal.has_role(*LOOKUP_ROLES)


async def get_visible(session: AsyncSession, principal: Principal, tax_code: str) -> BusinessView:
    """The business, or 404 both when there is none and when it is not the caller's."""
    canonical = canonical_tax_code(tax_code)
    found = await repository.get_business(session, tax_code=canonical) if canonical else None
    if found is None or not can_see(principal, found[0]):
        raise NotFound("Không tìm thấy doanh nghiệp.", code="business_not_found")
    return found


async def list_visible(session: AsyncSession, principal: Principal,
                       tax_code: str | None) -> Sequence[BusinessView]:
    """A citizen: the businesses they represent; a business: itself; a one-stop-shop officer:
    the business with ``tax_code`` (required: there is no browsing every business)."""
    canonical = check_tax_code(tax_code) if tax_code is not None else None
    if principal.kind == "citizen":
        return await repository.list_represented(session, principal.subject, tax_code=canonical)
    if principal.kind == "business":
        found = await repository.get_business(session, account_id=principal.subject)
        return [found] if found and canonical in (None, found[0].tax_code) else []
    if principal.kind == "official" and principal.has_role(*LOOKUP_ROLES):
        if canonical is None:
            raise ValidationFailed("Cần nhập mã số thuế để tra cứu doanh nghiệp.",
                                   code="tax_code_required", extra={"field": "tax_code"})
        found = await repository.get_business(session, tax_code=canonical)
        return [found] if found else []
    raise Forbidden("Chỉ công dân, doanh nghiệp và cán bộ một cửa được xem doanh nghiệp.")

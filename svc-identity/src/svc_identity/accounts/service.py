"""Account use cases: register a citizen, check credentials, load the caller's profile.

Services never commit: the request's unit of work does, so the account and its
``ACCOUNT_REGISTERED`` outbox row are stored together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import Conflict, NotFound, ValidationFailed
from egov_shared.events.contracts import ACCOUNT_LOCKED, ACCOUNT_REGISTERED
from egov_shared.messaging.outbox import Outbox
from svc_identity.accounts import passwords, repository, security, validation
from svc_identity.accounts.schemas import CitizenRegistration
from svc_identity.audit import service as audit
from svc_identity.audit.service import Origin
from svc_identity.models import Account
from svc_identity.secretbox import SecretBox

SELF_DECLARED = 1  # level of assurance 1: identity declared online, not yet verified
VERIFIED = 2  # level 2: identity checked in person (officials are, by their agency)


def _validated(data: CitizenRegistration, today: date) -> dict[str, str | None]:
    """Checks in the order a person fixes a form: the ID, its consistency, contact, password."""
    validation.check_id_number(data.id_number)
    validation.check_date_of_birth(data.date_of_birth, today=today)
    validation.check_id_number_matches(data.id_number, date_of_birth=data.date_of_birth,
                                       sex=data.sex)
    full_name = validation.normalize_full_name(data.full_name)
    if not (data.phone or data.email):
        raise ValidationFailed("Cần khai số điện thoại hoặc thư điện tử.",
                               code="contact_required", extra={"field": "phone"})
    phone = validation.normalize_phone(data.phone) if data.phone else None
    email = validation.normalize_email(data.email) if data.email else None
    validation.check_password(data.password, id_number=data.id_number)
    return {"full_name": full_name, "phone": phone, "email": email}


def _account_exists() -> Conflict:
    return Conflict("Số định danh này đã có tài khoản.", code="account_exists")


async def register_citizen(
    session: AsyncSession, *, outbox: Outbox, data: CitizenRegistration, today: date
) -> Account:
    clean = _validated(data, today)
    if await repository.account_exists(session, username=data.id_number,
                                       id_number=data.id_number):
        raise _account_exists()
    account = Account(
        id=str(uuid.uuid4()), username=data.id_number, kind="citizen",
        id_number=data.id_number, date_of_birth=data.date_of_birth, sex=data.sex,
        password_hash=await passwords.hash_password(data.password),
        assurance_level=SELF_DECLARED, active=True, created_at=datetime.now(UTC), roles=[],
        **clean,
    )
    try:
        await repository.add_account(session, account)
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise _account_exists() from exc
    await outbox.add(session, ACCOUNT_REGISTERED, subject=account.id, data={
        "account_id": account.id, "kind": account.kind,
        "assurance_level": account.assurance_level, "registered_at": account.created_at,
    })
    return account


@dataclass(frozen=True)
class CredentialCheck:
    """The outcome of a username and password: ``ok`` with the account, ``failed`` (wrong
    username or password, indistinguishable) or ``locked`` (until ``locked_until``)."""

    status: Literal["ok", "failed", "locked"]
    account: Account | None = None
    locked_until: datetime | None = None


async def check_credentials(
    session: AsyncSession, *, username: str, password: str, policy: security.LockoutPolicy,
    outbox: Outbox, origin: Origin, now: datetime,
) -> CredentialCheck:
    """Checks a password with lockout. Failures are counted and audited here; the success is
    audited once the whole sign-in (second factor included) is complete."""
    account = await repository.get_account_by_username(session, username)
    if account is not None and not account.active:
        account = None
    if account is not None and security.is_locked(account.locked_until, now):
        await audit.record(session, action="login", outcome="denied", origin=origin,
                           target_type="account", target_id=account.id,
                           agency_id=account.agency_id, details={"reason": "locked"})
        return CredentialCheck("locked", locked_until=account.locked_until)
    stored = account.password_hash if account is not None else None
    if not await passwords.verify_password(stored, password) or account is None:
        return await _failed(session, account, policy=policy, outbox=outbox, origin=origin,
                             now=now)
    if account.failed_logins:
        await repository.clear_failures(session, account.id)
    if passwords.needs_rehash(account.password_hash):
        await repository.set_password_hash(session, account.id,
                                           await passwords.hash_password(password))
    return CredentialCheck("ok", account=account)


async def _failed(session: AsyncSession, account: Account | None, *,
                  policy: security.LockoutPolicy, outbox: Outbox, origin: Origin,
                  now: datetime) -> CredentialCheck:
    if account is None:
        # The attempted username is not kept: it may be someone's ID number.
        await audit.record(session, action="login", outcome="failure", origin=origin,
                           details={"reason": "unknown_account_or_password"})
        return CredentialCheck("failed")
    await audit.record(session, action="login", outcome="failure", origin=origin,
                       target_type="account", target_id=account.id,
                       agency_id=account.agency_id, details={"reason": "wrong_password"})
    return await count_failure(session, account, policy=policy, outbox=outbox, origin=origin,
                               now=now)


async def count_failure(session: AsyncSession, account: Account, *,
                        policy: security.LockoutPolicy, outbox: Outbox, origin: Origin,
                        now: datetime) -> CredentialCheck:
    """One more failure (a wrong password or a wrong second-factor code); locks at the bar."""
    failed = await repository.increment_failures(session, account.id)
    if failed < policy.threshold:
        return CredentialCheck("failed")
    outcome = security.after_failure(policy, failed_logins=failed - 1,
                                     lockouts=account.lockouts, now=now)
    assert outcome.locked_until is not None
    if not await repository.lock_account(session, account.id, threshold=policy.threshold,
                                         locked_until=outcome.locked_until):
        return CredentialCheck("failed")  # a concurrent failure locked it already
    await audit.record(session, action="account.locked", origin=origin, target_type="account",
                       target_id=account.id, agency_id=account.agency_id,
                       details={"failed_attempts": failed,
                                "locked_until": outcome.locked_until.isoformat()})
    await outbox.add(session, ACCOUNT_LOCKED, subject=account.id, agency=account.agency_id,
                     data={"account_id": account.id, "kind": account.kind,
                           "failed_attempts": failed, "locked_until": outcome.locked_until,
                           "locked_at": now})
    return CredentialCheck("locked", locked_until=outcome.locked_until)


async def get_profile(session: AsyncSession, account_id: str) -> Account:
    account = await repository.get_account(session, account_id)
    if account is None or not account.active:
        raise NotFound("Tài khoản không tồn tại.", code="account_not_found")
    return account


async def ensure_official(
    session: AsyncSession, *, username: str, full_name: str, password: str, role: str,
    agency_id: str,
) -> bool:
    """Creates an official account unless the username exists; True when it created one.

    Replicas may seed at the same moment, hence an insert that ignores a conflict rather than
    a check followed by an insert."""
    if role not in validation.OFFICIAL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    if await repository.account_exists(session, username=username, id_number=None):
        return False
    account_id = await repository.insert_account_if_missing(session, {
        "id": str(uuid.uuid4()), "username": username, "kind": "official",
        "full_name": full_name, "password_hash": await passwords.hash_password(password),
        "assurance_level": VERIFIED, "agency_id": agency_id, "active": True,
        "created_at": datetime.now(UTC),
    })
    if account_id is None:
        return False
    await repository.add_roles(session, account_id, [role])
    return True


async def ensure_demo_totp(session: AsyncSession, *, username: str, box: SecretBox,
                           secret: str) -> None:
    """Demo mode: the published authenticator secret for a demo official who needs TOTP."""
    account = await repository.get_account_by_username(session, username)
    if account is not None and account.totp_enabled_at is None:
        await repository.set_totp(session, account.id, box.seal(secret, aad=account.id),
                                  enabled_at=datetime.now(UTC))

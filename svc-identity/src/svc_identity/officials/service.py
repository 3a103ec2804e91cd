"""Administration of officials: accounts in an agency, their roles, disabling them.

An administrator (role ``admin``) acts on the officials of their own agency's subtree only;
an official outside it answers 404, exactly like one that does not exist. Who is an
administrator is read from the database on each call, not from the token, so a revoked role
or a disabled account stops working at once. Services never commit: each change, its audit
entry and its outbox event are stored together by the request's unit of work.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.events.contracts import (
    ACCOUNT_DISABLED,
    ACCOUNT_REGISTERED,
    ROLE_GRANTED,
    ROLE_REVOKED,
    EventContract,
)
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from svc_identity.accounts import passwords, validation
from svc_identity.agencies import repository as agencies
from svc_identity.audit import service as audit
from svc_identity.models import Account, AccountRole
from svc_identity.officials import repository
from svc_identity.officials.schemas import OfficialCreate
from svc_identity.oidc import repository as oidc_repository

ADMIN = "admin"
VERIFIED = 2  # officials' identity is checked by their agency: level of assurance 2
# At least one letter: all-digit names are citizens' ID numbers and businesses' tax codes.
_USERNAME = re.compile(r"^(?=.*[a-z])[a-z0-9._-]{3,64}$")


async def acting_admin(session: AsyncSession, principal: Principal) -> Principal:
    """The caller as an administrator, with roles and agency as stored now; anyone else 403."""
    if principal.kind == "official" and principal.has_role(ADMIN):
        account = await repository.get_official(session, principal.subject)
        if (account is not None and account.active and ADMIN in account.role_names
                and account.agency_id is not None):
            return replace(principal, roles=frozenset(account.role_names),
                           agency_id=account.agency_id)
    raise Forbidden("Chỉ quản trị viên của cơ quan mới làm được việc này.",
                    code="admin_required")


def _official_not_found() -> NotFound:
    return NotFound("Không có cán bộ này.", code="official_not_found")


async def _visible(session: AsyncSession, admin: Principal, official_id: str) -> Account:
    """The official, if in the administrator's subtree; otherwise the same 404 as a miss."""
    account = await repository.get_official(session, official_id)
    if account is None or not admin.covers_agency(account.agency_id or ""):
        raise _official_not_found()
    return account


async def _check_destination(session: AsyncSession, admin: Principal, agency_id: str, *,
                             today: date) -> None:
    """An agency an official may be placed in: in the subtree, existing, not dissolved."""
    agency = await agencies.get_agency(session, agency_id)
    if agency is None or not admin.covers_agency(agency_id):
        raise NotFound(f"Không có cơ quan {agency_id}.", code="agency_not_found")
    if agency.valid_to is not None and agency.valid_to < today:
        raise ValidationFailed(f"Cơ quan {agency_id} đã hết hiệu lực từ {agency.valid_to}.",
                               code="agency_dissolved", extra={"field": "agency_id"})


def _check_role(role: str, field: str = "role") -> None:
    if role not in validation.OFFICIAL_ROLES:
        raise ValidationFailed(
            f"Vai trò không hợp lệ: {role}. Có: {', '.join(sorted(validation.OFFICIAL_ROLES))}.",
            code="unknown_role", extra={"field": field})


def _check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise ValidationFailed("Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, '.', '_', '-' và có ít "
                               "nhất một chữ cái.", code="invalid_username",
                               extra={"field": "username"})


def _normalized_position(position: str | None) -> str | None:
    clean = " ".join(unicodedata.normalize("NFC", position or "").split())
    if clean and not clean.isprintable():
        raise ValidationFailed("Chức vụ không hợp lệ.", code="invalid_position",
                               extra={"field": "position"})
    return clean or None


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """The person's details as stored: one spelling of the name, compact phone, and so on."""
    clean = dict(values)
    if "full_name" in clean:
        clean["full_name"] = validation.normalize_full_name(clean["full_name"])
    if "position" in clean:
        clean["position"] = _normalized_position(clean["position"])
    if clean.get("phone") is not None:
        clean["phone"] = validation.normalize_phone(clean["phone"])
    if clean.get("email") is not None:
        clean["email"] = validation.normalize_email(clean["email"])
    return clean


def _matches(account: Account, folded_query: str) -> bool:
    return folded_query in fold(account.full_name) or folded_query in account.username


async def list_officials(
    session: AsyncSession, principal: Principal, *, agency_id: str | None, q: str | None,
    role: str | None, active: bool | None, limit: int, offset: int,
) -> Sequence[Account]:
    """Officials of the administrator's subtree (or of ``agency_id``'s subtree inside it),
    sorted by username. ``q`` ignores diacritics and case on name and username."""
    admin = await acting_admin(session, principal)
    subtree = agency_id or admin.agency_id or ""
    if not admin.covers_agency(subtree):
        return []  # outside the subtree: as empty as an agency without officials
    found = await repository.list_officials(session, subtree=subtree, role=role, active=active)
    if q is not None and fold(q):
        # No folded copy of the name is stored yet, so the filter runs here, on one subtree.
        found = [a for a in found if _matches(a, fold(q))]
    return found[offset:offset + limit]


async def colleagues(session: AsyncSession, principal: Principal, *, role: str | None
                     ) -> Sequence[Account]:
    """Active officials of the caller's own agency and its subtree: whom a drafter names as
    signer, whom a leader assigns. Officials only; nobody outside that subtree."""
    if principal.kind != "official" or not principal.agency_id:
        raise Forbidden("Only officials may look up their colleagues.")
    return await repository.list_officials(session, subtree=principal.agency_id, role=role,
                                           active=True)


async def get_official(session: AsyncSession, principal: Principal, official_id: str) -> Account:
    return await _visible(session, await acting_admin(session, principal), official_id)


async def create_official(
    session: AsyncSession, outbox: Outbox, *, principal: Principal, data: OfficialCreate,
    origin: audit.Origin, today: date,
) -> Account:
    admin = await acting_admin(session, principal)
    await _check_destination(session, admin, data.agency_id, today=today)
    account = await _new_account(session, data)
    await _store_new(session, account)
    await outbox.add(session, ACCOUNT_REGISTERED, subject=account.id, agency=account.agency_id,
                     data={"account_id": account.id, "kind": "official",
                           "assurance_level": VERIFIED, "agency_id": account.agency_id,
                           "registered_at": account.created_at})
    await audit.record(session, action="official.created", origin=origin,
                       actor=audit.Actor.of(admin), target_type="account", target_id=account.id,
                       agency_id=account.agency_id,
                       details={"username": account.username, "roles": account.role_names})
    for role in account.role_names:
        await _role_changed(session, outbox, ROLE_GRANTED, admin, account, role, origin)
    return account


async def _new_account(session: AsyncSession, data: OfficialCreate) -> Account:
    """Checks in the order a person fixes the form, then hashes the password."""
    _check_username(data.username)
    details = _normalized(data.model_dump(include={"full_name", "position", "email", "phone"}))
    roles = sorted(set(data.roles))
    for role in roles:
        _check_role(role, field="roles")
    validation.check_password(data.password, id_number=data.username)
    return Account(
        id=str(uuid.uuid4()), username=data.username, kind="official",
        agency_id=data.agency_id, assurance_level=VERIFIED, active=True,
        created_at=datetime.now(UTC), password_hash=await passwords.hash_password(data.password),
        roles=[AccountRole(role=role) for role in roles], **details,
    )


async def _store_new(session: AsyncSession, account: Account) -> None:
    taken = Conflict(f"Tên đăng nhập {account.username} đã được dùng.", code="username_taken")
    if await repository.username_taken(session, account.username):
        raise taken
    try:
        await repository.add_official(session, account)
    except IntegrityError as exc:  # a concurrent creation of the same username won
        raise taken from exc


async def change_official(
    session: AsyncSession, *, principal: Principal, official_id: str, changes: dict[str, Any],
    origin: audit.Origin, today: date,
) -> Account:
    admin = await acting_admin(session, principal)
    account = await _visible(session, admin, official_id)
    values = _normalized(changes)
    moved_from = account.agency_id
    moved_to: str | None = values.get("agency_id", moved_from)
    if moved_to is not None and moved_to != moved_from:
        if account.id == admin.subject:
            raise _cannot_change_self("chuyển cơ quan của chính mình")
        await _check_destination(session, admin, moved_to, today=today)
    if values:
        await repository.update_official(session, account.id, values)
    details: dict[str, Any] = {"fields": sorted(values)}
    if moved_to != moved_from:
        details.update(from_agency_id=moved_from, to_agency_id=moved_to)
    await audit.record(session, action="official.updated", origin=origin,
                       actor=audit.Actor.of(admin), target_type="account", target_id=account.id,
                       agency_id=moved_to, details=details)
    return await _reloaded(session, account.id)


async def grant_role(
    session: AsyncSession, outbox: Outbox, *, principal: Principal, official_id: str,
    role: str, origin: audit.Origin,
) -> Account:
    admin = await acting_admin(session, principal)
    account = await _visible(session, admin, official_id)
    _check_role(role)
    if role in account.role_names:
        raise Conflict(f"Cán bộ đã có vai trò {role}.", code="role_already_held")
    await repository.add_role(session, account.id, role)
    await _role_changed(session, outbox, ROLE_GRANTED, admin, account, role, origin)
    return await _reloaded(session, account.id)


async def revoke_role(
    session: AsyncSession, outbox: Outbox, *, principal: Principal, official_id: str,
    role: str, origin: audit.Origin,
) -> Account:
    admin = await acting_admin(session, principal)
    account = await _visible(session, admin, official_id)
    if role not in account.role_names:
        raise NotFound(f"Cán bộ không có vai trò {role}.", code="role_not_held")
    if account.id == admin.subject and role == ADMIN:
        raise _cannot_change_self("bỏ vai trò quản trị của chính mình")
    await repository.remove_role(session, account.id, role)
    await _role_changed(session, outbox, ROLE_REVOKED, admin, account, role, origin)
    return await _reloaded(session, account.id)


async def _role_changed(
    session: AsyncSession, outbox: Outbox, contract: EventContract, admin: Principal,
    account: Account,
    role: str, origin: audit.Origin,
) -> None:
    """The event other services hear and the audit entry (who, when, from where)."""
    granted = contract is ROLE_GRANTED
    await outbox.add(session, contract, subject=account.id, agency=account.agency_id, data={
        "account_id": account.id, "role": role, "agency_id": account.agency_id,
        "changed_by": admin.subject, "changed_at": datetime.now(UTC),
    })
    await audit.record(session, action="role.granted" if granted else "role.revoked",
                       origin=origin, actor=audit.Actor.of(admin), target_type="account",
                       target_id=account.id, agency_id=account.agency_id,
                       details={"role": role})


async def disable_official(
    session: AsyncSession, outbox: Outbox, *, principal: Principal, official_id: str,
    origin: audit.Origin,
) -> Account:
    """The official can no longer sign in; their refresh tokens and single sign-on sessions end.
    Disabling a disabled official changes nothing."""
    admin = await acting_admin(session, principal)
    account = await _visible(session, admin, official_id)
    if account.id == admin.subject:
        raise _cannot_change_self("vô hiệu hóa tài khoản của chính mình")
    if not account.active:
        return account
    now = datetime.now(UTC)
    await repository.update_official(session, account.id, {"active": False, "disabled_at": now})
    # Enabling the official again later must not bring the old sign-ins back to life.
    await oidc_repository.revoke_account_tokens(session, account.id, now=now)
    await oidc_repository.end_account_sessions(session, account.id, now=now)
    await outbox.add(session, ACCOUNT_DISABLED, subject=account.id, agency=account.agency_id,
                     data={"account_id": account.id, "kind": "official",
                           "agency_id": account.agency_id, "disabled_by": admin.subject,
                           "disabled_at": now})
    await audit.record(session, action="account.disabled", origin=origin,
                       actor=audit.Actor.of(admin), target_type="account", target_id=account.id,
                       agency_id=account.agency_id)
    return await _reloaded(session, account.id)


async def enable_official(
    session: AsyncSession, *, principal: Principal, official_id: str, origin: audit.Origin,
) -> Account:
    """The official may sign in again. Enabling an active official changes nothing."""
    admin = await acting_admin(session, principal)
    account = await _visible(session, admin, official_id)
    if account.active:
        return account
    await repository.update_official(session, account.id, {"active": True, "disabled_at": None})
    await audit.record(session, action="account.enabled", origin=origin,
                       actor=audit.Actor.of(admin), target_type="account", target_id=account.id,
                       agency_id=account.agency_id)
    return await _reloaded(session, account.id)


async def _reloaded(session: AsyncSession, official_id: str) -> Account:
    account = await repository.get_official(session, official_id)
    if account is None:  # cannot happen inside one unit of work; kept for the type checker
        raise _official_not_found()
    return account


def _cannot_change_self(what: str) -> Conflict:
    return Conflict(f"Quản trị viên không thể {what}.", code="cannot_change_self")

"""Every query on accounts and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from egov_shared.db import dialect_insert
from svc_identity.models import Account, AccountRole


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    query = select(Account).where(Account.id == account_id).options(selectinload(Account.roles))
    return (await session.execute(query)).scalar_one_or_none()


async def get_account_by_username(session: AsyncSession, username: str) -> Account | None:
    query = (
        select(Account).where(Account.username == username).options(selectinload(Account.roles))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def account_exists(session: AsyncSession, *, username: str, id_number: str | None) -> bool:
    conditions = [Account.username == username]
    if id_number is not None:
        conditions.append(Account.id_number == id_number)
    query = select(Account.id).where(or_(*conditions)).limit(1)
    return (await session.execute(query)).first() is not None


async def add_account(session: AsyncSession, account: Account) -> None:
    """Inserts now (not at commit) so that a duplicate surfaces as ``IntegrityError`` here."""
    session.add(account)
    await session.flush()


async def set_password_hash(session: AsyncSession, account_id: str, password_hash: str) -> None:
    await session.execute(
        update(Account).where(Account.id == account_id).values(password_hash=password_hash)
    )


async def insert_account_if_missing(session: AsyncSession, values: dict[str, Any]) -> str | None:
    """Inserts unless the username or ID number is taken; the new id, or None."""
    statement = (
        dialect_insert(session)(Account).values(**values).on_conflict_do_nothing()
        .returning(Account.id)
    )
    account_id: str | None = (await session.execute(statement)).scalar_one_or_none()
    return account_id


async def add_roles(session: AsyncSession, account_id: str, roles: list[str]) -> None:
    await session.execute(
        insert(AccountRole), [{"account_id": account_id, "role": role} for role in roles]
    )


async def set_totp(session: AsyncSession, account_id: str, sealed_secret: str | None, *,
                   enabled_at: datetime | None) -> None:
    await session.execute(
        update(Account).where(Account.id == account_id)
        .values(totp_secret=sealed_secret, totp_enabled_at=enabled_at, totp_last_step=None)
    )


async def clear_failures(session: AsyncSession, account_id: str) -> None:
    """A complete sign-in or a password reset: the count and the lock history start over."""
    await session.execute(
        update(Account).where(Account.id == account_id)
        .values(failed_logins=0, lockouts=0, locked_until=None)
    )


async def increment_failures(session: AsyncSession, account_id: str) -> int:
    """Atomic ``+1``, so concurrent failures all count; the new count."""
    statement = (
        update(Account).where(Account.id == account_id)
        .values(failed_logins=Account.failed_logins + 1).returning(Account.failed_logins)
    )
    count: int = (await session.execute(statement)).scalar_one()
    return count


async def lock_account(session: AsyncSession, account_id: str, *, threshold: int,
                       locked_until: datetime) -> bool:
    """Locks unless a concurrent failure already did (then the count is below the bar)."""
    statement = (
        update(Account)
        .where(Account.id == account_id, Account.failed_logins >= threshold)
        .values(failed_logins=0, lockouts=Account.lockouts + 1, locked_until=locked_until)
        .returning(Account.id)
    )
    return (await session.execute(statement)).first() is not None


async def set_totp_step(session: AsyncSession, account_id: str, step: int) -> bool:
    """Records the TOTP step just used; False when that step (or a later one) was used
    already, so one code cannot open two sessions even concurrently."""
    statement = (
        update(Account)
        .where(Account.id == account_id,
               or_(Account.totp_last_step.is_(None), Account.totp_last_step < step))
        .values(totp_last_step=step).returning(Account.id)
    )
    return (await session.execute(statement)).first() is not None


async def set_password(session: AsyncSession, account_id: str, password_hash: str, *,
                       now: datetime) -> None:
    await session.execute(
        update(Account).where(Account.id == account_id)
        .values(password_hash=password_hash, password_changed_at=now, failed_logins=0,
                lockouts=0, locked_until=None)
    )

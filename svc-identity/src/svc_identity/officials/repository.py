"""Every query on officials (accounts of kind ``official``) and their roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from svc_identity.models import Account, AccountRole


def _officials() -> Select[Account]:
    # populate_existing: role and column updates made with statements show in what we reload.
    return (select(Account).where(Account.kind == "official")
            .options(selectinload(Account.roles)).execution_options(populate_existing=True))


async def get_official(session: AsyncSession, account_id: str) -> Account | None:
    query = _officials().where(Account.id == account_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_officials(
    session: AsyncSession, *, subtree: str, role: str | None, active: bool | None,
) -> Sequence[Account]:
    """Officials of ``subtree`` (the agency and every agency below it: IDs nest)."""
    query = _officials().where(or_(
        Account.agency_id == subtree,
        Account.agency_id.startswith(subtree + ".", autoescape=True),
    )).order_by(Account.username)
    if role is not None:
        holders = select(AccountRole.account_id).where(AccountRole.role == role)
        query = query.where(Account.id.in_(holders))
    if active is not None:
        query = query.where(Account.active.is_(active))
    return (await session.execute(query)).scalars().all()


async def username_taken(session: AsyncSession, username: str) -> bool:
    query = select(Account.id).where(Account.username == username).limit(1)
    return (await session.execute(query)).first() is not None


async def add_official(session: AsyncSession, account: Account) -> None:
    """Inserts now (not at commit) so that a duplicate surfaces as ``IntegrityError`` here."""
    session.add(account)
    await session.flush()


async def update_official(session: AsyncSession, account_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(Account).where(Account.id == account_id).values(**values))


async def add_role(session: AsyncSession, account_id: str, role: str) -> None:
    await session.execute(insert(AccountRole).values(account_id=account_id, role=role))


async def remove_role(session: AsyncSession, account_id: str, role: str) -> None:
    await session.execute(
        delete(AccountRole).where(AccountRole.account_id == account_id, AccountRole.role == role)
    )

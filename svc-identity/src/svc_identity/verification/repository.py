"""Every query of verification: find the account, raise its level once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.models import Account


async def get_citizen_by_id_number(session: AsyncSession, id_number: str) -> Account | None:
    query = select(Account).where(Account.id_number == id_number, Account.kind == "citizen")
    return (await session.execute(query)).scalar_one_or_none()


async def raise_level(session: AsyncSession, account_id: str, *, level: int, method: str,
                      verified_by: str | None, at: datetime) -> bool:
    """Raises the account to ``level`` unless it is there already (also when a concurrent
    verification just did it); True when this call raised it."""
    statement = (
        update(Account)
        .where(Account.id == account_id, Account.assurance_level < level)
        .values(assurance_level=level, verification_method=method, verified_by=verified_by,
                verified_at=at)
        .returning(Account.id)
    )
    return (await session.execute(statement)).first() is not None


async def businesses_below(session: AsyncSession, representative_id: str, *,
                           level: int) -> Sequence[Account]:
    """The active businesses this citizen represents that are below ``level``."""
    query = (
        select(Account)
        .where(Account.kind == "business", Account.legal_representative_id == representative_id,
               Account.active.is_(True), Account.assurance_level < level)
        .order_by(Account.tax_code)
    )
    return (await session.execute(query)).scalars().all()

"""Every query on business accounts (the inserts go through the accounts repository)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from svc_identity.models import Account

Business = aliased(Account, name="business")
Representative = aliased(Account, name="representative")


def _with_representative() -> Select[Account, Account]:
    return (
        select(Business, Representative)
        .join(Representative, Representative.id == Business.legal_representative_id)
        .where(Business.kind == "business")
        .order_by(Business.tax_code)
    )


async def get_business(
    session: AsyncSession, *, tax_code: str | None = None, account_id: str | None = None,
) -> tuple[Account, Account] | None:
    """The business with this tax code (or account id) and its legal representative."""
    query = _with_representative()
    if tax_code is not None:
        query = query.where(Business.tax_code == tax_code)
    if account_id is not None:
        query = query.where(Business.id == account_id)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def list_represented(
    session: AsyncSession, representative_id: str, *, tax_code: str | None = None,
) -> Sequence[tuple[Account, Account]]:
    """The businesses this citizen is the legal representative of, by tax code."""
    query = _with_representative().where(Business.legal_representative_id == representative_id)
    if tax_code is not None:
        query = query.where(Business.tax_code == tax_code)
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]

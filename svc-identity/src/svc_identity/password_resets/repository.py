"""Every query on password-reset tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.models import PasswordReset


async def add_reset(session: AsyncSession, reset: PasswordReset) -> None:
    session.add(reset)
    await session.flush()


async def cancel_open_resets(session: AsyncSession, account_id: str, *, now: datetime) -> None:
    """Only the newest link works: earlier ones are spent when a new one is sent."""
    await session.execute(update(PasswordReset)
                          .where(PasswordReset.account_id == account_id,
                                 PasswordReset.used_at.is_(None)).values(used_at=now))


async def claim_reset(session: AsyncSession, token_hash: str, *, now: datetime) -> str | None:
    """Spends a live token; the account id, or None (unknown, used or expired)."""
    statement = (
        update(PasswordReset)
        .where(PasswordReset.token_hash == token_hash, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now).returning(PasswordReset.account_id)
    )
    account_id: str | None = (await session.execute(statement)).scalar_one_or_none()
    return account_id

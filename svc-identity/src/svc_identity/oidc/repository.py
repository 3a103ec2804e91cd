"""Every query on OIDC clients, authorization codes and signing keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_identity.models import AuthorizationCode, Client, SigningKey


async def get_client(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def upsert_client(session: AsyncSession, client: Client) -> None:
    """Insert, or refresh the redirect URIs; safe when replicas seed at the same time."""
    make = dialect_insert(session)
    values = {c.key: getattr(client, c.key) for c in Client.__table__.columns}
    statement = make(Client).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Client.client_id],
        set_={"redirect_uris": statement.excluded.redirect_uris},
    ))


async def add_code(session: AsyncSession, code: AuthorizationCode) -> None:
    session.add(code)
    await session.flush()


async def claim_code(session: AsyncSession, code_hash: str, *, now: datetime
                     ) -> AuthorizationCode | None:
    """Marks a live, unused code as used and returns it; None if used, expired or unknown.

    One conditional UPDATE, so two concurrent exchanges of one code cannot both win.
    """
    statement = (
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash,
               AuthorizationCode.used_at.is_(None),
               AuthorizationCode.expires_at > now)
        .values(used_at=now)
        .returning(AuthorizationCode)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def active_signing_keys(session: AsyncSession) -> Sequence[SigningKey]:
    """Newest first: the first one signs, all of them verify."""
    query = (
        select(SigningKey)
        .where(SigningKey.active.is_(True))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
    )
    return (await session.execute(query)).scalars().all()


async def add_signing_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()

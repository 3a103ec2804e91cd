"""Every query of client administration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.models import Client


async def list_clients(session: AsyncSession, *, agency_id: str | None) -> Sequence[Client]:
    """Every client, or those of an agency's subtree (IDs nest)."""
    query = select(Client).order_by(Client.client_id)
    if agency_id is not None:
        query = query.where((Client.agency_id == agency_id)
                            | Client.agency_id.startswith(agency_id + ".", autoescape=True))
    return (await session.execute(query)).scalars().all()


async def get_client(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def add_client(session: AsyncSession, client: Client) -> None:
    session.add(client)
    await session.flush()


async def update_client(session: AsyncSession, client_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(Client).where(Client.client_id == client_id).values(**values))

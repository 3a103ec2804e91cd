"""Agency use cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.agencies import repository
from svc_identity.models import Agency


async def list_agencies(session: AsyncSession, *, parent_id: str | None) -> Sequence[Agency]:
    """The tree as a flat list (parents are referenced by ``parent_id``), sorted by ID."""
    return await repository.list_agencies(session, parent_id=parent_id)

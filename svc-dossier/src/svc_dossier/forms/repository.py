"""Read-only queries for the forms: a dossier's history, hops and procedure, and the register
of an agency's subtree for a period. Writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.models import dossier, dossier_history, dossier_hop, procedure

REGISTER_MAX_LINES = 5000


async def history_of(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = (select(dossier_history).where(dossier_history.c.dossier_id == dossier_id)
             .order_by(dossier_history.c.sequence))
    return (await session.execute(query)).all()


async def hops_of(session: AsyncSession, dossier_id: int) -> Sequence[Row[Any]]:
    query = (select(dossier_hop).where(dossier_hop.c.dossier_id == dossier_id)
             .order_by(dossier_hop.c.sequence))
    return (await session.execute(query)).all()


async def procedure_of(session: AsyncSession, code: str) -> Row[Any] | None:
    return (await session.execute(select(procedure).where(procedure.c.code == code))).first()


async def register(session: AsyncSession, agency_id: str, start: datetime,
                   end: datetime) -> Sequence[Row[Any]]:
    """Dossiers of the subtree, or received by its desk for another agency (the service
    centre's), received in [start, end), oldest first, with the procedure's name
    (``procedure_name``). Bounds compared in UTC, as stored (SQLite keeps no offset)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    query = (
        select(dossier, procedure.c.name.label("procedure_name"))
        .join(procedure, procedure.c.code == dossier.c.procedure_code)
        .where(or_(*(or_(column == agency_id,
                         column.startswith(agency_id + ".", autoescape=True))
                     for column in (dossier.c.agency_id, dossier.c.reception_agency_id))))
        .where(dossier.c.received_at >= start, dossier.c.received_at < end)
        .order_by(dossier.c.received_at, dossier.c.id)
        .limit(REGISTER_MAX_LINES)
    )
    return (await session.execute(query)).all()

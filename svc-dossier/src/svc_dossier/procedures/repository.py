"""Procedure queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.cache import ReadCache
from egov_shared.db import dialect_insert
from egov_shared.text import fold
from egov_shared.timeutil import utcnow
from svc_dossier.models import procedure

# Procedures as submissions read them (``for_submission``); every write below clears it.
FOR_SUBMISSION = ReadCache("procedures")


async def get(session: AsyncSession, code: str) -> Row[Any] | None:
    """A procedure, active or not (dossiers keep referring to deactivated ones)."""
    return (await session.execute(select(procedure).where(procedure.c.code == code))).first()


async def get_for_update(session: AsyncSession, code: str) -> Row[Any] | None:
    query = select(procedure).where(procedure.c.code == code).with_for_update()
    return (await session.execute(query)).first()


def in_subtree(agency_id: str) -> ColumnElement[bool]:
    """The agency and every agency below it (current-form IDs nest: H56 ⊃ H56.14)."""
    return or_(procedure.c.agency_id == agency_id,
               procedure.c.agency_id.startswith(agency_id + ".", autoescape=True))


async def search(
    session: AsyncSession, *, q: str | None = None, agency_id: str | None = None,
    agency: str | None = None, field: str | None = None, online_level: str | None = None,
    visible: ColumnElement[bool] | None = None, limit: int = 50, offset: int = 0,
) -> Sequence[Row[Any]]:
    """``agency_id`` is one agency, ``agency`` its subtree; ``field`` and ``q`` ignore
    diacritics (``field`` whole, ``q`` anywhere in the name); ``visible`` is the caller's
    visibility rule (by default: active procedures only)."""
    query = select(procedure).order_by(procedure.c.code).limit(limit).offset(offset)
    query = query.where(procedure.c.active if visible is None else visible)
    if q:
        query = query.where(procedure.c.name_folded.contains(fold(q), autoescape=True))
    if agency_id:
        query = query.where(procedure.c.agency_id == agency_id)
    if agency:
        query = query.where(in_subtree(agency))
    if field:
        query = query.where(procedure.c.field_folded == fold(field))
    if online_level:
        query = query.where(procedure.c.online_level == online_level)
    return (await session.execute(query)).all()


def active_or_in(agency_id: str) -> ColumnElement[bool]:
    return or_(procedure.c.active == true(), in_subtree(agency_id))


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "name" in values:
        out["name_folded"] = fold(values["name"])
    if "field" in values:
        out["field_folded"] = fold(values["field"])
    return out


async def insert_procedure(session: AsyncSession, values: dict[str, Any]) -> None:
    FOR_SUBMISSION.clear_on_commit(session)
    now = utcnow()
    await session.execute(insert(procedure).values(
        **_derived(values), created_at=now, updated_at=now))


async def update_procedure(session: AsyncSession, code: str, values: dict[str, Any]) -> None:
    FOR_SUBMISSION.clear_on_commit(session)
    await session.execute(update(procedure).where(procedure.c.code == code)
                          .values(**_derived(values), updated_at=utcnow()))


async def add_missing(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose code is not there yet; ``updated_at`` stays NULL (as loaded).
    ``ON CONFLICT DO NOTHING``: several workers may load the demo at the same start."""
    FOR_SUBMISSION.clear_on_commit(session)
    existing = set((await session.execute(select(procedure.c.code))).scalars())
    new = [{**_derived(r), "created_at": utcnow()} for r in rows if r["code"] not in existing]
    if new:
        await session.execute(dialect_insert(session)(procedure).on_conflict_do_nothing(), new)
    return len(new)


async def never_edited(session: AsyncSession, codes: list[str]) -> Sequence[Row[Any]]:
    """The rows among ``codes`` no administrator or import has touched since loading."""
    query = select(procedure).where(procedure.c.code.in_(codes), procedure.c.updated_at.is_(None))
    return (await session.execute(query)).all()


async def fill_loaded(session: AsyncSession, code: str, values: dict[str, Any]) -> None:
    """Fill fields of a never-edited row, keeping it marked as loaded."""
    await session.execute(update(procedure)
                          .where(procedure.c.code == code, procedure.c.updated_at.is_(None))
                          .values(**values))

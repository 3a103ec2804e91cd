"""Queries of the periodic part: templates, report versions, their submissions (claimed by the
dispatcher with a lease)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert, dialect_name
from svc_reporting.periodic import state
from svc_reporting.periodic.tables import periodic_report, report_submission, report_template

R, S = periodic_report.c, report_submission.c


# --- templates ---------------------------------------------------------------------------

async def templates(session: AsyncSession) -> Sequence[Row[Any]]:
    query = select(report_template).order_by(report_template.c.kind, report_template.c.code)
    return (await session.execute(query)).all()


async def template(session: AsyncSession, code: str) -> Row[Any] | None:
    query = select(report_template).where(report_template.c.code == code)
    return (await session.execute(query)).first()


async def add_templates_if_missing(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Seeding: a template already there (perhaps edited by an administrator) is kept."""
    for values in rows:
        stmt = dialect_insert(session)(report_template).values(**values)
        await session.execute(stmt.on_conflict_do_nothing(index_elements=["code"]))


async def save_template(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = dialect_insert(session)(report_template).values(**values)
    changes = {k: v for k, v in values.items() if k != "code"}
    await session.execute(stmt.on_conflict_do_update(index_elements=["code"], set_=changes))


# --- report versions ---------------------------------------------------------------------

def _with_submission(*, outer: bool = True) -> Select[Any]:
    """A version with its submission's columns as ``s_*`` (null for a draft)."""
    labelled = [c.label(f"s_{c.name}") for c in report_submission.c if c.name != "report_id"]
    return select(periodic_report, *labelled).join(
        report_submission, S.report_id == R.id, isouter=outer)


async def report(session: AsyncSession, report_id: str) -> Row[Any] | None:
    return (await session.execute(_with_submission().where(R.id == report_id))).first()


async def versions(session: AsyncSession, template_code: str, agency_id: str,
                   period: str) -> Sequence[Row[Any]]:
    """Every version of one report, the first first."""
    query = _with_submission().where(R.template_code == template_code,
                                     R.agency_id == agency_id,
                                     R.period == period).order_by(R.version)
    return (await session.execute(query)).all()


async def reports(session: AsyncSession, *, subtree: str, filters: dict[str, str],
                  limit: int, offset: int) -> Sequence[Row[Any]]:
    """Versions of the agencies in ``subtree``, newest first; ``filters`` on column values."""
    query = _with_submission().where(or_(R.agency_id == subtree,
                                         R.agency_id.like(subtree + ".%")))
    for column, value in filters.items():
        query = query.where(R[column] == value)
    query = query.order_by(R.generated_at.desc(), R.id).limit(limit).offset(offset)
    return (await session.execute(query)).all()


async def add_report(session: AsyncSession, values: dict[str, Any]) -> bool:
    """False when the same version was added meanwhile (two requests at once)."""
    try:
        async with session.begin_nested():
            await session.execute(periodic_report.insert().values(**values))
    except IntegrityError:
        return False
    return True


async def change_draft(session: AsyncSession, report_id: str, values: dict[str, Any]) -> bool:
    """Changes a version only while it is a draft (a concurrent submit wins)."""
    result = await session.execute(update(periodic_report).where(
        R.id == report_id, R.status == state.DRAFT).values(**values))
    return bool(getattr(result, "rowcount", 0))


async def delete_draft(session: AsyncSession, report_id: str) -> bool:
    result = await session.execute(delete(periodic_report).where(
        R.id == report_id, R.status == state.DRAFT))
    return bool(getattr(result, "rowcount", 0))


# --- submissions -------------------------------------------------------------------------

async def add_submission(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(report_submission.insert().values(**values))


async def change_submission(session: AsyncSession, report_id: str,
                            values: dict[str, Any]) -> None:
    await session.execute(update(report_submission).where(S.report_id == report_id)
                          .values(**values))


async def claim_due(session: AsyncSession, statuses: Sequence[str], now: datetime,
                    lease_until: datetime, limit: int) -> Sequence[Row[Any]]:
    """Submissions in ``statuses`` due now with their version, pushed ``lease_until`` ahead so
    that another replica does not take them meanwhile."""
    query = (_with_submission(outer=False)
             .where(S.status.in_(statuses), S.next_attempt_at <= now)
             .order_by(S.next_attempt_at).limit(limit))
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(of=report_submission, skip_locked=True)
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(update(report_submission).where(
            S.report_id.in_([r.id for r in rows])).values(next_attempt_at=lease_until))
    return rows


async def accepted_receipt_before(session: AsyncSession, row: Any) -> str | None:
    """The national receipt of the latest earlier version that was accepted: what a correction
    replaces (none when no earlier version was accepted, e.g. the original was rejected)."""
    query = (select(S.receipt_id).join(periodic_report, R.id == S.report_id)
             .where(R.template_code == row.template_code, R.agency_id == row.agency_id,
                    R.period == row.period, R.version < row.version, S.status == state.ACCEPTED)
             .order_by(R.version.desc()).limit(1))
    return (await session.execute(query)).scalar_one_or_none()

"""Every query of the provincial CA: certificates, and the accounts and agencies they name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from egov_shared.db import dialect_insert
from svc_identity.models import Account, Agency, Certificate
from svc_identity.pki.policy import Viewer


@dataclass(frozen=True)
class CertificateFilter:
    account_id: str | None = None
    agency_id: str | None = None
    status: str | None = None  # valid | revoked | expired


async def get_authority(session: AsyncSession) -> Certificate | None:
    """The CA: the first one made (there is one; a later ``ca_name`` does not make another)."""
    query = (select(Certificate).where(Certificate.kind == "ca")
             .order_by(Certificate.issued_at, Certificate.serial).limit(1))
    return (await session.execute(query)).scalar_one_or_none()


async def insert_authority_if_missing(session: AsyncSession, values: dict[str, Any]) -> None:
    """Replicas starting together derive the same serial: one insert wins, the rest no-op."""
    make = dialect_insert(session)
    await session.execute(make(Certificate).values(**values).on_conflict_do_nothing())


async def get_certificate(session: AsyncSession, serial: str) -> Certificate | None:
    return await session.get(Certificate, serial)


async def add_certificate(session: AsyncSession, row: Certificate) -> None:
    session.add(row)
    await session.flush()


async def find_valid(session: AsyncSession, *, kind: str, account_id: str | None,
                     agency_id: str | None, now: datetime) -> Certificate | None:
    """A valid certificate of this kind for this holder, if there is one."""
    holder = (Certificate.account_id == account_id if kind == "personal"
              else Certificate.agency_id == agency_id)
    query = (select(Certificate)
             .where(Certificate.kind == kind, holder, _status_is("valid", now)).limit(1))
    return (await session.execute(query)).scalar_one_or_none()


async def list_visible(session: AsyncSession, viewer: Viewer, filters: CertificateFilter, *,
                       now: datetime, limit: int) -> Sequence[Certificate]:
    """Newest first, only what ``viewer`` may see (the rule of :func:`policy.can_see`)."""
    query = (select(Certificate).where(Certificate.kind != "ca", _visible_to(viewer))
             .order_by(Certificate.issued_at.desc(), Certificate.serial).limit(limit))
    if filters.account_id is not None:
        query = query.where(Certificate.account_id == filters.account_id)
    if filters.agency_id is not None:
        query = query.where(Certificate.agency_id == filters.agency_id)
    if filters.status is not None:
        query = query.where(_status_is(filters.status, now))
    return (await session.execute(query)).scalars().all()


def _visible_to(viewer: Viewer) -> ColumnElement[bool]:
    seen: list[ColumnElement[bool]] = [
        and_(Certificate.kind == "personal", Certificate.account_id == viewer.subject)]
    if viewer.own_agency_id is not None:
        seen.append(and_(Certificate.kind == "organisational",
                         Certificate.agency_id == viewer.own_agency_id))
    if viewer.admin_agency_id is not None:
        prefix = viewer.admin_agency_id
        seen.append(or_(Certificate.agency_id == prefix,
                        Certificate.agency_id.startswith(prefix + ".", autoescape=True)))
    return or_(*seen)


def _status_is(status: str, now: datetime) -> ColumnElement[bool]:
    if status == "revoked":
        return Certificate.revoked_at.is_not(None)
    if status == "expired":
        return and_(Certificate.revoked_at.is_(None), Certificate.not_after <= now)
    if status == "valid":
        return and_(Certificate.revoked_at.is_(None), Certificate.not_after > now)
    return false()


async def mark_revoked(session: AsyncSession, serial: str, *, at: datetime, reason: str,
                       by: str) -> bool:
    """False when it was already revoked (by a concurrent request, say)."""
    statement = (update(Certificate)
                 .where(Certificate.serial == serial, Certificate.revoked_at.is_(None))
                 .values(revoked_at=at, revocation_reason=reason, revoked_by=by))
    result: Any = await session.execute(statement)
    return bool(result.rowcount)


async def revocations(session: AsyncSession) -> Sequence[Any]:
    """(serial, revoked_at, reason) of every revoked certificate, for the CRL."""
    query = (select(Certificate.serial, Certificate.revoked_at, Certificate.revocation_reason)
             .where(Certificate.kind != "ca", Certificate.revoked_at.is_not(None))
             .order_by(Certificate.revoked_at, Certificate.serial))
    return (await session.execute(query)).all()


async def get_account_with_roles(session: AsyncSession, account_id: str) -> Account | None:
    query = select(Account).where(Account.id == account_id).options(selectinload(Account.roles))
    return (await session.execute(query)).scalar_one_or_none()


async def get_account_for_update(session: AsyncSession, account_id: str) -> Account | None:
    """Locked (PostgreSQL) so that two administrators cannot issue two valid certificates to
    one official at the same moment."""
    query = select(Account).where(Account.id == account_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_agency(session: AsyncSession, agency_id: str, *,
                     lock: bool = False) -> Agency | None:
    query = select(Agency).where(Agency.id == agency_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()

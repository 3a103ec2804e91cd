"""Levels of assurance (DOMAIN §7): an account starts at level 1 (self-declared) and reaches
level 2 (verified) when a one-stop-shop officer has checked the chip ID card in person, or when
the national population database confirms what the citizen declared.

The businesses a citizen represents take the citizen's level: verifying the citizen raises them
too. Each raised account gets its ``ACCOUNT_VERIFIED`` event and its audit entry, stored in the
request's unit of work with the change (services never commit). A token carries the level in
``acr`` from the next sign-in or refresh on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from egov_shared.events.contracts import ACCOUNT_VERIFIED
from egov_shared.messaging.outbox import Outbox
from svc_identity.accounts import repository as accounts
from svc_identity.accounts import validation
from svc_identity.accounts.service import VERIFIED
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.models import Account
from svc_identity.population.client import (
    PopulationClient,
    PopulationRecord,
    PopulationUnavailable,
)
from svc_identity.verification import repository
from svc_identity.verification.schemas import CounterVerification


@dataclass(frozen=True)
class Verification:
    """How an account reached level 2, and who is acting (for the audit log)."""

    method: Literal["counter", "population_db"]
    verified_by: str | None
    agency_id: str | None
    at: datetime
    actor: Actor
    origin: Origin
    details: dict[str, Any]


def name_key(name: str) -> str:
    """Names compare in NFC, case- and space-insensitively, but with their diacritics:
    "NGUYỄN  THỊ HOA" is "Nguyễn Thị Hoa", "Nguyen Thi Hoa" is someone else."""
    folded = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    return unicodedata.normalize("NFC", folded)


def same_name(declared: str, stored: str) -> bool:
    return name_key(declared) == name_key(stored)


def matches_population(account: Account, record: PopulationRecord) -> bool:
    """Every identifying field must agree: ID number, full name, date of birth and sex."""
    return (record.id_number == account.id_number and same_name(record.full_name,
                                                                account.full_name)
            and record.date_of_birth is not None
            and record.date_of_birth == account.date_of_birth and record.sex == account.sex)


def _already_verified() -> Conflict:
    return Conflict("Tài khoản đã được xác thực ở mức 2.", code="already_verified")


async def get_assurance(session: AsyncSession, account_id: str) -> Account:
    account = await accounts.get_account(session, account_id)
    if account is None or not account.active:
        raise NotFound("Tài khoản không tồn tại.", code="account_not_found")
    return account


async def verify_at_counter(
    session: AsyncSession, *, outbox: Outbox, officer: Principal, data: CounterVerification,
    origin: Origin,
) -> tuple[Account, list[Account]]:
    """The officer saw the document: the account with that ID number must carry the same name
    and date of birth."""
    validation.check_id_number(data.id_number)
    account = await repository.get_citizen_by_id_number(session, data.id_number)
    if account is None or not account.active:
        raise NotFound("Không có tài khoản công dân với số định danh này.",
                       code="account_not_found")
    if not (same_name(data.full_name, account.full_name)
            and data.date_of_birth == account.date_of_birth):
        raise ValidationFailed("Họ tên hoặc ngày sinh trên giấy tờ không khớp với tài khoản.",
                               code="identity_mismatch")
    return await _raise_to_verified(session, outbox, account, Verification(
        method="counter", verified_by=officer.subject, agency_id=officer.agency_id,
        at=datetime.now(UTC), actor=Actor.of(officer), origin=origin,
        details={"document": data.document, "note": data.note},
    ))


async def verify_with_population_db(
    session: AsyncSession, *, outbox: Outbox, population: PopulationClient,
    principal: Principal, origin: Origin,
) -> tuple[Account, list[Account]]:
    """The citizen asks for their own account to be checked against the national database.
    A mismatch does not say which field differs."""
    account = await get_assurance(session, principal.subject)
    if account.assurance_level >= VERIFIED:
        raise _already_verified()
    record = await _look_up(population, account.id_number) if account.id_number else None
    if record is None or not matches_population(account, record):
        raise ValidationFailed(
            "Thông tin tài khoản không khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng "
            "kiểm tra lại hoặc đến bộ phận một cửa để xác thực trực tiếp.",
            code="population_mismatch")
    return await _raise_to_verified(session, outbox, account, Verification(
        method="population_db", verified_by=None, agency_id=None, at=datetime.now(UTC),
        actor=Actor.of(principal), origin=origin, details={},
    ))


async def _look_up(population: PopulationClient, id_number: str) -> PopulationRecord | None:
    try:
        return await population.lookup(id_number)
    except PopulationUnavailable as exc:
        raise ServiceUnavailable(
            "Chưa kết nối được Cơ sở dữ liệu quốc gia về dân cư; vui lòng thử lại sau.",
            code="population_db_unavailable") from exc


async def _raise_to_verified(session: AsyncSession, outbox: Outbox, account: Account,
                             verification: Verification) -> tuple[Account, list[Account]]:
    """The account, then the businesses it represents, each raised once."""
    if not await _raise_one(session, outbox, account, verification):
        raise _already_verified()
    businesses = list(await repository.businesses_below(session, account.id, level=VERIFIED))
    raised = [b for b in businesses if await _raise_one(
        session, outbox, b, verification, representative_id=account.id)]
    return account, raised


async def _raise_one(session: AsyncSession, outbox: Outbox, account: Account,
                     verification: Verification, *, representative_id: str | None = None) -> bool:
    if not await repository.raise_level(
        session, account.id, level=VERIFIED, method=verification.method,
        verified_by=verification.verified_by, at=verification.at,
    ):
        return False
    await outbox.add(session, ACCOUNT_VERIFIED, subject=account.id,
                     agency=verification.agency_id, data={
        "account_id": account.id, "kind": account.kind, "assurance_level": VERIFIED,
        "method": verification.method, "verified_by": verification.verified_by,
        "agency_id": verification.agency_id, "verified_at": verification.at,
    })
    details = {"method": verification.method, **verification.details}
    if representative_id is not None:
        details["representative_id"] = representative_id
    await audit.record(session, action="account.verified", origin=verification.origin,
                       actor=verification.actor, target_type="account", target_id=account.id,
                       agency_id=verification.agency_id, details=details)
    return True

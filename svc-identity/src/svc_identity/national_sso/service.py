"""The person the national provider vouches for becomes a local citizen account, by personal ID
number: created when there is none (already at level 2), raised to level 2 when it was
self-declared (with the businesses it represents, as a verification at the counter would), used
as it is when already verified. Services never commit: the account, its events and its audit
entries go into the request's unit of work together.

``ACCOUNT_VERIFIED``'s ``method`` is ``population_db``: a level-2 national identity was checked
against the national population database (the chip ID), and the contract has no other value
for it yet; ``via`` (an extra field the contract allows) says ``national_id``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events.contracts import ACCOUNT_REGISTERED, ACCOUNT_VERIFIED
from egov_shared.messaging.outbox import Outbox
from svc_identity.accounts import passwords
from svc_identity.accounts import repository as accounts
from svc_identity.accounts.service import VERIFIED
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.models import Account
from svc_identity.national_sso.client import NationalLoginFailed, NationalPerson
from svc_identity.verification import repository as verification

METHOD = "national_id"  # stored on the account: how it reached level 2


@dataclass(frozen=True)
class LinkContext:
    outbox: Outbox
    origin: Origin
    now: datetime


async def local_account(session: AsyncSession, ctx: LinkContext,
                        person: NationalPerson) -> Account:
    """The citizen account of ``person``, created or raised to level 2 as needed."""
    account = await verification.get_citizen_by_id_number(session, person.id_number)
    if account is None:
        if await accounts.account_exists(session, username=person.id_number,
                                         id_number=person.id_number):
            raise NationalLoginFailed("the ID number belongs to a non-citizen account")
        account = await _create(session, ctx, person)
    elif not account.active:
        raise NationalLoginFailed("the account is disabled")
    elif account.assurance_level < VERIFIED:
        await _raise(session, ctx, account)
        for business in await verification.businesses_below(session, account.id,
                                                            level=VERIFIED):
            await _raise(session, ctx, business, representative_id=account.id)
    return account


async def _create(session: AsyncSession, ctx: LinkContext, person: NationalPerson) -> Account:
    # No password: the person signs in nationally, or sets one with a password reset.
    unusable = await passwords.hash_password(secrets.token_urlsafe(32))
    account_id = await accounts.insert_account_if_missing(session, {
        "id": str(uuid.uuid4()), "username": person.id_number, "kind": "citizen",
        "id_number": person.id_number, "full_name": person.full_name,
        "date_of_birth": person.date_of_birth, "sex": person.sex, "password_hash": unusable,
        "assurance_level": VERIFIED, "verification_method": METHOD, "verified_at": ctx.now,
        "active": True, "created_at": ctx.now,
    })
    account = await accounts.get_account(session, account_id) if account_id else None
    if account is None:  # a concurrent first login of the same person won
        raise NationalLoginFailed("the account was created concurrently")
    await ctx.outbox.add(session, ACCOUNT_REGISTERED, subject=account.id, data={
        "account_id": account.id, "kind": account.kind, "assurance_level": VERIFIED,
        "registered_at": ctx.now})
    await _verified_event(ctx, session, account)
    await audit.record(session, action="account.registered", origin=ctx.origin,
                       actor=Actor(account.id, "citizen"), target_type="account",
                       target_id=account.id, details={"via": METHOD})
    return account


async def _raise(session: AsyncSession, ctx: LinkContext, account: Account, *,
                 representative_id: str | None = None) -> None:
    if not await verification.raise_level(session, account.id, level=VERIFIED, method=METHOD,
                                          verified_by=None, at=ctx.now):
        return  # a concurrent verification raised it already
    await _verified_event(ctx, session, account)
    details = {"method": METHOD}
    if representative_id is not None:
        details["representative_id"] = representative_id
    await audit.record(session, action="account.verified", origin=ctx.origin,
                       actor=Actor(representative_id or account.id, "citizen"),
                       target_type="account", target_id=account.id, details=details)


async def _verified_event(ctx: LinkContext, session: AsyncSession, account: Account) -> None:
    await ctx.outbox.add(session, ACCOUNT_VERIFIED, subject=account.id, data={
        "account_id": account.id, "kind": account.kind, "assurance_level": VERIFIED,
        "method": "population_db", "via": METHOD, "verified_at": ctx.now})

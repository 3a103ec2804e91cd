"""Seals of the audit chain: now and then (``IDENTITY_AUDIT_SEAL_SECONDS``) the chain's head
(its place and hash) is signed as a JWS with the OIDC provider's current signing key, so that
anyone holding that public key (the JWKS while it is published; this service's key table
afterwards) can check that the log still ends the way it did. Rewriting the log after a seal
means forging the provider's signature."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import Repeating
from svc_identity.audit import chain, repository
from svc_identity.models import AuditSeal
from svc_identity.oidc import repository as keys_repository
from svc_identity.oidc.keys import ALGORITHM, KeyRing, load_private_key
from svc_identity.secretbox import SecretBox

SEAL_TYPE = "audit-seal+jwt"


def seal_payload(seq: int, entry_hash: str, signed_at: datetime) -> dict[str, Any]:
    return {"sub": "audit-log", "seq": seq, "entry_hash": entry_hash,
            "signed_at": signed_at.astimezone(UTC).isoformat(timespec="microseconds")}


async def seal_round(sessionmaker: async_sessionmaker[AsyncSession], keyring: KeyRing) -> int:
    """Chains what is unchained, then signs the head if it moved since the last seal;
    returns the number of entries adopted (the job's ``full`` measure)."""
    async with sessionmaker() as session, session.begin():
        adopted = await chain.adopt_unchained(session)
        head = await repository.chain_head(session)
        last = await repository.last_seal(session)
        if head is None or (last is not None and last.seq == head[0]):
            return adopted
        signer = await keyring.signer()
        now = datetime.now(UTC)
        token = jwt.encode(seal_payload(head[0], head[1], now), signer.private_key,
                           algorithm=ALGORITHM, headers={"kid": signer.kid, "typ": SEAL_TYPE})
        await repository.add_seal(session, AuditSeal(seq=head[0], entry_hash=head[1],
                                                     signed_at=now, kid=signer.kid, jws=token))
    return adopted


PublicKeys = dict[str, ec.EllipticCurvePublicKey]


async def public_keys(session: AsyncSession, box: SecretBox) -> PublicKeys:
    """Every signing key the provider ever had, by kid (public halves), to check old seals.
    A key this box cannot open is left out: its seals show as signed by an unknown key."""
    found: PublicKeys = {}
    for row in await keys_repository.all_signing_keys(session):
        with contextlib.suppress(Exception):
            found[row.kid] = load_private_key(row, box).public_key()
    return found


def seal_problem(seal: AuditSeal, keys: dict[str, ec.EllipticCurvePublicKey]) -> str | None:
    """Why the seal's signature does not hold (English), or None when it does."""
    key = keys.get(seal.kid)
    if key is None:
        return f"signed with an unknown key {seal.kid}"
    try:
        header = jwt.get_unverified_header(seal.jws)
        claims = jwt.decode(seal.jws, key, algorithms=[ALGORITHM],
                            options={"verify_aud": False, "verify_exp": False})
    except jwt.PyJWTError:
        return "its signature is not valid"
    expected = seal_payload(seal.seq, seal.entry_hash, seal.signed_at)
    if header.get("kid") != seal.kid or any(claims.get(k) != v for k, v in expected.items()):
        return "its signed content differs from its row"
    return None


def install(app: FastAPI, keyring: KeyRing, interval: float) -> None:
    """The sealing job (``egov_shared.background.Repeating``), started once the runtime is up
    (only where background work runs) and stopped before it goes down; a round also chains
    entries left unchained, up to 500 at a time."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            runtime = app.state.runtime
            job = Repeating("audit-seal", lambda: seal_round(runtime.sessionmaker, keyring),
                            interval=interval, full=500)
            runtime.start_background(job)
            try:
                yield state
            finally:
                await job.stop()

    app.router.lifespan_context = lifespan

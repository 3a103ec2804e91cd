"""Token-signing keys: ES256 keys kept sealed (SecretBox) in the service's database.

The newest active key signs; retired keys stay published in the JWKS until the last token they
signed has expired (``retired_until``), so a rotation never breaks a token in flight. Every
replica re-reads the signer at most every ``SIGNER_TTL_SECONDS``, so a rotation made by one
replica reaches the others without a restart. Private keys are never logged, returned or put in
a repr; only public keys leave, through the JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from svc_identity.models import SigningKey
from svc_identity.oidc import repository
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings

ALGORITHM = "ES256"
SIGNER_TTL_SECONDS = 30.0
JWKS_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)


def public_jwk(public_key: ec.EllipticCurvePublicKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.ECAlgorithm.to_jwk(public_key, as_dict=True)
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    return jwk


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint: a kid that names the key itself, the same on every replica."""
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_signing_key(box: SecretBox, now: datetime) -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = thumbprint(private_key.public_key())
    return SigningKey(kid=kid, algorithm=ALGORITHM, private_key_pem=box.seal(pem, aad=kid),
                      created_at=now, active=True)


def load_private_key(row: SigningKey, box: SecretBox) -> ec.EllipticCurvePrivateKey:
    pem = row.private_key_pem
    if pem.startswith("v1:"):
        pem = box.open(pem, aad=row.kid)
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"signing key {row.kid} is not an EC key")
    return key


class KeyRing:
    """Signs with the newest active key and publishes every key a live token may name. Bound
    to the database at start-up."""

    def __init__(self, box: SecretBox, settings: IdentitySettings) -> None:
        self._box = box
        self._settings = settings
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._signer: ActiveKey | None = None
        self._signer_read_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._jwks_read_at = 0.0

    def bind(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    def _session(self) -> AsyncSession:
        if self._sessionmaker is None:
            raise RuntimeError("KeyRing used before start-up bound it to the database")
        return self._sessionmaker()

    @property
    def longest_token_seconds(self) -> int:
        """How long a token signed now may live: a retired key is published that long."""
        s = self._settings
        return max(s.access_token_ttl_seconds, s.id_token_ttl_seconds,
                   s.client_token_ttl_seconds)

    async def ensure_key(self) -> None:
        """First start: make the signing key; later starts: rotate a key that is too old, and
        seal a key stored in clear by an older version."""
        now = datetime.now(UTC)
        async with self._session() as session, session.begin():
            rows = await repository.active_signing_keys(session)
            await self._seal_clear_keys(session, rows)
            too_old = timedelta(days=self._settings.key_rotation_days)
            if not rows or now - rows[0].created_at > too_old:
                await self._rotate(session, rows, now)

    async def _seal_clear_keys(self, session: AsyncSession, rows: Sequence[SigningKey]) -> None:
        for row in rows:
            if not row.private_key_pem.startswith("v1:"):
                sealed = self._box.seal(row.private_key_pem, aad=row.kid)
                await repository.set_signing_key_pem(session, row.kid, sealed)

    async def rotate(self, session: AsyncSession, now: datetime) -> SigningKey:
        """A new signing key in the caller's unit of work; the old ones are retired."""
        rows = await repository.active_signing_keys(session)
        key = await self._rotate(session, rows, now)
        self._signer, self._jwks = None, None
        return key

    async def _rotate(self, session: AsyncSession, rows: Sequence[SigningKey],
                      now: datetime) -> SigningKey:
        until = now + timedelta(seconds=self.longest_token_seconds + 60)
        await repository.retire_signing_keys(session, [r.kid for r in rows], now=now,
                                             until=until)
        key = new_signing_key(self._box, now)
        await repository.add_signing_key(session, key)
        return key

    async def signer(self) -> ActiveKey:
        if self._signer is None or time.monotonic() - self._signer_read_at > SIGNER_TTL_SECONDS:
            async with self._session() as session:
                rows = await repository.active_signing_keys(session)
            if not rows:
                raise RuntimeError("no active signing key")
            if self._signer is None or self._signer.kid != rows[0].kid:
                self._signer = ActiveKey(rows[0].kid, load_private_key(rows[0], self._box))
            self._signer_read_at = time.monotonic()
        return self._signer

    async def jwks(self) -> dict[str, Any]:
        """Active keys and retired keys still within their publication window."""
        if self._jwks is None or time.monotonic() - self._jwks_read_at > JWKS_TTL_SECONDS:
            async with self._session() as session:
                rows = await repository.published_signing_keys(session, now=datetime.now(UTC))
            self._jwks = {"keys": [public_jwk(load_private_key(row, self._box).public_key(),
                                              row.kid) for row in rows]}
            self._jwks_read_at = time.monotonic()
        return self._jwks

    async def describe(self) -> list[dict[str, Any]]:
        """Every key with its state, for administrators (public parts only)."""
        now = datetime.now(UTC)
        async with self._session() as session:
            rows = await repository.all_signing_keys(session)
        return [{"kid": r.kid, "algorithm": r.algorithm, "created_at": r.created_at,
                 "state": "active" if r.active else (
                     "published" if r.retired_until and r.retired_until > now else "expired"),
                 "retired_at": r.retired_at, "published_until": r.retired_until}
                for r in rows]

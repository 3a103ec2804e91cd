"""Token-signing keys: an ES256 key made at first start and kept in the service's database.

The private key is loaded once per process and never logged, returned or put in a repr;
only public keys leave, through the JWKS.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from svc_identity.models import SigningKey
from svc_identity.oidc import repository

ALGORITHM = "ES256"


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)


def public_jwk(private_key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.ECAlgorithm.to_jwk(
        private_key.public_key(), as_dict=True
    )
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    return jwk


def thumbprint(private_key: ec.EllipticCurvePrivateKey) -> str:
    """RFC 7638 JWK thumbprint: a kid that names the key itself, the same on every replica."""
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")},
                           separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_signing_key() -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKey(kid=thumbprint(private_key), algorithm=ALGORITHM, private_key_pem=pem,
                      created_at=datetime.now(UTC), active=True)


def load_private_key(row: SigningKey) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"signing key {row.kid} is not an EC key")
    return key


class KeyRing:
    """Signs with the newest active key; publishes every active key (so that tokens signed
    before a rotation keep verifying). Bound to the database at start-up."""

    def __init__(self) -> None:
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._signer: ActiveKey | None = None

    def bind(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    def _session(self) -> AsyncSession:
        if self._sessionmaker is None:
            raise RuntimeError("KeyRing used before start-up bound it to the database")
        return self._sessionmaker()

    async def ensure_key(self) -> None:
        """First start: make the signing key. Idempotent."""
        async with self._session() as session, session.begin():
            if not await repository.active_signing_keys(session):
                await repository.add_signing_key(session, new_signing_key())

    async def signer(self) -> ActiveKey:
        if self._signer is None:
            async with self._session() as session:
                rows = await repository.active_signing_keys(session)
            if not rows:
                raise RuntimeError("no active signing key")
            self._signer = ActiveKey(rows[0].kid, load_private_key(rows[0]))
        return self._signer

    async def jwks(self) -> dict[str, Any]:
        async with self._session() as session:
            rows = await repository.active_signing_keys(session)
        return {"keys": [public_jwk(load_private_key(row), row.kid) for row in rows]}

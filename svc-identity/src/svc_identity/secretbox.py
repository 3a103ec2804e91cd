"""Encryption at rest of the service's secrets (token-signing keys, CA and certificate keys,
TOTP secrets) with AES-256-GCM, so that a copy of the database alone reveals none of them.

The key comes from ``IDENTITY_SECRET_KEY`` (production: a secret store); without it a random
key is made once in ``IDENTITY_SECRET_KEY_FILE`` (mode 0600), which suits one host.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1:"  # a versioned format, so the algorithm can change without guessing


class SecretBox:
    """Seals text into ``v1:<base64(nonce + ciphertext)>`` and opens it again; ``aad`` binds a
    sealed value to its owner (a kid, a serial, an account id) so it cannot be moved."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the secret key must be 32 bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: str, *, aad: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), aad.encode())
        return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, *, aad: str) -> str:
        if not sealed.startswith(_PREFIX):
            raise ValueError("not a sealed value")
        try:
            raw = base64.b64decode(sealed[len(_PREFIX):], validate=True)
            return self._aead.decrypt(raw[:12], raw[12:], aad.encode()).decode()
        except (InvalidTag, binascii.Error) as exc:
            raise ValueError("the sealed value cannot be opened with this key") from exc


def decode_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError("IDENTITY_SECRET_KEY must be base64") from exc
    if len(key) != 32:
        raise ValueError("IDENTITY_SECRET_KEY must decode to 32 bytes")
    return key


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``, made there (readable by the owner only) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another replica on this host made it first
            return decode_key(path.read_text())
        with os.fdopen(fd, "w") as handle:
            handle.write(encoded + "\n")
    return decode_key(path.read_text())


def secret_box(secret_key: str | None, key_file: str) -> SecretBox:
    key = decode_key(secret_key) if secret_key else load_or_create_key(Path(key_file))
    return SecretBox(key)

"""A pyHanko signer whose private key never leaves svc-identity: pyHanko builds the CMS and
asks for the raw signature over the digest of the signed attributes; a ``DigestSigner`` (in
practice an HTTP call to svc-identity with the caller's own token) makes it."""

from __future__ import annotations

import hashlib
from typing import Protocol

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

MAX_SIGNATURE_BYTES = 512  # room enough for ECDSA and RSA-2048 signatures


class DigestSigner(Protocol):
    """Signs a digest already computed with ``digest_algorithm`` (e.g. "sha256")."""

    async def __call__(self, digest: bytes, digest_algorithm: str) -> bytes: ...


def der_of(text: str) -> bytes:
    """A PEM certificate's DER bytes."""
    return pem.unarmor(text.encode("ascii"))[2]


class RemoteSigner(signers.Signer):
    """Each raw signature is one call to ``sign_digest``; ``ca_pem`` goes into the CMS so that
    a verifier can build the chain up to its trust root."""

    def __init__(self, sign_digest: DigestSigner, *, certificate_pem: str,
                 ca_pem: str | None = None) -> None:
        self.sign_digest = sign_digest
        chain = [asn1_x509.Certificate.load(der_of(ca_pem))] if ca_pem else []
        super().__init__(signing_cert=asn1_x509.Certificate.load(der_of(certificate_pem)),
                         cert_registry=SimpleCertificateStore.from_certs(chain))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:  # pyHanko's size estimate: no need to bother svc-identity
            return bytes(MAX_SIGNATURE_BYTES)
        digest = hashlib.new(digest_algorithm, data).digest()
        return await self.sign_digest(digest, digest_algorithm)

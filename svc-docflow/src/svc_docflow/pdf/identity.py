"""What signing and checking need from svc-identity, over HTTP with the caller's own token
(svc-identity decides who may sign with which key): the caller's personal certificate or the
agency's organisational one (keys held by the service), remote signatures over a digest, the
CA certificate and the CRL. Failures raise ``SigningUnavailable`` with a reason code."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

import httpx
from cachetools import TTLCache
from pyhanko.sign import signers

from egov_shared import http as shared_http
from egov_shared.pdf import RemoteSigner

TIMEOUT = httpx.Timeout(5.0, connect=2.0)
REFUSALS = (401, 403, 404, 409)  # svc-identity said no: asking again will not help
CA_CACHE_SECONDS = 300.0
_CA_CACHE: dict[str, tuple[float, str]] = {}  # identity URL → (fetched at, CA PEM)
# (identity URL, kind, holder, the caller's token) → the certificate found for it
_CERT_CACHE: TTLCache[tuple[str, str, str, str], SigningCertificate] = TTLCache(1024, 60.0)


class SigningUnavailable(Exception):
    """Why a document could not be signed: ``no_certificate``, ``identity_unavailable``,
    ``signing_refused``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class SigningCertificate:
    serial: str
    subject: str
    certificate_pem: str
    ca_pem: str  # the issuing CA, embedded in the signature for the receiver's chain


class IdentitySigner:
    """One caller's session with svc-identity; ``transport`` lets tests stand in for it."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        # The connections to svc-identity are the process's (a client per signing session
        # opened a connection for two calls); tests bring their own transport.
        self._own = transport is not None
        self.http = (shared_http.client(base_url=self.base_url, timeout=TIMEOUT,
                                        transport=transport) if self._own else
                     shared_http.pooled("identity:" + self.base_url, base_url=self.base_url,
                                        timeout=TIMEOUT))
        self._ca_pem: str | None = None

    async def __aenter__(self) -> IdentitySigner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._own:
            await self.http.aclose()

    async def personal_certificate(self, account_id: str) -> SigningCertificate:
        """The caller's own valid personal certificate whose key svc-identity holds (the
        list shows a caller only their own personal certificates)."""
        params = {"account_id": account_id, "status": "valid"}
        return await self._find(params, kind="personal", holder=account_id)

    async def agency_certificate(self, agency_id: str) -> SigningCertificate:
        """The agency's valid organisational certificate (its seal)."""
        params = {"agency_id": agency_id, "status": "valid"}
        return await self._find(params, kind="organisational", holder=agency_id)

    async def _find(self, params: dict[str, str], *, kind: str,
                    holder: str) -> SigningCertificate:
        """Found certificates are kept a minute by the sessions over the process's connections
        (they are public; whether the caller may sign with one, and whether it is still valid,
        svc-identity decides at each signature)."""
        key = (self.base_url, kind, holder, self.headers.get("Authorization", ""))
        if not self._own and (kept := _CERT_CACHE.get(key)) is not None:
            return kept
        answer = await self._call("GET", "/api/v1/certificates", params=params)
        for cert in _json_list(answer):
            if cert.get("kind") == kind and cert.get("key_held_by") == "service":
                found = SigningCertificate(str(cert["serial"]), str(cert["subject"]),
                                           str(cert["certificate_pem"]), await self.ca_pem())
                if not self._own:
                    _CERT_CACHE[key] = found
                return found
        raise SigningUnavailable("no_certificate", holder)

    async def ca_pem(self) -> str:
        """The CA certificate (PEM): public and long-lived, fetched once per process and
        svc-identity (for a while: a renewed CA is picked up)."""
        if self._ca_pem is None:
            cached = _CA_CACHE.get(self.base_url)
            if cached is not None and time.monotonic() - cached[0] < CA_CACHE_SECONDS:
                self._ca_pem = cached[1]
            else:
                self._ca_pem = (await self._call("GET", "/pki/ca.crt")).text
                _CA_CACHE[self.base_url] = (time.monotonic(), self._ca_pem)
        return self._ca_pem

    async def crl(self) -> bytes:
        """The current CRL (DER)."""
        return (await self._call("GET", "/pki/crl")).content

    async def sign_digest(self, serial: str, digest: bytes, digest_algorithm: str) -> bytes:
        body = {"digest_algorithm": digest_algorithm,
                "digest": base64.b64encode(digest).decode("ascii")}
        try:
            answer = await self._call("POST", f"/api/v1/certificates/{serial}/signatures",
                                      json=body)
        except SigningUnavailable:
            _CERT_CACHE.clear()  # revoked or replaced meanwhile: the next attempt looks again
            raise
        try:
            return base64.b64decode(answer.json()["signature"], validate=True)
        except (ValueError, KeyError, TypeError) as exc:
            raise SigningUnavailable("identity_unavailable", "not a signature") from exc

    def remote_signer(self, cert: SigningCertificate) -> signers.Signer:
        """A pyHanko signer for ``cert`` whose signatures svc-identity makes."""
        async def sign(digest: bytes, digest_algorithm: str) -> bytes:
            return await self.sign_digest(cert.serial, digest, digest_algorithm)

        return RemoteSigner(sign, certificate_pem=cert.certificate_pem, ca_pem=cert.ca_pem)

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = await self.http.request(method, path, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            raise SigningUnavailable("identity_unavailable", type(exc).__name__) from exc
        if answer.status_code in REFUSALS:
            raise SigningUnavailable("signing_refused", _code(answer))
        if answer.status_code != 200:
            raise SigningUnavailable("identity_unavailable", str(answer.status_code))
        return answer


def _json_list(answer: httpx.Response) -> list[dict[str, Any]]:
    try:
        found = answer.json()
    except ValueError as exc:
        raise SigningUnavailable("identity_unavailable", "not JSON") from exc
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _code(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code", answer.status_code))
    except (ValueError, AttributeError):
        return str(answer.status_code)

"""What the forms need from svc-identity, over HTTP: agency names (public), the agency's valid
organisational certificate and remote signatures (with the officer's own token, relayed), the
CA certificate (public). Failures raise ``SigningUnavailable`` with a reason code, or answer
fallbacks (an agency's ID for its name): a form is still printed."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx

from egov_shared import http as shared_http

TIMEOUT = httpx.Timeout(5.0, connect=2.0)
NAME_TTL_SECONDS = 600.0
_names: dict[str, tuple[float, dict[str, Any]]] = {}


class SigningUnavailable(Exception):
    """Why a form could not be signed: ``no_certificate``, ``identity_unavailable``,
    ``signing_refused``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Identity:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = shared_http.client(base_url=base_url.rstrip("/"), timeout=TIMEOUT,
                                      headers=headers)

    async def __aenter__(self) -> Identity:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def agency(self, agency_id: str) -> dict[str, Any] | None:
        """The agency (``name``, ``parent_id``), cached for a while; None if unknown or
        svc-identity does not answer."""
        cached = _names.get(agency_id)
        if cached and time.monotonic() - cached[0] < NAME_TTL_SECONDS:
            return cached[1]
        try:
            answer = await self.http.get(f"/api/v1/agencies/{agency_id}")
        except httpx.HTTPError:
            return None
        if answer.status_code != 200:
            return None
        agency: dict[str, Any] = answer.json()
        _names[agency_id] = (time.monotonic(), agency)
        return agency

    async def certificate(self, agency_id: str) -> dict[str, Any]:
        """The agency's valid organisational certificate whose key svc-identity holds."""
        answer = await self._call("GET", "/api/v1/certificates",
                                  params={"agency_id": agency_id, "status": "valid"})
        for cert in answer.json():
            if cert.get("kind") == "organisational" and cert.get("key_held_by") == "service":
                return dict(cert)
        raise SigningUnavailable("no_certificate", agency_id)

    async def personal_certificate(self, account_id: str) -> dict[str, Any]:
        """The caller's own valid personal certificate whose key svc-identity holds (the list
        shows a caller only their own personal certificates)."""
        answer = await self._call("GET", "/api/v1/certificates",
                                  params={"account_id": account_id, "status": "valid"})
        for cert in answer.json():
            if cert.get("kind") == "personal" and cert.get("key_held_by") == "service":
                return dict(cert)
        raise SigningUnavailable("no_certificate", account_id)

    async def ca_pem(self) -> str:
        return (await self._call("GET", "/pki/ca.crt")).text

    async def sign(self, serial: str, digest: bytes, algorithm: str) -> bytes:
        body = {"digest_algorithm": algorithm, "digest": base64.b64encode(digest).decode()}
        answer = await self._call("POST", f"/api/v1/certificates/{serial}/signatures",
                                  json=body)
        return base64.b64decode(answer.json()["signature"])

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SigningUnavailable("identity_unavailable", type(exc).__name__) from exc
        if answer.status_code in (401, 403, 404, 409):
            raise SigningUnavailable("signing_refused", _code(answer))
        if answer.status_code != 200:
            raise SigningUnavailable("identity_unavailable", str(answer.status_code))
        return answer


def _code(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code", answer.status_code))
    except ValueError:
        return str(answer.status_code)

"""The signature check of incoming PDFs: against the provincial CA and its CRL, fetched from
svc-identity (``GET /pki/ca.crt``, ``GET /pki/crl``, both public) and kept for
``crl_cache_seconds``, and the other roots of ``DOCFLOW_TRUST_ROOTS_FILE``. The report is
stored with the document and shown to the clerk, who decides: an altered, untrusted or
revoked signature is reported, never refused on its own."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import structlog

from egov_shared import http as shared_http
from egov_shared.errors import ServiceUnavailable
from svc_docflow.pdf.verify import SignatureCheck, SignatureReport, verify_pdf

log = structlog.get_logger("docflow.signatures")
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


@dataclass(frozen=True)
class TrustMaterial:
    roots: list[bytes]  # CA certificates, PEM
    crls: list[bytes]  # DER


class TrustStore:
    """The CA certificate and the CRL of one svc-identity, cached; a stale copy is used while
    svc-identity is away, and nothing cached then is 503 ``trust_unavailable``."""

    def __init__(self, identity_url: str) -> None:
        self.identity_url = identity_url.rstrip("/")
        self._material: TrustMaterial | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def material(self, max_age: float) -> TrustMaterial:
        async with self._lock:
            if self._material is None or time.monotonic() - self._fetched_at >= max_age:
                await self._refresh()
            assert self._material is not None
            return self._material

    async def _refresh(self) -> None:
        try:
            async with shared_http.client(base_url=self.identity_url, timeout=TIMEOUT) as http:
                ca = (await http.get("/pki/ca.crt")).raise_for_status().content
                crl = (await http.get("/pki/crl")).raise_for_status().content
        except httpx.HTTPError as exc:
            if self._material is None:
                raise ServiceUnavailable("Chưa lấy được chứng thư CA để kiểm tra chữ ký số.",
                                         code="trust_unavailable") from exc
            log.warning("trust_material_stale", error=type(exc).__name__)
            return
        self._material = TrustMaterial(roots=[ca], crls=[crl])
        self._fetched_at = time.monotonic()


_stores: dict[str, TrustStore] = {}


def trust_store(identity_url: str) -> TrustStore:
    """The process-wide store for this svc-identity."""
    if identity_url not in _stores:
        _stores[identity_url] = TrustStore(identity_url)
    return _stores[identity_url]


@functools.cache
def extra_roots(path: str | None) -> tuple[bytes, ...]:
    """The certificates of a PEM bundle (read once per process); none without a file."""
    if not path:
        return ()
    text = Path(path).read_bytes()
    found = tuple(b"-----BEGIN CERTIFICATE-----" + part.split(b"-----END CERTIFICATE-----")[0]
                  + b"-----END CERTIFICATE-----\n"
                  for part in text.split(b"-----BEGIN CERTIFICATE-----")[1:])
    if not found:
        raise ValueError(f"no certificate in the trust roots file {path}")
    return found


async def check_pdfs(files: list[tuple[str, bytes]], *, identity_url: str,
                     max_age: float, trust_roots_file: str | None = None) -> dict[str, Any]:
    """The report of every PDF (name, bytes); the overall status is the main (first) one's.
    Trusted: the provincial CA, and the roots of ``trust_roots_file`` (PEM bundle)."""
    material = await trust_store(identity_url).material(max_age)
    roots = [*material.roots, *extra_roots(trust_roots_file)]
    checked = []
    for name, content in files:
        report = await verify_pdf(content, trust_roots=roots, crls=material.crls)
        checked.append({"name": name, **report_json(report)})
    main = checked[0] if checked else {"status": "unsigned", "signatures": []}
    return {"status": main["status"], "signatures": main["signatures"], "files": checked}


def report_json(report: SignatureReport) -> dict[str, Any]:
    return {"status": report.status, "signatures": [_check_json(s) for s in report.signatures]}


def _check_json(check: SignatureCheck) -> dict[str, Any]:
    return {
        "field": check.field, "signer_name": check.signer_name, "serial": check.serial,
        "signed_at": check.signed_at.isoformat() if check.signed_at else None,
        "intact": check.intact, "trusted": check.trusted, "revoked": check.revoked,
        "covers_whole_document": check.covers_whole_document,
        "modification": check.modification, "status": check.status,
    }

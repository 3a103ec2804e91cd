"""Checking a signed PDF as the receiver does (Thông tư 41/2017/TT-BTTTT): each signature
intact (the signed bytes unchanged, and anything added after it only form filling or more
signatures), its certificate chained to a trusted root, and not revoked by the CRL given.

PDFs come from outside (the axis, uploads): nothing here raises on hostile or garbled input,
which answers "unreadable". Parsing, hashing and difference analysis are CPU work, so they
run off the event loop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from egov_shared.timeutil import to_vn

CheckStatus = Literal["valid", "altered", "untrusted", "revoked"]
ReportStatus = Literal["valid", "altered", "untrusted", "revoked", "unsigned", "unreadable"]
WORST_FIRST: tuple[CheckStatus, ...] = ("altered", "revoked", "untrusted", "valid")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature. ``modification`` is pyHanko's level for what was added after it
    ("none", "form_filling", … "other"); None when it could not be read."""

    field: str
    signer_name: str | None
    serial: str | None  # hexadecimal, lower case, as svc-identity writes it
    signed_at: datetime | None  # as the signer stated it (PAdES B-B: no timestamp), +07:00
    intact: bool
    trusted: bool
    revoked: bool
    covers_whole_document: bool
    modification: str | None
    status: CheckStatus


@dataclass(frozen=True)
class SignatureReport:
    signatures: tuple[SignatureCheck, ...]
    status: ReportStatus


def _der(blob: bytes) -> bytes:
    return pem.unarmor(blob)[2] if pem.detect(blob) else blob


def _roots(blobs: list[bytes]) -> list[asn1_x509.Certificate]:
    """Trust roots in DER or PEM. They come from configuration, not from the document: a bad
    one raises ``ValueError`` rather than passing as an unreadable document."""
    roots = [asn1_x509.Certificate.load(_der(blob)) for blob in blobs]
    for root in roots:
        root.subject.native  # noqa: B018  asn1crypto parses lazily: parse now
    return roots


def _crls(blobs: list[bytes]) -> list[asn1_crl.CertificateList]:
    """CRLs in DER (or PEM); a bad one raises ``ValueError``, as for trust roots, instead of
    making every signature look altered."""
    lists = [asn1_crl.CertificateList.load(_der(blob)) for blob in blobs]
    for listed in lists:
        listed.issuer.native  # noqa: B018  asn1crypto parses lazily: parse now
    return lists


async def verify_pdf(pdf: bytes, *, trust_roots: list[bytes], crls: list[bytes],
                     now: datetime | None = None) -> SignatureReport:
    """Every signature of ``pdf`` checked against ``trust_roots`` (DER or PEM CA
    certificates) and ``crls`` (DER), at ``now`` (default: the current time). Raises
    ``ValueError`` only for a bad trust root or CRL."""
    roots, lists = _roots(trust_roots), _crls(crls)
    try:
        return await asyncio.to_thread(_verify_blocking, pdf, roots, lists, now)
    except Exception:  # hostile input must never become a 500
        log.info("pdf_unreadable", exc_info=True)
        return SignatureReport((), "unreadable")


def _verify_blocking(pdf: bytes, roots: list[asn1_x509.Certificate],
                     crls: list[asn1_crl.CertificateList],
                     now: datetime | None) -> SignatureReport:
    return asyncio.run(_verify(pdf, roots, crls, now))


async def _verify(pdf: bytes, roots: list[asn1_x509.Certificate],
                  crls: list[asn1_crl.CertificateList],
                  now: datetime | None) -> SignatureReport:
    signatures = _signatures(PdfFileReader(BytesIO(pdf)))
    if not signatures:
        return SignatureReport((), "unsigned")
    # No fetching: the CA and its CRL come from svc-identity, not from the document's URLs.
    context = ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False,
                                revocation_mode="soft-fail", moment=now)
    checks = tuple([await _check(signature, context) for signature in signatures])
    worst = min(checks, key=lambda check: WORST_FIRST.index(check.status))
    return SignatureReport(checks, worst.status)


def _signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature | str]:
    """The filled signature fields in signing order; the name alone of one whose signature
    cannot be read (pyHanko's own list would fail as a whole)."""
    readable: list[EmbeddedPdfSignature] = []
    unreadable: list[str] = []
    for name, _, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            signature = EmbeddedPdfSignature(reader, field, name)
        except Exception:
            log.info("pdf_signature_unreadable", exc_info=True)
            unreadable.append(str(name))
            continue
        if signature.sig_object_type == "/Sig":  # document timestamps sign nobody's name
            readable.append(signature)
    readable.sort(key=lambda signature: signature.signed_revision)
    return [*readable, *unreadable]


async def _check(signature: EmbeddedPdfSignature | str,
                 context: ValidationContext) -> SignatureCheck:
    if isinstance(signature, str):
        return _unreadable(signature)
    try:
        status = await async_validate_pdf_signature(signature, context)
    except Exception:
        log.info("pdf_signature_unreadable", exc_info=True)
        return _unreadable(str(signature.field_name))
    return _summary(str(signature.field_name), status)


def _unreadable(field: str) -> SignatureCheck:
    """A signature that cannot even be read cannot vouch for the bytes: altered."""
    return SignatureCheck(field, None, None, None, intact=False, trusted=False, revoked=False,
                          covers_whole_document=False, modification=None, status="altered")


def _summary(field: str, status: PdfSignatureStatus) -> SignatureCheck:
    # docmdp_ok is False when what was added after the signature is more than form filling
    # and signing (e.g. new page content), which alters what the signer saw.
    intact = bool(status.intact and status.valid and status.docmdp_ok is not False)
    level = status.modification_level
    cert = status.signing_cert
    return SignatureCheck(
        field=field, signer_name=cert.subject.native.get("common_name"),
        serial=format(cert.serial_number, "x"), signed_at=to_vn(status.signer_reported_dt),
        intact=intact, trusted=bool(status.trusted), revoked=bool(status.revoked),
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modification=level.name.lower() if level is not None else None,
        status=_status(intact, trusted=bool(status.trusted), revoked=bool(status.revoked)))


def _status(intact: bool, *, trusted: bool, revoked: bool) -> CheckStatus:
    if not intact:
        return "altered"
    if revoked:
        return "revoked"
    return "valid" if trusted else "untrusted"

"""Using a certificate's key: remote signing of a digest (the key stays here) and PKCS#12
export to the holder of a personal certificate (the one case where a key leaves). Both are
audited; neither the key nor the passphrase is ever logged or recorded."""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import Conflict, Forbidden, ValidationFailed
from svc_identity.models import Certificate
from svc_identity.pki import ca, policy
from svc_identity.pki.schemas import SignatureRequest
from svc_identity.pki.service import (
    Caller,
    acting,
    authority_row,
    get_visible,
    now_utc,
    record_audit,
)
from svc_identity.secretbox import SecretBox


@dataclass(frozen=True)
class Signature:
    value: bytes
    algorithm: ca.SignatureAlgorithm
    certificate: Certificate
    chain_pem: list[str]


async def sign_digest(session: AsyncSession, *, box: SecretBox, caller: Caller, serial: str,
                      request: SignatureRequest) -> Signature:
    """A raw signature over a digest the caller computed (e.g. of a PAdES SignerInfo's signed
    attributes), with a valid certificate's key held by this service."""
    caller = await acting(session, caller)
    row = await get_visible(session, caller.principal, serial)
    if not policy.may_sign(caller.principal, row):
        raise Forbidden("Chỉ người được cấp (chứng thư cá nhân) hoặc văn thư, lãnh đạo, cán bộ "
                        "một cửa của cơ quan (chứng thư tổ chức) mới ký được.",
                        code="not_the_signer")
    key = _usable_key(row, box)
    digest = _digest(request)
    value, algorithm = ca.sign_digest(key, digest, request.digest_algorithm)
    authority = await authority_row(session)
    await record_audit(session, caller, "certificate.signature", row, {
        "digest_algorithm": request.digest_algorithm, "digest": digest.hex()})
    return Signature(value, algorithm, row, [authority.certificate_pem])


async def export_pkcs12(session: AsyncSession, *, box: SecretBox, caller: Caller, serial: str,
                        passphrase: str) -> bytes:
    """The key and certificate (with the CA) for the holder's own signing software."""
    caller = await acting(session, caller)
    row = await get_visible(session, caller.principal, serial)
    if not policy.may_export(caller.principal, row):
        raise Forbidden("Chỉ người được cấp chứng thư số cá nhân mới tải được khóa.",
                        code="not_the_holder")
    key = _usable_key(row, box)
    authority = await authority_row(session)
    bundle = await asyncio.to_thread(
        ca.export_pkcs12, key, ca.load_certificate(row.certificate_pem),
        ca.load_certificate(authority.certificate_pem), passphrase=passphrase)
    await record_audit(session, caller, "certificate.exported", row, {"format": "pkcs12"})
    return bundle


def _usable_key(row: Certificate, box: SecretBox) -> ca.PrivateKey:
    """The unsealed key of a certificate that may sign now."""
    if row.revoked_at is not None:
        raise Conflict("Chứng thư số đã bị thu hồi.", code="certificate_revoked")
    now = now_utc()
    if row.not_after <= now:
        raise Conflict("Chứng thư số đã hết hạn.", code="certificate_expired")
    if row.not_before > now:
        raise Conflict("Chứng thư số chưa có hiệu lực.", code="certificate_not_yet_valid")
    if row.private_key is None:
        raise Conflict("Khóa của chứng thư số này do người được cấp giữ (cấp từ CSR).",
                       code="key_not_held")
    return ca.load_private_key(box.open(row.private_key, aad=row.serial))


def _digest(request: SignatureRequest) -> bytes:
    try:
        digest = base64.b64decode(request.digest, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed("Giá trị băm (digest) không phải base64.", code="invalid_digest",
                               extra={"field": "digest"}) from exc
    expected = ca.HASHES[request.digest_algorithm].digest_size
    if len(digest) != expected:
        raise ValidationFailed(f"Giá trị băm {request.digest_algorithm} phải dài {expected} byte.",
                               code="invalid_digest", extra={"field": "digest"})
    return digest

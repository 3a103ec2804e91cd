"""Provincial CA use cases: the CA itself, issuing, finding and revoking certificates, the CRL.
Remote signing and PKCS#12 export are in :mod:`svc_identity.pki.signing`.

Rule: at most one valid certificate of a kind per holder (an official's personal one, an
agency's organisational one). To renew, revoke the current one (``superseded``) first.

Services never commit: a certificate, its event and its audit entry are stored together.
Private keys are sealed with the certificate's serial as associated data and never logged.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from cryptography import x509
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import ServiceRuntime
from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from egov_shared.events.contracts import CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, EventContract
from egov_shared.messaging.outbox import Outbox
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.models import Certificate
from svc_identity.pki import ca, policy, repository
from svc_identity.pki.repository import CertificateFilter
from svc_identity.pki.schemas import CertificateRequest
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.pki")


@dataclass(frozen=True)
class Caller:
    principal: Principal
    origin: Origin


@dataclass(frozen=True)
class Authority:
    row: Certificate
    certificate: x509.Certificate
    key: ca.PrivateKey


@dataclass(frozen=True)
class Holder:
    kind: str
    account_id: str | None
    agency_id: str
    name: x509.Name


async def acting(session: AsyncSession, caller: Caller) -> Caller:
    """The caller with their roles, agency and standing as stored now, not as the token
    remembers: a demoted, moved or disabled official loses these rights at once."""
    principal = caller.principal
    if principal.kind != "official":
        return caller
    account = await repository.get_account_with_roles(session, principal.subject)
    if account is None or not account.active:
        raise Forbidden("Tài khoản không còn hoạt động.", code="account_inactive")
    current = replace(principal, roles=frozenset(account.role_names),
                      agency_id=account.agency_id)
    return Caller(current, caller.origin)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)  # X.509 times have whole seconds


async def startup(runtime: ServiceRuntime, box: SecretBox, settings: IdentitySettings) -> None:
    """Start-up hook: makes the CA's key and certificate on first start."""
    async with runtime.sessionmaker() as session, session.begin():
        await ensure_authority(session, box, settings)


async def ensure_authority(session: AsyncSession, box: SecretBox,
                           settings: IdentitySettings) -> None:
    if await repository.get_authority(session) is not None:
        return
    serial, now = ca.authority_serial(settings.ca_name), now_utc()
    key = ca.new_key("EC-P256")
    certificate = ca.make_authority(settings.ca_name, key, serial=serial, now=now)
    serial_text = ca.serial_hex(serial)
    await repository.insert_authority_if_missing(session, {
        "serial": serial_text, "kind": "ca", "subject": ca.subject_text(certificate.subject),
        "certificate_pem": ca.certificate_pem(certificate), "key_algorithm": "EC-P256",
        "private_key": box.seal(ca.private_key_pem(key), aad=serial_text),
        "not_before": certificate.not_valid_before_utc,
        "not_after": certificate.not_valid_after_utc, "issued_at": now,
    })
    log.info("ca_ready", serial=serial_text)


async def authority_row(session: AsyncSession) -> Certificate:
    row = await repository.get_authority(session)
    if row is None:
        raise ServiceUnavailable("CA chưa được khởi tạo.", code="ca_unavailable")
    return row


async def load_authority(session: AsyncSession, box: SecretBox) -> Authority:
    row = await authority_row(session)
    if row.private_key is None:
        raise ServiceUnavailable("Khóa của CA không có ở đây.", code="ca_unavailable")
    key = ca.load_private_key(box.open(row.private_key, aad=row.serial))
    return Authority(row, ca.load_certificate(row.certificate_pem), key)


async def current_crl(session: AsyncSession, box: SecretBox) -> x509.CertificateRevocationList:
    """Built on demand, so that a revocation is on the CRL as soon as it is committed."""
    authority = await load_authority(session, box)
    revoked = [ca.Revocation(serial, at, reason)
               for serial, at, reason in await repository.revocations(session)]
    return ca.build_crl(authority.certificate, authority.key, revoked, now=now_utc())


async def issue_certificate(session: AsyncSession, *, outbox: Outbox, box: SecretBox,
                            settings: IdentitySettings, caller: Caller,
                            request: CertificateRequest) -> Certificate:
    """Checks in the order: the caller's role, the request, the holder, the one-valid rule."""
    caller = await acting(session, caller)
    if not policy.is_admin(caller.principal):
        raise Forbidden("Chỉ quản trị viên mới cấp chứng thư số.", code="admin_required")
    _check_holder_fields(request)
    requested_key = _csr_key(request)
    holder = await _holder(session, caller.principal, request)
    await _refuse_second(session, holder, now_utc())
    row = await _certify(session, box, settings, holder, requested_key,
                         request.key_algorithm or "EC-P256", issued_by=caller.principal.subject)
    await repository.add_certificate(session, row)
    await _announce(session, outbox, CERTIFICATE_ISSUED, row, changed_at=row.issued_at)
    await record_audit(session, caller, "certificate.issued", row, {
        "kind": row.kind, "key_algorithm": row.key_algorithm,
        "key_held_by": "service" if row.private_key else "owner"})
    return row


async def _certify(session: AsyncSession, box: SecretBox, settings: IdentitySettings,
                   holder: Holder, public_key: ca.PublicKey | None, algorithm: ca.KeyAlgorithm,
                   *, issued_by: str) -> Certificate:
    """The new certificate's row; with no CSR key, a key made here and sealed."""
    authority = await load_authority(session, box)
    private_key = None
    if public_key is None:  # RSA key generation takes long enough to leave the event loop
        private_key = await asyncio.to_thread(ca.new_key, algorithm)
        public_key = private_key.public_key()
    certificate = ca.issue(
        authority.certificate, authority.key, subject=holder.name, public_key=public_key,
        serial=x509.random_serial_number(), now=now_utc(),
        validity=timedelta(days=settings.cert_validity_days),
        links=ca.Links.under(settings.token_issuer))
    return _row(certificate, holder, private_key, box, issued_by=issued_by)


async def ensure_demo_certificate(session: AsyncSession, box: SecretBox,
                                  settings: IdentitySettings, *, kind: str,
                                  account_id: str | None = None,
                                  agency_id: str | None = None) -> bool:
    """Demo mode: a certificate with its key kept here for a demo holder, unless one is valid
    already (idempotent at every start). The holder is looked up as a province-wide
    administrator of the demo province (H56) would; no event and no audit entry (nobody
    issued it)."""
    province = Principal(subject="demo", kind="official", roles=frozenset({"admin"}),
                         agency_id="H56", assurance_level=2)
    request = CertificateRequest(kind=kind, account_id=account_id,
                                 agency_id=agency_id)
    holder = await _holder(session, province, request)
    if await repository.find_valid(session, kind=holder.kind, account_id=holder.account_id,
                                   agency_id=holder.agency_id, now=now_utc()) is not None:
        return False
    row = await _certify(session, box, settings, holder, None, "EC-P256", issued_by="demo")
    await repository.add_certificate(session, row)
    return True


def _check_holder_fields(request: CertificateRequest) -> None:
    personal = request.kind == "personal"
    if personal and (request.account_id is None or request.agency_id is not None):
        raise ValidationFailed("Chứng thư số cá nhân: cho account_id, không cho agency_id.",
                               code="invalid_holder", extra={"field": "account_id"})
    if not personal and (request.agency_id is None or request.account_id is not None):
        raise ValidationFailed("Chứng thư số tổ chức: cho agency_id, không cho account_id.",
                               code="invalid_holder", extra={"field": "agency_id"})


def _csr_key(request: CertificateRequest) -> ca.PublicKey | None:
    if request.csr_pem is None:
        return None
    try:
        public_key = ca.csr_public_key(request.csr_pem)
    except ca.CsrRefused as exc:
        raise ValidationFailed(str(exc), code=exc.code, extra={"field": "csr_pem"}) from exc
    algorithm = ca.key_algorithm_of(public_key)
    if request.key_algorithm is not None and request.key_algorithm != algorithm:
        raise ValidationFailed(f"Khóa trong CSR là {algorithm}, không phải "
                               f"{request.key_algorithm}.",
                               code="key_algorithm_mismatch", extra={"field": "key_algorithm"})
    return public_key


async def _holder(session: AsyncSession, principal: Principal,
                  request: CertificateRequest) -> Holder:
    if request.kind == "personal":
        assert request.account_id is not None
        return await _official(session, principal, request.account_id)
    assert request.agency_id is not None
    agency = await repository.get_agency(session, request.agency_id, lock=True)
    if agency is None or not policy.covers(agency.id, principal.agency_id):
        raise NotFound("Không tìm thấy cơ quan.", code="agency_not_found")
    name = ca.organisational_name(agency_name=agency.name, agency_id=agency.id)
    return Holder("organisational", None, agency.id, name)


async def _official(session: AsyncSession, principal: Principal, account_id: str) -> Holder:
    account = await repository.get_account_for_update(session, account_id)
    if account is None:
        raise NotFound("Không tìm thấy tài khoản.", code="account_not_found")
    if account.kind != "official":
        raise ValidationFailed("Chứng thư số cá nhân chỉ cấp cho cán bộ, công chức.",
                               code="not_an_official", extra={"field": "account_id"})
    agency = (await repository.get_agency(session, account.agency_id)
              if account.agency_id else None)
    if agency is None or not policy.covers(agency.id, principal.agency_id):
        raise NotFound("Không tìm thấy tài khoản.", code="account_not_found")
    if not account.active:
        raise Conflict("Tài khoản đã bị vô hiệu hóa.", code="holder_inactive")
    name = ca.personal_name(full_name=account.full_name, position=account.position,
                            agency_name=agency.name, account_id=account.id)
    return Holder("personal", account.id, agency.id, name)


async def _refuse_second(session: AsyncSession, holder: Holder, now: datetime) -> None:
    existing = await repository.find_valid(session, kind=holder.kind,
                                           account_id=holder.account_id,
                                           agency_id=holder.agency_id, now=now)
    if existing is not None:
        raise Conflict("Đã có chứng thư số còn hiệu lực; thu hồi (superseded) trước khi cấp mới.",
                       code="certificate_exists", extra={"serial": existing.serial})


def _row(certificate: x509.Certificate, holder: Holder, private_key: ca.PrivateKey | None,
         box: SecretBox, *, issued_by: str) -> Certificate:
    serial = ca.serial_hex(certificate.serial_number)
    sealed = box.seal(ca.private_key_pem(private_key), aad=serial) if private_key else None
    return Certificate(
        serial=serial, kind=holder.kind, account_id=holder.account_id,
        agency_id=holder.agency_id, subject=ca.subject_text(certificate.subject),
        certificate_pem=ca.certificate_pem(certificate), private_key=sealed,
        key_algorithm=ca.key_algorithm_of(certificate.public_key()),
        not_before=certificate.not_valid_before_utc, not_after=certificate.not_valid_after_utc,
        issued_at=certificate.not_valid_before_utc, issued_by=issued_by,
    )


async def list_certificates(session: AsyncSession, principal: Principal,
                            filters: CertificateFilter, *, limit: int) -> list[Certificate]:
    viewer = policy.Viewer.of(principal)
    rows = await repository.list_visible(session, viewer, filters, now=now_utc(), limit=limit)
    return list(rows)


async def get_visible(session: AsyncSession, principal: Principal, serial: str) -> Certificate:
    """The certificate if the caller may see it; otherwise the same 404 as a missing one."""
    row = await repository.get_certificate(session, normalize_serial(serial))
    if row is None or not policy.can_see(principal, row):
        raise NotFound("Không tìm thấy chứng thư số.", code="certificate_not_found")
    return row


def normalize_serial(serial: str) -> str:
    return serial.lower().lstrip("0") or "0"


async def revoke_certificate(session: AsyncSession, *, outbox: Outbox, caller: Caller,
                             serial: str, reason: str) -> Certificate:
    caller = await acting(session, caller)
    row = await get_visible(session, caller.principal, serial)
    if not policy.may_revoke(caller.principal, row):
        raise Forbidden("Chỉ quản trị viên hoặc người được cấp mới thu hồi chứng thư số này.",
                        code="not_allowed_to_revoke")
    now = now_utc()
    if not await repository.mark_revoked(session, row.serial, at=now, reason=reason,
                                         by=caller.principal.subject):
        raise Conflict("Chứng thư số đã bị thu hồi.", code="already_revoked")
    await session.refresh(row)
    await _announce(session, outbox, CERTIFICATE_REVOKED, row, changed_at=now, reason=reason)
    await record_audit(session, caller, "certificate.revoked", row, {"reason": reason})
    return row


async def _announce(session: AsyncSession, outbox: Outbox, contract: EventContract,
                    row: Certificate, *, changed_at: datetime, reason: str | None = None) -> None:
    await outbox.add(session, contract, subject=row.serial, agency=row.agency_id, data={
        "serial": row.serial, "kind": row.kind, "account_id": row.account_id,
        "agency_id": row.agency_id, "not_before": row.not_before, "not_after": row.not_after,
        "reason": reason, "changed_at": changed_at,
    })


async def record_audit(session: AsyncSession, caller: Caller, action: str, row: Certificate,
                       details: dict[str, Any]) -> None:
    """``details`` never holds key material."""
    await audit.record(session, action=action, origin=caller.origin,
                       actor=Actor.of(caller.principal), target_type="certificate",
                       target_id=row.serial, agency_id=row.agency_id, details=details)


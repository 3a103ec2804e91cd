"""Who may see, revoke, sign with and export which certificate (pure rules, no I/O).

- See: the holder of a personal certificate; any official, their own agency's organisational
  certificates; an administrator, every certificate of their agency's subtree.
- Revoke: an administrator covering the certificate's agency, or the holder of a personal one.
- Sign: a personal certificate only by its holder; an organisational one by a clerk (văn thư),
  leader (lãnh đạo) or one-stop-shop officer (the receipts, Mẫu 01) of exactly that agency.
- Export (PKCS#12): the holder of a personal certificate, nobody else.

The service applies them to the caller as stored now (``service.acting``) for every action
that changes or uses a certificate; seeing one goes by the token.
"""

from __future__ import annotations

from dataclasses import dataclass

from egov_shared.auth import Principal
from svc_identity.models import Certificate

ORGANISATIONAL_SIGNER_ROLES = ("clerk", "leader", "one_stop_officer")


@dataclass(frozen=True)
class Viewer:
    """What the visibility rule needs of a caller, also used to filter lists in SQL."""

    subject: str
    own_agency_id: str | None  # officials only: their agency's organisational certificates
    admin_agency_id: str | None  # administrators only: their subtree

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        official = principal.kind == "official"
        agency = principal.agency_id if official else None
        return cls(principal.subject, agency, agency if is_admin(principal) else None)


def is_admin(principal: Principal) -> bool:
    return principal.kind == "official" and principal.has_role("admin")


def covers(agency_id: str | None, prefix: str | None) -> bool:
    if agency_id is None or prefix is None:
        return False
    return agency_id == prefix or agency_id.startswith(prefix + ".")


def is_holder(principal: Principal, cert: Certificate) -> bool:
    return cert.kind == "personal" and cert.account_id == principal.subject


def can_see(principal: Principal, cert: Certificate) -> bool:
    viewer = Viewer.of(principal)
    if cert.kind == "ca":
        return False
    if is_holder(principal, cert) or covers(cert.agency_id, viewer.admin_agency_id):
        return True
    own = viewer.own_agency_id
    return cert.kind == "organisational" and own is not None and cert.agency_id == own


def may_revoke(principal: Principal, cert: Certificate) -> bool:
    return is_holder(principal, cert) or (
        is_admin(principal) and covers(cert.agency_id, principal.agency_id))


def may_sign(principal: Principal, cert: Certificate) -> bool:
    if cert.kind == "personal":
        return is_holder(principal, cert)
    return (cert.kind == "organisational" and principal.kind == "official"
            and principal.has_role(*ORGANISATIONAL_SIGNER_ROLES)
            and principal.agency_id is not None and principal.agency_id == cert.agency_id)


def may_export(principal: Principal, cert: Certificate) -> bool:
    return is_holder(principal, cert)

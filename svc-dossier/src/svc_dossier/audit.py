"""What svc-dossier puts in the platform's audit log (svc-identity keeps it): an official's
read of a dossier (its detail, an attachment, a form) and the export of the register. A
citizen reading their own dossier is not recorded: the log answers "who saw my data"."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.audit import record_access
from egov_shared.auth import Principal
from egov_shared.events.contracts import DOSSIER_AUDIT_RECORDED
from svc_dossier.dossiers import repository


async def dossier_read(request: Request, session: AsyncSession, principal: Principal,
                       code: str, action: str = "dossier.read") -> None:
    """An official read dossier ``code`` (call it once access was granted); the applicant's
    account is the owner of the entry, so that they see it in their access log."""
    if principal.kind != "official":
        return
    row = await repository.get_by_code(session, code)
    await record_access(request, session, DOSSIER_AUDIT_RECORDED, principal, action=action,
                        target_type="dossier", target_id=code,
                        owner_id=row.applicant_account_id if row is not None else None)


async def register_exported(request: Request, session: AsyncSession, principal: Principal,
                            agency_id: str) -> None:
    """An official downloaded the register (Mẫu 06) of ``agency_id``'s subtree."""
    await record_access(request, session, DOSSIER_AUDIT_RECORDED, principal,
                        action="register.exported", target_type="register",
                        target_id=agency_id)

"""What svc-reporting puts in the platform's audit log (svc-identity keeps it): a periodic
report exported as a file."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.audit import record_access
from egov_shared.auth import Principal
from egov_shared.events.contracts import REPORTING_AUDIT_RECORDED


async def report_exported(request: Request, session: AsyncSession, principal: Principal,
                          report_id: object, fmt: str) -> None:
    """``principal`` downloaded report ``report_id`` as ``fmt``."""
    await record_access(request, session, REPORTING_AUDIT_RECORDED, principal,
                        action=f"report.exported.{fmt}", target_type="report",
                        target_id=str(report_id))

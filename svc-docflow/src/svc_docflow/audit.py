"""What svc-docflow puts in the platform's audit log (svc-identity keeps it): an official
reading an incoming or outgoing document, or downloading its files or PDF."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.audit import record_access
from egov_shared.auth import Principal
from egov_shared.events.contracts import DOCFLOW_AUDIT_RECORDED


async def document_read(request: Request, session: AsyncSession, principal: Principal,
                        document_id: object, action: str = "document.read") -> None:
    """``principal`` read document ``document_id`` (call it once access was granted)."""
    await record_access(request, session, DOCFLOW_AUDIT_RECORDED, principal, action=action,
                        target_type="document", target_id=str(document_id))

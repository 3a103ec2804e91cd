"""Audit entries of the services other than svc-identity: an official's read of someone's data
or an export, written to the outbox in the request's own unit of work (a GET's session commits
on success too) as an ``…audit.recorded.v1`` event, which svc-identity chains into the
platform's tamper-evident audit log. Plumbing only: each service decides what it records."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.events.contracts import AuditRecordedV1, EventContract


def client_ip(request: Request) -> str | None:
    """Behind the gateway the client is the last ``X-Forwarded-For`` entry (the one the gateway
    appended); directly, the socket's peer."""
    forwarded = request.headers.get("x-forwarded-for", "")
    ip = forwarded.split(",")[-1].strip() if forwarded else (
        request.client.host if request.client else None)
    return ip[:64] if ip else None


def audit_data(request: Request, principal: Principal, *, action: str,
               target_type: str | None, target_id: str | None,
               owner_id: str | None = None) -> AuditRecordedV1:
    name = principal.claims.get("name")
    return AuditRecordedV1(
        action=action, actor_id=principal.subject, actor_kind=principal.kind,
        actor_name=str(name)[:255] if name else principal.username,
        agency_id=principal.agency_id, target_type=target_type, target_id=target_id,
        owner_id=owner_id, ip=client_ip(request),
        user_agent=(request.headers.get("user-agent") or "")[:255] or None,
        request_id=getattr(request.state, "request_id", None), at=datetime.now(UTC))


async def record_access(request: Request, session: AsyncSession, contract: EventContract,
                        principal: Principal, *, action: str, target_type: str | None,
                        target_id: str | None, owner_id: str | None = None) -> None:
    """One audit event in the outbox of the running service (``request.app.state.runtime``).
    No ``agency`` extension: partners' event feeds never see who read what."""
    data = audit_data(request, principal, action=action, target_type=target_type,
                      target_id=target_id, owner_id=owner_id)
    await request.app.state.runtime.outbox.add(
        session, contract, subject=target_id or action, data=data.model_dump(mode="json"))

"""Recording audit events: who, what, when, from where. Written in the request's unit of work,
so an action and its audit entry are stored together. A failed sign-in is recorded even though
nothing else changes (the failure paths return a page instead of raising, so the unit of work
still commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from svc_identity.audit import chain
from svc_identity.models import AuditEvent

Outcome = Literal["success", "failure", "denied"]


@dataclass(frozen=True)
class Origin:
    """Where a request came from. Behind the gateway, the client address is the last entry of
    ``X-Forwarded-For`` (the one the gateway appended); directly, the socket's peer."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, request: Request) -> Origin:
        forwarded = request.headers.get("x-forwarded-for", "")
        ip = forwarded.split(",")[-1].strip() if forwarded else (
            request.client.host if request.client else None)
        return cls(ip=(ip or None) and ip[:64],
                   user_agent=(request.headers.get("user-agent") or "")[:255] or None,
                   request_id=getattr(request.state, "request_id", None))


@dataclass(frozen=True)
class Actor:
    id: str | None = None
    kind: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, principal: Principal | None) -> Actor:
        if principal is None:
            return cls()
        name = principal.claims.get("name") or principal.username
        return cls(principal.subject, principal.kind, str(name)[:255] if name else None)


async def record(
    session: AsyncSession, *, action: str, origin: Origin, outcome: Outcome = "success",
    actor: Actor | None = None, target_type: str | None = None, target_id: str | None = None,
    agency_id: str | None = None, details: dict[str, Any] | None = None,
) -> None:
    """One audit entry, chained. ``details`` must hold no secret (no password, token or
    key)."""
    actor = actor or Actor()
    await chain.append(session, [AuditEvent(
        at=datetime.now(UTC), action=action, outcome=outcome, actor_id=actor.id,
        actor_kind=actor.kind, actor_name=actor.name, target_type=target_type,
        target_id=target_id, agency_id=agency_id, ip=origin.ip, user_agent=origin.user_agent,
        request_id=origin.request_id, details=details or {},
    )])

"""The other services' audit entries (``<context>.audit.recorded``) into the one chained audit
log, exactly once: the consumer runner's inbox drops a redelivered event, and the entry is
chained in the same transaction as the inbox row."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.events.contracts import AUDIT_EVENTS, AuditRecordedV1
from egov_shared.messaging.consumer import PoisonMessage, Subscription
from svc_identity.audit import chain
from svc_identity.models import AuditEvent


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


def entry_of(event: CloudEvent) -> AuditEvent:
    try:
        data = AuditRecordedV1.model_validate(event.data)
    except ValidationError as exc:
        raise PoisonMessage(f"not an audit entry: {exc.error_count()} errors") from exc
    return AuditEvent(
        at=data.at, action=data.action[:64], outcome="success",
        actor_id=_cut(data.actor_id, 64), actor_kind=_cut(data.actor_kind, 16),
        actor_name=_cut(data.actor_name, 255), target_type=_cut(data.target_type, 32),
        target_id=_cut(data.target_id, 64), agency_id=_cut(data.agency_id, 35),
        owner_id=_cut(data.owner_id, 64), ip=_cut(data.ip, 64),
        user_agent=_cut(data.user_agent, 255), request_id=_cut(data.request_id, 64),
        details={"source": event.source, "event_id": event.id})


async def record(session: AsyncSession, event: CloudEvent) -> None:
    await chain.append(session, [entry_of(event)])


def subscriptions() -> list[Subscription]:
    """One durable consumer per publishing context (each context has its own stream)."""
    return [Subscription(durable=f"identity-audit-{c.subject.split('.', 1)[0]}",
                         subject=c.subject, handlers={c.type: record}, grouped=True)
            for c in AUDIT_EVENTS]

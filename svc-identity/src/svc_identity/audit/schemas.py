"""Audit log representation; times in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from egov_shared.timeutil import to_vn
from svc_identity.models import AuditEvent


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    action: str
    outcome: str
    actor_id: str | None
    actor_kind: str | None
    target_type: str | None
    target_id: str | None
    agency_id: str | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(id=event.id, at=to_vn(event.at) or event.at, action=event.action,
                   outcome=event.outcome,
                   actor_id=event.actor_id, actor_kind=event.actor_kind,
                   target_type=event.target_type, target_id=event.target_id,
                   agency_id=event.agency_id, ip=event.ip, user_agent=event.user_agent,
                   request_id=event.request_id, details=event.details or {})

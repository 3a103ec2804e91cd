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
    actor_name: str | None = None
    owner_id: str | None = None
    seq: int | None = None
    entry_hash: str | None = None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(id=event.id, at=to_vn(event.at) or event.at, action=event.action,
                   outcome=event.outcome,
                   actor_id=event.actor_id, actor_kind=event.actor_kind,
                   target_type=event.target_type, target_id=event.target_id,
                   agency_id=event.agency_id, ip=event.ip, user_agent=event.user_agent,
                   request_id=event.request_id, details=event.details or {},
                   actor_name=event.actor_name, owner_id=event.owner_id, seq=event.seq,
                   entry_hash=event.entry_hash)


class AccessEntryOut(BaseModel):
    """One access to the caller's own data by someone else (an official): who, what, when."""

    id: int
    at: datetime
    action: str
    actor_name: str | None
    actor_kind: str | None
    agency_id: str | None
    agency_name: str | None
    target_type: str | None
    target_id: str | None

    @classmethod
    def of(cls, event: AuditEvent, agency_name: str | None) -> AccessEntryOut:
        return cls(id=event.id, at=to_vn(event.at) or event.at, action=event.action,
                   actor_name=event.actor_name, actor_kind=event.actor_kind,
                   agency_id=event.agency_id, agency_name=agency_name,
                   target_type=event.target_type, target_id=event.target_id)


class VerificationProblem(BaseModel):
    seq: int | None
    entry_id: int | None
    message: str
    message_vi: str


class VerificationOut(BaseModel):
    """The audit chain recomputed: ``ok`` when intact and every seal holds; otherwise the
    problems, the first break first."""

    ok: bool
    entries: int
    seals: int
    unchained: int
    problems: list[VerificationProblem]

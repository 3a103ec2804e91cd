"""What every step of an outgoing document shares: who may see it, who may take the step from
which status (the table in ``state.py``), and how a step is recorded (its history row and,
where the table names one, its event in the outbox, in the same transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import ServiceRuntime
from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import utcnow
from svc_docflow.common import history
from svc_docflow.outgoing import repository
from svc_docflow.outgoing.state import (
    CLERK,
    DRAFTER,
    LEADER,
    SIGNER,
    STATUS_NAMES,
    TRANSITIONS,
    Action,
    Status,
)
from svc_docflow.settings import DocflowSettings

# Officials who work with documents; platform administrators (require_roles lets them in) may
# read their subtree's documents but take no step.
DOCUMENT_ROLES = ("clerk", "leader", "processing_officer")


def settings_of(runtime: ServiceRuntime) -> DocflowSettings:
    settings = runtime.settings
    assert isinstance(settings, DocflowSettings)
    return settings


def not_found(document_id: str) -> NotFound:
    return NotFound(f"Không có văn bản {document_id}.", code="document_not_found")


def can_see(principal: Principal, row: Row[Any]) -> bool:
    return principal.kind == "official" and principal.covers_agency(row.agency_id)


async def load_visible(session: AsyncSession, principal: Principal, document_id: str, *,
                       outgoing: bool = False, lock: bool = False) -> Row[Any]:
    """The document if the caller may see it (with ``outgoing``: an outgoing one), else 404."""
    load = repository.get_for_update if lock else repository.get
    row = await load(session, document_id)
    if row is None or not can_see(principal, row):
        raise not_found(document_id)
    if outgoing and row.direction != "outgoing":
        raise not_found(document_id)
    return row


def roles_on(principal: Principal, row: Row[Any]) -> set[str]:
    """The parts the caller plays for this document (state.py's actors)."""
    parts = set()
    if principal.subject == row.created_by:
        parts.add(DRAFTER)
    if principal.has_role("clerk"):
        parts.add(CLERK)
    if principal.has_role("leader"):
        parts.add(LEADER)
        if principal.subject == row.signer_id:
            parts.add(SIGNER)
    return parts


def check_step(principal: Principal, row: Row[Any], action: Action) -> None:
    """403 ``action_not_allowed`` for a caller the table does not name; 409
    ``illegal_transition`` from a status the action does not start from."""
    transition = TRANSITIONS[action]
    if not roles_on(principal, row) & transition.actors:
        raise Forbidden(f"Bạn không thể {action.value} văn bản này.", code="action_not_allowed",
                        extra={"action": action.value})
    if row.status not in transition.sources:
        raise illegal(action, row.status)


def illegal(action: Action, status: str) -> Conflict:
    return Conflict(
        f"Không thể {action.value} văn bản đang ở trạng thái {STATUS_NAMES.get(status, status)}.",
        code="illegal_transition",
        extra={"action": action.value, "current_status": status})


async def move(session: AsyncSession, row: Row[Any], action: Action,
               values: dict[str, Any] | None = None) -> Row[Any]:
    """The document in the action's target status (with ``values``), if nobody moved it
    since it was read; 409 ``illegal_transition`` otherwise."""
    target = TRANSITIONS[action].target
    moved = await repository.move(session, row.id, row.status, {
        "status": target.value, "updated_at": utcnow(), **(values or {})})
    if moved is None:
        current = await repository.get(session, row.id)
        raise illegal(action, current.status if current is not None else row.status)
    return moved


def is_secret(row: Row[Any]) -> bool:
    return bool(row.secrecy != "normal")


async def record(session: AsyncSession, outbox: Outbox, row: Row[Any], action: Action | str,
                 *, actor: Principal | None, from_status: str | None, note: str | None = None,
                 data: dict[str, Any] | None = None, recipients: int | None = None) -> None:
    """The history row and, for the actions that have one, the event."""
    name = action.value if isinstance(action, Action) else action
    await history.record(session, row.id, name, actor=actor, from_status=from_status,
                         to_status=row.status, note=note, data=data)
    event = TRANSITIONS[action].event if isinstance(action, Action) else None
    if event is not None:
        await outbox.add(session, event, subject=row.id, agency=row.agency_id,
                         data=event_data(row, recipients=recipients, at=utcnow()))


def event_data(row: Row[Any], *, recipients: int | None, at: datetime) -> dict[str, Any]:
    """DocumentChangedV1: counts and times only; a secret document's existence only."""
    signed = row.status in (Status.SIGNED, Status.NUMBERED, Status.ISSUED, Status.RECALLED)
    secret = is_secret(row)
    return {"document_id": row.id, "agency_id": row.agency_id, "direction": "outgoing",
            "doc_type": row.doc_type, "status": row.status, "urgency": row.urgency,
            "secret": secret, "signed": signed, "number": None if secret else row.number,
            "notation": None if secret else row.notation, "recipients": recipients,
            "created_at": row.created_at, "at": at}

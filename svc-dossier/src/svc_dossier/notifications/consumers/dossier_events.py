"""From dossier events to notification rows, in the consumer's transaction (with its inbox
row: an event delivered twice is written once). Nothing is sent here: the dispatcher sends
after the commit, so that a mail server that is down never holds up the event stream, let
alone the dossier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.events.contracts import (
    DOSSIER_APOLOGISED,
    DOSSIER_DECIDED,
    DOSSIER_PAYMENT_REQUESTED,
    DOSSIER_RECEIVED,
    DOSSIER_REFUSED,
    DOSSIER_RETURNED,
    DOSSIER_STOPPED,
    DOSSIER_SUBMITTED,
    DOSSIER_SUPPLEMENT_REQUESTED,
    DOSSIER_WITHDRAWN,
    DossierChangedV1,
    DossierSubmittedV1,
)
from egov_shared.messaging.consumer import Subscription
from egov_shared.timeutil import utcnow
from svc_dossier.dossiers.state import Status
from svc_dossier.notifications import repository
from svc_dossier.notifications.contacts import normalize_email, normalize_phone
from svc_dossier.notifications.templates import Facts, Message, render

log = structlog.get_logger("svc_dossier.notifications")

KIND_OF_TYPE: dict[str, str] = {
    DOSSIER_SUBMITTED.type: "received",  # counter and postal dossiers are received at once
    DOSSIER_RECEIVED.type: "received",
    DOSSIER_SUPPLEMENT_REQUESTED.type: "supplement_requested",
    DOSSIER_PAYMENT_REQUESTED.type: "payment_requested",
    DOSSIER_DECIDED.type: "decided",
    DOSSIER_RETURNED.type: "returned",
    DOSSIER_REFUSED.type: "refused",
    DOSSIER_APOLOGISED.type: "apologised",
    DOSSIER_STOPPED.type: "stopped",
    DOSSIER_WITHDRAWN.type: "withdrawn",
}
SAME_MOMENT = timedelta(milliseconds=1)


async def on_dossier_event(session: AsyncSession, event: CloudEvent) -> None:
    kind = KIND_OF_TYPE[event.type]
    action, at, data = _action_of(event)
    if action is None:
        return
    found = await repository.dossier_with_procedure(session, str(data["code"]))
    history = await _history_row(session, found, action, at) if found else None
    if found is None or history is None:
        # Not a change of a dossier of this database (tests share one stream): nothing to tell.
        log.info("notification_skipped", event_id=event.id, reason="unknown_dossier")
        return
    recipients = await _recipients(session, found, kind)
    if recipients:
        message = render(_facts(kind, found, history, data))
        await repository.add_notifications(session, [
            _row(event, kind, found.code, channel, address, message)
            for channel, address in recipients])


def _action_of(event: CloudEvent) -> tuple[str | None, datetime, dict[str, Any]]:
    """The history action the event reports and its time; submissions only when received."""
    if event.type == DOSSIER_SUBMITTED.type:
        submitted = DossierSubmittedV1.model_validate(event.data)
        action = "submit" if submitted.status_code == Status.RECEIVED else None
        return action, submitted.submitted_at, submitted.model_dump()
    changed = DossierChangedV1.model_validate(event.data)
    return changed.action, changed.at, changed.model_dump()


async def _history_row(session: AsyncSession, found: Row[Any], action: str,
                       at: datetime) -> Row[Any] | None:
    for row in await repository.history_rows(session, found.id, action):
        moment = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        if abs(moment - at) <= SAME_MOMENT:
            return row
    return None


async def _recipients(session: AsyncSession, found: Row[Any],
                      kind: str) -> list[tuple[str, str]]:
    """Online applicants: their saved preferences; without any, the contact they gave with the
    dossier. Counter and postal applicants: the contact typed at the counter. Every channel
    the contact allows."""
    form = found.form_data or {}
    pref = (await repository.preference_of(session, found.applicant_account_id)
            if found.applicant_account_id else None)
    if pref is not None:
        if kind in (pref.muted_events or []):
            return []
        wanted = [("email", pref.email if pref.email_enabled else None),
                  ("sms", pref.phone if pref.sms_enabled else None)]
    else:
        typed = form.get("contact") or form.get("applicant") or {}
        wanted = [("email", normalize_email(typed.get("email"))),
                  ("sms", normalize_phone(typed.get("phone")))]
    return [(channel, address) for channel, address in wanted if address]


def _facts(kind: str, found: Row[Any], history: Row[Any], data: dict[str, Any]) -> Facts:
    details = history.data or {}
    return Facts(kind=kind, code=found.code, procedure_name=found.procedure_name,
                 status_code=int(data["status_code"]), due_at=data.get("due_at"),
                 amount=data.get("amount"), reason=history.reason,
                 missing=tuple(details.get("missing") or ()), outcome=data.get("outcome"))


def _row(event: CloudEvent, kind: str, code: str, channel: str, address: str,
         message: Message) -> dict[str, Any]:
    now = utcnow()
    return {
        "event_id": event.id, "channel": channel, "kind": kind, "dossier_code": code,
        "recipient": address, "subject": message.subject if channel == "email" else None,
        "body": message.text if channel == "email" else message.sms, "status": "pending",
        "attempts": 0, "next_attempt_at": now, "created_at": now,
    }


SUBSCRIPTIONS = [
    Subscription(
        durable="dossier-notifications",
        subject="dossier.dossier.>",
        handlers={event_type: on_dossier_event for event_type in KIND_OF_TYPE},
        grouped=True,  # database writes only: the dispatcher sends after the commit
    ),
]

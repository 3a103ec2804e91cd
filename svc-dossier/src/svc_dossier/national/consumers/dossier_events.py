"""From dossier events to national sync rows, in the consumer's transaction (with its inbox
row: an event delivered twice is written once). Nothing is pushed here: the sender pushes
after the commit, so that a national portal that is down never holds up the event stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.events.contracts import (
    DOSSIER_LIFECYCLE,
    DOSSIER_SUBMITTED,
    DossierChangedV1,
    DossierReturnedV1,
    DossierSubmittedV1,
)
from egov_shared.messaging.consumer import Subscription
from egov_shared.timeutil import utcnow
from svc_dossier.national import repository
from svc_dossier.national.format import DOSSIER, PROGRESS, dossier_message

log = structlog.get_logger("svc_dossier.national")
SAME_MOMENT = timedelta(milliseconds=1)


async def on_dossier_event(session: AsyncSession, event: CloudEvent) -> None:
    facts = _facts_of(event)
    if not await _of_this_database(session, facts):
        # Tests share one stream: a dossier of another database may have the same code.
        log.info("national_sync_skipped", event_id=event.id, reason="unknown_dossier")
        return
    code = str(facts["code"])
    sequence = await repository.next_sequence(session, code)
    now = utcnow()
    await repository.add(session, {
        "dossier_code": code, "sequence": sequence,
        "kind": DOSSIER if facts["action"] == "submit" else PROGRESS,
        "status_code": int(facts["status_code"]),
        "payload": dossier_message(facts, sequence=sequence), "event_id": event.id,
        "state": repository.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
    })


def _facts_of(event: CloudEvent) -> dict[str, Any]:
    if event.type == DOSSIER_SUBMITTED.type:
        submitted = DossierSubmittedV1.model_validate(event.data)
        received = submitted.submitted_at if submitted.status_code == 2 else None
        return {**submitted.model_dump(), "action": "submit", "at": submitted.submitted_at,
                "received_at": received}
    model = DossierReturnedV1 if "completed_at" in (event.data or {}) else DossierChangedV1
    return model.model_validate(event.data).model_dump()


async def _of_this_database(session: AsyncSession, facts: dict[str, Any]) -> bool:
    at: datetime = facts["at"]
    for moment in await repository.history_at(session, str(facts["code"]), facts["action"]):
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if abs(moment - at) <= SAME_MOMENT:
            return True
    return False


SUBSCRIPTIONS = [
    Subscription(
        durable="national-portal-sync",
        subject="dossier.dossier.>",
        handlers={contract.type: on_dossier_event
                  for contract in (DOSSIER_SUBMITTED, *DOSSIER_LIFECYCLE)},
        grouped=True,  # database writes only
    ),
]

"""Counts dossier events into the read model. Idempotency comes from the consumer runner's
inbox: a redelivered event is never counted twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.events.contracts import DOSSIER_SUBMITTED, DossierSubmittedV1
from egov_shared.messaging.consumer import Subscription
from svc_reporting.kpis import repository


async def on_dossier_submitted(session: AsyncSession, event: CloudEvent) -> None:
    data = DossierSubmittedV1.model_validate(event.data)
    metrics = ["submitted"]
    if data.channel == "online":
        metrics.append("online")
    if data.status_code == 2:  # received at the counter or by post on submission
        metrics.append("received")
    await repository.add_facts(session, [
        {"event_id": event.id, "metric": m, "dossier_code": data.code,
         "agency_id": data.agency_id, "occurred_at": data.submitted_at}
        for m in metrics
    ])


SUBSCRIPTIONS = [
    Subscription(
        durable="reporting-dossier",
        subject="dossier.>",
        handlers={DOSSIER_SUBMITTED.type: on_dossier_submitted},
    ),
]

"""The read model's live feed: one durable consumer per publishing context, every known event
type through the same effects as the rebuild. Idempotency comes from the consumer runner's
inbox: a redelivered event is never counted twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.messaging.consumer import Handler, Subscription
from svc_reporting.readmodel import store
from svc_reporting.readmodel.effects import HANDLED_TYPES, effects_of

# durable name → subject filter; the rebuild replays the same streams.
FEEDS = {
    "reporting-dossier": "dossier.>",
    "reporting-docflow": "docflow.>",
    "reporting-identity": "identity.>",
}


def _handler(province_id: str) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        await store.apply(session, effects_of(event, province_id=province_id))

    return handle


def subscriptions(province_id: str) -> list[Subscription]:
    handle = _handler(province_id)
    return [Subscription(durable=durable, subject=subject,
                         handlers={t: handle for t in HANDLED_TYPES}, grouped=True)
            for durable, subject in FEEDS.items()]

"""Records the dossiers it hears of, so that decision documents can refer to them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.events import CloudEvent
from egov_shared.events.contracts import DOSSIER_SUBMITTED, DossierSubmittedV1
from egov_shared.messaging.consumer import Subscription
from egov_shared.timeutil import utcnow
from svc_docflow.dossier_refs import repository


async def on_dossier_submitted(session: AsyncSession, event: CloudEvent) -> None:
    data = DossierSubmittedV1.model_validate(event.data)
    await repository.upsert(session, {
        "code": data.code, "procedure_code": data.procedure_code, "agency_id": data.agency_id,
        "status_code": data.status_code, "submitted_at": data.submitted_at,
        "recorded_at": utcnow(),
    })


SUBSCRIPTIONS = [
    Subscription(
        durable="docflow-dossier",
        subject="dossier.dossier.>",
        handlers={DOSSIER_SUBMITTED.type: on_dossier_submitted},
    ),
]

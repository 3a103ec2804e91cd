"""The axis on NATS: every package travels on ``axis.<agency-id>.inbox`` (DESIGN §4). Two
durable raw consumers read the ``AXIS`` stream: the intake takes in what is addressed to an
agency of the platform; the bridge forwards what is addressed to an organ outside it to the
national axis. Each skips the other's messages."""

from __future__ import annotations

from functools import partial

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.messaging.consumer import RawMessage, RawSubscription
from svc_docflow.axis import repository
from svc_docflow.axis.bridge import forward
from svc_docflow.axis.context import AxisContext
from svc_docflow.axis.receive import Delivery, Refused, take
from svc_docflow.axis.send import organ_of_inbox
from svc_docflow.edxml import PackageError
from svc_docflow.settings import DocflowSettings

log = structlog.get_logger("docflow.axis")
INTAKE_MAX_DELIVER = 20  # ~10 minutes of retries (svc-identity away), then dead-lettered


async def take_in(ctx: AxisContext, session: AsyncSession, raw: RawMessage) -> None:
    """A package for an agency of the platform (by its current or legacy ID)."""
    key = organ_of_inbox(raw.subject)
    agency = await ctx.directory.find(key) if key else None
    if agency is None:
        return  # an organ outside the platform: the bridge's
    try:
        await take(session, ctx, raw.data, Delivery(source="axis", agency_id=agency.id))
    except PackageError as exc:
        log.warning("axis_package_refused", subject=raw.subject, code=exc.code,
                    field=exc.field, message_id=raw.message_id)
        await repository.record(session, direction="in", kind="document", data=raw.data,
                                outcome="refused", to_organ_id=agency.id,
                                reason=f"{exc.code}: {exc.message}"[:2000])
    except Refused as exc:
        log.warning("axis_package_refused", subject=raw.subject, code=exc.code,
                    message_id=raw.message_id)


async def on_platform(ctx: AxisContext, raw: RawMessage) -> bool:
    key = organ_of_inbox(raw.subject)
    return key is not None and await ctx.directory.find(key) is not None


async def outside(ctx: AxisContext, raw: RawMessage) -> bool:
    key = organ_of_inbox(raw.subject)
    return key is not None and await ctx.directory.find(key) is None


def axis_subscriptions(settings: DocflowSettings) -> list[RawSubscription]:
    ctx = AxisContext.for_consumers(settings)
    # Each consumer declines the other's packages before any transaction (``accepts``).
    return [
        RawSubscription(durable="docflow-axis", subject="axis.>",
                        handler=partial(take_in, ctx), accepts=partial(on_platform, ctx),
                        max_deliver=INTAKE_MAX_DELIVER, batch=5),
        # Retried for ever, with backoff, until the national axis acknowledges.
        RawSubscription(durable="docflow-axis-bridge", subject="axis.>",
                        handler=partial(forward, ctx), accepts=partial(outside, ctx),
                        max_deliver=-1, batch=5),
    ]

"""The submitter: a background task beside the outbox relay that delivers submitted report
versions to the national reporting system outside any request, and asks for its decision.

Each round claims due submissions in a short transaction (pushed a lease ahead, with
``SKIP LOCKED`` on PostgreSQL so that replicas share the work), talks to the system, then
records the outcome in another short transaction:

- to send (``queued``, ``retrying``): a receipt → ``submitted``, asked again after
  ``submission_status_poll_seconds``; the system away → ``retrying`` at
  ``base × 2^(attempt-1)`` seconds (capped), ``failed`` after the last attempt or without a
  valid API key; the message refused → ``rejected`` with the reason;
- to poll (``submitted``): accepted or rejected (with the reason) → final; still being
  processed, or the system away → asked again later; a receipt the system no longer knows →
  sent again (the same ``MaBaoCao``: the system answers the same receipt if it has it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import Repeating
from egov_shared.timeutil import utcnow
from svc_reporting.periodic import protocol, repository, state
from svc_reporting.periodic.national import (
    NationalReporting,
    NotConfigured,
    Refused,
    Unavailable,
    UnknownReceipt,
    message_of,
)
from svc_reporting.settings import ReportingSettings
from svc_reporting.simulators.national_reporting import create_simulator

log = structlog.get_logger("svc_reporting.periodic.submitter")
SUBMISSIONS = Counter("egov_report_submissions_total",
                      "Periodic report deliveries to the national reporting system, by outcome",
                      ["outcome"])
SIMULATOR_PATH = "/simulators/national-reporting"


class Submitter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 national: NationalReporting, settings: ReportingSettings) -> None:
        self.sessionmaker = sessionmaker
        self.national = national
        self.settings = settings
        self.job = Repeating("report-submitter", self.dispatch_due,
                             interval=settings.submission_dispatch_seconds)

    def start(self) -> None:
        self.job.start()

    async def stop(self) -> None:
        await self.job.stop()

    async def dispatch_due(self) -> int:
        """One round; answers how many submissions it handled."""
        now, batch = utcnow(), self.settings.submission_batch_size
        lease = now + timedelta(seconds=self.settings.submission_lease_seconds)
        async with self.sessionmaker() as session, session.begin():
            to_send = await repository.claim_due(session, state.TO_SEND, now, lease, batch)
            to_poll = await repository.claim_due(session, state.TO_POLL, now, lease, batch)
            replaced = {r.id: await repository.accepted_receipt_before(session, r)
                        for r in to_send if r.corrects}
        await asyncio.gather(*(self._send(r, replaced.get(r.id)) for r in to_send),
                             *(self._poll(r) for r in to_poll))
        return len(to_send) + len(to_poll)

    async def _send(self, row: Any, replaces: str | None) -> None:
        attempt, now = row.s_attempts + 1, utcnow()
        try:
            receipt = await self.national.send(message_of(row, replaces=replaces, now=now))
        except Refused as exc:
            await self._final(row, state.REJECTED, attempts=attempt, reason=str(exc))
        except (Unavailable, NotConfigured) as exc:
            await self._failed_attempt(row, attempt, exc)
        else:
            await self._record(row, "delivered", status=state.DELIVERED, attempts=attempt,
                               receipt_id=receipt.receipt_id, delivered_at=now,
                               last_error=None, next_attempt_at=self._poll_at(now))

    async def _failed_attempt(self, row: Any, attempt: int, exc: Exception) -> None:
        s = self.settings
        error = f"{type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, NotConfigured) or attempt >= s.submission_max_attempts:
            await self._final(row, state.FAILED, attempts=attempt, last_error=error)
            return
        delay = state.retry_delay(attempt, base=s.submission_retry_base_seconds,
                                  cap=s.submission_retry_max_seconds)
        await self._record(row, "retried", status=state.RETRYING, attempts=attempt,
                           last_error=error,
                           next_attempt_at=utcnow() + timedelta(seconds=delay))

    async def _poll(self, row: Any) -> None:
        try:
            answer = await self.national.status(row.s_receipt_id)
        except UnknownReceipt:
            await self._record(row, "resent", status=state.RETRYING, receipt_id=None,
                               next_attempt_at=utcnow())
        except (Unavailable, NotConfigured, Refused) as exc:
            await self._record(row, "poll_failed", last_error=f"{type(exc).__name__}: {exc}"
                               [:500], next_attempt_at=self._poll_at(utcnow()))
        else:
            await self._decided(row, answer)

    async def _decided(self, row: Any, answer: protocol.StatusAnswer) -> None:
        if answer.state == protocol.ACCEPTED:
            await self._final(row, state.ACCEPTED)
        elif answer.state == protocol.REJECTED:
            await self._final(row, state.REJECTED, reason=answer.reason or "(no reason)")
        else:
            await self._record(row, "pending", next_attempt_at=self._poll_at(utcnow()))

    def _poll_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.settings.submission_status_poll_seconds)

    async def _final(self, row: Any, status: str, **values: Any) -> None:
        await self._record(row, status, status=status, decided_at=utcnow(),
                           next_attempt_at=None, **values)

    async def _record(self, row: Any, outcome: str, **values: Any) -> None:
        async with self.sessionmaker() as session, session.begin():
            await repository.change_submission(session, row.id, values)
        SUBMISSIONS.labels(outcome).inc()
        log.info("report_submission", report_id=row.id, outcome=outcome,
                 status=values.get("status", row.s_status), error=values.get("last_error"))


def install(app: FastAPI, settings: ReportingSettings) -> None:
    """The national system's client on ``app.state.national_reporting``, its SIMULATOR
    mounted (answering only in demo mode), and the submitter started once the service
    runtime is up and stopped before it goes down."""
    key = settings.national_reporting_api_key()
    national = NationalReporting(settings.national_reporting_url, api_key=key,
                                 timeout=settings.national_reporting_timeout_seconds)
    app.state.national_reporting = national
    app.mount(SIMULATOR_PATH, create_simulator({key} if key else set(), enabled=settings.demo))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as lifespan_state:
            submitter = Submitter(app.state.runtime.sessionmaker, national, settings)
            app.state.report_submitter = submitter
            app.state.runtime.start_background(submitter.job)
            try:
                yield lifespan_state
            finally:
                await submitter.stop()

    app.router.lifespan_context = lifespan

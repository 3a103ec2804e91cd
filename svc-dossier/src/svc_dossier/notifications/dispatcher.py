"""The dispatcher: a background task beside the outbox relay that sends pending notification
rows outside any database transaction, retrying failures with a growing delay.

Each round claims due rows in a short transaction (their attempt counted and a lease set, with
``SKIP LOCKED`` on PostgreSQL so that replicas share the work), sends them, then records the
outcome in another short transaction: ``sent``; or, after a failure, ``pending`` again at
``base × 2^(attempt-1)`` seconds (capped), and ``failed`` after the last attempt. A replica
that dies mid-send leaves the row to be taken again when the lease ends (at least once).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import structlog
from fastapi import FastAPI
from prometheus_client import Counter
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import Repeating
from egov_shared.timeutil import utcnow
from svc_dossier.notifications import repository
from svc_dossier.notifications.senders import Senders, build_senders
from svc_dossier.settings import DossierSettings

log = structlog.get_logger("svc_dossier.notifications")

NOTIFICATIONS = Counter("egov_notifications_total", "Notifications to applicants, by outcome",
                        ["channel", "outcome"])


class NotConfigured(Exception):
    """The channel has no transport here: retrying will not help."""


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before attempt ``attempt + 1``: base, 2×base, 4×base, … up to ``cap``."""
    return float(min(base * 2 ** (attempt - 1), cap))


def safe_error(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """What went wrong, for the row and the log: never a password, at most 500 characters."""
    text = f"{type(exc).__name__}: {exc}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:500]


class Dispatcher:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], senders: Senders,
                 settings: DossierSettings) -> None:
        self.sessionmaker = sessionmaker
        self.senders = senders
        self.settings = settings
        smtp = settings.smtp_url.get_secret_value() if settings.smtp_url else ""
        self._secrets = (smtp, _password_of(smtp))
        self.job = Repeating("notification-dispatcher", self.dispatch_due,
                             interval=settings.notification_poll_seconds,
                             full=settings.notification_batch_size)

    def start(self) -> None:
        self.job.start()

    async def stop(self) -> None:
        await self.job.stop()

    async def dispatch_due(self) -> int:
        """One round; answers how many rows it tried."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.notification_lease_seconds)
        async with self.sessionmaker() as session, session.begin():
            rows = await repository.claim_due(session, now, lease,
                                              self.settings.notification_batch_size)
        # Concurrent across recipients; in order for each (received before supplement…).
        queues: dict[tuple[str, str], list[Row[Any]]] = {}
        for row in rows:
            queues.setdefault((row.channel, row.recipient), []).append(row)
        await asyncio.gather(*(self._deliver_in_order(queue) for queue in queues.values()))
        return len(rows)

    async def _deliver_in_order(self, rows: list[Row[Any]]) -> None:
        for row in rows:
            await self._deliver(row)

    async def _deliver(self, row: Row[Any]) -> None:
        try:
            await self._send(row)
        except Exception as exc:
            await self._record_failure(row, exc)
            return
        await self._mark(row, {"status": repository.SENT, "sent_at": utcnow(),
                               "last_error": None})
        NOTIFICATIONS.labels(row.channel, "sent").inc()
        log.info("notification_sent", notification_id=row.id, channel=row.channel,
                 kind=row.kind, dossier=row.dossier_code, attempt=row.attempts + 1)

    async def _send(self, row: Row[Any]) -> None:
        if row.channel == "email":
            if self.senders.email is None:
                raise NotConfigured("email_not_configured")
            await self.senders.email.send(to=row.recipient, subject=row.subject or "",
                                          body=row.body)
        elif self.senders.sms is None:
            raise NotConfigured("sms_not_configured")
        else:
            await self.senders.sms.send(phone=row.recipient, text=row.body)

    async def _record_failure(self, row: Row[Any], exc: Exception) -> None:
        attempt, error = row.attempts + 1, safe_error(exc, self._secrets)
        final = isinstance(exc, NotConfigured) or attempt >= self.settings.notification_max_attempts
        delay = retry_delay(attempt, base=self.settings.notification_retry_base_seconds,
                            cap=self.settings.notification_retry_max_seconds)
        values: dict[str, Any] = {"last_error": error}
        if final:
            values["status"] = repository.FAILED
        else:
            values["next_attempt_at"] = utcnow() + timedelta(seconds=delay)
        await self._mark(row, values)
        NOTIFICATIONS.labels(row.channel, "failed" if final else "retried").inc()
        log.warning("notification_failed" if final else "notification_retry",
                    notification_id=row.id, channel=row.channel, dossier=row.dossier_code,
                    attempt=attempt, error=error, retry_in=None if final else delay)

    async def _mark(self, row: Row[Any], values: Mapping[str, Any]) -> None:
        async with self.sessionmaker() as session, session.begin():
            await repository.mark(session, row.id, dict(values))


def _password_of(url: str) -> str:
    password = urlsplit(url).password if url else None
    return unquote(password) if password else ""


def install(app: FastAPI, settings: DossierSettings) -> None:
    """Starts the dispatcher once the service runtime is up, and stops it before the runtime
    goes down. The senders are on ``app.state.notification_senders`` (the SMS simulator's
    messages can be inspected there)."""
    senders = build_senders(settings)
    app.state.notification_senders = senders
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            dispatcher = Dispatcher(app.state.runtime.sessionmaker, senders, settings)
            app.state.notification_dispatcher = dispatcher
            app.state.runtime.start_background(dispatcher.job)
            try:
                yield state
            finally:
                await dispatcher.stop()

    app.router.lifespan_context = lifespan

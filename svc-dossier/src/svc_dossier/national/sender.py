"""The sender: a background task beside the outbox relay that pushes pending national sync
rows outside any database transaction, in order per dossier, retrying with a growing delay
until the portal acknowledges; and the reconciliation job.

Each round claims the first pending message of each due dossier (a lease on
``next_attempt_at``), pushes them in one call per kind (``{"data": [...]}``, up to 100
messages a call; a call per message cost 18 % of the service's CPU under load) and records
every acknowledged one (its ``KetQua`` item MaLoi 00, or 02: the portal already had it, e.g.
after a lost acknowledgement) ``sent`` in one statement; a dossier's next message is a head of
the next round (at once after a full round, else after the poll interval). On a failure (the
item's MaLoi, or the whole call) the row is due again after ``base × 2^(attempt-1)`` seconds
(capped), for ever: a later message must never overtake it. Under load a round costs the
database three statements whatever its size (a claim and a mark per message cost more CPU
than the submissions). Progress messages for dossiers the portal does not know (MaLoi 04: it
lost them) are sent again as whole dossiers (``DongBoHoSoMC``), in one more call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from prometheus_client import Counter
from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from egov_shared.background import Repeating
from egov_shared.timeutil import utcnow
from svc_dossier.national import repository
from svc_dossier.national.format import DOSSIER, PROGRESS, dossier_message
from svc_dossier.national.portal import (
    ACKNOWLEDGED,
    MAX_MESSAGES,
    UNKNOWN_DOSSIER,
    NationalPortal,
    PortalAnswer,
    PortalUnavailable,
)
from svc_dossier.settings import DossierSettings

log = structlog.get_logger("svc_dossier.national")
PUSHES = Counter("egov_national_pushes_total", "Pushes to the national portal, by outcome",
                 ["kind", "outcome"])
LEASE = timedelta(seconds=120)
SENT, LOST, FAILED = "sent", "lost", "failed"  # what becomes of a pushed row


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    return float(min(base * 2 ** (attempt - 1), cap))


@dataclass
class ReconcileReport:
    checked: int = 0
    repushed: list[str] = field(default_factory=list)


class Sender:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], portal: NationalPortal,
                 settings: DossierSettings) -> None:
        self.sessionmaker = sessionmaker
        self.portal = portal
        self.settings = settings
        self._reconciling = asyncio.Lock()  # one reconciliation at a time in this process
        self.jobs = [Repeating("national-sender", self.push_due,
                               interval=settings.national_sync_poll_seconds,
                               full=settings.national_sync_batch_size)]
        if settings.national_reconcile_interval_seconds > 0:
            self.jobs.append(Repeating("national-reconciliation", self.reconcile,
                                       interval=settings.national_reconcile_interval_seconds,
                                       wait_first=True))

    def start(self) -> None:
        for job in self.jobs:
            job.start()

    async def stop(self) -> None:
        for job in self.jobs:
            await job.stop()

    async def push_due(self) -> int:
        """One round; answers how many messages the portal acknowledged."""
        now = utcnow()
        async with self.sessionmaker() as session, session.begin():
            heads = list(await repository.claim_heads(
                session, now, now + LEASE, limit=self.settings.national_sync_batch_size))
        if not heads:
            return 0
        pushed = await asyncio.gather(*(self._push(kind, rows) for kind, rows in calls(heads)))
        sent = [row for rows in pushed for row in rows]
        if sent:
            async with self.sessionmaker() as session, session.begin():
                await repository.mark_sent(session, [row.id for row in sent], utcnow())
        for row in sent:
            PUSHES.labels(row.kind, "sent").inc()
            log.info("national_pushed", dossier=row.dossier_code, sequence=row.sequence,
                     kind=row.kind, status_code=row.status_code, attempt=row.attempts + 1)
        return len(sent)

    async def _push(self, kind: str, rows: Sequence[Row[Any]]) -> list[Row[Any]]:
        """One call of ``rows`` as ``kind``: the rows the portal acknowledged (its caller
        records them); failures are recorded here, with each row's next attempt."""
        try:
            answers = await self.portal.push(kind, [row.payload for row in rows])
        except PortalUnavailable as exc:
            await asyncio.gather(*(self._failed(row, f"unavailable: {exc}") for row in rows))
            return []
        outcomes: dict[str, list[tuple[Row[Any], PortalAnswer]]] = {
            SENT: [], LOST: [], FAILED: []}
        for row, answer in zip(rows, answers, strict=True):
            outcomes[outcome(kind, answer)].append((row, answer))
        await asyncio.gather(*(self._failed(row, f"MaLoi {answer.code}: {answer.message}")
                               for row, answer in outcomes[FAILED]))
        lost = [row for row, _ in outcomes[LOST]]
        resent = await self._push(DOSSIER, lost) if lost else []
        return [row for row, _ in outcomes[SENT]] + resent

    async def _failed(self, row: Row[Any], error: str) -> None:
        attempt = row.attempts + 1
        delay = retry_delay(attempt, base=self.settings.national_sync_retry_base_seconds,
                            cap=self.settings.national_sync_retry_max_seconds)
        await self._mark(row, {"attempts": attempt, "last_error": error[:500],
                               "next_attempt_at": utcnow() + timedelta(seconds=delay)})
        PUSHES.labels(row.kind, "retried").inc()
        log.warning("national_push_retry", dossier=row.dossier_code, sequence=row.sequence,
                    attempt=attempt, error=error[:200], retry_in=delay)

    async def _mark(self, row: Row[Any], values: dict[str, Any]) -> None:
        async with self.sessionmaker() as session, session.begin():
            await repository.mark(session, row.id, values)

    async def reconcile(self) -> ReconcileReport:
        """Compares the portal's statuses of every synced dossier with nothing pending with
        ours, and pushes the whole dossier again where they differ (or the portal lost it)."""
        async with self._reconciling:
            return await self._reconcile()

    async def _reconcile(self) -> ReconcileReport:
        report, after = ReconcileReport(), ""
        while True:
            async with self.sessionmaker() as session:
                codes = await repository.settled_dossiers(session, after=after, limit=100)
                rows = await repository.dossiers_by_code(session, codes) if codes else []
            if not codes:
                return report
            remote = await self.portal.statuses(list(codes))
            report.checked += len(rows)
            for row in rows:
                if remote.get(row.code) != row.status_code:
                    await self._repush(row)
                    report.repushed.append(row.code)
            after = codes[-1]

    async def _repush(self, dossier: Row[Any]) -> None:
        for attempt in range(1, REPUSH_ATTEMPTS + 1):
            try:
                sequence = await self._add_repush(dossier)
                break
            except IntegrityError:
                # The dossier's next sequence was taken meanwhile (its event's consumer, or a
                # reconciliation in another process): take the one after.
                if attempt == REPUSH_ATTEMPTS:
                    raise
        log.info("national_reconciled", dossier=dossier.code, sequence=sequence,
                 status_code=dossier.status_code)

    async def _add_repush(self, dossier: Row[Any]) -> int:
        now = utcnow()
        facts = {**dossier._mapping, "action": "reconcile", "at": now}
        async with self.sessionmaker() as session, session.begin():
            sequence = await repository.next_sequence(session, dossier.code)
            await repository.add(session, {
                "dossier_code": dossier.code, "sequence": sequence, "kind": DOSSIER,
                "status_code": dossier.status_code,
                "payload": dossier_message(facts, sequence=sequence), "event_id": None,
                "state": repository.PENDING, "attempts": 0, "next_attempt_at": now,
                "created_at": now,
            })
        return sequence


REPUSH_ATTEMPTS = 5


def outcome(kind: str, answer: PortalAnswer) -> str:
    """``sent`` (acknowledged), ``lost`` (a progress for a dossier the portal does not hold:
    to be sent again as the whole dossier) or ``failed`` (to be retried)."""
    if answer.code in ACKNOWLEDGED:
        return SENT
    return LOST if answer.code == UNKNOWN_DOSSIER and kind == PROGRESS else FAILED


def calls(heads: Sequence[Row[Any]]) -> list[tuple[str, list[Row[Any]]]]:
    """The heads of a round grouped by kind, in calls of at most ``MAX_MESSAGES``."""
    by_kind: dict[str, list[Row[Any]]] = {}
    for row in heads:
        by_kind.setdefault(row.kind, []).append(row)
    return [(kind, rows[start:start + MAX_MESSAGES]) for kind, rows in by_kind.items()
            for start in range(0, len(rows), MAX_MESSAGES)]


def install(app: FastAPI, settings: DossierSettings) -> None:
    """Starts the sender once the service runtime is up and stops it before the runtime goes
    down; the portal client is ``app.state.national_portal``, the sender
    ``app.state.national_sender``."""
    token = settings.national_portal_token
    portal = NationalPortal(settings.national_portal_url,
                            timeout=settings.national_portal_timeout_seconds,
                            token=token.get_secret_value() if token else None)
    app.state.national_portal = portal
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            sender = Sender(app.state.runtime.sessionmaker, portal, settings)
            app.state.national_sender = sender
            app.state.runtime.start_background(*sender.jobs)
            try:
                yield state
            finally:
                await sender.stop()

    app.router.lifespan_context = lifespan

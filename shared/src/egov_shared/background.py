"""A service's own background work (a dispatcher, a sender, a reconciliation): a round done
again and again in a task of the running loop. Started by ``ServiceRuntime.start_background``,
only in a process that runs background work (``ROLE`` ``all`` or ``worker``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

log = structlog.get_logger("egov.background")

STOP_TIMEOUT_SECONDS = 10.0


async def cancel_and_wait(task: asyncio.Task[Any] | None, *,
                          give_up_after: float = STOP_TIMEOUT_SECONDS) -> None:
    """Cancel ``task`` and wait until it has ended, cancelling again while it runs on.

    A single ``cancel()`` is not enough on Python 3.11: ``asyncio.wait_for`` (used by the
    relay and throughout nats-py) swallows a cancellation that arrives just as the awaited
    future completes, and a loop around it then runs on; a stop that awaits such a task once
    hangs the service's shutdown for ever. After ``give_up_after`` seconds the task is left behind
    with an error in the log, so that a shutdown always ends."""
    if task is None or task.done():
        if task is not None and not task.cancelled():
            task.exception()  # retrieved: not reported again as "never retrieved"
        return
    deadline = asyncio.get_running_loop().time() + give_up_after
    task.cancel()
    while not task.done():
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            log.error("task_did_not_stop", task=task.get_name(), seconds=give_up_after)
            return
        await asyncio.wait({task}, timeout=min(0.5, remaining))
        if not task.done():
            log.warning("task_cancelled_again", task=task.get_name())
            task.cancel()
    if not task.cancelled() and task.exception() is not None:
        log.warning("task_ended_with_error", task=task.get_name(),
                    error=type(task.exception()).__name__)


class Repeating:
    """``round`` again and again: the next one at once when this one handled ``full`` items
    or more, else after ``interval`` seconds (``wait_first``: also before the first). A round
    that raises (the database or a partner away) is logged and tried again later."""

    def __init__(self, name: str, round: Callable[[], Awaitable[Any]], *, interval: float,
                 full: int | None = None, wait_first: bool = False) -> None:
        self.name = name
        self.round = round
        self.interval = interval
        self.full = full
        self.wait_first = wait_first
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _run(self) -> None:
        if self.wait_first:
            await asyncio.sleep(self.interval)
        while True:
            try:
                handled = await self.round()
            except Exception as exc:
                log.warning("background_round_failed", job=self.name, error=type(exc).__name__)
                handled = None
            if self.full is None or not isinstance(handled, int) or handled < self.full:
                await asyncio.sleep(self.interval)

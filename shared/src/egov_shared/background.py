"""A service's own background work (a dispatcher, a sender, a reconciliation): a round done
again and again in a task of the running loop. Started by ``ServiceRuntime.start_background``,
only in a process that runs background work (``ROLE`` ``all`` or ``worker``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

log = structlog.get_logger("egov.background")


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
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

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

"""Short-lived, process-local copies of reference data every request reads and hardly anyone
changes (a procedure's rules, an agency's working calendar): under load each read was a
round trip and a parse per submission.

A change made through this process clears the cache when its transaction commits (and at
once); other processes of the service see it within ``ttl`` seconds. Keys include the
database (several databases may be served from one process, as in the tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession


class ReadCache:
    def __init__(self, name: str, *, ttl: float = 5.0, maxsize: int = 4096) -> None:
        self.name = name
        self.maxsize = maxsize
        self.configure(ttl)

    def configure(self, ttl: float) -> None:
        """A new lifetime (0 turns the cache off); what was held is dropped."""
        self.enabled = ttl > 0
        self._entries: TTLCache[Hashable, Any] = TTLCache(self.maxsize, max(ttl, 1.0))

    async def get(self, session: AsyncSession, key: Hashable,
                  load: Callable[[], Awaitable[Any]]) -> Any:
        if not self.enabled:
            return await load()
        full = (str(session.get_bind().engine.url), key)
        try:
            return self._entries[full]
        except KeyError:
            value = await load()
            self._entries[full] = value
            return value

    def clear(self) -> None:
        self._entries.clear()

    def clear_on_commit(self, session: AsyncSession) -> None:
        """Call from every write of the cached data: cleared now and once the write commits
        (a read between the two would otherwise keep the old value)."""
        self.clear()
        event.listen(session.sync_session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, _session: Any) -> None:
        self.clear()

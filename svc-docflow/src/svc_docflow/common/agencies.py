
"""The agency tree, as svc-identity publishes it (``GET /api/v1/agencies``, public): names for
documents, the 13-character legacy IDs that edXML's ``OrganId`` carries, and which agencies
are on the platform (reached on ``axis.<agency-id>.inbox``) rather than through the national
axis. Fetched over HTTP and kept for a while; one process-wide cache per identity URL."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
import structlog

from egov_shared import http as shared_http

log = structlog.get_logger("docflow.agencies")
TTL_SECONDS = 300.0
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


@dataclass(frozen=True)
class Agency:
    id: str  # current form, H56.14
    legacy_id: str | None  # 000.00.14.H56, the edXML OrganId
    name: str
    parent_id: str | None

    @property
    def organ_id(self) -> str:
        """What edXML packages name this agency by: the legacy ID where it has one."""
        return self.legacy_id or self.id


class AgencyDirectoryUnavailable(Exception):
    """svc-identity did not answer and nothing is cached."""


class AgencyDirectory:
    def __init__(self, identity_url: str) -> None:
        self.identity_url = identity_url.rstrip("/")
        self._by_key: dict[str, Agency] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def find(self, key: str) -> Agency | None:
        """The agency by its current ID or its legacy ID (the edXML OrganId); None when it is
        not on the platform."""
        await self._refresh()
        return self._by_key.get(key)

    async def all(self) -> list[Agency]:
        await self._refresh()
        return sorted({a.id: a for a in self._by_key.values()}.values(), key=lambda a: a.id)

    async def chain(self, agency_id: str) -> list[Agency]:
        """The agency and its ancestors, nearest first (for "UBND TỈNH …" headers)."""
        found, seen = [], set()
        current = await self.find(agency_id)
        while current is not None and current.id not in seen:
            found.append(current)
            seen.add(current.id)
            current = await self.find(current.parent_id) if current.parent_id else None
        return found

    async def _refresh(self) -> None:
        if self._by_key and time.monotonic() - self._fetched_at < TTL_SECONDS:
            return
        async with self._lock:
            if self._by_key and time.monotonic() - self._fetched_at < TTL_SECONDS:
                return
            try:
                agencies = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                if self._by_key:  # stale beats nothing while identity is away
                    log.warning("agencies_stale", error=str(exc))
                    return
                raise AgencyDirectoryUnavailable(str(exc)) from exc
            self._by_key = {key: a for a in agencies for key in (a.id, a.legacy_id) if key}
            self._fetched_at = time.monotonic()

    async def _fetch(self) -> list[Agency]:
        async with shared_http.client(base_url=self.identity_url, timeout=TIMEOUT) as http:
            answer = await http.get("/api/v1/agencies")
            answer.raise_for_status()
        return [Agency(id=a["id"], legacy_id=a.get("legacy_id"), name=a["name"],
                       parent_id=a.get("parent_id")) for a in answer.json()]


_directories: dict[str, AgencyDirectory] = {}


def directory(identity_url: str) -> AgencyDirectory:
    """The process-wide directory for this svc-identity."""
    if identity_url not in _directories:
        _directories[identity_url] = AgencyDirectory(identity_url)
    return _directories[identity_url]

"""The gateway's one pooled HTTP client to the services (aiohttp: measured several times faster
than a shared httpx client as a proxy hop, see NOTES.md), opened and closed by the lifespan."""

from __future__ import annotations

from typing import Any

import aiohttp

from gateway.settings import GatewaySettings

# aiohttp adds these when absent; a proxy must forward the client's headers, not invent them
# (an invented Accept-Encoding would make upstreams compress for clients that never asked).
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class UpstreamClient:
    """Holds the shared ``aiohttp.ClientSession``; exists before the lifespan starts so the
    proxy middleware can be wired at app construction."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.proxy_timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.upstream_connect_timeout_seconds,
            sock_read=settings.upstream_timeout_seconds,
        )
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=self.settings.upstream_pool_size,
            # Bounded per service: a hanging one cannot take the connections the others need.
            limit_per_host=self.settings.upstream_pool_per_service,
            keepalive_timeout=self.settings.upstream_keepalive_seconds,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self.proxy_timeout,
            auto_decompress=False,  # relay bytes as the service encoded them
            # One session serves every client: a real cookie jar would hand one citizen's
            # session cookie to the next caller.
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_NO_AUTO_HEADERS,
            trust_env=False,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("UpstreamClient used outside the app's lifespan")
        return self._session

    async def get_json(self, url: str, timeout_seconds: float) -> tuple[int, Any]:
        """One short GET for the gateway's own needs (readiness, OpenAPI): status and JSON body
        (``None`` when the body is not JSON). Raises ``aiohttp.ClientError`` or
        ``TimeoutError`` when the service cannot be reached in time."""
        timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        async with self.session.get(url, timeout=timeout) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body

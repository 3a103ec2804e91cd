"""Browser-facing protection: the CORS allow-list (preflights answered here, never forwarded)
and security headers on every answer, the services' included.

Headers a service sets itself are kept (its login page knows its own Content-Security-Policy);
the gateway adds what is missing. Other answers get only ``frame-ancestors 'none'`` (a stricter
policy would break a service's HTML that sets none, such as the sign-in form); the gateway's own
HTML (``/docs``) gets a full, conservative policy that allows only the Swagger UI assets."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import GatewaySettings

CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Accept", "Accept-Language",
                        "Idempotency-Key", "If-Match", "If-None-Match", "X-Request-ID",
                        "traceparent"]
CORS_EXPOSED_HEADERS = ["X-Request-ID", "traceparent", "Retry-After", "Location", "ETag",
                        "Content-Disposition"]
API_CSP = b"frame-ancestors 'none'"
# FastAPI's Swagger UI page: its assets from jsdelivr, one inline start-up script.
DOCS_CSP = (b"default-src 'none'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
            b"style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: "
            b"https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'; "
            b"base-uri 'none'; form-action 'none'")
_DOCS_PATHS = frozenset({"/docs"})


def cors_options(settings: GatewaySettings) -> dict[str, Any]:
    """Options of Starlette's ``CORSMiddleware`` for the configured origins (none by default).
    Bearer tokens travel in a header, so credentials (cookies) are never allowed cross-origin."""
    return {"allow_origins": settings.cors_origins, "allow_methods": CORS_METHODS,
            "allow_headers": CORS_REQUEST_HEADERS, "expose_headers": CORS_EXPOSED_HEADERS,
            "allow_credentials": False, "max_age": 600}


class SecurityHeadersMiddleware:
    """Adds the security headers a response lacks; outermost, so that the gateway's own
    refusals (413, 429, 503) carry them too."""

    def __init__(self, app: ASGIApp, hsts: str = "auto", hsts_max_age: int = 31_536_000
                 ) -> None:
        self.app = app
        self.hsts = hsts
        self.hsts_value = f"max-age={hsts_max_age}; includeSubDomains".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        csp = DOCS_CSP if scope["path"] in _DOCS_PATHS else API_CSP
        headers = [(b"x-content-type-options", b"nosniff"),
                   (b"referrer-policy", b"no-referrer"),
                   (b"x-frame-options", b"DENY"),
                   (b"content-security-policy", csp)]
        if self.hsts == "always" or (self.hsts == "auto" and scope.get("scheme") == "https"):
            headers.append((b"strict-transport-security", self.hsts_value))
        return headers

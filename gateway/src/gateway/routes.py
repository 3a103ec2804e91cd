"""The route table: which upstream service answers which public path (longest prefix wins,
matched on whole path segments so ``/api/v1/dossiersX`` never reaches svc-dossier)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The public API of DESIGN §3, by owning service. A trailing slash is not significant. Each
# prefix needs its access rule in gateway.access (without one, its paths are refused).
ROUTE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "identity": (
        "/.well-known/", "/oauth2/", "/api/v1/citizens", "/api/v1/me", "/api/v1/agencies",
        "/api/v1/accounts", "/api/v1/officials", "/api/v1/businesses", "/api/v1/verifications",
        "/api/v1/password-resets", "/api/v1/certificates", "/pki/", "/api/v1/admin/",
        "/api/v1/audit",
    ),
    "dossier": ("/api/v1/procedures", "/api/v1/dossiers", "/api/v1/public/", "/api/v1/calendar/",
               "/api/v1/payments", "/api/v1/forms", "/api/v1/notification-preferences",
               "/api/v1/datastore", "/integration/"),
    "docflow": ("/api/v1/documents", "/api/v1/registers", "/api/v1/axis/"),
    "reporting": ("/api/v1/reports",),
}


@dataclass(frozen=True, slots=True)
class Route:
    """One prefix owned by one upstream service."""

    prefix: str
    upstream: str
    base_url: str

    @property
    def path(self) -> str:
        """The metrics label: RequestContextMiddleware labels requests by ``route.path``, so
        proxied requests are counted per prefix, never per raw path (bounded cardinality)."""
        return self.prefix + "/*"

    def matches(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")


class RouteTable:
    """Resolves a request path to its route; ``None`` means the gateway itself answers."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: len(r.prefix), reverse=True)

    @classmethod
    def from_urls(cls, upstream_urls: Mapping[str, str]) -> RouteTable:
        return cls(
            Route(prefix.rstrip("/"), name, upstream_urls[name].rstrip("/"))
            for name, prefixes in ROUTE_PREFIXES.items()
            for prefix in prefixes
        )

    def match(self, path: str) -> Route | None:
        for route in self.routes:
            if route.matches(path):
                return route
        return None

    def upstream_of(self, path: str) -> str | None:
        route = self.match(path)
        return route.upstream if route else None

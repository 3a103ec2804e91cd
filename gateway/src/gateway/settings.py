"""The gateway's settings: environment variables with the ``GATEWAY_`` prefix."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class LimitGroup(BaseModel):
    """Token buckets for one group of routes: ``rate`` requests per second refilled up to
    ``burst``, counted per client IP and per verified client (token ``sub``); 0 means no limit.
    ``routes``: ``"/prefix"`` or ``"METHOD /prefix"`` entries (whole segments)."""

    routes: list[str] = Field(default_factory=list)
    ip_rate: float = Field(default=0, ge=0)
    ip_burst: int = Field(default=1, ge=1)
    client_rate: float = Field(default=0, ge=0)
    client_burst: int = Field(default=1, ge=1)


# Sign-in and registration are where guessing and spam go: limited per IP (no token yet) even
# locally. The other routes are not limited by default (local use, benchmarks); production sets
# "default" too, e.g. {"ip_rate": 200, "ip_burst": 400, "client_rate": 50, "client_burst": 100}
# (README: Gateway).
AUTH_ROUTES = ["POST /oauth2/authorize", "POST /oauth2/token", "POST /api/v1/citizens",
               "POST /api/v1/password-resets"]
DEFAULT_LIMITS: dict[str, LimitGroup] = {
    "auth": LimitGroup(routes=AUTH_ROUTES, ip_rate=10, ip_burst=100),
    "default": LimitGroup(),
}
# Uploads and PDF generation take longer than reads (the rest: upstream_timeout_seconds).
SLOW_ROUTES: dict[str, float] = {
    r"/api/v1/dossiers/[^/]+/attachments(/.*)?": 60.0,
    r"/api/v1/documents/[^/]+/pdf(/.*)?": 60.0,
    r"/api/v1/documents/incoming/(packages|scans)": 60.0,
    r"/api/v1/axis/packages": 60.0,
}
# The services' own upload paths (their RequestGuardMiddleware ``uploads``), as the gateway
# routes them.
UPLOAD_PATHS = (
    r"/api/v1/dossiers/[^/]+/attachments",
    r"/api/v1/documents/[^/]+/pdf",
    r"/api/v1/documents/incoming/(packages|scans)",
    r"/api/v1/axis/packages",
)


class GatewaySettings(ServiceSettings):
    """Local defaults point at the services on loopback (DESIGN §2). In production set the
    ``GATEWAY_*_URL`` variables to the services' internal addresses (e.g. the Kubernetes
    service names). The gateway has no database and no NATS of its own: the inherited database
    and NATS settings are unused."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", env_file=None)

    service_name: str = "gateway"
    port: int = 8000
    # identity_url is inherited from ServiceSettings (GATEWAY_IDENTITY_URL or EGOV_IDENTITY_URL).
    dossier_url: str = "http://127.0.0.1:8002"
    docflow_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(
        default=10.0, gt=0,
        description="Longest wait for an upstream's response headers (and between body reads) "
                    "before answering 504, for routes without their own entry in "
                    "route_timeouts.",
    )
    route_timeouts: dict[str, float] = Field(
        default_factory=lambda: dict(SLOW_ROUTES),
        description="Per-route timeouts in seconds: a regular expression matched against the "
                    "whole path, first match wins (JSON in GATEWAY_ROUTE_TIMEOUTS).",
    )
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    upstream_retries: int = Field(
        default=1, ge=0, le=3,
        description="Extra attempts after a connection error that happened before the request "
                    "was sent (any method) or a stale pooled connection (GET, HEAD, OPTIONS).",
    )
    upstream_pool_size: int = Field(
        default=1000, ge=1, description="Open connections kept to all upstreams together."
    )
    upstream_pool_per_service: int = Field(
        default=300, ge=1,
        description="Open connections to one service: a hanging service can hold at most "
                    "these, so the others always find free connections in the pool.",
    )
    breaker_failures: int = Field(
        default=5, ge=1, description="Consecutive failures (refused, reset, timed out) of one "
                                     "service that open its circuit breaker.",
    )
    breaker_reset_seconds: float = Field(
        default=2.0, gt=0, description="How long an open breaker answers 503 at once before "
                                       "letting one probe request through. Short: a probe of a "
                                       "service that is down costs one refused connection, and "
                                       "a restarted service gets traffic within this time "
                                       "(10 s delayed recovery after a restart by up to 20 s, "
                                       "tests/test_faults.py).",
    )
    upstream_keepalive_seconds: float = Field(
        default=4.0, gt=0,
        description="Idle time before a pooled connection is dropped; below uvicorn's 5 s "
                    "keep-alive so the gateway never reuses a connection the service closed.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024, ge=0,
        description="Largest request body (413 above); at least the services' own 1 MB cap.",
    )
    upload_paths: list[str] = Field(
        default_factory=lambda: list(UPLOAD_PATHS),
        description="Regular expressions of the POST paths that take files (attachments, PDFs, "
                    "edXML packages): these get upload_max_bytes.",
    )
    upload_max_bytes: int = Field(
        default=12 * 1024 * 1024, ge=0,
        description="Largest upload body: a service's own limit (svc-dossier attachments "
                    "10 MiB, svc-docflow packages 8 MiB) plus multipart overhead.",
    )
    rate_limits: dict[str, LimitGroup] = Field(
        default_factory=lambda: dict(DEFAULT_LIMITS),
        description="Token buckets per route group (JSON in GATEWAY_RATE_LIMITS); 'default' "
                    "covers every routed path no other group names.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of the load balancers in front of the "
                    "gateway: only their X-Forwarded-For is believed for per-IP limits.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (exact, e.g. "
                    "https://dichvucong.example.gov.vn); empty: no cross-origin calls.",
    )
    hsts: str = Field(
        default="auto", pattern="^(auto|always|off)$",
        description="Strict-Transport-Security: 'auto' when the request came over HTTPS (as "
                    "the TLS-terminating proxy reports it), 'always' in production behind TLS.",
    )
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)
    ready_timeout_seconds: float = Field(default=2.0, gt=0)
    openapi_cache_seconds: float = Field(default=30.0, ge=0)
    # Access tokens: issuer and audience are inherited (EGOV_ISSUER, GATEWAY_TOKEN_AUDIENCE);
    # the keys come from {identity_url}/.well-known/jwks.json.
    jwks_timeout_seconds: float = Field(default=3.0, gt=0)
    jwks_min_refresh_seconds: float = Field(
        default=1.0, ge=0, le=30,
        description="Shortest time between two JWKS fetches caused by tokens naming an unknown "
                    "key id: a token signed with a rotated key waits at most this long for its "
                    "key, and forged key ids cannot hammer identity.",
    )
    token_cache_size: int = Field(
        default=10_000, ge=1,
        description="Verified tokens kept until they expire (a signature check costs ~0.35 ms).",
    )

    upstream_replicas: dict[str, list[str]] = Field(
        default_factory=dict,
        description="More base URLs per service beside its ``<service>_url`` (JSON, e.g. "
                    "``{\"dossier\": [\"http://10.0.0.2:8002\"]}``): requests are spread "
                    "round-robin over all of them, and one that refuses connections is skipped "
                    "(a breaker per replica). Unneeded behind a load-balancing address such as "
                    "a Kubernetes Service.",
    )

    @field_validator("upstream_replicas")
    @classmethod
    def _known_services(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - {"identity", "dossier", "docflow", "reporting"}
        if unknown:
            raise ValueError(f"no such service: {', '.join(sorted(unknown))}")
        return value

    def upstream_replicas_of(self) -> dict[str, tuple[str, ...]]:
        """Every base URL of every service, its ``<service>_url`` first."""
        extra = {name: [u.rstrip("/") for u in urls] for name, urls in
                 self.upstream_replicas.items()}
        return {name: tuple(dict.fromkeys([url, *extra.get(name, [])]))
                for name, url in self.upstream_urls().items()}

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every upstream service by its short name (the route table's names)."""
        return {
            "identity": self.identity_url.rstrip("/"),
            "dossier": self.dossier_url.rstrip("/"),
            "docflow": self.docflow_url.rstrip("/"),
            "reporting": self.reporting_url.rstrip("/"),
        }

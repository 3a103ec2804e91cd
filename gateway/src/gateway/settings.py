"""The gateway's settings: environment variables with the ``GATEWAY_`` prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


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
        default=15.0, gt=0,
        description="Longest wait for an upstream's response headers (and between body reads) "
                    "before answering 504.",
    )
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    upstream_pool_size: int = Field(
        default=1000, ge=1, description="Open connections kept to all upstreams together."
    )
    upstream_keepalive_seconds: float = Field(
        default=4.0, gt=0,
        description="Idle time before a pooled connection is dropped; below uvicorn's 5 s "
                    "keep-alive so the gateway never reuses a connection the service closed.",
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=0)
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

    def upstream_urls(self) -> dict[str, str]:
        """Base URL of every upstream service by its short name (the route table's names)."""
        return {
            "identity": self.identity_url.rstrip("/"),
            "dossier": self.dossier_url.rstrip("/"),
            "docflow": self.docflow_url.rstrip("/"),
            "reporting": self.reporting_url.rstrip("/"),
        }

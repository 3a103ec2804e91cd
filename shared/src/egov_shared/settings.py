"""Settings base: every service subclasses it with its own env prefix (e.g. ``DOSSIER_``)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_NATS_URL = "nats://127.0.0.1:4300"


def _nats_url_default() -> str:
    # One NATS for the whole platform: a platform-wide NATS_URL applies unless a service
    # overrides it with its own prefixed variable.
    return os.environ.get("NATS_URL", DEFAULT_NATS_URL)


def _identity_url_default() -> str:
    return os.environ.get("EGOV_IDENTITY_URL", "http://127.0.0.1:8001")


def _demo_default() -> bool:
    return os.environ.get("EGOV_DEMO", "1").strip().lower() not in {"0", "false", "no", "off"}


class ServiceSettings(BaseSettings):
    """What every service needs. Safe local defaults; production values are in the README."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    database_echo: bool = False
    database_pool_size: int = Field(
        default=10, ge=1, le=200,
        description="PostgreSQL connections each process keeps open (SQLite ignores it).")
    database_max_overflow: int = Field(
        default=0, ge=0, le=200,
        description="Connections opened beyond the pool under a burst and closed when "
                    "returned; 0 (requests wait for a pooled connection instead) is faster "
                    "than the churn of new PostgreSQL backends.")
    auto_migrate: bool = Field(
        default=True, description="Run Alembic migrations to head at start-up."
    )
    nats_url: str = Field(default_factory=_nats_url_default)
    nats_stream_replicas: int = Field(
        default_factory=lambda: int(os.environ.get("NATS_STREAM_REPLICAS", "1")), ge=1, le=5,
        description="Copies of each JetStream stream the platform creates (platform-wide "
                    "NATS_STREAM_REPLICAS): 1 on one server, 3 on a JetStream cluster of 3.")
    identity_url: str = Field(
        default_factory=_identity_url_default,
        description="Base URL of svc-identity, for the JWKS used to verify access tokens.",
    )
    token_issuer: str = Field(
        default_factory=lambda: os.environ.get("EGOV_ISSUER", "http://127.0.0.1:8000")
    )
    token_audience: str = "egov-api"  # noqa: S105 - an audience name, not a secret
    demo: bool = Field(default_factory=_demo_default)
    demo_password: str = Field(
        default_factory=lambda: os.environ.get("EGOV_DEMO_PASSWORD", "demo-Password-1"),
        repr=False,
    )
    workers: int = Field(
        default=1, ge=1, le=64,
        description="uvicorn worker processes, for services that support it (svc-dossier, "
                    "svc-docflow). "
                    "More than one needs PostgreSQL: SQLite migrations and claims do not "
                    "serialise across processes.")
    role: Literal["all", "api", "worker"] = Field(
        default="all",
        description="What a process of the service runs: ``all`` the HTTP API and the "
                    "background work (event consumers, the service's own jobs); ``api`` the "
                    "API only; ``worker`` the background work only (its port still answers "
                    "/healthz, /readyz and /metrics). Every role relays its own outbox. With "
                    "WORKERS > 1 and role ``all``, the API workers run as ``api`` beside one "
                    "``worker`` process: background batches never stall a request's event "
                    "loop.")
    log_level: str = "INFO"
    log_json: bool = True
    relay_batch_size: int = 100
    relay_poll_seconds: float = 0.5
    outbox_retention_hours: float = 168.0
    consumer_max_deliver: int = 5
    consumer_ack_wait_seconds: float = 30.0
    max_body_bytes: int = 1_000_000

    @property
    def background(self) -> bool:
        """Whether this process runs the consumers and the service's own jobs."""
        return self.role != "api"

"""svc-identity's settings: environment variables with the ``IDENTITY_`` prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Local defaults are safe; in production set ``IDENTITY_DATABASE_URL`` to PostgreSQL and
    ``EGOV_ISSUER`` to the public gateway URL."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", env_file=None)

    service_name: str = "svc-identity"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/identity.db"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    id_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    auth_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    portal_client_id: str = "egov-portal"

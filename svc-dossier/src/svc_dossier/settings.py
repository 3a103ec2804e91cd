"""svc-dossier settings (env prefix ``DOSSIER_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class DossierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    service_name: str = "svc-dossier"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/dossier.db"
    idempotency_ttl_hours: int = 24

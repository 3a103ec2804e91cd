"""svc-docflow settings (env prefix ``DOCFLOW_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class DocflowSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCFLOW_", extra="ignore")

    service_name: str = "svc-docflow"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/docflow.db"

"""svc-reporting settings (env prefix ``REPORTING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "svc-reporting"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/reporting.db"

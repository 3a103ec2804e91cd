"""svc-reporting settings (env prefix ``REPORTING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from egov_shared.agency import AGENCY_ID_PATTERN
from egov_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    service_name: str = "svc-reporting"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/reporting.db"
    # The province's agency ID: province-wide figures without an agency of their own (citizen
    # and business accounts) are counted for it.
    province_id: str = Field(default="H56", max_length=35, pattern=AGENCY_ID_PATTERN)

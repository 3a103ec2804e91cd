"""svc-reporting settings (env prefix ``REPORTING_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
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

    # Periodic reports go to the national reporting system (Hệ thống thông tin báo cáo quốc
    # gia). By default that is the SIMULATOR svc-reporting serves itself in demo mode
    # (/simulators/national-reporting); in production the real address and the API key the
    # system issued to the province (from a secret store; without one, submissions fail).
    national_reporting_url: str = "http://127.0.0.1:8004/simulators/national-reporting"
    national_reporting_key: SecretStr | None = None
    national_reporting_timeout_seconds: float = Field(default=10.0, gt=0)
    submission_max_attempts: int = Field(default=8, ge=1, le=50)
    submission_retry_base_seconds: float = Field(default=30.0, gt=0)
    submission_retry_max_seconds: float = Field(default=3600.0, gt=0)
    submission_status_poll_seconds: float = Field(
        default=60.0, gt=0, description="How long after a delivery (and between two asks) the "
                                        "national system is asked for its decision.")
    submission_dispatch_seconds: float = Field(default=2.0, gt=0)
    submission_batch_size: int = Field(default=20, ge=1, le=500)
    # A claimed submission is due again after the lease if the replica dies mid-send.
    submission_lease_seconds: float = Field(default=120.0, gt=0)

    def national_reporting_api_key(self) -> str | None:
        """The configured key; in demo mode the simulator's published demo key."""
        if self.national_reporting_key is not None:
            return self.national_reporting_key.get_secret_value()
        return DEMO_NATIONAL_REPORTING_KEY if self.demo else None


# Published like the demo password: it only ever talks to the simulator.
DEMO_NATIONAL_REPORTING_KEY = "demo-bao-cao-H56"

"""svc-dossier settings (env prefix ``DOSSIER_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class DossierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    service_name: str = "svc-dossier"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/dossier.db"
    idempotency_ttl_hours: int = 24
    # The national payment platform. By default the SIMULATOR svc-dossier serves itself in
    # demo mode; in production its real address, the partner code and the shared secret the
    # platform issued to the province (from a secret store; without one, payments answer 503).
    forms_dir: str | None = Field(
        default="var/forms", description="Where the last signed copy of each receipt (Mẫu 01) "
                                         "is kept; unset: none is kept.")
    payment_url: str = "http://127.0.0.1:8002/simulators/payment"
    payment_partner: str = Field(default="H56", max_length=64)
    payment_secret: SecretStr | None = None
    payment_timeout_seconds: float = Field(default=10.0, gt=0)
    payment_return_url: str | None = Field(
        default=None, description="Where the payer's browser comes back to (default: the "
                                  "public portal, EGOV_ISSUER).")

    def payment_shared_secret(self) -> str | None:
        """The configured secret; in demo mode a fixed, published demo secret."""
        if self.payment_secret is not None:
            return self.payment_secret.get_secret_value()
        return DEMO_PAYMENT_SECRET if self.demo else None


# Published like the demo password: it only ever talks to the simulator.
DEMO_PAYMENT_SECRET = "demo-thanh-toan-H56"  # noqa: S105

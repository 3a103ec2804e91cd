"""svc-dossier settings (env prefix ``DOSSIER_``)."""

from __future__ import annotations

from typing import Literal

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

    # Attachments (thành phần hồ sơ) and the personal data store: content-addressed blobs on
    # local disk, or in an S3-compatible object store when a bucket is configured.
    attachments_dir: str = Field(
        default="var/attachments", description="Local blob store, and the spool directory "
                                               "where uploads are written while checked.")
    attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="Global cap on one attachment; a "
                                                    "component's max_bytes may only lower it, "
                                                    "and so does DOSSIER_MAX_BODY_BYTES.")
    s3_bucket: str | None = Field(default=None, description="Set: blobs go to this bucket.")
    s3_endpoint_url: str | None = None  # None: the AWS default; MinIO etc.: its address
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = "attachments/"

    # Procedures and working calendars as submissions read them are kept this long in each
    # process (a change made through the process clears them at once; other processes see it
    # within this time); 0 reads them every time.
    reference_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # Notifications to applicants (notifications/). Email over SMTP when DOSSIER_SMTP_URL is
    # set (smtp://user:password@host:587; smtps:// for implicit TLS on 465); without it, in demo
    # mode each message is written as an .eml file into mail_drop_dir; outside demo mode email
    # is not sent (rows fail with ``email_not_configured``). SMS through a provider; the default
    # is the SIMULATOR, which keeps messages in memory and logs them.
    smtp_url: SecretStr | None = Field(default=None, description="smtp[s]://user:pass@host:port")
    smtp_starttls: Literal["auto", "required", "off"] = Field(
        default="auto", description="auto: when the server offers it; required: refuse to send "
                                    "otherwise (production); off: never (a local relay).")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "Cổng dịch vụ công tỉnh Thanh Hóa <no-reply@dichvucong.local>"
    mail_drop_dir: str = "var/mail"
    sms_provider: Literal["simulator", "none"] = "simulator"
    sms_unaccented: bool = Field(
        default=False, description="Strip diacritics from SMS: one 160-character GSM-7 part "
                                   "instead of 70-character UCS-2 parts.")
    notification_max_attempts: int = Field(default=6, ge=1, le=50)
    notification_retry_base_seconds: float = Field(default=30.0, gt=0)
    notification_retry_max_seconds: float = Field(default=3600.0, gt=0)
    notification_poll_seconds: float = Field(default=2.0, gt=0)
    notification_batch_size: int = Field(default=50, ge=1, le=1000)
    # A claimed row is due again after the lease if the sender dies mid-way (at least once).
    notification_lease_seconds: float = Field(default=120.0, gt=0)

    # The national public-service portal (Cổng Dịch vụ công quốc gia): where dossiers and their
    # progress are pushed. By default the SIMULATOR svc-dossier serves itself in demo mode.
    national_portal_url: str = "http://127.0.0.1:8002/simulators/national-portal"
    national_portal_token: SecretStr | None = Field(
        default=None, description="The credential the portal issued to the province (from a "
                                  "secret store), sent as a bearer token.")
    national_portal_timeout_seconds: float = Field(default=10.0, gt=0)
    national_sync_poll_seconds: float = Field(default=1.0, gt=0)
    national_sync_batch_size: int = Field(default=50, ge=1, le=1000)
    national_sync_retry_base_seconds: float = Field(default=5.0, gt=0)
    national_sync_retry_max_seconds: float = Field(default=600.0, gt=0)
    national_reconcile_interval_seconds: float = Field(
        default=3600.0, ge=0, description="Compare the portal's statuses with ours this often "
                                          "and push again what differs; 0: only on request.")
    # The OAuth client (client_credentials, scope national-portal) the portal calls in with;
    # the simulator uses the demo one, whose secret is the demo password.
    national_portal_client_id: str = "cong-dvc-quoc-gia-mo-phong"


# Published like the demo password: it only ever talks to the simulator.
DEMO_PAYMENT_SECRET = "demo-thanh-toan-H56"  # noqa: S105

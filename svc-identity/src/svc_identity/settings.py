"""svc-identity's settings: environment variables with the ``IDENTITY_`` prefix."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Local defaults are safe; in production set ``IDENTITY_DATABASE_URL`` to PostgreSQL,
    ``EGOV_ISSUER`` to the public gateway URL and ``IDENTITY_SECRET_KEY`` from a secret store."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", env_file=None)

    service_name: str = "svc-identity"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/identity.db"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    id_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    auth_code_ttl_seconds: int = Field(default=60, ge=10, le=600)
    refresh_token_ttl_seconds: int = Field(
        default=8 * 3600, ge=60, description="Idle lifetime of one refresh token.")
    refresh_family_ttl_seconds: int = Field(
        default=30 * 86_400, ge=60,
        description="Longest life of a sign-in's refresh-token family, however often rotated.")
    client_token_ttl_seconds: int = Field(default=600, ge=60, le=86_400)
    sso_session_ttl_seconds: int = Field(
        default=8 * 3600, ge=60, description="How long one sign-in opens every provincial app.")
    login_challenge_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    portal_client_id: str = "egov-portal"
    # Lockout: after `lockout_threshold` failures in a row the account is locked for
    # `lockout_base_seconds`, doubled at each further lockout, up to `lockout_max_seconds`.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=60, ge=1)
    lockout_max_seconds: int = Field(default=24 * 3600, ge=1)
    password_reset_ttl_seconds: int = Field(default=1800, ge=60, le=86_400)
    key_rotation_days: float = Field(
        default=90, gt=0, description="A signing key older than this is rotated at start-up.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 random bytes: encrypts private keys and TOTP secrets at "
                    "rest. Unset: a key file is made at `secret_key_file` on first start.")
    secret_key_file: str = "var/identity-secret.key"  # noqa: S105 - a path, not a secret
    mail_drop_dir: str = Field(
        default="var/mail",
        description="Without SMTP, outgoing mail (password-reset links) is written here as .eml "
                    "files, like a development mail catcher.")
    smtp_url: str | None = Field(
        default=None, description="smtp://user:password@host:port to send mail for real.")
    mail_from: str = "Cổng dịch vụ công <no-reply@dichvucong.local>"
    population_url: str = Field(
        default="http://127.0.0.1:8001/simulators/population",
        description="National population database (CSDLQG về dân cư); by default the simulator "
                    "that svc-identity itself serves.")
    population_timeout_seconds: float = Field(default=5.0, gt=0)
    # Single sign-on from the national identity (VNeID through the national portal's SSO):
    # svc-identity is a relying party of that OIDC provider.
    national_login: bool = Field(
        default=True, description="Offer the national-identity button on the login page.")
    national_issuer: str = Field(
        default="http://127.0.0.1:8001/simulators/national-id",
        description="The national identity provider's issuer (its discovery document is under "
                    "it); by default the simulator that svc-identity itself serves in demo mode.")
    national_client_id: str = "dvc-thanh-hoa"
    national_client_secret: SecretStr | None = Field(
        default=None,
        description="The province's client secret at the national provider. Unset in demo "
                    "mode: the demo password, which the simulator also expects.")
    national_timeout_seconds: float = Field(default=5.0, gt=0)
    ca_name: str = "CA Chính quyền điện tử tỉnh Thanh Hóa"
    cert_validity_days: int = Field(default=730, ge=1, le=3650)
    # Demo mode: issue the demo leader's certificate and the demo seals at start-up, so that
    # documents and receipts can be signed at once (off in tests that issue their own).
    demo_certificates: bool = True
    audit_seal_seconds: float = Field(
        default=60, gt=0,
        description="How often the audit chain's head is signed (a seal), when it moved.")

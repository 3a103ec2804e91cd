"""svc-docflow settings (env prefix ``DOCFLOW_``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from egov_shared.settings import ServiceSettings


class DocflowSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCFLOW_", extra="ignore")

    service_name: str = "svc-docflow"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/docflow.db"
    # Agencies outside the platform's agency tree are reached
    # through the national axis (in demo mode its SIMULATOR, served by svc-docflow itself).
    national_axis_url: str = "http://127.0.0.1:8003/simulators/national-axis"
    # Where the national axis (and its simulator) delivers packages for the province: the
    # platform's inbound endpoint, through the gateway.
    inbound_url: str = "http://127.0.0.1:8000/api/v1/axis/packages"
    # Demo only: the client_credentials client (with the ``axis`` scope, registered in
    # svc-identity) the national axis SIMULATOR signs in as to call ``inbound_url``; its secret
    # defaults to the demo password (EGOV_DEMO_PASSWORD).
    simulator_client_id: str = "truc-lien-thong-mo-phong"
    simulator_client_secret: SecretStr | None = None
    # Hostile input: the largest edXML package accepted (inbound endpoint and the axis), the
    # largest PDF attached to a document, and how many attachments a package may carry.
    max_package_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_pdf_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_attachments: int = Field(default=20, ge=1, le=200)
    # Signature checks: how long the CA certificate and the CRL fetched from svc-identity are
    # trusted before they are fetched again.
    crl_cache_seconds: float = Field(default=60.0, ge=0)
    # Incoming documents signed outside the province (ministries, the Government Office) chain
    # to other CAs (the government's specialised CA, licensed public CAs): a PEM bundle of the
    # roots to trust besides the provincial CA. Unset: only the provincial CA is trusted, and
    # such signatures are reported "untrusted".
    trust_roots_file: str | None = None
    # Tests and training only: the moment issuing takes as "now" (the numbering year, the
    # promulgation date). Unset in production, where the real clock rules.
    issue_clock: datetime | None = None

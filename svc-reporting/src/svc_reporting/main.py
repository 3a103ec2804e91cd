"""svc-reporting application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import create_service_app
from egov_shared.auth import JwksFetcher
from svc_reporting.consumers.events import subscriptions
from svc_reporting.kpis.router import router as kpis_router
from svc_reporting.models import messaging, metadata
from svc_reporting.settings import ReportingSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(
    settings: ReportingSettings | None = None, *, jwks_fetcher: JwksFetcher | None = None
) -> FastAPI:
    settings = settings or ReportingSettings()
    return create_service_app(
        settings=settings,
        title="svc-reporting",
        description="KPIs, the 766 service index and periodic reports, from events.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS,
        routers=[kpis_router],
        subscriptions=subscriptions(settings.province_id),
        jwks_fetcher=jwks_fetcher,
    )

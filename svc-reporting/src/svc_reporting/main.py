"""svc-reporting application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import create_service_app
from egov_shared.auth import JwksFetcher
from svc_reporting.consumers.events import subscriptions
from svc_reporting.dashboard.router import router as dashboard_router
from svc_reporting.index766.router import router as index766_router
from svc_reporting.kpis.router import router as kpis_router
from svc_reporting.models import messaging, metadata
from svc_reporting.periodic import submitter as periodic_submitter
from svc_reporting.periodic.router import router as periodic_router
from svc_reporting.periodic.service import seed_templates
from svc_reporting.settings import ReportingSettings
from svc_reporting.targets.demo import load_demo_targets
from svc_reporting.targets.router import router as targets_router

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(
    settings: ReportingSettings | None = None, *, jwks_fetcher: JwksFetcher | None = None
) -> FastAPI:
    settings = settings or ReportingSettings()
    app = create_service_app(
        settings=settings,
        title="svc-reporting",
        description="KPIs, the 766 service index and periodic reports, from events.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS,
        routers=[kpis_router, dashboard_router, index766_router, targets_router,
                 periodic_router],
        subscriptions=subscriptions(settings.province_id),
        on_startup=[load_demo_targets, seed_templates],
        jwks_fetcher=jwks_fetcher,
    )
    # The national reporting system's client, its SIMULATOR (demo mode) and the submitter.
    periodic_submitter.install(app, settings)
    return app

"""svc-docflow application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import create_service_app
from egov_shared.auth import JwksFetcher
from svc_docflow.consumers.dossier_events import SUBSCRIPTIONS
from svc_docflow.dossier_refs.router import router as dossier_refs_router
from svc_docflow.models import messaging, metadata
from svc_docflow.settings import DocflowSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(
    settings: DocflowSettings | None = None, *, jwks_fetcher: JwksFetcher | None = None
) -> FastAPI:
    settings = settings or DocflowSettings()
    return create_service_app(
        settings=settings,
        title="svc-docflow",
        description="Official documents: registers, routing, signatures, the edXML axis.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS,
        routers=[dossier_refs_router],
        subscriptions=SUBSCRIPTIONS,
        jwks_fetcher=jwks_fetcher,
    )

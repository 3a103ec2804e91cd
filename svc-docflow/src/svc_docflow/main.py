"""svc-docflow application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import create_service_app
from egov_shared.auth import JwksFetcher
from svc_docflow.axis.consumer import axis_subscriptions
from svc_docflow.axis.router import router as axis_router
from svc_docflow.consumers.dossier_events import SUBSCRIPTIONS
from svc_docflow.dossier_refs.router import router as dossier_refs_router
from svc_docflow.incoming.router import router as incoming_router
from svc_docflow.models import messaging, metadata
from svc_docflow.outgoing.router import router as outgoing_router
from svc_docflow.registers.router import router as registers_router
from svc_docflow.settings import DocflowSettings
from svc_docflow.simulators.national_axis import router as national_axis_router

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
        routers=[dossier_refs_router, registers_router, outgoing_router, incoming_router,
                 axis_router, *([national_axis_router] if settings.demo else [])],
        subscriptions=[*SUBSCRIPTIONS, *axis_subscriptions(settings)],
        jwks_fetcher=jwks_fetcher,
        # A document's PDF and edXML packages stream past the 1 MB JSON cap; each slice
        # answers its own limit (413 pdf_too_large / package_too_large) while streaming.
        uploads=[r"/api/v1/documents/[^/]+/pdf", r"/api/v1/axis/packages",
                 r"/api/v1/documents/incoming/(packages|scans)", r"/simulators/national-axis"],
        upload_max_bytes=max(settings.max_pdf_bytes, settings.max_package_bytes) + 65_536,
    )

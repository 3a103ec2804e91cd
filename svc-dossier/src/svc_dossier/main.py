"""svc-dossier application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import ServiceRuntime, create_service_app
from egov_shared.auth import JwksFetcher
from svc_dossier.attachments.router import router as attachments_router
from svc_dossier.calendar import repository as calendar_repository
from svc_dossier.calendar.router import router as calendar_router
from svc_dossier.datastore.router import router as datastore_router
from svc_dossier.dossiers.router import router as dossiers_router
from svc_dossier.forms.router import router as forms_router
from svc_dossier.models import messaging, metadata
from svc_dossier.national import sender as national_sender
from svc_dossier.national.consumers.dossier_events import SUBSCRIPTIONS as NATIONAL_SUBSCRIPTIONS
from svc_dossier.national.router import router as national_router
from svc_dossier.national.simulator import client_credentials
from svc_dossier.national.simulator import create_simulator as create_national_simulator
from svc_dossier.notifications import dispatcher as notifications
from svc_dossier.notifications.consumers.dossier_events import (
    SUBSCRIPTIONS as NOTIFICATION_SUBSCRIPTIONS,
)
from svc_dossier.notifications.router import router as notifications_router
from svc_dossier.payments.platform import PaymentPlatform
from svc_dossier.payments.router import router as payments_router
from svc_dossier.payments.simulator import create_simulator
from svc_dossier.procedures import repository as procedure_repository
from svc_dossier.procedures.demo import load_demo_procedures
from svc_dossier.procedures.router import router as procedures_router
from svc_dossier.ratings.router import router as ratings_router
from svc_dossier.settings import DossierSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


async def load_demo(runtime: ServiceRuntime) -> None:
    if runtime.settings.demo:
        async with runtime.sessionmaker() as session, session.begin():
            await load_demo_procedures(session)


def create_app(
    settings: DossierSettings | None = None, *, jwks_fetcher: JwksFetcher | None = None
) -> FastAPI:
    settings = settings or DossierSettings()
    for cache in (calendar_repository.CALENDARS, procedure_repository.FOR_SUBMISSION):
        cache.configure(settings.reference_cache_seconds)
    app = create_service_app(
        settings=settings,
        title="svc-dossier",
        description="Một cửa điện tử: procedure catalogue, dossiers, working-day deadlines.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS,
        routers=[procedures_router, dossiers_router, calendar_router, payments_router,
                 forms_router, ratings_router, notifications_router, attachments_router,
                 datastore_router, national_router],
        subscriptions=[*NOTIFICATION_SUBSCRIPTIONS, *NATIONAL_SUBSCRIPTIONS],
        on_startup=[load_demo],
        jwks_fetcher=jwks_fetcher,
        # File uploads stream past the 1 MB JSON cap; the slice enforces per-component limits.
        uploads=[r"/api/v1/dossiers/[^/]+/attachments"],
        upload_max_bytes=settings.attachment_max_bytes + 65_536,
    )
    notifications.install(app, settings)  # the dispatcher beside the relay
    national_sender.install(app, settings)  # pushes to the national portal, reconciles
    secret = settings.payment_shared_secret()
    app.state.payment_platform = PaymentPlatform(
        settings.payment_url, partner=settings.payment_partner, secret=secret,
        timeout=settings.payment_timeout_seconds)
    # SIMULATOR of the national payment platform: answers only in demo mode.
    app.mount("/simulators/payment", create_simulator(
        {settings.payment_partner: secret} if secret else {}, enabled=settings.demo))
    # SIMULATOR of the national public-service portal: answers only in demo mode; it calls in
    # through the gateway with the demo client's token.
    app.mount("/simulators/national-portal", create_national_simulator(
        enabled=settings.demo, facade_url=settings.token_issuer,
        token_source=client_credentials(
            settings.identity_url.rstrip("/") + "/oauth2/token",
            settings.national_portal_client_id, settings.demo_password)))
    return app

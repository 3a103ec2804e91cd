"""svc-identity's app: accounts, agencies, officials, the OIDC provider and the provincial CA,
on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import ServiceRuntime, create_service_app
from svc_identity import demo
from svc_identity.accounts.router import router as accounts_router
from svc_identity.admin.router import router as admin_router
from svc_identity.agencies.router import router as agencies_router
from svc_identity.audit import seals
from svc_identity.audit.router import router as audit_router
from svc_identity.businesses.router import router as businesses_router
from svc_identity.consumers import audit as audit_consumers
from svc_identity.mail import Mailer
from svc_identity.models import messaging, metadata
from svc_identity.national_sso.client import callback_url, client_secret
from svc_identity.national_sso.router import router as national_router
from svc_identity.national_sso.simulator import create_national_id_simulator
from svc_identity.officials.router import router as officials_router
from svc_identity.oidc import repository as oidc_repository
from svc_identity.oidc import service as oidc
from svc_identity.oidc.keys import KeyRing
from svc_identity.oidc.router import router as oidc_router
from svc_identity.oidc.token_router import router as token_router
from svc_identity.password_resets.router import router as password_router
from svc_identity.pki import service as pki
from svc_identity.pki.router import router as pki_router
from svc_identity.population.simulator import create_simulator
from svc_identity.secretbox import secret_box
from svc_identity.settings import IdentitySettings
from svc_identity.verification.router import router as verification_router

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    box = secret_box(settings.secret_key.get_secret_value() if settings.secret_key else None,
                     settings.secret_key_file)
    # Identity verifies its own tokens from its own database: no HTTP call to itself.
    keyring = KeyRing(box, settings)

    async def startup(runtime: ServiceRuntime) -> None:
        keyring.bind(runtime.sessionmaker)
        await keyring.ensure_key()
        async with runtime.sessionmaker() as session, session.begin():
            await oidc.ensure_portal_client(session, settings)
            await oidc_repository.prune_expired(session, now=oidc.utc_now())
        await pki.startup(runtime, box, settings)
        await demo.load_demo(runtime, box)

    app = create_service_app(
        settings=settings,
        title="svc-identity",
        description="Accounts, the agency tree, officials and roles, the OpenID Connect "
                    "provider and the provincial signing CA.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        routers=[oidc_router, national_router, token_router, accounts_router, agencies_router,
                 officials_router,
                 businesses_router, verification_router, pki_router, admin_router, audit_router,
                 password_router],
        subscriptions=audit_consumers.subscriptions(),
        on_startup=[startup],
        jwks_fetcher=keyring.jwks,
    )
    app.state.keyring = keyring
    seals.install(app, keyring, settings.audit_seal_seconds)
    app.state.secret_box = box
    app.state.mailer = Mailer(settings)
    app.mount("/simulators/population", create_simulator())
    # The national identity provider's SIMULATOR (demo mode only; 503 otherwise), the default
    # IDENTITY_NATIONAL_ISSUER: it knows one client, this service, with the demo secret.
    app.mount("/simulators/national-id", create_national_id_simulator(
        issuer=settings.national_issuer, client_id=settings.national_client_id,
        client_secret=client_secret(settings) or "", redirect_uris=[callback_url(settings)],
        enabled=settings.demo))
    return app

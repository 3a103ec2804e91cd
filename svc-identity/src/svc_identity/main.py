"""svc-identity's app: accounts, agencies and the OIDC provider on the shared service runtime."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from egov_shared.app import ServiceRuntime, create_service_app
from svc_identity import demo
from svc_identity.accounts.router import router as accounts_router
from svc_identity.agencies.router import router as agencies_router
from svc_identity.models import messaging, metadata
from svc_identity.oidc import service as oidc
from svc_identity.oidc.keys import KeyRing
from svc_identity.oidc.router import router as oidc_router
from svc_identity.settings import IdentitySettings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    # Identity verifies its own tokens from its own database: no HTTP call to itself.
    keyring = KeyRing()

    async def startup(runtime: ServiceRuntime) -> None:
        keyring.bind(runtime.sessionmaker)
        await keyring.ensure_key()
        async with runtime.sessionmaker() as session, session.begin():
            await oidc.ensure_portal_client(session, settings)
        await demo.load_demo(runtime)

    app = create_service_app(
        settings=settings,
        title="svc-identity",
        description="Accounts, the agency tree, roles and the OpenID Connect provider.",
        metadata=metadata,
        messaging=messaging,
        migrations_dir=MIGRATIONS_DIR,
        routers=[oidc_router, accounts_router, agencies_router],
        on_startup=[startup],
        jwks_fetcher=keyring.jwks,
    )
    app.state.keyring = keyring
    return app

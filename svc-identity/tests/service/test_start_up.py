"""What start-up builds: the schema by migrations, the portal client always, demo data only in
demo mode."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from egov_testing import Databases, NatsServer, serve_in_process
from svc_identity.demo import DEMO_AGENCIES
from svc_identity.main import create_app
from svc_identity.models import metadata
from svc_identity.settings import IdentitySettings


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


class TestMigrations:
    async def test_the_migrated_schema_matches_the_models(self, identity: Any) -> None:
        async with identity.app.state.runtime.engine.connect() as conn:
            assert await conn.run_sync(_schema_diff) == []


class TestWithoutDemo:
    async def test_no_demo_data_but_the_portal_can_sign_people_in(
        self, databases: Databases, nats_server: NatsServer, browser_factory: Any
    ) -> None:
        settings = IdentitySettings(database_url=databases.new_url("identity"),
                                    nats_url=nats_server.url, demo=False)
        async with serve_in_process(create_app(settings)) as client:
            assert (await client.get("/api/v1/agencies")).json() == []
            browser = browser_factory(client)
            params = browser.authorize_params(browser.pkce()[1])
            page = await client.get("/oauth2/authorize", params=params)
            assert page.status_code == 200  # the egov-portal client exists
            answer = await browser.submit(page.text, "admin", settings.demo_password)
            assert "không đúng" in answer.text  # no demo account


class TestRestart:
    async def test_a_restart_keeps_keys_and_loads_the_demo_once(
        self, databases: Databases, nats_server: NatsServer, browser_factory: Any
    ) -> None:
        settings = IdentitySettings(database_url=databases.new_url("identity"),
                                    nats_url=nats_server.url, demo=True)
        async with serve_in_process(create_app(settings)) as client:
            first_keys = (await client.get("/.well-known/jwks.json")).json()
            token = await browser_factory(client).access_token("motcua",
                                                               settings.demo_password)
        async with serve_in_process(create_app(settings)) as client:
            assert (await client.get("/.well-known/jwks.json")).json() == first_keys
            assert len((await client.get("/api/v1/agencies")).json()) == len(DEMO_AGENCIES)
            me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["username"] == "motcua"
            ca = (await client.get("/pki/ca.crt")).text
        async with serve_in_process(create_app(settings)) as client:
            assert (await client.get("/pki/ca.crt")).text == ca  # the CA is made once

    async def test_the_demo_can_sign_at_once_with_certificates_issued_once(
        self, databases: Databases, nats_server: NatsServer, browser_factory: Any
    ) -> None:
        settings = IdentitySettings(database_url=databases.new_url("identity"),
                                    nats_url=nats_server.url, demo=True)
        for _ in range(2):  # a restart issues nothing more
            async with serve_in_process(create_app(settings)) as client:
                token = await browser_factory(client).access_token(
                    "vanthu", settings.demo_password)
                listed = await client.get("/api/v1/certificates", params={"status": "valid"},
                                          headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        seals = [c for c in listed.json() if c["kind"] == "organisational"]
        assert [(c["agency_id"], c["key_held_by"]) for c in seals] == [("H56.14", "service")]

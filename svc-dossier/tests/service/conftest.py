"""svc-dossier in process, with its real database and a real NATS server."""

from collections.abc import AsyncIterator

import httpx
import pytest

from egov_testing import Databases, NatsServer, TestIssuer, serve_in_process
from svc_dossier.main import create_app
from svc_dossier.settings import DossierSettings


@pytest.fixture(scope="module")
def dossier_settings(databases: Databases, nats_server: NatsServer,
                     tmp_path_factory: pytest.TempPathFactory) -> DossierSettings:
    return DossierSettings(database_url=databases.new_url("dossier"), nats_url=nats_server.url,
                           demo=True, log_level="WARNING",
                           forms_dir=str(tmp_path_factory.mktemp("forms")))


@pytest.fixture(scope="module")
async def client(
    dossier_settings: DossierSettings, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(dossier_settings, jwks_fetcher=issuer.jwks)
    async with serve_in_process(app) as client:
        yield client

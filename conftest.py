"""Session fixtures for every test in the repo: real NATS, real databases, a test issuer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from egov_testing import Databases, NatsServer, TestIssuer, postgres_reachable


def pytest_report_header() -> str:
    return "database backend: " + ("PostgreSQL 127.0.0.1:5432" if postgres_reachable()
                                    else "SQLite (PostgreSQL not reachable on 127.0.0.1:5432)")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()

"""The route table alone: which service owns which path (pure logic, no I/O)."""

from __future__ import annotations

import pytest

from gateway.routes import Route, RouteTable
from gateway.settings import GatewaySettings


@pytest.fixture
def table() -> RouteTable:
    return RouteTable.from_urls(GatewaySettings().upstream_urls())


class TestRouteTable:
    @pytest.mark.parametrize(("path", "upstream"), [
        ("/.well-known/openid-configuration", "identity"),
        ("/oauth2/token", "identity"),
        ("/api/v1/citizens", "identity"),
        ("/api/v1/me", "identity"),
        ("/api/v1/agencies/000.00.00.H01", "identity"),
        ("/api/v1/accounts/42/roles", "identity"),
        ("/api/v1/procedures/1.001234", "dossier"),
        ("/api/v1/dossiers", "dossier"),
        ("/api/v1/dossiers/H01.01-260101-0001/actions", "dossier"),
        ("/api/v1/public/dossiers/X", "dossier"),
        ("/api/v1/calendar/due-date", "dossier"),
        ("/api/v1/documents/7", "docflow"),
        ("/api/v1/axis/packages", "docflow"),
        ("/api/v1/reports/kpis", "reporting"),
    ])
    def test_each_public_prefix_goes_to_its_service(
        self, table: RouteTable, path: str, upstream: str
    ) -> None:
        assert table.upstream_of(path) == upstream

    @pytest.mark.parametrize("path", [
        "/api/v1/dossiersX", "/api/v1/dossiersX/1", "/api/v1/mee", "/oauth2x/token",
        "/api/v1/reports-old",
    ])
    def test_a_prefix_matches_whole_segments_only(self, table: RouteTable, path: str) -> None:
        assert table.match(path) is None

    @pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1", "/api/v2/dossiers", ""])
    def test_paths_of_no_service_are_left_to_the_gateway(
        self, table: RouteTable, path: str
    ) -> None:
        assert table.match(path) is None

    def test_the_longest_prefix_wins(self) -> None:
        table = RouteTable([Route("/api/v1", "a", "http://a"),
                            Route("/api/v1/reports", "b", "http://b")])
        assert table.upstream_of("/api/v1/reports/kpis") == "b"
        assert table.upstream_of("/api/v1/other") == "a"

    def test_a_trailing_slash_in_the_table_is_not_significant(self, table: RouteTable) -> None:
        assert table.upstream_of("/api/v1/public") == "dossier"
        assert table.upstream_of("/api/v1/publicity") is None

"""Access at the gateway through real HTTP: tokens signed by a test issuer whose JWKS the identity
stand-in serves; protected routes refused before any service sees them; the principal passed on;
key rotation; and the access table checked against the real services' OpenAPI documents."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, get_args

import httpx
import jwt
import pytest

from egov_shared.access import ACCESS_EXTENSION, AccessRule
from egov_testing import AUDIENCE, ISSUER, TestIssuer
from gateway import access
from gateway.access import AccessTable, Rule
from gateway.routes import ROUTE_PREFIXES, RouteTable
from gateway.settings import GatewaySettings

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
PROBLEM_JSON = "application/problem+json"
JWKS_PATH = ("GET", "/.well-known/jwks.json")


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status
    return body


def assert_unauthorized(response: httpx.Response, code: str) -> None:
    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed(issuer: TestIssuer, **changes: Any) -> str:
    """A token of the issuer's key with some claims changed (audience, token use, …)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": uuid.uuid4().hex, "iat": now,
              "exp": now + 600, "kind": "citizen", "token_use": "access"}
    claims.update(changes)
    return jwt.encode(claims, issuer.key, algorithm="ES256", headers={"kid": issuer.kid})


def unique(prefix: str) -> str:
    """A path no other test asks for, so that ``seen`` tells whether *this* request arrived."""
    return f"{prefix}/{uuid.uuid4().hex}"


@pytest.fixture
async def anonymous(open_gateway: GatewayFactory) -> Any:
    async with open_gateway(signed_in=False) as client:
        yield client


class TestProtectedRoutes:
    async def test_without_a_token_is_401_and_the_service_never_sees_it(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        path = unique("/api/v1/dossiers")
        response = await anonymous.post(path, json={"procedure_code": "x"})
        assert_unauthorized(response, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert ("POST", path) not in upstreams["dossier"].seen

    async def test_another_authorization_scheme_is_no_token(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        path = unique("/api/v1/reports")
        response = await anonymous.get(path, headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert_unauthorized(response, "unauthorized")
        assert ("GET", path) not in upstreams["reporting"].seen

    async def test_an_expired_token_is_401_token_expired(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        path = unique("/api/v1/documents")
        response = await anonymous.get(path, headers=bearer(issuer.token(ttl=-30)))
        assert_unauthorized(response, "token_expired")
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert ("GET", path) not in upstreams["docflow"].seen

    async def test_a_token_signed_by_an_unknown_key_is_401(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any]
    ) -> None:
        path = unique("/api/v1/dossiers")
        response = await anonymous.get(path, headers=bearer(TestIssuer().token()))
        assert_unauthorized(response, "invalid_token")
        assert ("GET", path) not in upstreams["dossier"].seen

    @pytest.mark.parametrize("token", [
        "abc", "a.b.c", base64.urlsafe_b64encode(os.urandom(30)).decode(),
    ])
    async def test_a_malformed_token_is_401(
        self, anonymous: httpx.AsyncClient, token: str
    ) -> None:
        response = await anonymous.get("/api/v1/me", headers=bearer(token))
        assert_unauthorized(response, "invalid_token")

    @pytest.mark.parametrize("changes", [
        {"aud": "another-api"}, {"iss": "https://elsewhere.example"}, {"token_use": "id"},
    ], ids=["audience", "issuer", "id-token"])
    async def test_a_token_meant_for_something_else_is_401(
        self, anonymous: httpx.AsyncClient, issuer: TestIssuer, changes: dict[str, str]
    ) -> None:
        response = await anonymous.get("/api/v1/me", headers=bearer(signed(issuer, **changes)))
        assert_unauthorized(response, "invalid_token")

    async def test_a_valid_token_is_forwarded_with_the_principal(
        self, anonymous: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        token = issuer.token(sub="acc-17", kind="official", roles=["clerk"], agency_id="H56.14")
        response = await anonymous.get("/api/v1/documents/7", headers=bearer(token))
        assert response.status_code == 200
        seen = response.json()["headers"]
        assert seen["authorization"] == [f"Bearer {token}"]  # services verify it themselves
        assert seen["x-egov-subject"] == ["acc-17"]
        assert seen["x-egov-kind"] == ["official"]
        assert seen["x-egov-agency"] == ["H56.14"]

    async def test_principal_headers_sent_by_the_client_are_replaced(
        self, anonymous: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = {**bearer(issuer.token(sub="citizen-1", kind="citizen")),
                   "X-Egov-Subject": "admin", "X-Egov-Kind": "official",
                   "X-Egov-Agency": "H56", "X-Egov-Roles": "admin"}
        response = await anonymous.get("/api/v1/dossiers", headers=headers)
        seen = response.json()["headers"]
        assert seen["x-egov-subject"] == ["citizen-1"]
        assert seen["x-egov-kind"] == ["citizen"]
        assert "x-egov-agency" not in seen  # a citizen has none
        assert "x-egov-roles" not in seen


class TestPublicRoutes:
    @pytest.mark.parametrize(("method", "path", "service"), [
        ("GET", "/api/v1/agencies", "identity"),
        ("GET", "/api/v1/agencies/H56.14", "identity"),
        ("POST", "/api/v1/citizens", "identity"),
        ("POST", "/api/v1/password-resets", "identity"),
        ("POST", "/api/v1/password-resets/confirm", "identity"),
        ("GET", "/pki/ca.crt", "identity"),
        ("GET", "/api/v1/procedures", "dossier"),
        ("GET", "/api/v1/procedures/1.001234", "dossier"),
        ("GET", "/api/v1/public/dossiers/H56.14-260101-0001", "dossier"),
        ("GET", "/api/v1/calendar/due-date", "dossier"),
        ("HEAD", "/api/v1/procedures", "dossier"),
    ])
    async def test_a_public_route_passes_without_a_token(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any],
        method: str, path: str, service: str,
    ) -> None:
        response = await anonymous.request(method, path, headers={"X-Egov-Subject": "forged"})
        assert (method, path) in upstreams[service].seen
        if method == "HEAD":  # the stand-in's echo has no HEAD (405): it got there, that is all
            return
        assert response.status_code == 200
        if path != "/api/v1/agencies":  # the rest are echoes
            assert "x-egov-subject" not in response.json()["headers"]

    @pytest.mark.parametrize(("method", "path"), [
        ("GET", "/api/v1/citizens"),
        ("POST", "/api/v1/citizens/42/verify"),
        ("DELETE", "/api/v1/agencies/H56.14"),
        ("POST", "/api/v1/procedures"),
        ("GET", "/api/v1/password-resets"),
        ("POST", "/api/v1/axis/packages"),
        ("GET", "/api/v1/certificates"),
        ("GET", "/api/v1/admin/keys"),
    ])
    async def test_the_rest_of_a_public_prefix_needs_a_token(
        self, anonymous: httpx.AsyncClient, method: str, path: str
    ) -> None:
        assert_unauthorized(await anonymous.request(method, path), "unauthorized")

    async def test_a_valid_token_on_a_public_route_passes_the_principal_on(
        self, anonymous: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        response = await anonymous.get("/api/v1/procedures/1.001234",
                                       headers=bearer(issuer.token(sub="citizen-2")))
        assert response.json()["headers"]["x-egov-subject"] == ["citizen-2"]

    async def test_an_invalid_token_on_a_public_route_is_401(
        self, anonymous: httpx.AsyncClient, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        path = unique("/api/v1/procedures")
        response = await anonymous.get(path, headers=bearer(issuer.token(ttl=-30)))
        assert_unauthorized(response, "token_expired")
        assert ("GET", path) not in upstreams["dossier"].seen


class TestOAuthEndpoints:
    @pytest.mark.parametrize(("method", "path", "authorization"), [
        ("GET", "/oauth2/userinfo", "Bearer not-a-jwt"),
        ("POST", "/oauth2/token", "Basic cGFydG5lcjpzZWNyZXQ="),
        ("POST", "/oauth2/revoke", "Bearer not-a-jwt"),
        ("GET", "/.well-known/openid-configuration", "Bearer not-a-jwt"),
    ])
    async def test_protocol_endpoints_pass_untouched(
        self, anonymous: httpx.AsyncClient, method: str, path: str, authorization: str
    ) -> None:
        response = await anonymous.request(method, path, headers={"Authorization": authorization})
        assert response.status_code == 200
        seen = response.json()["headers"]
        assert seen["authorization"] == [authorization]
        assert "x-egov-subject" not in seen


class TestSigningKeys:
    async def test_keys_are_fetched_once_and_cached(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        before = upstreams["identity"].seen.count(JWKS_PATH)
        async with open_gateway(signed_in=False) as gateway:
            for _ in range(5):
                response = await gateway.get("/api/v1/me", headers=bearer(issuer.token()))
                assert response.status_code == 200
        assert upstreams["identity"].seen.count(JWKS_PATH) == before + 1

    async def test_a_rotated_key_is_picked_up_and_the_old_one_still_verifies(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        identity = upstreams["identity"].app
        rotated = TestIssuer()
        async with open_gateway(signed_in=False, jwks_min_refresh_seconds=0) as gateway:
            assert (await gateway.get("/api/v1/me", headers=bearer(issuer.token()))
                    ).status_code == 200
            identity.state.issuers.append(rotated)  # identity publishes a second key
            try:
                new = await gateway.get("/api/v1/me", headers=bearer(rotated.token()))
                old = await gateway.get("/api/v1/me", headers=bearer(issuer.token()))
            finally:
                identity.state.issuers.remove(rotated)
        assert new.status_code == 200 and old.status_code == 200

    async def test_unknown_key_ids_do_not_make_the_gateway_hammer_identity(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any]
    ) -> None:
        """A flood of tokens naming key ids nobody published shares one JWKS fetch (two if
        the flood straddles the first fetch), and each is refused."""
        before = upstreams["identity"].seen.count(JWKS_PATH)
        async with open_gateway(signed_in=False, jwks_min_refresh_seconds=30) as gateway:
            responses = await asyncio.gather(*[
                gateway.get("/api/v1/me", headers=bearer(TestIssuer().token()))
                for _ in range(20)])
        for response in responses:
            assert_unauthorized(response, "invalid_token")
        assert upstreams["identity"].seen.count(JWKS_PATH) - before in (1, 2)

    async def test_a_token_with_a_key_published_just_after_a_fetch_waits_for_it(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any], issuer: TestIssuer
    ) -> None:
        """A rotation right after the gateway fetched the keys: the new key's first token is
        served once the next fetch is allowed, not refused."""
        identity = upstreams["identity"].app
        rotated = TestIssuer()
        async with open_gateway(signed_in=False, jwks_min_refresh_seconds=0.5) as gateway:
            assert (await gateway.get("/api/v1/me", headers=bearer(issuer.token()))
                    ).status_code == 200
            identity.state.issuers.append(rotated)
            try:
                new = await gateway.get("/api/v1/me", headers=bearer(rotated.token()))
            finally:
                identity.state.issuers.remove(rotated)
        assert new.status_code == 200, new.text

    async def test_keys_that_cannot_be_fetched_give_503_not_401(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any], issuer: TestIssuer,
        dead_url: str,
    ) -> None:
        path = unique("/api/v1/dossiers")
        async with open_gateway(signed_in=False, identity_url=dead_url) as gateway:
            response = await gateway.get(path, headers=bearer(issuer.token()))
        assert_problem(response, 503, "keys_unavailable")
        assert ("GET", path) not in upstreams["dossier"].seen


class TestDefaultDeny:
    async def test_a_routed_path_without_a_rule_is_refused(
        self, open_gateway: GatewayFactory, upstreams: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        rules = tuple(r for r in access.ACCESS_RULES if r.prefix != "/api/v1/reports")
        monkeypatch.setattr(access, "ACCESS_RULES", rules)
        path = unique("/api/v1/reports")
        async with open_gateway() as gateway:  # even with a valid token
            response = await gateway.get(path)
        assert_problem(response, 404, "not_found")
        assert ("GET", path) not in upstreams["reporting"].seen

    def test_every_routed_prefix_has_a_rule_for_every_method(self) -> None:
        table = AccessTable(access.ACCESS_RULES)
        for prefix in (p for prefixes in ROUTE_PREFIXES.values() for p in prefixes):
            for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
                for path in (prefix.rstrip("/"), prefix.rstrip("/") + "/x/y"):
                    assert table.requirement(method, path) is not None, (method, path)

    def test_every_rule_is_for_a_routed_path(self) -> None:
        routes = RouteTable.from_urls(GatewaySettings().upstream_urls())
        for rule in access.ACCESS_RULES:
            assert routes.match(rule.prefix.rstrip("/")) is not None, rule

    def test_the_most_specific_rule_wins(self) -> None:
        table = AccessTable([Rule("/a", "token"), Rule("/a", "public", frozenset({"GET"})),
                             Rule("/a/b", "public"), Rule("/a", "passthrough", exact=True)])
        assert table.requirement("GET", "/a/x") == "public"
        assert table.requirement("HEAD", "/a/x") == "public"
        assert table.requirement("POST", "/a/x") == "token"
        assert table.requirement("POST", "/a/b/c") == "public"
        assert table.requirement("POST", "/a/") == "passthrough"
        assert table.requirement("GET", "/ab") is None


class TestMetrics:
    async def test_decisions_are_counted(self, anonymous: httpx.AsyncClient) -> None:
        line = re.compile(r'^egov_gateway_access_decisions_total\{(.*)\} (\S+)$')

        async def count(**labels: str) -> float:
            text = (await anonymous.get("/metrics")).text
            for match in map(line.match, text.splitlines()):
                if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
                    return float(match.group(2))
            return 0.0

        labels = {"route": "/api/v1/audit/*", "rule": "token", "outcome": "unauthorized"}
        before = await count(**labels)
        await anonymous.get("/api/v1/audit")
        assert await count(**labels) == before + 1


# ---- The services' own rules (x-access in their OpenAPI documents) against the gateway's ----

SERVICE_RULES = set(get_args(AccessRule))
PROTOCOL_PREFIXES = ("/oauth2/", "/.well-known/")


@pytest.fixture(scope="module")
def service_operations(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every operation of every real service: (service, method, path, x-access). Built from
    ``app.openapi()``; the apps are never started (no database, no NATS)."""
    from svc_docflow.main import create_app as docflow_app
    from svc_docflow.settings import DocflowSettings
    from svc_dossier.main import create_app as dossier_app
    from svc_dossier.settings import DossierSettings
    from svc_identity.main import create_app as identity_app
    from svc_identity.settings import IdentitySettings
    from svc_reporting.main import create_app as reporting_app
    from svc_reporting.settings import ReportingSettings

    tmp = tmp_path_factory.mktemp("apps")

    def db(name: str) -> str:
        return f"sqlite+aiosqlite:///{Path(tmp) / name}.db"

    secret = base64.b64encode(os.urandom(32)).decode()
    apps = {
        "identity": identity_app(IdentitySettings(
            database_url=db("identity"), secret_key=secret,
            secret_key_file=str(tmp / "secret.key"), mail_drop_dir=str(tmp / "mail"))),
        "dossier": dossier_app(DossierSettings(database_url=db("dossier"))),
        "docflow": docflow_app(DocflowSettings(database_url=db("docflow"))),
        "reporting": reporting_app(ReportingSettings(database_url=db("reporting"))),
    }
    return [
        {"service": name, "method": method.upper(), "path": path,
         "access": operation.get(ACCESS_EXTENSION)}
        for name, app in apps.items()
        for path, item in app.openapi().get("paths", {}).items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch", "options", "head"}
    ]


def concrete(path: str) -> str:
    """A request path for an OpenAPI path template: each ``{param}`` becomes one segment."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def expected_requirement(path: str, rule: str) -> set[str]:
    if path.startswith(PROTOCOL_PREFIXES):
        return {"passthrough"}
    return {"public"} if rule == "public" else {"token"}


class TestServicesAgreeWithTheGateway:
    def test_the_real_services_have_operations(
        self, service_operations: list[dict[str, Any]]
    ) -> None:
        assert {op["service"] for op in service_operations} == set(ROUTE_PREFIXES)

    def test_every_operation_states_who_may_call_it(
        self, service_operations: list[dict[str, Any]]
    ) -> None:
        missing = [f"{op['method']} {op['path']} ({op['service']}): x-access={op['access']!r}"
                   for op in service_operations if op["access"] not in SERVICE_RULES]
        assert not missing, "operations without a valid x-access:\n" + "\n".join(missing)

    def test_every_operation_is_routed_to_its_service(
        self, service_operations: list[dict[str, Any]]
    ) -> None:
        routes = RouteTable.from_urls(GatewaySettings().upstream_urls())
        unrouted = [f"{op['method']} {op['path']} ({op['service']})"
                    for op in service_operations
                    if routes.upstream_of(concrete(op["path"])) != op["service"]]
        assert not unrouted, "not routed to their service:\n" + "\n".join(unrouted)

    def test_the_gateway_rule_agrees_with_the_service_rule(
        self, service_operations: list[dict[str, Any]]
    ) -> None:
        table = AccessTable(access.ACCESS_RULES)
        disagreeing = []
        for op in service_operations:
            requirement = table.requirement(op["method"], concrete(op["path"]))
            if requirement not in expected_requirement(op["path"], str(op["access"])):
                disagreeing.append(f"{op['method']} {op['path']} ({op['service']}): "
                                   f"x-access={op['access']!r}, gateway={requirement!r}")
        assert not disagreeing, "access rules disagree:\n" + "\n".join(disagreeing)

    def test_the_protocol_endpoints_are_the_oauth_and_discovery_ones_only(self) -> None:
        passthrough = {r.prefix for r in access.ACCESS_RULES if r.requirement == "passthrough"}
        assert passthrough == set(PROTOCOL_PREFIXES)

"""The authorization code flow with PKCE, as the portal and a person go through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from svc_identity.oidc import repository, service

DEMO_PASSWORD = "demo-Password-1"
CALLBACK = "http://127.0.0.1:8000/auth/callback"


async def verified_claims(client: httpx.AsyncClient, token: str, audience: str) -> dict[str, Any]:
    """Verifies a token the way a relying party does: discovery, then the published JWKS."""
    config = (await client.get("/.well-known/openid-configuration")).json()
    assert config["jwks_uri"].endswith("/.well-known/jwks.json")
    jwks = (await client.get("/.well-known/jwks.json")).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["ES256"], audience=audience,
                                        issuer=config["issuer"])
    return claims


class TestDiscovery:
    async def test_points_at_the_public_issuer(self, client: httpx.AsyncClient,
                                               identity: Any) -> None:
        config = (await client.get("/.well-known/openid-configuration")).json()
        issuer = identity.settings.token_issuer
        assert config["issuer"] == issuer
        assert config["authorization_endpoint"] == f"{issuer}/oauth2/authorize"
        assert config["token_endpoint"] == f"{issuer}/oauth2/token"
        assert config["code_challenge_methods_supported"] == ["S256"]

    async def test_jwks_publishes_public_keys_only(self, client: httpx.AsyncClient) -> None:
        keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
        assert keys and all(k["alg"] == "ES256" and k["kid"] for k in keys)
        assert all("d" not in k for k in keys)


class TestCodeFlow:
    async def test_a_citizen_signs_in_and_calls_the_api(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any],
        identity: Any,
    ) -> None:
        account = (await client.post("/api/v1/citizens", json=citizen)).json()
        signed_in = await browser.sign_in(citizen["id_number"], citizen["password"])
        assert signed_in.location.startswith(CALLBACK + "?")
        answer = await browser.exchange(signed_in.code, signed_in.verifier)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        tokens = answer.json()
        assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
        assert tokens["scope"] == "openid profile"

        claims = await verified_claims(client, tokens["access_token"], "egov-api")
        assert claims["sub"] == account["id"] and claims["kind"] == "citizen"
        assert claims["preferred_username"] == citizen["id_number"]
        assert claims["name"] == citizen["full_name"]  # what the services print on forms
        assert claims["acr"] == "1" and claims["token_use"] == "access"
        id_claims = await verified_claims(client, tokens["id_token"], "egov-portal")
        assert id_claims["token_use"] == "id" and id_claims["sub"] == account["id"]

        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        me = (await client.get("/api/v1/me", headers=bearer)).json()
        assert me == {"id": account["id"], "username": citizen["id_number"],
                      "full_name": "Nguyễn Thị Hoa", "kind": "citizen", "roles": [],
                      "agency_id": None, "assurance_level": 1}
        info = (await client.get("/oauth2/userinfo", headers=bearer)).json()
        assert info["sub"] == account["id"] and info["id_number"] == citizen["id_number"]
        assert info["name"] == "Nguyễn Thị Hoa" and info["acr"] == "1"
        assert info["birthdate"] == "1995-03-14" and info["gender"] == "female"
        assert info["email"] is None  # only with the email scope

    async def test_state_and_nonce_come_back(self, client: httpx.AsyncClient,
                                             browser: Any) -> None:
        signed_in = await browser.sign_in("admin", DEMO_PASSWORD, state="s-42", nonce="n-42")
        assert signed_in.state == "s-42"
        tokens = (await browser.exchange(signed_in.code, signed_in.verifier)).json()
        id_claims = await verified_claims(client, tokens["id_token"], "egov-portal")
        assert id_claims["nonce"] == "n-42"

    @pytest.mark.parametrize(("username", "role", "agency_id"), [
        ("admin", "admin", "H56"), ("motcua", "one_stop_officer", "H56.20"),
        ("chuyenvien", "processing_officer", "H56.14"), ("lanhdao", "leader", "H56.14"),
        ("vanthu", "clerk", "H56.14"), ("baocao", "reporting_officer", "H56"),
    ])
    async def test_demo_officials_carry_role_and_agency(
        self, client: httpx.AsyncClient, browser: Any, username: str, role: str,
        agency_id: str,
    ) -> None:
        token = await browser.access_token(username, DEMO_PASSWORD)
        me = (await client.get("/api/v1/me",
                               headers={"Authorization": f"Bearer {token}"})).json()
        assert me["kind"] == "official" and me["roles"] == [role]
        assert me["agency_id"] == agency_id and me["assurance_level"] == 2


class TestCodeExchangeRefusals:
    async def test_a_wrong_verifier_is_an_invalid_grant_and_spends_the_code(
        self, browser: Any
    ) -> None:
        signed_in = await browser.sign_in("chuyenvien", DEMO_PASSWORD)
        wrong = await browser.exchange(signed_in.code, browser.pkce()[0])
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        right = await browser.exchange(signed_in.code, signed_in.verifier)
        assert right.json()["error"] == "invalid_grant"

    async def test_a_code_works_once(self, browser: Any) -> None:
        signed_in = await browser.sign_in("chuyenvien", DEMO_PASSWORD)
        first = await browser.exchange(signed_in.code, signed_in.verifier)
        assert first.status_code == 200
        again = await browser.exchange(signed_in.code, signed_in.verifier)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    async def test_the_redirect_uri_must_be_the_same(self, browser: Any) -> None:
        signed_in = await browser.sign_in("chuyenvien", DEMO_PASSWORD)
        answer = await browser.exchange(signed_in.code, signed_in.verifier,
                                        redirect_uri="http://127.0.0.1:8000/other")
        assert answer.json()["error"] == "invalid_grant"

    async def test_a_code_expires(self, browser: Any, identity: Any) -> None:
        """The code's short life is enforced by the database query that spends it."""
        signed_in = await browser.sign_in("chuyenvien", DEMO_PASSWORD)
        ttl = timedelta(seconds=identity.settings.auth_code_ttl_seconds + 1)
        async with identity.app.state.runtime.sessionmaker() as session:
            late = await repository.claim_code(session, service.hash_code(signed_in.code),
                                               now=datetime.now(UTC) + ttl)
            await session.rollback()
        assert late is None
        in_time = await browser.exchange(signed_in.code, signed_in.verifier)
        assert in_time.status_code == 200

    @pytest.mark.parametrize(("data", "status", "error"), [
        ({"grant_type": "password", "username": "admin", "client_id": "egov-portal"}, 400,
         "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_id": "egov-portal"}, 400,
         "unauthorized_client"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 401, "invalid_client"),
        ({"grant_type": "authorization_code", "client_id": "egov-portal"}, 400,
         "invalid_request"),
        ({"grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK,
          "client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "authorization_code", "code": "x" * 3000, "redirect_uri": CALLBACK,
          "client_id": "egov-portal"}, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "forged", "redirect_uri": CALLBACK,
          "client_id": "egov-portal", "code_verifier": "v" * 43}, 400, "invalid_grant"),
    ])
    async def test_oauth_errors(self, client: httpx.AsyncClient, data: dict[str, str],
                                status: int, error: str) -> None:
        answer = await client.post("/oauth2/token", data=data)
        assert answer.status_code == status
        assert answer.json()["error"] == error and answer.json()["error_description"]

    async def test_malformed_bodies_are_invalid_requests(self, client: httpx.AsyncClient
                                                         ) -> None:
        repeated = await client.post(
            "/oauth2/token", content=b"grant_type=authorization_code&grant_type=x",
            headers={"content-type": "application/x-www-form-urlencoded"})
        upload = await client.post("/oauth2/token", files={"code": ("c.txt", b"x")},
                                   data={"grant_type": "authorization_code"})
        as_json = await client.post("/oauth2/token", json={"grant_type": "x"})
        garbage = await client.post(
            "/oauth2/token", content=b"\xff\xfe%%%=&&==",
            headers={"content-type": "application/x-www-form-urlencoded"})
        nul = await client.post("/oauth2/token", data={
            "grant_type": "authorization_code", "code": "x", "redirect_uri": CALLBACK,
            "client_id": "egov\x00portal"})
        for answer in (repeated, upload, as_json, garbage, nul):
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"] == "invalid_request"


class TestAuthorizePage:
    async def test_shows_a_vietnamese_login_form(self, client: httpx.AsyncClient,
                                                 browser: Any) -> None:
        params = browser.authorize_params(browser.pkce()[1], state='"><script>x</script>')
        page = await client.get("/oauth2/authorize", params=params)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<form method="post">' in page.text and "Đăng nhập" in page.text
        assert 'name="username"' in page.text and 'name="password"' in page.text
        assert "<script>x</script>" not in page.text
        assert page.headers["x-frame-options"] == "DENY"

    async def test_wrong_credentials_show_the_form_again(self, client: httpx.AsyncClient,
                                                         browser: Any) -> None:
        params = browser.authorize_params(browser.pkce()[1])
        page = await client.get("/oauth2/authorize", params=params)
        for username in ("admin", "khong-ton-tai", "a" * 500):
            answer = await browser.submit(page.text, username, "wrong-password-1")
            assert answer.status_code == 200 and "location" not in answer.headers
            assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.text
            assert '<form method="post">' in answer.text

    @pytest.mark.parametrize("changes", [
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": "http://127.0.0.1:8000@evil.example/"},
        {"client_id": "unknown-client"},
        {"client_id": ""},
        {"redirect_uri": "x" * 5000},
    ])
    async def test_an_untrusted_redirect_gets_an_error_page(
        self, client: httpx.AsyncClient, browser: Any, changes: dict[str, str]
    ) -> None:
        params = browser.authorize_params(browser.pkce()[1], **changes)
        page = await client.get("/oauth2/authorize", params=params)
        assert page.status_code == 400 and "location" not in page.headers
        assert "Không thể đăng nhập" in page.text
        posted = await client.post("/oauth2/authorize",
                                   data={**params, "username": "admin",
                                         "password": DEMO_PASSWORD})
        assert posted.status_code == 400 and "location" not in posted.headers

    async def test_a_nul_character_is_refused_without_a_redirect(
        self, client: httpx.AsyncClient, browser: Any
    ) -> None:
        params = browser.authorize_params(browser.pkce()[1], client_id="egov\x00portal")
        page = await client.get("/oauth2/authorize", params=params)
        assert page.status_code == 422 and "location" not in page.headers
        assert page.json()["code"] == "nul_character"
        posted = await client.post("/oauth2/authorize",
                                   data={**params, "username": "admin",
                                         "password": DEMO_PASSWORD})
        assert posted.status_code == 400 and "location" not in posted.headers

    @pytest.mark.parametrize(("changes", "error"), [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid everything"}, "invalid_scope"),
    ])
    async def test_a_bad_request_from_a_trusted_client_goes_back_to_it(
        self, client: httpx.AsyncClient, browser: Any, changes: dict[str, str], error: str
    ) -> None:
        params = browser.authorize_params(browser.pkce()[1], state="s-1", **changes)
        answer = await client.get("/oauth2/authorize", params=params)
        assert answer.status_code == 302
        location = urlsplit(answer.headers["location"])
        query = parse_qs(location.query)
        assert location.path == "/auth/callback"
        assert query["error"] == [error] and query["state"] == ["s-1"]
        assert "code" not in query

    async def test_without_pkce_no_login_form(self, client: httpx.AsyncClient) -> None:
        params = {"response_type": "code", "client_id": "egov-portal",
                  "redirect_uri": CALLBACK, "state": "s"}
        answer = await client.get("/oauth2/authorize", params=params)
        assert answer.status_code == 302
        assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == [
            "invalid_request"]


class TestProtectedEndpoints:
    @pytest.mark.parametrize("path", ["/api/v1/me", "/oauth2/userinfo"])
    async def test_need_a_valid_access_token(self, client: httpx.AsyncClient,
                                             path: str, issuer: Any) -> None:
        assert (await client.get(path)).status_code == 401
        forged = await client.get(path, headers=issuer.headers(kind="official",
                                                                roles=["admin"]))
        assert forged.status_code == 401
        garbage = await client.get(path, headers={"Authorization": "Bearer x.y.z"})
        assert garbage.status_code == 401

    async def test_an_id_token_is_not_an_access_token(self, client: httpx.AsyncClient,
                                                      browser: Any) -> None:
        signed_in = await browser.sign_in("chuyenvien", DEMO_PASSWORD)
        tokens = (await browser.exchange(signed_in.code, signed_in.verifier)).json()
        answer = await client.get("/api/v1/me",
                                  headers={"Authorization": f"Bearer {tokens['id_token']}"})
        assert answer.status_code == 401


class TestOpenApi:
    async def test_every_route_states_its_access_rule(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()
        operations = [op for item in document["paths"].values() for op in item.values()]
        assert len(operations) >= 8
        assert all(op["x-access"] in {"public", "authenticated", "client", "official", "admin"}
                   for op in operations)
        assert document["paths"]["/api/v1/me"]["get"]["x-access"] == "authenticated"

    async def test_every_answer_is_documented(self, client: httpx.AsyncClient) -> None:
        # Found by the fuzzer: administrators' routes answered an undocumented 401, the login
        # pages an undocumented 400 page, the reset request a 202 documented as JSON.
        paths = (await client.get("/openapi.json")).json()["paths"]
        for item in paths.values():
            for operation in item.values():
                if operation["x-access"] != "public":
                    assert "401" in operation["responses"], operation["operationId"]
        for path in ("/oauth2/authorize", "/oauth2/logout", "/oauth2/national/start",
                     "/oauth2/national/callback"):
            assert "text/html" in paths[path]["get"]["responses"]["400"]["content"]
        accepted = paths["/api/v1/password-resets"]["post"]["responses"]["202"]
        assert "content" not in accepted

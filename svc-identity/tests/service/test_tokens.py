"""The OIDC provider's token life cycle as clients see it: refresh-token rotation and reuse
detection, partner systems with client_credentials (secret or private_key_jwt), revocation,
introspection, single sign-on and logout, and signing-key rotation."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

CALLBACK = "http://127.0.0.1:8000/auth/callback"
PORTAL = "egov-portal"


async def portal_tokens(browser: Any, username: str, password: str) -> dict[str, Any]:
    signed_in = await browser.sign_in(username, password)
    answer = await browser.exchange(signed_in.code, signed_in.verifier)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def refresh(client: httpx.AsyncClient, token: str, **extra: str) -> httpx.Response:
    return await client.post("/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": token, "client_id": PORTAL, **extra})


async def partner(client: httpx.AsyncClient, tokens: Any, **changes: Any) -> dict[str, Any]:
    """A partner agency's system registered by the platform administrator."""
    body = {"name": "Hệ thống một cửa Sở Tư pháp", "auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"], "scopes": ["dossier:read", "events:read"],
            "agency_id": "H56.14", **changes}
    answer = await client.post("/api/v1/admin/clients", json=body,
                               headers=await tokens.bearer("admin"))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


class TestRefreshTokens:
    async def test_rotation_gives_new_tokens_and_spends_the_old_one(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        first = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        assert first["refresh_token"]
        second = await refresh(client, first["refresh_token"])
        assert second.status_code == 200, second.text
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]
        assert rotated["access_token"] != first["access_token"] and rotated["id_token"]
        me = await client.get("/api/v1/me",
                              headers={"Authorization": f"Bearer {rotated['access_token']}"})
        assert me.json()["username"] == citizen["id_number"]

    async def test_reusing_a_rotated_token_revokes_the_whole_family(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        first = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        second = (await refresh(client, first["refresh_token"])).json()
        stolen = await refresh(client, first["refresh_token"])
        assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
        legit = await refresh(client, second["refresh_token"])
        assert legit.status_code == 400 and legit.json()["error"] == "invalid_grant"

    async def test_a_refresh_may_narrow_the_scope_only(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        first = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        wider = await refresh(client, first["refresh_token"], scope="openid profile email")
        assert wider.json()["error"] == "invalid_scope"

    async def test_another_client_cannot_use_it(
        self, client: httpx.AsyncClient, browser: Any, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        first = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        other = await partner(client, tokens, grant_types=["client_credentials",
                                                           "refresh_token"])
        answer = await client.post("/oauth2/token", auth=(other["client_id"],
                                                          other["client_secret"]), data={
            "grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


class TestClientCredentials:
    async def test_a_partner_system_gets_a_token_with_its_scopes(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        registered = await partner(client, tokens)
        assert registered["client_secret"] and registered["public"] is False
        listed = await client.get(f"/api/v1/admin/clients/{registered['client_id']}",
                                  headers=await tokens.bearer("admin"))
        assert listed.json()["client_secret"] is None  # shown once only
        answer = await client.post(
            "/oauth2/token", auth=(registered["client_id"], registered["client_secret"]),
            data={"grant_type": "client_credentials", "scope": "dossier:read"})
        assert answer.status_code == 200, answer.text
        claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
        assert claims["sub"] == registered["client_id"] and claims["kind"] == "client"
        assert claims["scope"] == "dossier:read" and claims["agency_id"] == "H56.14"
        assert "refresh_token" not in answer.json() and "id_token" not in answer.json()

    async def test_the_secret_may_also_travel_in_the_form(self, client: httpx.AsyncClient,
                                                          tokens: Any) -> None:
        registered = await partner(client, tokens, auth_method="client_secret_post")
        answer = await client.post("/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": registered["client_id"],
            "client_secret": registered["client_secret"]})
        assert answer.status_code == 200
        assert answer.json()["scope"] == "dossier:read events:read"

    @pytest.mark.parametrize(("change", "error", "status"), [
        ({"secret": "wrong"}, "invalid_client", 401),
        ({"scope": "admin:everything"}, "invalid_scope", 400),
    ])
    async def test_refusals(self, client: httpx.AsyncClient, tokens: Any,
                            change: dict[str, str], error: str, status: int) -> None:
        registered = await partner(client, tokens)
        secret = change.get("secret", registered["client_secret"])
        data = {"grant_type": "client_credentials", **({"scope": change["scope"]}
                                                       if "scope" in change else {})}
        answer = await client.post("/oauth2/token", auth=(registered["client_id"], secret),
                                   data=data)
        assert answer.status_code == status and answer.json()["error"] == error

    async def test_a_rotated_secret_replaces_the_old_one(self, client: httpx.AsyncClient,
                                                         tokens: Any) -> None:
        registered = await partner(client, tokens)
        rotated = await client.post(f"/api/v1/admin/clients/{registered['client_id']}/secret",
                                    headers=await tokens.bearer("admin"))
        new_secret = rotated.json()["client_secret"]
        data = {"grant_type": "client_credentials"}
        old = await client.post("/oauth2/token", data=data,
                                auth=(registered["client_id"], registered["client_secret"]))
        new = await client.post("/oauth2/token", data=data,
                                auth=(registered["client_id"], new_secret))
        assert old.status_code == 401 and new.status_code == 200


class TestPrivateKeyJwt:
    @pytest.fixture
    def key(self) -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    async def registered(self, client: httpx.AsyncClient, tokens: Any,
                         key: ec.EllipticCurvePrivateKey) -> str:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        jwk.update(kid="partner-1", alg="ES256", use="sig")
        registered = await partner(client, tokens, auth_method="private_key_jwt",
                                   jwks={"keys": [jwk]})
        return str(registered["client_id"])

    def assertion(self, client_id: str, key: ec.EllipticCurvePrivateKey, **changes: Any
                  ) -> str:
        now = int(time.time())
        claims = {"iss": client_id, "sub": client_id, "aud": "http://127.0.0.1:8000/oauth2/token",
                  "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex, **changes}
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": "partner-1"})

    def form(self, assertion: str) -> dict[str, str]:
        return {"grant_type": "client_credentials", "client_assertion": assertion,
                "client_assertion_type":
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}

    async def test_a_signed_assertion_authenticates_the_partner_once(
        self, client: httpx.AsyncClient, tokens: Any, key: ec.EllipticCurvePrivateKey
    ) -> None:
        client_id = await self.registered(client, tokens, key)
        assertion = self.assertion(client_id, key)
        first = await client.post("/oauth2/token", data=self.form(assertion))
        assert first.status_code == 200, first.text
        replay = await client.post("/oauth2/token", data=self.form(assertion))
        assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"

    @pytest.mark.parametrize("changes", [
        {"aud": "https://elsewhere.example/token"},
        {"exp": int(time.time()) + 3600 * 5},
        {"exp": int(time.time()) - 3600},
        {"sub": "someone-else"},
    ])
    async def test_bad_assertions_are_refused(
        self, client: httpx.AsyncClient, tokens: Any, key: ec.EllipticCurvePrivateKey,
        changes: dict[str, Any],
    ) -> None:
        client_id = await self.registered(client, tokens, key)
        answer = await client.post("/oauth2/token",
                                   data=self.form(self.assertion(client_id, key, **changes)))
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"

    async def test_another_key_is_refused(self, client: httpx.AsyncClient, tokens: Any,
                                          key: ec.EllipticCurvePrivateKey) -> None:
        client_id = await self.registered(client, tokens, key)
        forged = self.assertion(client_id, ec.generate_private_key(ec.SECP256R1()))
        answer = await client.post("/oauth2/token", data=self.form(forged))
        assert answer.status_code == 401


class TestRevocationAndIntrospection:
    async def introspect(self, client: httpx.AsyncClient, server: dict[str, Any],
                         token: str) -> dict[str, Any]:
        answer = await client.post("/oauth2/introspect", data={"token": token},
                                   auth=(server["client_id"], server["client_secret"]))
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def test_a_revoked_refresh_token_is_inactive_and_cannot_refresh(
        self, client: httpx.AsyncClient, browser: Any, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        issued = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        server = await partner(client, tokens)
        live = await self.introspect(client, server, issued["refresh_token"])
        assert live["active"] is True and live["token_type"] == "refresh_token"
        revoked = await client.post("/oauth2/revoke", data={
            "token": issued["refresh_token"], "client_id": PORTAL})
        assert revoked.status_code == 200
        assert (await self.introspect(client, server, issued["refresh_token"])) == {
            "active": False}
        assert (await refresh(client, issued["refresh_token"])).status_code == 400

    async def test_a_revoked_access_token_is_inactive(
        self, client: httpx.AsyncClient, browser: Any, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        issued = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        server = await partner(client, tokens)
        info = await self.introspect(client, server, issued["access_token"])
        assert info["active"] is True and info["username"] == citizen["id_number"]
        assert info["client_id"] == PORTAL and info["acr"] == "1"
        await client.post("/oauth2/revoke", data={"token": issued["access_token"],
                                                  "client_id": PORTAL})
        assert (await self.introspect(client, server, issued["access_token"]))["active"] is False

    async def test_unknown_tokens_are_inactive_and_public_clients_cannot_introspect(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        server = await partner(client, tokens)
        assert (await self.introspect(client, server, "not-a-token")) == {"active": False}
        public = await client.post("/oauth2/introspect", data={"token": "x",
                                                               "client_id": PORTAL})
        assert public.status_code == 401
        unknown = await client.post("/oauth2/revoke", data={"token": "x" * 40,
                                                            "client_id": PORTAL})
        assert unknown.status_code == 200


class TestSingleSignOn:
    async def test_a_second_app_signs_in_without_the_password_until_logout(
        self, client: httpx.AsyncClient, browser: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        issued = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        again = await browser.client.get("/oauth2/authorize",
                                         params=browser.authorize_params(browser.pkce()[1]))
        assert again.status_code == 302 and "code=" in again.headers["location"]
        silent = await browser.client.get(
            "/oauth2/authorize", params=browser.authorize_params(browser.pkce()[1],
                                                                 prompt="none"))
        assert "code=" in silent.headers["location"]

        logout = await browser.client.get("/oauth2/logout", params={
            "id_token_hint": issued["id_token"], "state": "bye",
            "post_logout_redirect_uri": "http://127.0.0.1:8000/"})
        assert logout.status_code == 302
        assert logout.headers["location"] == "http://127.0.0.1:8000/?state=bye"
        after = await browser.client.get(
            "/oauth2/authorize", params=browser.authorize_params(browser.pkce()[1],
                                                                 prompt="none"))
        assert parse_qs(urlsplit(after.headers["location"]).query)["error"] == [
            "login_required"]
        assert (await refresh(client, issued["refresh_token"])).status_code == 400

    async def test_logout_never_redirects_to_an_unregistered_address(
        self, client: httpx.AsyncClient, browser: Any
    ) -> None:
        answer = await browser.client.get("/oauth2/logout", params={
            "client_id": PORTAL, "post_logout_redirect_uri": "https://evil.example/"})
        assert answer.status_code == 200 and "Bạn đã đăng xuất" in answer.text


class TestKeyRotation:
    async def test_old_tokens_verify_until_they_expire_and_new_ones_use_the_new_key(
        self, client: httpx.AsyncClient, browser: Any, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        await client.post("/api/v1/citizens", json=citizen)
        before = await portal_tokens(browser, citizen["id_number"], citizen["password"])
        old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
        rotated = await client.post("/api/v1/admin/signing-keys/rotate",
                                    headers=await tokens.bearer("admin"))
        assert rotated.status_code == 201, rotated.text
        new_kid = rotated.json()["kid"]
        published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()[
            "keys"]}
        assert {old_kid, new_kid} <= published
        me = await client.get("/api/v1/me",
                              headers={"Authorization": f"Bearer {before['access_token']}"})
        assert me.status_code == 200
        after = (await refresh(client, before["refresh_token"])).json()
        assert jwt.get_unverified_header(after["access_token"])["kid"] == new_kid
        states = {k["kid"]: k["state"] for k in (await client.get(
            "/api/v1/admin/signing-keys", headers=await tokens.bearer("admin"))).json()}
        assert states[new_kid] == "active" and states[old_kid] == "published"

    async def test_only_platform_administrators_rotate(self, client: httpx.AsyncClient,
                                                       tokens: Any) -> None:
        answer = await client.post("/api/v1/admin/signing-keys/rotate",
                                   headers=await tokens.bearer("chuyenvien"))
        assert answer.status_code == 403


class TestClientRegistry:
    async def test_an_agency_administrator_manages_only_its_subtree(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        username = f"qt-tp-{uuid.uuid4().hex[:6]}"
        await client.post("/api/v1/officials", headers=await tokens.bearer("admin"), json={
            "username": username, "full_name": "Quản trị Sở Tư pháp", "agency_id": "H56.14",
            "roles": ["admin"], "password": "Quan-tri-2026"})
        department = await tokens.bearer(username, "Quan-tri-2026")
        other = await partner(client, tokens, agency_id="H56.16")
        own = await client.post("/api/v1/admin/clients", headers=department, json={
            "name": "Phần mềm Sở Tư pháp", "auth_method": "client_secret_basic",
            "grant_types": ["client_credentials"], "scopes": ["dossier:read"],
            "agency_id": "H56.14"})
        assert own.status_code == 201, own.text
        elsewhere = await client.get(f"/api/v1/admin/clients/{other['client_id']}",
                                     headers=department)
        assert elsewhere.status_code == 404
        listed = {c["client_id"] for c in (await client.get("/api/v1/admin/clients",
                                                             headers=department)).json()}
        assert own.json()["client_id"] in listed and other["client_id"] not in listed
        portal = await client.post("/api/v1/admin/clients", headers=department, json={
            "name": "Cổng khác", "auth_method": "none", "grant_types": ["authorization_code"],
            "redirect_uris": ["https://app.example/cb"]})
        assert portal.status_code == 404

    @pytest.mark.parametrize(("changes", "code"), [
        ({"auth_method": "none"}, "invalid_client_metadata"),
        ({"grant_types": ["authorization_code"]}, "invalid_client_metadata"),
        ({"auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "EC"}]}},
         "invalid_jwks"),
        ({"scopes": ["Bad Scope"]}, "invalid_scope"),
        ({"grant_types": ["authorization_code"],
          "redirect_uris": ["javascript:alert(1)"]}, "invalid_uri"),
    ])
    async def test_invalid_registrations(self, client: httpx.AsyncClient, tokens: Any,
                                         changes: dict[str, Any], code: str) -> None:
        body = {"name": "Ứng dụng", "auth_method": "client_secret_basic",
                "grant_types": ["client_credentials"], "scopes": ["dossier:read"], **changes}
        answer = await client.post("/api/v1/admin/clients", json=body,
                                   headers=await tokens.bearer("admin"))
        assert answer.status_code == 422 and answer.json()["code"] == code

    async def test_officials_without_the_role_are_refused(self, client: httpx.AsyncClient,
                                                          tokens: Any) -> None:
        answer = await client.get("/api/v1/admin/clients",
                                  headers=await tokens.bearer("motcua"))
        assert answer.status_code == 403


class TestPartnerSystemsHaveNoPassword:
    async def test_a_client_token_cannot_change_a_password(self, client: httpx.AsyncClient,
                                                           tokens: Any) -> None:
        """Found by the access matrix (issue 10): a partner system's token answered 422
        ``account_not_found``; a kind that may not call the endpoint is 403."""
        registered = await partner(client, tokens)
        token = (await client.post(
            "/oauth2/token", auth=(registered["client_id"], registered["client_secret"]),
            data={"grant_type": "client_credentials"})).json()["access_token"]
        answer = await client.post("/api/v1/me/password", headers={
            "Authorization": f"Bearer {token}"}, json={
            "current_password": "Mat-khau-cu-12", "new_password": "Mat-khau-moi-9"})
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"

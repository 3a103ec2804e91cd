"""The OIDC provider as a relying party meets it: Authlib, a standard OIDC client library,
configured only from the discovery document, through the gateway, against the platform as
processes. Code + PKCE, ID token, refresh (rotation and reuse detection), userinfo,
revocation, introspection, and a signing-key rotation that old tokens survive."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.platform import DEMO_PASSWORD, Platform, bearer, register_citizen, sign_in_at

pytestmark = pytest.mark.e2e
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"  # the demo administrator's authenticator


@pytest.fixture(scope="module")
async def discovery(gateway: httpx.AsyncClient) -> dict[str, Any]:
    answer = await gateway.get("/.well-known/openid-configuration")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def relying_party(discovery: dict[str, Any], client_id: str, client_secret: str | None = None,
                  redirect_uri: str | None = None, **extra: Any) -> AsyncOAuth2Client:
    """An Authlib client that knows nothing but what the discovery document says."""
    method = "client_secret_basic" if client_secret else "none"
    assert method in discovery["token_endpoint_auth_methods_supported"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    return AsyncOAuth2Client(client_id, client_secret, scope="openid profile",
                             redirect_uri=redirect_uri, code_challenge_method="S256",
                             token_endpoint_auth_method=method, timeout=30, **extra)


async def authorization_code(rp: AsyncOAuth2Client, discovery: dict[str, Any],
                             gateway: httpx.AsyncClient, username: str, password: str,
                             totp_secret: str | None = None) -> dict[str, Any]:
    """Code + PKCE S256: Authlib builds the authorization URL, a person signs in on the
    provider's page (in a browser of their own), Authlib exchanges the code."""
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, _state = rp.create_authorization_url(discovery["authorization_endpoint"],
                                              code_verifier=verifier, nonce=nonce)
    async with httpx.AsyncClient(base_url=gateway.base_url, timeout=30) as browser:
        location = await sign_in_at(browser, url, username, password, totp_secret)
    token = await rp.fetch_token(discovery["token_endpoint"], authorization_response=location,
                                 code_verifier=verifier)
    claims = await verified(discovery, token["id_token"], audience=str(rp.client_id))
    assert claims["nonce"] == nonce
    return dict(token)


async def verified(discovery: dict[str, Any], token: str, audience: str | None = None
                   ) -> dict[str, Any]:
    """A token checked against the provider's published keys (fetched afresh, as a relying
    party does for an unknown kid): signature, issuer, audience, expiry."""
    async with httpx.AsyncClient(timeout=30) as http:
        keys = KeySet.import_key_set((await http.get(discovery["jwks_uri"])).json())
    decoded = jwt.decode(token, keys, algorithms=discovery["id_token_signing_alg_values_supported"])
    options: dict[str, Any] = {"iss": {"essential": True, "value": discovery["issuer"]},
                               "exp": {"essential": True}}
    if audience is not None:
        options["aud"] = {"essential": True, "value": audience}
    jwt.JWTClaimsRegistry(**options).validate(decoded.claims)
    return {**decoded.claims, "kid": decoded.header["kid"]}


@pytest.fixture(scope="module")
async def admin_token(discovery: dict[str, Any], gateway: httpx.AsyncClient,
                      platform: Platform) -> str:
    """The demo administrator, signed in through the public portal client with a password
    and the second factor."""
    redirect = str(gateway.base_url).rstrip("/") + "/callback"
    async with relying_party(discovery, "egov-portal", redirect_uri=redirect) as rp:
        token = await authorization_code(rp, discovery, gateway, "admin", DEMO_PASSWORD,
                                         DEMO_TOTP_SECRET)
    return str(token["access_token"])


@pytest.fixture(scope="module")
async def registered(gateway: httpx.AsyncClient, admin_token: str) -> dict[str, Any]:
    """A confidential web app of a department, registered by the platform administrator."""
    answer = await gateway.post("/api/v1/admin/clients", headers=bearer(admin_token), json={
        "name": "Cổng thông tin Sở Tư pháp", "auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [str(gateway.base_url).rstrip("/") + "/stp/callback"],
        "scopes": ["openid", "profile"], "agency_id": "H56.14"})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.fixture
async def rp(discovery: dict[str, Any], registered: dict[str, Any]) -> Any:
    async with relying_party(discovery, registered["client_id"], registered["client_secret"],
                             redirect_uri=registered["redirect_uris"][0]) as client:
        yield client


class TestStandardClient:
    async def test_code_pkce_userinfo_refresh_revocation_and_introspection(
        self, rp: AsyncOAuth2Client, discovery: dict[str, Any], gateway: httpx.AsyncClient
    ) -> None:
        id_number, password = await register_citizen(gateway)
        token = await authorization_code(rp, discovery, gateway, id_number, password)
        access = await verified(discovery, token["access_token"])
        assert access["acr"] == "1" and access["sub"]

        info = await rp.get(discovery["userinfo_endpoint"])
        assert info.status_code == 200, info.text
        claims = info.json()
        assert claims["sub"] == access["sub"] and claims["id_number"] == id_number
        assert claims["name"] == "Nguyễn Văn An" and claims["acr"] == "1"
        assert claims["birthdate"] == "1990-05-17" and claims["gender"] == "male"
        assert claims["roles"] == [] and claims["agency_id"] is None

        first_refresh = token["refresh_token"]
        refreshed = await rp.refresh_token(discovery["token_endpoint"])
        assert refreshed["refresh_token"] != first_refresh
        assert refreshed["access_token"] != token["access_token"]

        looked_up = await rp.introspect_token(discovery["introspection_endpoint"],
                                              token=refreshed["access_token"])
        assert looked_up.json()["active"] is True
        assert looked_up.json()["sub"] == access["sub"]

        revoked = await rp.revoke_token(discovery["revocation_endpoint"],
                                        token=refreshed["refresh_token"],
                                        token_type_hint="refresh_token")
        assert revoked.status_code == 200
        after = await rp.introspect_token(discovery["introspection_endpoint"],
                                          token=refreshed["refresh_token"],
                                          token_type_hint="refresh_token")
        assert after.json() == {"active": False}
        with pytest.raises(OAuthError) as refused:
            await rp.refresh_token(discovery["token_endpoint"])
        assert refused.value.error == "invalid_grant"

    async def test_a_reused_refresh_token_revokes_its_whole_family(
        self, rp: AsyncOAuth2Client, discovery: dict[str, Any], gateway: httpx.AsyncClient
    ) -> None:
        id_number, password = await register_citizen(gateway)
        token = await authorization_code(rp, discovery, gateway, id_number, password)
        stolen = token["refresh_token"]
        rotated = await rp.refresh_token(discovery["token_endpoint"])
        with pytest.raises(OAuthError) as reused:
            await rp.refresh_token(discovery["token_endpoint"], refresh_token=stolen)
        assert reused.value.error == "invalid_grant"
        with pytest.raises(OAuthError) as family:
            await rp.refresh_token(discovery["token_endpoint"],
                                   refresh_token=rotated["refresh_token"])
        assert family.value.error == "invalid_grant"
        looked_up = await rp.introspect_token(discovery["introspection_endpoint"],
                                              token=rotated["refresh_token"])
        assert looked_up.json() == {"active": False}


class TestKeyRotation:
    async def test_old_tokens_verify_until_they_expire_and_new_ones_carry_the_new_kid(
        self, rp: AsyncOAuth2Client, discovery: dict[str, Any], gateway: httpx.AsyncClient,
        admin_token: str,
    ) -> None:
        id_number, password = await register_citizen(gateway)
        before = await authorization_code(rp, discovery, gateway, id_number, password)
        old_kid = (await verified(discovery, before["access_token"]))["kid"]

        rotated = await gateway.post("/api/v1/admin/signing-keys/rotate",
                                     headers=bearer(admin_token))
        assert rotated.status_code == 201, rotated.text
        new_kid = rotated.json()["kid"]
        assert new_kid != old_kid

        # Signed before the rotation: still verifies against the published keys, and the
        # gateway and the services still accept it.
        assert (await verified(discovery, before["access_token"]))["kid"] == old_kid
        me = await gateway.get("/api/v1/me", headers=bearer(before["access_token"]))
        assert me.status_code == 200, me.text
        keys = await gateway.get("/api/v1/admin/signing-keys", headers=bearer(admin_token))
        states = {key["kid"]: key for key in keys.json()}
        assert states[old_kid]["state"] == "published"
        assert states[old_kid]["published_until"] is not None

        after = await authorization_code(rp, discovery, gateway, id_number, password)
        assert (await verified(discovery, after["access_token"]))["kid"] == new_kid
        assert (await verified(discovery, after["id_token"], str(rp.client_id)))["kid"] == new_kid
        refreshed = await rp.refresh_token(discovery["token_endpoint"],
                                           refresh_token=before["refresh_token"])
        assert (await verified(discovery, refreshed["access_token"]))["kid"] == new_kid
        me = await gateway.get("/api/v1/me", headers=bearer(after["access_token"]))
        assert me.status_code == 200, me.text

"""OAuth request rules (redirect URIs, PKCE, scopes) and the token claims contract."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from egov_shared.auth import Principal
from svc_identity.models import Account, AccountRole
from svc_identity.oidc import tokens, validation
from svc_identity.oidc.errors import AuthorizeRedirectError

PORTAL = ["http://127.0.0.1:8000/", "http://localhost:8000/"]
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B


class TestRedirectUri:
    @pytest.mark.parametrize("uri", [
        "http://127.0.0.1:8000/", "http://127.0.0.1:8000/callback",
        "http://localhost:8000/portal/auth?x=1",
    ])
    def test_allows_paths_under_a_registered_base(self, uri: str) -> None:
        assert validation.redirect_uri_allowed(uri, PORTAL)

    @pytest.mark.parametrize("uri", [
        "https://evil.example/callback", "http://127.0.0.1:8001/callback",
        "https://127.0.0.1:8000/callback", "http://127.0.0.1:8000@evil.example/",
        "http://127.0.0.1:8000.evil.example/", "http://127.0.0.1:8000/cb#fragment",
        "http://127.0.0.1:8000\\@evil.example/", "javascript:alert(1)//127.0.0.1:8000/",
        "http://127.0.0.1:99999/", "http://127.0.0.1:8000/ cb",
    ])
    def test_refuses_anything_else(self, uri: str) -> None:
        assert not validation.redirect_uri_allowed(uri, PORTAL)


class TestAuthorizationRequest:
    def params(self, **changes: str) -> dict[str, str]:
        base = {"response_type": "code", "client_id": "egov-portal",
                "redirect_uri": "http://127.0.0.1:8000/cb", "scope": "openid profile",
                "state": "s1", "code_challenge": CHALLENGE, "code_challenge_method": "S256"}
        return {**base, **changes}

    def refusal(self, params: dict[str, str]) -> str:
        with pytest.raises(AuthorizeRedirectError) as info:
            validation.authorization_request(params, redirect_uri=params["redirect_uri"],
                                             public_client=True)
        assert info.value.state == params.get("state")
        return info.value.error

    def test_accepts_a_pkce_request(self) -> None:
        request = validation.authorization_request(
            self.params(), redirect_uri="http://127.0.0.1:8000/cb", public_client=True)
        assert request.scope == "openid profile"
        assert request.hidden_fields()["code_challenge"] == CHALLENGE

    @pytest.mark.parametrize(("changes", "error"), [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"nonce": "n" * 600}, "invalid_request"),
    ])
    def test_refusals_go_back_to_the_client(self, changes: dict[str, str], error: str) -> None:
        assert self.refusal(self.params(**changes)) == error

    def test_public_clients_must_use_pkce(self) -> None:
        params = self.params()
        del params["code_challenge"], params["code_challenge_method"]
        assert self.refusal(params) == "invalid_request"

    def test_repeated_or_huge_parameters_are_malformed(self) -> None:
        with pytest.raises(validation.MalformedParams):
            validation.single_params([("state", "a"), ("state", "b")])
        with pytest.raises(validation.MalformedParams):
            validation.single_params([("state", "x" * 5000)])


class TestPkce:
    def test_rfc_7636_example(self) -> None:
        assert validation.s256(VERIFIER) == CHALLENGE
        assert validation.pkce_matches(VERIFIER, code_challenge=CHALLENGE)

    @pytest.mark.parametrize("verifier", [None, "", "short", VERIFIER[:-1] + "A", "é" * 50])
    def test_refuses_other_verifiers(self, verifier: str | None) -> None:
        assert not validation.pkce_matches(verifier, code_challenge=CHALLENGE)


class TestAccessTokenClaims:
    def test_are_what_every_service_reads(self) -> None:
        account = Account(id="5f0c6c1e-0000-4000-8000-000000000001", username="lanhdao",
                          kind="official", full_name="Lê Văn Cường", assurance_level=2,
                          agency_id="H56.14", roles=[AccountRole(role="leader")])
        now = datetime(2026, 11, 22, tzinfo=UTC)
        grant = tokens.Grant(account=account, client_id="egov-portal", scope="openid",
                             auth_time=now)
        claims = tokens.access_token_claims(grant, issuer="http://127.0.0.1:8000",
                                            audience="egov-api", now=now, ttl_seconds=900)
        principal = Principal.from_claims(claims)
        assert principal.kind == "official"
        assert principal.roles == frozenset({"leader"})
        assert principal.agency_id == "H56.14"
        assert principal.assurance_level == 2
        assert claims["token_use"] == "access" and claims["exp"] - claims["iat"] == 900

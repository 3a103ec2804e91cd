"""Token verification (JWKS, rotation, expiry) and problem+json rendering."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel

from egov_shared.app import refuse_repeated_query
from egov_shared.auth import PrincipalDep, TokenVerifier
from egov_shared.errors import (
    Conflict,
    Unauthorized,
    document_framework_errors,
    install_error_handlers,
)
from egov_shared.timeutil import Moment
from egov_testing import TestIssuer


class RotatingIssuer(TestIssuer):
    """The JWKS grows when a new key is added, as svc-identity's does on rotation."""

    def __init__(self) -> None:
        super().__init__()
        self.older: list[TestIssuer] = []
        self.fetches = 0

    def rotate(self) -> None:
        old = TestIssuer()
        old.key, old.kid = self.key, self.kid
        self.older.append(old)
        fresh = TestIssuer()
        self.key, self.kid = fresh.key, fresh.kid

    async def jwks(self) -> dict:
        self.fetches += 1
        keys = (await super().jwks())["keys"]
        for old in self.older:
            keys += (await old.jwks())["keys"]
        return {"keys": keys}


def verifier_for(issuer: TestIssuer, **kwargs: float) -> TokenVerifier:
    return TokenVerifier(issuer.jwks, issuer="http://127.0.0.1:8000", audience="egov-api",
                         **kwargs)


class TestTokenVerifier:
    async def test_valid_token_gives_the_principal(self) -> None:
        issuer = TestIssuer()
        token = issuer.token(sub="u1", kind="official", roles=["leader"], agency_id="H56.14")
        principal = await verifier_for(issuer).verify(token)
        assert principal.subject == "u1" and principal.has_role("leader")
        assert principal.covers_agency("H56.14.2") and not principal.covers_agency("H56.140")
        assert not principal.covers_agency("H56")

    async def test_unknown_kid_refetches_keys_after_rotation(self) -> None:
        issuer = RotatingIssuer()
        verifier = verifier_for(issuer, refresh_interval=0)
        old_token = issuer.token()
        await verifier.verify(old_token)
        issuer.rotate()
        new_token = issuer.token()
        assert (await verifier.verify(new_token)).kind == "citizen"
        assert issuer.fetches == 2
        await verifier.verify(old_token)  # still published, still valid

    @pytest.mark.parametrize(
        ("make", "code"),
        [
            (lambda i: i.token(ttl=-10), "token_expired"),
            (lambda i: "not.a.jwt", "invalid_token"),
            (lambda i: TestIssuer().token(), "invalid_token"),
        ],
    )
    async def test_bad_tokens_are_refused(self, make: object, code: str) -> None:
        issuer = TestIssuer()
        with pytest.raises(Unauthorized) as err:
            await verifier_for(issuer).verify(make(issuer))  # type: ignore[operator]
        assert err.value.code == code


class TestProblemJson:
    @pytest.fixture
    def client(self) -> httpx.AsyncClient:
        app = FastAPI()
        install_error_handlers(app)
        issuer = TestIssuer()

        class _Runtime:
            verifier = verifier_for(issuer)

        app.state.runtime = _Runtime()

        @app.get("/conflict")
        async def conflict() -> None:
            raise Conflict("Đã tiếp nhận rồi.", code="already_received")

        @app.get("/boom")
        async def boom() -> None:
            raise RuntimeError("secret internals")

        @app.get("/me")
        async def me(principal: PrincipalDep) -> dict:
            return {"sub": principal.subject}

        @app.get("/n/{n}")
        async def number(n: int) -> dict:
            return {"n": n}

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://t")

    async def test_app_error(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/conflict")
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "already_received" and r.json()["detail"] == "Đã tiếp nhận rồi."

    async def test_unexpected_error_hides_internals(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/boom")
        assert r.status_code == 500 and r.json()["code"] == "internal_error"
        assert "secret" not in r.text and "Traceback" not in r.text

    async def test_validation_and_missing_token(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/n/abc")
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["path", "n"]
        r = await client.get("/me")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = await client.get("/nowhere")
        assert r.status_code == 404 and r.json()["code"] == "not_found"


class Thing(BaseModel):
    name: str


class TestFrameworkErrorsDocumented:
    """The OpenAPI document says what the framework answers on its own (found by the fuzzer:
    a 422 documented as FastAPI's application/json, an undocumented 400 for a body that is not
    UTF-8 JSON, and 413 from the request guard)."""

    @pytest.fixture
    def document(self) -> dict:
        app = FastAPI()
        install_error_handlers(app)

        @app.post("/things")
        async def create(body: Thing) -> dict:
            return {"name": body.name}

        @app.get("/things/{n}")
        async def read(n: int) -> dict:
            return {"n": n}

        return document_framework_errors(app.openapi())

    def test_422_is_documented_as_the_problem_it_is(self, document: dict) -> None:
        for operation in (document["paths"]["/things"]["post"],
                          document["paths"]["/things/{n}"]["get"]):
            content = operation["responses"]["422"]["content"]
            assert list(content) == ["application/problem+json"]
            assert "errors" in content["application/problem+json"]["schema"]["properties"]

    def test_400_and_413_are_documented_where_a_body_is_read(self, document: dict) -> None:
        assert {"400", "413"} <= set(document["paths"]["/things"]["post"]["responses"])
        assert not {"400", "413"} & set(document["paths"]["/things/{n}"]["get"]["responses"])

    async def test_a_body_that_is_not_utf8_is_the_documented_400(self) -> None:
        app = FastAPI()
        install_error_handlers(app)

        @app.post("/things")
        async def create(body: dict) -> dict:
            return body

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post("/things", content=b"\xad\xff",
                                  headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/problem+json"


class TestQueryParameters:
    """What a client writes in a query means one thing: a parameter taken as one value and sent
    twice is refused (the framework would keep the last), and a moment must be ISO 8601 text
    with its offset (pydantic reads "-414" as Unix seconds)."""

    @pytest.fixture
    def client(self) -> httpx.AsyncClient:
        app = FastAPI(dependencies=[Depends(refuse_repeated_query)])
        install_error_handlers(app)

        def paging(limit: int = 10) -> int:
            return limit

        @app.get("/events")
        async def events(action: str | None = None, since: Moment | None = None,
                         tag: Annotated[list[str] | None, Query()] = None,
                         limit: int = Depends(paging)) -> dict[str, Any]:
            return {"action": action, "since": since.isoformat() if since else None,
                    "tag": tag, "limit": limit}

        @app.get("/raw")
        async def raw(request: Request) -> dict[str, Any]:  # parses its query itself
            return {"pairs": request.query_params.multi_items()}

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://t")

    @pytest.mark.parametrize("query", [
        "action=a&action=b", "limit=1&limit=2",
        "since=2026-11-29T08:00:00%2B07:00&since=2026-11-30T08:00:00%2B07:00"])
    async def test_a_single_valued_parameter_sent_twice_is_refused(
        self, client: httpx.AsyncClient, query: str
    ) -> None:
        answer = await client.get(f"/events?{query}")
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "repeated_query_parameter"

    async def test_list_parameters_and_other_operations_take_repeats(
        self, client: httpx.AsyncClient
    ) -> None:
        answer = await client.get("/events?tag=a&tag=b&action=x")
        assert answer.status_code == 200 and answer.json()["tag"] == ["a", "b"]
        assert (await client.get("/raw?x=1&x=2")).json()["pairs"] == [["x", "1"], ["x", "2"]]

    @pytest.mark.parametrize("since", ["-414", "1764374400", "2026-11-29T08:00:00", "hôm qua"])
    async def test_a_moment_is_iso_text_with_its_offset(
        self, client: httpx.AsyncClient, since: str
    ) -> None:
        answer = await client.get("/events", params={"since": since})
        assert answer.status_code == 422, answer.text
        good = await client.get("/events", params={"since": "2026-11-29T08:00:00+07:00"})
        assert good.json()["since"] == "2026-11-29T08:00:00+07:00"

"""Access at the gateway: the rule of ``gateway.access`` applied to each routed request before
it is forwarded, access tokens verified against svc-identity's JWKS (keys cached, re-fetched on
an unknown ``kid``; verified tokens cached until they expire, since a signature check costs
~0.35 ms), and the verified principal passed on in ``X-Egov-*`` headers.

The ``X-Egov-*`` headers are informational (logs, tracing, rate limits by caller): services go
on verifying the token themselves. Whatever a client sends under that prefix is dropped."""

from __future__ import annotations

from typing import Any

import structlog
from prometheus_client import Counter
from starlette.types import Scope

from egov_shared.auth import JwksFetcher, Principal, TokenVerifier
from egov_shared.errors import Unauthorized
from gateway.access import AccessTable, Requirement
from gateway.routes import Route
from gateway.settings import GatewaySettings
from gateway.upstreams import UpstreamClient

log = structlog.get_logger("gateway.auth")

ACCESS_DECISIONS = Counter(
    "egov_gateway_access_decisions_total",
    "The gateway's access decisions, by route prefix, rule and outcome",
    ["route", "rule", "outcome"],
)
PRINCIPAL_HEADER_PREFIX = b"x-egov-"
SUBJECT, KIND, AGENCY = "X-Egov-Subject", "X-Egov-Kind", "X-Egov-Agency"

Headers = list[tuple[str, str]]


class AccessRefused(Exception):
    """The request may not pass: answered with this problem, never forwarded."""

    def __init__(self, status: int, code: str, title: str, detail: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


class AccessGuard:
    """Decides one routed request: ``admit`` returns the principal headers to send upstream,
    or raises ``AccessRefused``. Every decision is counted."""

    def __init__(self, table: AccessTable, verifier: TokenVerifier) -> None:
        self.table = table
        self.verifier = verifier
        self._counters: dict[tuple[str, str, str], Any] = {}  # a few dozen label sets

    async def admit(self, scope: Scope, route: Route) -> Headers:
        requirement = self.table.requirement(scope["method"], scope["path"])
        try:
            headers, outcome = await self._decide(scope, requirement)
        except AccessRefused as refused:
            self._count(route, requirement, refused.code)
            raise
        self._count(route, requirement, outcome)
        return headers

    def _count(self, route: Route, requirement: Requirement | None, outcome: str) -> None:
        labels = (route.path, requirement or "none", outcome)
        counter = self._counters.get(labels)
        if counter is None:
            counter = self._counters[labels] = ACCESS_DECISIONS.labels(*labels)
        counter.inc()

    async def _decide(
        self, scope: Scope, requirement: Requirement | None
    ) -> tuple[Headers, str]:
        if requirement is None:
            log.warning("access_rule_missing", method=scope["method"], path=scope["path"])
            raise AccessRefused(404, "not_found", "Not found", "Not Found")  # as unrouted
        if requirement == "passthrough":
            return [], "passthrough"
        token = bearer_token(scope)
        if token is None:
            if requirement == "token":
                raise AccessRefused(401, "unauthorized", "Authentication required",
                                    "Sign in first: a Bearer access token is required.")
            return [], "anonymous"
        principal = await self._verify(token)
        return principal_headers(principal), "verified"

    async def _verify(self, token: str) -> Principal:
        try:
            return await self.verifier.verify(token)
        except Unauthorized as exc:
            if exc.code == "keys_unavailable":
                # Identity's keys cannot be fetched: the token may well be valid, so not a 401
                # (a client would throw a good token away), but a retryable 503.
                raise AccessRefused(503, "keys_unavailable", "Service unavailable",
                                    exc.message, {"Retry-After": "1"}) from exc
            raise AccessRefused(401, exc.code, exc.title, exc.message,
                                {"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc


def bearer_token(scope: Scope) -> str | None:
    """The bearer token of the first ``Authorization`` header, read exactly as the services'
    ``egov_shared.auth.bearer_token`` reads it, so both judge the same token."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            return token.strip()
    return None


def principal_headers(principal: Principal) -> Headers:
    values = [(SUBJECT, principal.subject), (KIND, principal.kind),
              (AGENCY, principal.agency_id or "")]
    # Claims come signed from identity, but a header value must never carry a line break.
    return [(name, value) for name, value in values
            if value and value.isascii() and value.isprintable()]


def jwks_fetcher(client: UpstreamClient, url: str, timeout_seconds: float) -> JwksFetcher:
    """svc-identity's JWKS through the gateway's pooled aiohttp client (the verifier turns any
    failure into ``keys_unavailable``)."""

    async def fetch() -> dict[str, Any]:
        status, body = await client.get_json(url, timeout_seconds)
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError(f"JWKS at {url} answered {status}")
        return body

    return fetch


def build_guard(
    settings: GatewaySettings, client: UpstreamClient, table: AccessTable
) -> AccessGuard:
    url = settings.identity_url.rstrip("/") + "/.well-known/jwks.json"
    verifier = TokenVerifier(
        jwks_fetcher(client, url, settings.jwks_timeout_seconds),
        issuer=settings.token_issuer, audience=settings.token_audience,
        refresh_interval=settings.jwks_min_refresh_seconds,
        cache_size=settings.token_cache_size,
    )
    return AccessGuard(table, verifier)

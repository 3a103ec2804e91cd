"""The reverse proxy, at the ASGI level: requests whose path the route table knows are checked
against the access table (``gateway.access``, enforced by ``gateway.auth``) and relayed to their
service (method, path, query, headers, streamed bodies) without FastAPI's routing or validation
in the way; everything else falls through to the gateway's own endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import aiohttp
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from egov_shared.errors import problem
from egov_shared.observability import current_traceparent
from gateway.auth import PRINCIPAL_HEADER_PREFIX, SUBJECT, AccessGuard, AccessRefused
from gateway.ratelimit import RateLimiter
from gateway.resilience import (
    CircuitOpen,
    RequestBody,
    Resilience,
    StreamedBody,
    UpstreamCall,
)
from gateway.routes import Route, RouteTable

log = structlog.get_logger("gateway.proxy")

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset({
    b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade",
    b"proxy-connection", b"proxy-authenticate", b"proxy-authorization",
})
# Request headers the gateway sets itself (or that only made sense on the client's hop).
_REPLACED_ON_REQUEST = HOP_BY_HOP | {
    b"host", b"expect", b"x-request-id", b"traceparent", b"x-forwarded-proto",
    b"x-forwarded-host",
}
# The gateway's own server and RequestContextMiddleware add these to every response.
_REPLACED_ON_RESPONSE = HOP_BY_HOP | {b"x-request-id", b"traceparent", b"server", b"date"}
_SMALL_BODY = 64 * 1024


class ProxyMiddleware:
    """Sends routed paths to their upstream once the access guard admits them; put it innermost
    so the request-id and body-limit middlewares run first."""

    def __init__(
        self, app: ASGIApp, routes: RouteTable, guard: AccessGuard, resilience: Resilience,
        limiter: RateLimiter,
    ) -> None:
        self.app = app
        self.routes = routes
        self.guard = guard
        self.resilience = resilience
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.match(scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = route
        if _has_dot_segment(scope["path"]):
            await _send_problem(scope, send, 400, "bad_request", "Bad request",
                                "Dot segments are not allowed in the path.")
            return
        try:
            caller = await self._admit(scope, route)
        except AccessRefused as refused:
            await _send_problem(scope, send, refused.status, refused.code, refused.title,
                                refused.detail, headers=refused.headers)
            return
        await forward(scope, receive, send, route, self.resilience, caller)

    async def _admit(self, scope: Scope, route: Route) -> list[tuple[str, str]]:
        """Per-IP limit, then the access rule and token, then the per-client limit."""
        _refuse_if_limited(self.limiter.ip_wait(scope))
        caller = await self.guard.admit(scope, route)
        subject = next((value for name, value in caller if name == SUBJECT), None)
        _refuse_if_limited(self.limiter.client_wait(scope, subject))
        return caller


def _refuse_if_limited(retry_after: int | None) -> None:
    if retry_after is not None:
        raise AccessRefused(429, "rate_limited", "Too many requests",
                            f"Too many requests: try again in {retry_after} s.",
                            {"Retry-After": str(retry_after)})


async def forward(
    scope: Scope, receive: Receive, send: Send, route: Route, resilience: Resilience,
    caller: list[tuple[str, str]] | None = None,
) -> None:
    """Relay one request and its answer; upstream failures become 502/503/504 problems.
    ``caller``: the ``X-Egov-*`` headers of the verified principal, if any."""
    try:
        body = await read_request_body(scope, receive)
        response = await resilience.send(_upstream_call(scope, route, resilience, body,
                                                        caller or []))
    except ClientGone:
        log.info("client_gone", upstream=route.upstream)
    except CircuitOpen as exc:
        await _send_problem(scope, send, 503, "upstream_unavailable", "Service unavailable",
                            f"The {route.upstream} service is failing; try again later.",
                            route, headers={"Retry-After": str(exc.retry_after)})
    except aiohttp.ClientConnectorError as exc:
        log.warning("upstream_unavailable", upstream=route.upstream, error=str(exc))
        await _send_problem(scope, send, 503, "upstream_unavailable", "Service unavailable",
                            f"The {route.upstream} service is not reachable.", route,
                            headers={"Retry-After": "1"})
    except TimeoutError:
        log.warning("upstream_timeout", upstream=route.upstream)
        await _send_problem(scope, send, 504, "upstream_timeout", "Gateway timeout",
                            f"The {route.upstream} service did not answer in time.", route)
    except aiohttp.ClientError as exc:
        log.warning("upstream_error", upstream=route.upstream, error=repr(exc))
        await _send_problem(scope, send, 502, "upstream_error", "Bad gateway",
                            f"The {route.upstream} service gave no valid answer.", route)
    else:
        await _relay_response(scope, send, response, route)


def _upstream_call(
    scope: Scope, route: Route, resilience: Resilience, body: RequestBody,
    caller: list[tuple[str, str]],
) -> UpstreamCall:
    headers = upstream_headers(scope)
    headers.extend(caller)
    return UpstreamCall(route.upstream, scope["method"], upstream_target(scope), headers,
                        body, resilience.timeouts.for_path(scope["path"]))


def upstream_target(scope: Scope) -> str:
    """The path and query for the service: the raw bytes as the client sent them (already
    percent-encoded, so not re-encoded or normalised)."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    target: str = raw_path.decode("latin-1")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return target


def upstream_headers(scope: Scope) -> list[tuple[str, str]]:
    """The client's headers minus hop-by-hop ones and any ``X-Egov-*`` (the gateway's own, for
    the verified principal), plus forwarding and trace headers so the service sees the real
    client and continues the gateway's trace."""
    raw: list[tuple[bytes, bytes]] = scope["headers"]
    dropped = _REPLACED_ON_REQUEST | _connection_tokens(raw)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw
               if k not in dropped and not k.startswith(PRINCIPAL_HEADER_PREFIX)]
    headers.extend(_forwarding_headers(scope, raw))
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        headers.append(("X-Request-ID", request_id))
    traceparent = current_traceparent()
    if traceparent:
        headers.append(("traceparent", traceparent))
    return headers


def _forwarding_headers(scope: Scope, raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    # X-Forwarded-For is a chain: append this hop. Proto and Host are the gateway's own view
    # (uvicorn's proxy_headers already resolved a trusted load balancer's values into scope).
    client = scope.get("client")
    client_ip = client[0] if client else "unknown"
    host = ""
    forwarded_for = ""
    for name, value in raw:
        if name == b"host":
            host = value.decode("latin-1")
        elif name == b"x-forwarded-for":
            forwarded_for = value.decode("latin-1")
    chain = f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip
    out = [("X-Forwarded-For", chain), ("X-Forwarded-Proto", scope.get("scheme", "http"))]
    if host:
        out.append(("X-Forwarded-Host", host))
    return out


def _connection_tokens(raw: list[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Headers the sender declared hop-by-hop in its ``Connection`` header (RFC 9110 §7.6.1)."""
    tokens = {
        token.strip().lower()
        for name, value in raw if name == b"connection"
        for token in value.split(b",")
    }
    return frozenset(tokens)


async def read_request_body(scope: Scope, receive: Receive) -> RequestBody:
    """The body to send upstream. A body with a Content-Length (already checked against the
    limit by RequestGuardMiddleware) is streamed; a chunked one is read first, so a body over the
    limit is refused with 413 before the service sees any of it."""
    declared = _header(scope, b"content-length")
    if declared is None and _header(scope, b"transfer-encoding") is None:
        return None
    message = await receive()
    first = message.get("body", b"")
    if not message.get("more_body", False):
        return first
    if declared is not None:
        return StreamedBody(_stream_body(first, receive))
    chunks = [first]
    async for chunk in _remaining_chunks(receive):
        chunks.append(chunk)
    return b"".join(chunks)


async def _stream_body(first: bytes, receive: Receive) -> AsyncIterator[bytes]:
    yield first
    async for chunk in _remaining_chunks(receive):
        yield chunk


async def _remaining_chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


class ClientGone(Exception):
    """The client hung up while its body was being relayed."""


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _relay_response(
    scope: Scope, send: Send, response: aiohttp.ClientResponse, route: Route
) -> None:
    """Status, headers and body as the service sent them. A failure once the status line is
    out cannot become a problem response: the connection is dropped so the client sees a
    truncated answer rather than a wrong one."""
    try:
        await send({
            "type": "http.response.start",
            "status": response.status,
            "headers": _response_headers(response.raw_headers),
        })
        await _relay_body(scope, send, response)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("upstream_body_aborted", upstream=route.upstream, error=repr(exc))
        response.close()
    finally:
        response.release()


async def _relay_body(scope: Scope, send: Send, response: aiohttp.ClientResponse) -> None:
    length = response.content_length
    if scope["method"] == "HEAD" or (length is not None and length <= _SMALL_BODY):
        body = await response.read()
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return
    async for chunk in response.content.iter_any():
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _response_headers(raw: tuple[tuple[bytes, bytes], ...]) -> list[tuple[bytes, bytes]]:
    dropped = _REPLACED_ON_RESPONSE | _connection_tokens([(k.lower(), v) for k, v in raw])
    return [(k.lower(), v) for k, v in raw if k.lower() not in dropped]


def _has_dot_segment(path: str) -> bool:
    # A "/../" would be resolved by the service (or by URL normalisation on the way) to a path
    # the route table never approved; refuse it rather than guess.
    return any(segment in {".", ".."} for segment in path.split("/"))


async def _send_problem(
    scope: Scope, send: Send, status: int, code: str, title: str, detail: str,
    route: Route | None = None, headers: Mapping[str, str] | None = None,
) -> None:
    extra = {"service": route.upstream} if route else {}
    response = problem(status, code, title, detail, Request(scope), **extra)
    response.headers.update(headers or {})

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)

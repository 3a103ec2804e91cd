"""Partner access to events: ``GET /api/v1/events``, the gateway's own endpoint.

A partner agency's system signs in with ``client_credentials``; its client is bound to an agency
and carries scopes ``events:<context>`` (``events:dossier``, ``events:docflow``). It reads the
events of one stream it is entitled to, in stream order, from a cursor (the JetStream stream
sequence of the last event it has seen): the gateway reads JetStream directly with an ordered,
ephemeral consumer that starts after the cursor, and answers only the events whose ``agency``
extension lies in the client's agency subtree. The payload is reduced to the fields its contract
declares (contracts allow extra fields; a partner gets none of them) and the envelope to the
CloudEvents attributes plus ``agency``.

Persons (citizens, officials) are refused with 403: these are feeds for systems.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import nats
import nats.errors
import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NatsClient
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from egov_shared.access import access
from egov_shared.auth import Principal, TokenVerifier
from egov_shared.errors import (
    Forbidden,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.events.contracts import CONTRACTS, STREAMS, EventContract
from gateway.auth import bearer_token
from gateway.ratelimit import RateLimiter

log = structlog.get_logger("gateway.events")

PARTNER_CONTEXTS = ("dossier", "docflow")  # identity events concern persons: not for partners
MAX_LIMIT = 200
MAX_SCANNED = 2000  # events read per request at most; the cursor moves past the ones skipped
READ_TIMEOUT_SECONDS = 5.0
ENVELOPE_FIELDS = ("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                   "agency")


def context_of(contract: EventContract) -> str:
    return contract.subject.split(".", 1)[0]


def entitled_contexts(principal: Principal) -> set[str]:
    return {c for c in PARTNER_CONTEXTS if f"events:{c}" in principal.scopes}


def partner_contracts(contexts: set[str]) -> list[EventContract]:
    return [c for c in CONTRACTS.values() if context_of(c) in contexts]


def choose_contracts(principal: Principal, types: str | None) -> tuple[str, list[EventContract]]:
    """The stream to read and the contracts asked for; 403 for a type outside the client's
    scopes, 422 for unknown types or types of two streams (a cursor belongs to one stream)."""
    contexts = entitled_contexts(principal)
    if not contexts:
        raise Forbidden("This client has no events:… scope.", code="insufficient_scope")
    if types:
        names = [t.strip() for t in types.split(",") if t.strip()]
        unknown = [n for n in names if n not in CONTRACTS]
        if unknown:
            raise ValidationFailed("Unknown event types.", code="unknown_event_type",
                                   extra={"types": unknown})
        chosen = [CONTRACTS[n] for n in dict.fromkeys(names)]
        if any(context_of(c) not in contexts for c in chosen):
            raise Forbidden("An event type asked for is outside this client's scopes.",
                            code="insufficient_scope")
    elif len(contexts) == 1:
        chosen = partner_contracts(contexts)
    else:
        raise ValidationFailed("Name the event types (one stream per cursor).",
                               code="types_required")
    streams = {c.stream for c in chosen}
    if len(streams) != 1:
        raise ValidationFailed("The event types asked for belong to different streams; read "
                               "each stream with its own cursor.", code="types_span_streams")
    return streams.pop(), chosen


def partner_view(event: dict[str, Any], contract: EventContract, sequence: int
                 ) -> dict[str, Any]:
    """The envelope's attributes and the payload's declared fields, nothing else."""
    declared = contract.data_model.model_fields
    data = event.get("data") or {}
    view = {k: event[k] for k in ENVELOPE_FIELDS if event.get(k) is not None}
    view["data"] = {k: v for k, v in data.items() if k in declared}
    view["sequence"] = sequence
    return view


class EventReader:
    """One NATS connection for the gateway, opened on first use, closed with the app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._nc: NatsClient | None = None
        self._lock = asyncio.Lock()

    async def connection(self) -> NatsClient:
        async with self._lock:
            if self._nc is None or self._nc.is_closed:
                try:
                    self._nc = await nats.connect(self.url, connect_timeout=2,
                                                  max_reconnect_attempts=2)
                except Exception as exc:  # any failure to connect is the same 503
                    raise ServiceUnavailable("The event store is unreachable.",
                                             code="events_unavailable") from exc
            return self._nc

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()

    async def read(self, stream: str, *, after: int, wanted: set[str], agency_id: str,
                   limit: int) -> tuple[list[dict[str, Any]], int]:
        """Entitled events after the cursor, and the new cursor (the last sequence read)."""
        js = (await self.connection()).jetstream()
        try:
            last = (await js.stream_info(stream)).state.last_seq
        except NotFoundError:
            return [], after
        except nats.errors.Error as exc:
            raise ServiceUnavailable("The event store is unreachable.",
                                     code="events_unavailable") from exc
        if last <= after:
            return [], after
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                opt_start_seq=after + 1)
        sub = await js.subscribe(STREAMS[stream][0], ordered_consumer=True, config=config)
        try:
            return await self._collect(sub, wanted=wanted, agency_id=agency_id, limit=limit,
                                       cursor=after)
        finally:
            await sub.unsubscribe()

    @staticmethod
    async def _collect(sub: Any, *, wanted: set[str], agency_id: str, limit: int,
                       cursor: int) -> tuple[list[dict[str, Any]], int]:
        found: list[dict[str, Any]] = []
        for _ in range(MAX_SCANNED):
            try:
                msg = await sub.next_msg(timeout=READ_TIMEOUT_SECONDS)
            except nats.errors.TimeoutError:
                break  # the stream lost messages to its limits meanwhile: answer what we have
            cursor = msg.metadata.sequence.stream
            view = _entitled(msg.data, cursor, wanted, agency_id)
            if view is not None:
                found.append(view)
            if len(found) >= limit or msg.metadata.num_pending == 0:
                break
        return found, cursor


def _entitled(raw: bytes, sequence: int, wanted: set[str], agency_id: str
              ) -> dict[str, Any] | None:
    try:
        event = json.loads(raw)
    except ValueError:
        return None  # not a CloudEvent: never for partners
    if not isinstance(event, dict) or event.get("type") not in wanted:
        return None
    agency = event.get("agency")
    if not isinstance(agency, str) or not (agency == agency_id
                                            or agency.startswith(agency_id + ".")):
        return None
    return partner_view(event, CONTRACTS[event["type"]], sequence)


async def partner_principal(request: Request) -> Principal:
    token = bearer_token(request.scope)
    if token is None:
        raise Unauthorized("A partner system's access token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(token)
    if principal.kind != "client":
        raise Forbidden("Events are for partner systems (client credentials).",
                        code="client_required")
    if not principal.agency_id:
        raise Forbidden("This client is bound to no agency.", code="client_without_agency")
    return principal


def _admit(request: Request, principal: Principal) -> None:
    """The same limits as proxied routes: per IP, then per verified client."""
    limiter: RateLimiter = request.app.state.limiter
    for wait in (limiter.ip_wait(request.scope),
                 limiter.client_wait(request.scope, principal.subject)):
        if wait is not None:
            raise TooManyRequests(f"Too many requests: try again in {wait} s.",
                                  headers={"Retry-After": str(wait)})


def events_router() -> APIRouter:
    router = APIRouter(tags=["events"])

    @router.get("/api/v1/events", openapi_extra=access("authenticated"),
                responses=problem_responses(Unauthorized, Forbidden, ValidationFailed,
                                            TooManyRequests, ServiceUnavailable))
    async def read_events(
        request: Request,
        types: Annotated[str | None, Query(max_length=2000)] = None,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    ) -> JSONResponse:
        """Access: authenticated, by a partner system only (client credentials, with
        ``events:<context>`` scopes, bound to an agency). The events of one stream after the
        cursor ``after`` (a stream sequence), those of the client's agency subtree only;
        ``next`` is the cursor for the next call."""
        principal = await partner_principal(request)
        _admit(request, principal)
        stream, contracts = choose_contracts(principal, types)
        reader: EventReader = request.app.state.event_reader
        assert principal.agency_id is not None
        found, cursor = await reader.read(stream, after=after, wanted={c.type for c in contracts},
                                          agency_id=principal.agency_id, limit=limit)
        return JSONResponse({"stream": stream, "events": found, "next": cursor},
                            headers={"Cache-Control": "no-store"})

    return router

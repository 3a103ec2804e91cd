"""One OpenAPI 3.1 document for the whole public API, merged from the services' own documents
(each service stays the authority on its endpoints), cached briefly."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import structlog

from gateway.routes import RouteTable
from gateway.upstreams import UpstreamClient

log = structlog.get_logger("gateway.openapi")

Document = dict[str, Any]
# An incomplete document (a service was down) is retried soon rather than served for long.
_INCOMPLETE_TTL_SECONDS = 5.0


class OpenApiAggregator:
    """Fetches every upstream's ``/openapi.json`` concurrently and serves the merged result
    from a cache; a service that is down is left out (and named in ``x-missing-services``)."""

    def __init__(
        self, client: UpstreamClient, routes: RouteTable,
        upstream_urls: Mapping[str, Sequence[str]],
        base: Callable[[], Document], *, ttl_seconds: float, timeout_seconds: float,
    ) -> None:
        self.client = client
        self.routes = routes
        self.upstream_urls = dict(upstream_urls)
        self.base = base
        self.ttl_seconds = ttl_seconds
        self.timeout_seconds = timeout_seconds
        self._cached: Document | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> Document:
        if self._cached is not None and time.monotonic() < self._expires_at:
            return self._cached
        async with self._lock:  # one refresh at a time, however many callers wait
            if self._cached is None or time.monotonic() >= self._expires_at:
                await self._refresh()
        assert self._cached is not None
        return self._cached

    async def _refresh(self) -> None:
        names = list(self.upstream_urls)
        fetched = await asyncio.gather(*(self._fetch(name) for name in names))
        documents = {name: doc for name, doc in zip(names, fetched, strict=True) if doc}
        merged = merge_documents(self.base(), documents, self.routes)
        missing = [name for name in names if name not in documents]
        if missing:
            merged["info"]["x-missing-services"] = missing
        ttl = self.ttl_seconds if not missing else min(self.ttl_seconds, _INCOMPLETE_TTL_SECONDS)
        self._cached, self._expires_at = merged, time.monotonic() + ttl

    async def _fetch(self, name: str) -> Document | None:
        """The first replica's document that can be had (every replica serves the same)."""
        for base in self.upstream_urls[name]:
            document = await self._fetch_from(name, base + "/openapi.json")
            if document is not None:
                return document
        return None

    async def _fetch_from(self, name: str, url: str) -> Document | None:
        try:
            status, body = await self.client.get_json(url, self.timeout_seconds)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("openapi_fetch_failed", upstream=name, error=repr(exc))
            return None
        if status != 200 or not isinstance(body, dict):
            log.warning("openapi_fetch_failed", upstream=name, status=status)
            return None
        return body


def merge_documents(
    base: Document, documents: Mapping[str, Document], routes: RouteTable
) -> Document:
    """Union of paths and components. A path is taken only from the service the gateway routes
    it to (so the document never promises what the gateway will not relay); a component name
    two services define differently is renamed in the later one, with its ``$ref``s."""
    merged = copy.deepcopy(base)
    merged.setdefault("paths", {})
    merged.setdefault("components", {})
    for name, document in documents.items():
        document = _rename_conflicts(document, merged["components"], name)
        _merge_paths(merged["paths"], document.get("paths", {}), name, routes)
        _merge_components(merged["components"], document.get("components", {}))
        _merge_tags(merged, document.get("tags", []))
    return merged


def _merge_paths(
    target: dict[str, Any], paths: Mapping[str, Any], upstream: str, routes: RouteTable
) -> None:
    for path, item in paths.items():
        if routes.upstream_of(path) == upstream:
            target[path] = _with_rate_limit(item)


# The gateway's rate limits cover every path it relays (the "default" group at least).
_RATE_LIMITED = {
    "description": "Too many requests (`rate_limited`): the gateway's rate limit; try again "
                   "after `Retry-After` seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/problem+json": {"schema": {
        "type": "object", "required": ["type", "title", "status", "code"],
        "properties": {name: {"type": "integer" if name == "status" else "string"} for name in
                       ("type", "title", "status", "detail", "code", "instance",
                        "request_id")}}}},
}


def _with_rate_limit(item: Any) -> Any:
    """A relayed path's operations, each also answering the gateway's own 429."""
    if isinstance(item, dict):
        for operation in item.values():
            if isinstance(operation, dict) and isinstance(operation.get("responses"), dict):
                operation["responses"].setdefault("429", copy.deepcopy(_RATE_LIMITED))
    return item


def _merge_components(target: dict[str, Any], components: Mapping[str, Any]) -> None:
    for kind, entries in components.items():
        if isinstance(entries, dict):
            section = target.setdefault(kind, {})
            for key, value in entries.items():
                section.setdefault(key, value)


def _merge_tags(merged: Document, tags: list[Any]) -> None:
    known = {tag.get("name") for tag in merged.get("tags", []) if isinstance(tag, dict)}
    for tag in tags:
        if isinstance(tag, dict) and tag.get("name") not in known:
            merged.setdefault("tags", []).append(tag)
            known.add(tag.get("name"))


def _rename_conflicts(
    document: Document, existing: Mapping[str, Any], upstream: str
) -> Document:
    renames = _conflicting_components(document, existing, upstream)
    if not renames:
        return document
    renamed: Document = _rewrite_refs(document, {
        f"#/components/{kind}/{old}": f"#/components/{kind}/{new}"
        for (kind, old), new in renames.items()
    })
    for (kind, old), new in renames.items():
        section = renamed["components"][kind]
        section[new] = section.pop(old)
    return renamed


def _conflicting_components(
    document: Document, existing: Mapping[str, Any], upstream: str
) -> dict[tuple[str, str], str]:
    """(kind, name) → new name, for each component already merged with another content."""
    renames: dict[tuple[str, str], str] = {}
    for kind, entries in document.get("components", {}).items():
        taken = existing.get(kind, {})
        if isinstance(entries, dict):
            for key, value in entries.items():
                if key in taken and taken[key] != value:
                    renames[(kind, key)] = upstream.capitalize() + key
    return renames


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: (renames.get(value, value) if key == "$ref" and isinstance(value, str)
                  else _rewrite_refs(value, renames))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node

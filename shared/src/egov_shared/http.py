"""HTTP clients to other services and to the national systems. httpx reads the CA bundle each
time a client is made (~0.1 s of CPU, measured: it dominated forwarding a package); the TLS
context is made once per process and shared."""

from __future__ import annotations

import asyncio
import functools
import ssl
import weakref
from typing import Any

import httpx


@functools.cache
def tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with the process's TLS context (``transport`` wins if given)."""
    kwargs.setdefault("verify", tls())
    return httpx.AsyncClient(**kwargs)


_POOLED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary())


def pooled(name: str, **kwargs: Any) -> httpx.AsyncClient:
    """The client ``name`` of the running event loop, made on first use and kept for the
    loop's life: for calls made many times a second from background work, which then reuse
    their connections (a client per call opened a connection each time)."""
    clients = _POOLED.setdefault(asyncio.get_running_loop(), {})
    if name not in clients or clients[name].is_closed:
        clients[name] = client(**kwargs)
    return clients[name]

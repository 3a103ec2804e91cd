"""HTTP clients to other services and to the national systems. httpx reads the CA bundle each
time a client is made (~0.1 s of CPU, measured: it dominated forwarding a package); the TLS
context is made once per process and shared."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with the process's TLS context (``transport`` wins if given)."""
    kwargs.setdefault("verify", tls())
    return httpx.AsyncClient(**kwargs)

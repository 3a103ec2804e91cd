"""Request bodies from outside (edXML packages, scanned PDFs) read as hostile: the announced
``Content-Length`` is checked before a byte is read, and the size again while the body streams,
so an oversized body is refused with 413 without being read to its end."""

from __future__ import annotations

from fastapi import Request
from starlette.requests import ClientDisconnect

from egov_shared.errors import AppError, BadRequest

XML_TYPES = ("application/xml", "text/xml")


class PackageTooLarge(AppError):
    status, code, title = 413, "package_too_large", "Package too large"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


def too_large(limit: int) -> PackageTooLarge:
    return PackageTooLarge(f"Gói tin vượt giới hạn {limit} byte.", extra={"max_bytes": limit})


def require_xml(request: Request) -> None:
    """``application/xml`` (or ``text/xml``, or a ``+xml`` type): an edXML package."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in XML_TYPES and not media.endswith("+xml"):
        raise UnsupportedMediaType("Gói tin edXML gửi với Content-Type: application/xml.",
                                   extra={"content_type": media or None})


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or 413 ``package_too_large`` as soon as it is known to exceed ``limit``."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise BadRequest("Gói tin gửi lên bị gián đoạn.", code="upload_incomplete") from exc
    return b"".join(chunks)

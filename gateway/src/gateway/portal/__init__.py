"""The web portal (Cổng dịch vụ công): static files served by the gateway, no build step.

The pages are ES modules and one stylesheet under ``static/``; they call the public REST API
through this same gateway, as any frontend would, and sign people in with the authorization
code flow + PKCE of the platform's OIDC provider (client ``egov-portal``). The files are read
once, gzipped once, and answered with an ETag so that a revisit costs a 304."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

from egov_shared.errors import problem

STATIC = Path(__file__).parent / "static"
# The portal's own policy: its scripts and styles from this origin only, no inline code, no
# plugins, API calls to this origin, downloads as blobs, never framed.
PORTAL_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
              "blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
              "frame-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PRELOAD_MARK = b"<!-- modules -->\n"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml",
         ".json": "application/json"}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


def asset(body: bytes, media_type: str) -> Asset:
    return Asset(body, gzip.compress(body, 9, mtime=0),
                 '"' + hashlib.sha256(body).hexdigest()[:20] + '"', media_type)


@cache
def assets() -> dict[str, Asset]:
    """Every file under ``static/`` by its URL path; ``/`` is index.html with a preload hint
    for every module, so that the browser fetches them all at once instead of one import
    level after another."""
    found: dict[str, Asset] = {}
    for file in sorted(STATIC.rglob("*")):
        if file.is_file():
            media = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
            found["/portal/" + file.relative_to(STATIC).as_posix()] = asset(
                file.read_bytes(), media or "application/octet-stream")
    hints = "".join(f'<link rel="modulepreload" href="{path}">\n' for path in found
                    if path.endswith(".js"))
    index = found["/portal/index.html"].body.replace(PRELOAD_MARK, hints.encode())
    found["/"] = found["/portal/index.html"] = asset(index, TYPES[".html"])
    return found


def answer(request: Request, asset: Asset) -> Response:
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding",
               "Content-Security-Policy": PORTAL_CSP}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def portal_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.api_route("/", methods=["GET", "HEAD"])
    async def index(request: Request) -> Response:
        """Access: public. The portal's single page (screens are routed after ``#``)."""
        return answer(request, assets()["/"])

    @router.api_route("/portal/{path:path}", methods=["GET", "HEAD"])
    async def asset(request: Request, path: str) -> Response:
        """Access: public. The portal's scripts, styles and icons; nothing else is served."""
        found = assets().get("/portal/" + path)
        if found is None:
            return problem(404, "not_found", "Not found", "No such file in the portal.", request)
        return answer(request, found)

    @router.api_route("/favicon.ico", methods=["GET", "HEAD"])
    async def favicon(request: Request) -> Response:
        """Access: public. Browsers ask for it whatever the page says."""
        return answer(request, assets()["/portal/favicon.svg"])

    return router

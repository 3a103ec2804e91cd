"""The web portal's files as the gateway serves them: the page and its modules, compressed,
revalidated by ETag, under the portal's own Content-Security-Policy, and nothing else."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx

from gateway.portal import STATIC

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
MODULE_IMPORT = re.compile(r'from "(\.{1,2}/[^"]+)"')


class TestPortalFiles:
    async def test_the_page_is_served_at_the_root_with_the_portal_policy(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(signed_in=False) as gateway:
            page = await gateway.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="vi">' in page.text and "Cổng dịch vụ công" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert page.headers["x-content-type-options"] == "nosniff"

    async def test_files_are_gzipped_and_revalidated_by_etag(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(signed_in=False) as gateway:
            raw = await gateway.get("/portal/js/app.js", headers={"Accept-Encoding": "identity"})
            zipped = await gateway.get("/portal/js/app.js", headers={"Accept-Encoding": "gzip"})
            again = await gateway.get("/portal/js/app.js",
                                      headers={"If-None-Match": raw.headers["etag"]})
            head = await gateway.head("/portal/app.css")
        assert raw.headers["content-type"] == "text/javascript; charset=utf-8"
        assert "content-encoding" not in raw.headers
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == raw.content  # httpx decoded it: the same file
        assert int(zipped.headers["content-length"]) < len(raw.content)
        assert again.status_code == 304 and not again.content
        assert head.status_code == 200 and head.headers["content-type"].startswith("text/css")

    async def test_only_the_portal_files_are_served(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(signed_in=False) as gateway:
            answers = [await gateway.get(path) for path in (
                "/portal/missing.js", "/portal/../portal/__init__.py", "/portal/%2e%2e/main.py",
                "/portal/", "/portal/js")]
        for answer in answers:
            assert answer.status_code == 404, answer.request.url
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["code"] == "not_found"

    def test_every_module_the_page_imports_exists(self) -> None:
        """A typo in an import path is a blank page in the browser: caught here first."""
        for module in STATIC.rglob("*.js"):
            for target in MODULE_IMPORT.findall(module.read_text(encoding="utf-8")):
                assert (module.parent / target).resolve().is_file(), f"{module.name}: {target}"
        index = (STATIC / "index.html").read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="/portal/([^"]+)"', index):
            assert (STATIC / target).is_file(), target

    def test_the_files_are_small(self) -> None:
        total = sum(len(gzip.compress(f.read_bytes())) for f in STATIC.rglob("*") if f.is_file())
        assert total < 500 * 1024, f"{total} bytes compressed"

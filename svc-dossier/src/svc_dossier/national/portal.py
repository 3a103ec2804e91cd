"""The province's side of the national portal's dossier API: pushes and the status query,
over HTTPS (``http`` may be a client bound to the simulator in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from egov_shared import http as shared_http
from svc_dossier.national.format import MESSAGE_NAMES

# MaLoi of the national portal (and its simulator).
ACCEPTED, DUPLICATE, UNKNOWN_DOSSIER = "00", "02", "04"
ACKNOWLEDGED = frozenset({ACCEPTED, DUPLICATE})
MAX_MESSAGES = 100  # per push call (the ``data`` array)


class PortalUnavailable(Exception):
    """No answer, or an answer that is not the portal's (5xx, not JSON, no MaLoi, no KetQua
    item per message): try again later."""


@dataclass(frozen=True)
class PortalAnswer:
    code: str  # MaLoi
    message: str  # MoTaLoi
    body: dict[str, Any]

    @classmethod
    def of(cls, body: dict[str, Any]) -> PortalAnswer:
        return cls(str(body["MaLoi"]), str(body.get("MoTaLoi", "")), body)


class NationalPortal:
    def __init__(self, base_url: str, *, timeout: float, token: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token
        self.http = http

    async def push(self, kind: str, payloads: list[dict[str, Any]]) -> list[PortalAnswer]:
        """``DongBoHoSoMC`` (kind ``dossier``) or ``CapNhatTienDoHoSoMC`` (``progress``) of
        1..``MAX_MESSAGES`` messages in one call (``{"data": [...]}``): the portal's answer to
        each (its ``KetQua`` item), in the same order."""
        name = MESSAGE_NAMES[kind]
        answer = await self._call(f"/api/{name}", {"data": payloads})
        items = answer.body.get("KetQua")
        if not isinstance(items, list) or len(items) != len(payloads) or not all(
                isinstance(item, dict) and "MaLoi" in item for item in items):
            raise PortalUnavailable(f"{name}: {answer.code} {answer.message} without a KetQua "
                                    f"item per message")
        return [PortalAnswer.of(item) for item in items]

    async def statuses(self, codes: list[str]) -> dict[str, int]:
        """MaHoSo → TrangThaiHoSo as the portal knows them (``TraCuuHoSo``)."""
        answer = await self._call("/api/TraCuuHoSo", {"DanhSachMaHoSo": codes})
        if answer.code != ACCEPTED:
            raise PortalUnavailable(f"TraCuuHoSo: {answer.code} {answer.message}")
        return {str(item["MaHoSo"]): int(item["TrangThaiHoSo"])
                for item in answer.body.get("DanhSach") or []}

    async def _call(self, path: str, body: dict[str, Any]) -> PortalAnswer:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        # The process's pooled connections unless a client was given (tests bind one to the
        # simulator): a client per push rebuilt its connection and cost more CPU than the
        # submissions themselves.
        http = self.http or shared_http.pooled("national-portal")
        try:
            response = await http.post(self.base_url + path, json=body, headers=headers,
                                       timeout=self.timeout)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PortalUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500 or not isinstance(answer, dict) or "MaLoi" not in answer:
            raise PortalUnavailable(f"HTTP {response.status_code}")
        return PortalAnswer.of(answer)

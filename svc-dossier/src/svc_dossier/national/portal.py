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


class PortalUnavailable(Exception):
    """No answer, or an answer that is not the portal's (5xx, not JSON): try again later."""


@dataclass(frozen=True)
class PortalAnswer:
    code: str  # MaLoi
    message: str  # MoTaLoi
    body: dict[str, Any]


class NationalPortal:
    def __init__(self, base_url: str, *, timeout: float, token: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token
        self.http = http

    async def push(self, kind: str, payload: dict[str, Any]) -> PortalAnswer:
        """``DongBoHoSoMC`` (kind ``dossier``) or ``CapNhatTienDoHoSoMC`` (``progress``)."""
        return await self._call(f"/api/{MESSAGE_NAMES[kind]}", payload)

    async def statuses(self, codes: list[str]) -> dict[str, int]:
        """MaHoSo → TrangThaiHoSo as the portal knows them (``TraCuuHoSo``)."""
        answer = await self._call("/api/TraCuuHoSo", {"DanhSachMaHoSo": codes})
        if answer.code != ACCEPTED:
            raise PortalUnavailable(f"TraCuuHoSo: {answer.code} {answer.message}")
        return {str(item["MaHoSo"]): int(item["TrangThaiHoSo"])
                for item in answer.body.get("DanhSach") or []}

    async def _call(self, path: str, body: dict[str, Any]) -> PortalAnswer:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            if self.http is not None:
                response = await self.http.post(self.base_url + path, json=body,
                                                headers=headers, timeout=self.timeout)
            else:
                async with shared_http.client(timeout=self.timeout) as http:
                    response = await http.post(self.base_url + path, json=body,
                                               headers=headers)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PortalUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500 or not isinstance(answer, dict) or "MaLoi" not in answer:
            raise PortalUnavailable(f"HTTP {response.status_code}")
        return PortalAnswer(str(answer["MaLoi"]), str(answer.get("MoTaLoi", "")), answer)

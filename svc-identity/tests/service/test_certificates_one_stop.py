"""One-stop-shop officers sign their agency's receipts (Mẫu 01) with its organisational
certificate by remote signing; still only within exactly their own agency."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

API = "/api/v1/certificates"
DIGEST = hashlib.sha256("Giấy tiếp nhận hồ sơ và hẹn trả kết quả".encode()).digest()


async def fresh_organisational(client: httpx.AsyncClient, tokens: Any,
                               agency_id: str) -> dict[str, Any]:
    """The agency's organisational certificate, issued anew (the current one superseded)."""
    admin = await tokens.bearer("admin")
    listed = await client.get(API, params={"agency_id": agency_id, "status": "valid"},
                              headers=admin)
    for cert in listed.json():
        if cert["kind"] == "organisational":
            await client.post(f"{API}/{cert['serial']}/revoke", json={"reason": "superseded"},
                              headers=admin)
    issued = await client.post(API, json={"kind": "organisational", "agency_id": agency_id},
                               headers=admin)
    assert issued.status_code == 201, issued.text
    return dict(issued.json())


async def sign(client: httpx.AsyncClient, headers: dict[str, str],
               serial: str) -> httpx.Response:
    body = {"digest_algorithm": "sha256", "digest": base64.b64encode(DIGEST).decode()}
    return await client.post(f"{API}/{serial}/signatures", json=body, headers=headers)


class TestOneStopOfficerSigns:
    async def test_motcua_signs_with_the_service_centres_certificate(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        cert = await fresh_organisational(client, tokens, "H56.20")
        answer = await sign(client, await tokens.bearer("motcua"), cert["serial"])
        assert answer.status_code == 200, answer.text
        public_key = x509.load_pem_x509_certificate(
            answer.json()["certificate_pem"].encode()).public_key()
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(base64.b64decode(answer.json()["signature"]), DIGEST,
                          ec.ECDSA(utils.Prehashed(hashes.SHA256())))

    async def test_motcua_cannot_use_another_agencys_certificate(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        cert = await fresh_organisational(client, tokens, "H56.14")
        answer = await sign(client, await tokens.bearer("motcua"), cert["serial"])
        assert answer.status_code == 404 and answer.json()["code"] == "certificate_not_found"

    async def test_a_processing_officer_still_may_not_sign_for_the_agency(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        cert = await fresh_organisational(client, tokens, "H56.14")
        answer = await sign(client, await tokens.bearer("chuyenvien"), cert["serial"])
        assert answer.status_code == 403 and answer.json()["code"] == "not_the_signer"

"""An official document end to end, through the gateway, with the whole platform as processes:
Sở Tư pháp's officer drafts it, the leader approves and signs it (his certificate, issued by
the demo, key in svc-identity), the clerk issues it to Sở Xây dựng on the platform; the package
travels on the axis, arrives at Sở Xây dựng with a valid signature report, its clerk registers
it, and 01 then 03 come back to the sender; svc-reporting counts the documents."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from egov_testing import eventually
from tests.platform import DEMO_PASSWORD, bearer, login
from tests.test_forms_e2e import login_with_totp

pytestmark = pytest.mark.e2e
SENDER, RECIPIENT = "H56.14", "H56.16"  # Sở Tư pháp → Sở Xây dựng


async def step(gateway: httpx.AsyncClient, headers: dict[str, str], document_id: str,
               action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await gateway.post(f"/api/v1/documents/{document_id}/{action}", headers=headers,
                           json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def recipient_clerk(gateway: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    """Sở Xây dựng has no demo clerk: the administrator appoints one."""
    r = await gateway.post("/api/v1/officials", headers=admin, json={
        "username": "vanthu.sxd", "full_name": "Đỗ Thị Hạnh", "agency_id": RECIPIENT,
        "position": "Văn thư", "roles": ["clerk"], "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    return bearer(await login(gateway, "vanthu.sxd", DEMO_PASSWORD))


async def kpis(gateway: httpx.AsyncClient, headers: dict[str, str],
               agency: str) -> dict[str, Any]:
    r = await gateway.get("/api/v1/reports/kpis", params={"agency": agency}, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json()["documents"])


class TestDocumentAcrossAgencies:
    async def test_issued_at_one_agency_registered_at_another_and_counted(
        self, gateway: httpx.AsyncClient
    ) -> None:
        officer = bearer(await login(gateway, "chuyenvien", DEMO_PASSWORD))
        clerk = bearer(await login(gateway, "vanthu", DEMO_PASSWORD))
        leader = bearer(await login_with_totp(gateway, "lanhdao"))
        admin = bearer(await login_with_totp(gateway, "admin"))
        leader_id = (await gateway.get("/api/v1/me", headers=leader)).json()["id"]
        before = await kpis(gateway, admin, "H56")

        created = await gateway.post("/api/v1/documents", headers=officer, json={
            "doc_type": "CV", "unit_notation": "VP",
            "subject": "V/v phối hợp thẩm định hồ sơ cấp phép xây dựng",
            "body": "Sở Tư pháp đề nghị Sở Xây dựng phối hợp thẩm định.",
            "signer": {"account_id": leader_id, "name": "Lê Văn Cường",
                       "position": "GIÁM ĐỐC"},
            "recipients": [{"agency_id": RECIPIENT}]})
        assert created.status_code == 201, created.text
        document_id = created.json()["id"]
        await step(gateway, officer, document_id, "submit")
        await step(gateway, leader, document_id, "approve")
        await step(gateway, leader, document_id, "sign")
        issued = await step(gateway, clerk, document_id, "issue")
        assert issued["status"] == "issued" and issued["number"] == 1
        assert issued["notation"] == "STP-VP"  # a công văn: issuer–drafting unit

        receiving = await recipient_clerk(gateway, admin)
        arrived = await eventually(lambda: _incoming(gateway, receiving), timeout=30)
        assert arrived, "the package never arrived at Sở Xây dựng"
        incoming = arrived[0]
        assert incoming["subject"].startswith("V/v phối hợp thẩm định")
        assert incoming["signature_report"]["status"] == "valid"
        registered = await step(gateway, receiving,
                                f"incoming/{incoming['id']}", "register")
        assert registered["arrival_number"] >= 1

        async def answered() -> str | None:
            r = await gateway.get(f"/api/v1/documents/{document_id}", headers=clerk)
            status = r.json()["recipients"][0]["status_code"]
            return status if status == "03" else None

        assert await eventually(answered, timeout=30) == "03"
        # Each agency sees its own copy only: the recipient's clerk not the sender's draft
        # and signatures, the sender's clerk not the recipient's register.
        hidden = await gateway.get(f"/api/v1/documents/{document_id}", headers=receiving)
        assert hidden.status_code == 404
        theirs = await gateway.get(f"/api/v1/documents/incoming/{incoming['id']}",
                                   headers=clerk)
        assert theirs.status_code == 404

        async def counted() -> dict[str, Any] | None:
            now = await kpis(gateway, admin, "H56")
            grew = (now["outgoing"]["issued"] > before["outgoing"]["issued"]
                    and now["incoming"]["registered"] > before["incoming"]["registered"])
            return now if grew else None

        now = await eventually(counted, timeout=30)
        assert now is not None, "svc-reporting did not count the documents"
        assert now["outgoing"]["signed"] > before["outgoing"]["signed"]
        assert now["incoming"]["online"] > before["incoming"]["online"]  # over the axis


async def _incoming(gateway: httpx.AsyncClient,
                    headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await gateway.get("/api/v1/documents/incoming", headers=headers)
    assert r.status_code == 200, r.text
    return [d for d in r.json() if d.get("source") == "axis"]

"""Officers' queues and the diacritic-insensitive search over dossiers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from egov_shared.timeutil import utcnow
from egov_testing import TestIssuer
from svc_dossier.models import dossier
from svc_dossier.settings import DossierSettings

LLTP = "2.000748.000.00.00.H56"
LLTP_BODY = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
AGENCY = "H56.14"


@pytest.fixture(scope="module")
async def engine(dossier_settings: DossierSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(dossier_settings.database_url)
    yield engine
    await engine.dispose()


def officer(issuer: TestIssuer, agency: str = AGENCY) -> dict[str, str]:
    return issuer.headers(kind="official", agency_id=agency,
                          roles=["one_stop_officer", "processing_officer", "leader"])


async def counter(client: httpx.AsyncClient, issuer: TestIssuer, name: str,
                  agency: str = AGENCY) -> str:
    r = await client.post("/api/v1/dossiers", headers=officer(issuer), json={
        **LLTP_BODY, "channel": "counter", "agency_id": agency,
        "applicant": {"id_number": "038190004321", "full_name": name}})
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: object) -> list[str]:
    r = await client.get("/api/v1/dossiers", headers=headers, params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return [d["code"] for d in r.json()]


async def set_due(engine: AsyncEngine, code: str, delta: timedelta) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(dossier).where(dossier.c.code == code).values(
            due_at=utcnow() + delta))


class TestQueues:
    async def test_each_queue_holds_its_statuses(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = officer(issuer)
        new = await counter(client, issuer, "Lê Văn Mới")
        processing = await counter(client, issuer, "Lê Văn Xử")
        await client.post(f"/api/v1/dossiers/{processing}/hand-over", headers=headers,
                          json={"to_agency_id": "H56.14.02", "deadline_days": 2})
        waiting = await counter(client, issuer, "Lê Văn Chờ")
        await client.post(f"/api/v1/dossiers/{waiting}/request-supplement", headers=headers,
                          json={"reason": "Thiếu", "missing": ["Ảnh 4x6"]})
        refused = await counter(client, issuer, "Lê Văn Từ")
        await client.post(f"/api/v1/dossiers/{refused}/refuse", headers=headers,
                          json={"reason": "Sai thẩm quyền"})
        expected = {"new": new, "processing": processing, "supplement": waiting,
                    "finished": refused}
        for queue, code in expected.items():
            codes = await listed(client, headers, queue=queue)
            assert code in codes, queue
            assert not (set(expected.values()) - {code}) & set(codes), queue

    async def test_due_soon_and_overdue_are_due_first(
        self, client: httpx.AsyncClient, issuer: TestIssuer, engine: AsyncEngine
    ) -> None:
        headers = officer(issuer)
        late, later, soon, far = [await counter(client, issuer, f"Hạn {i}") for i in range(4)]
        await set_due(engine, late, -timedelta(days=3))
        await set_due(engine, later, -timedelta(days=1))
        await set_due(engine, soon, timedelta(minutes=5))
        await set_due(engine, far, timedelta(days=60))
        overdue = await listed(client, headers, queue="overdue")
        assert overdue.index(late) < overdue.index(later)
        assert soon not in overdue and far not in overdue
        due_soon = await listed(client, headers, queue="due_soon")
        assert soon in due_soon and far not in due_soon and late not in due_soon

    async def test_agency_narrows_inside_the_subtree_only(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        unit = await counter(client, issuer, "Đơn Vị Con", agency="H56.14.05")
        top = await counter(client, issuer, "Cơ Quan Cha")
        codes = await listed(client, officer(issuer), agency="H56.14.05")
        assert unit in codes and top not in codes
        r = await client.get("/api/v1/dossiers", headers=officer(issuer, "H56.14.05"),
                             params={"agency": "H56.14"})
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"

    async def test_citizens_have_no_queues(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        citizen = issuer.headers(sub=uuid.uuid4().hex, kind="citizen")
        r = await client.get("/api/v1/dossiers", headers=citizen, params={"queue": "new"})
        assert r.status_code == 403 and r.json()["code"] == "queue_for_officers"


class TestSearch:
    @pytest.mark.parametrize("q", ["nguyen van an", "NGUYỄN VĂN AN", "van an", "ly lich tu phap"])
    async def test_diacritic_insensitive(
        self, client: httpx.AsyncClient, issuer: TestIssuer, q: str
    ) -> None:
        code = await counter(client, issuer, "Nguyễn Văn An")
        assert code in await listed(client, officer(issuer), q=q)

    async def test_by_code_and_status(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        code = await counter(client, issuer, "Phạm Thị Hoa")
        assert await listed(client, officer(issuer), q=code) == [code]
        assert code in await listed(client, officer(issuer), q=code, status_code=2)
        assert await listed(client, officer(issuer), q=code, status_code=4) == []

    async def test_officer_of_another_subtree_finds_nothing(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        code = await counter(client, issuer, "Võ Thị Sáu")
        assert await listed(client, officer(issuer, "H56.16"), q=code) == []

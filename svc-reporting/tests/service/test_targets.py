"""Targets of the steering committee through the API: KPI-backed actuals computed from events
published on JetStream, hand-entered actuals with evidence, progress classes at their
boundaries, access to the owner's subtree only, and the demo seed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest

from egov_shared.events import new_event
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_shared.timeutil import VN_TZ
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings
from svc_reporting.targets.demo import DEMO_TARGETS

BASE = "/api/v1/reports/targets"
AT = datetime(2026, 10, 6, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def client(databases: Databases, nats_server: NatsServer, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(database_url=databases.new_url("targets"),
                                 nats_url=nats_server.url, log_level="WARNING", demo=False)
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


def officer(issuer: TestIssuer, agency: str = "H56", role: str = "reporting_officer"
            ) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency, username="baocao")


def new_agency() -> str:
    return f"H56.{uuid.uuid4().hex[:6].upper()}"


def target(owner: str, source: dict[str, Any], plan: float, *, unit: str = "percent",
           direction: str = "higher", year: int = 2026) -> dict[str, Any]:
    return {"year": year, "code": "T" + uuid.uuid4().hex[:8], "name": "Tỷ lệ hồ sơ trực tuyến",
            "unit": unit, "plan_value": plan, "direction": direction,
            "owner_agency_id": owner, "source": source}


async def create(client: httpx.AsyncClient, issuer: TestIssuer, body: dict[str, Any]
                 ) -> dict[str, Any]:
    r = await client.post(BASE, json=body, headers=officer(issuer))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def shown(client: httpx.AsyncClient, issuer: TestIssuer, target_id: int
                ) -> dict[str, Any]:
    r = await client.get(f"{BASE}/{target_id}", headers=officer(issuer))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def publish_submissions(url: str, agency: str, online: int, counter: int) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for n, channel in enumerate(["online"] * online + ["counter"] * counter):
        code = f"{agency}-261006-{n:04d}"
        event = new_event(type=DOSSIER_SUBMITTED.type, source="/test", subject=code, data={
            "code": code, "procedure_code": "1.000001.000.00.00.H56", "agency_id": agency,
            "channel": channel, "status_code": 1 if channel == "online" else 2,
            "submitted_at": AT.isoformat()})
        await js.publish(DOSSIER_SUBMITTED.subject, event.to_json())
    await nc.close()


class TestKpiTargets:
    async def test_actuals_come_from_the_kpis_and_classes_hold_at_their_boundaries(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        owner = new_agency()
        online = {"kind": "kpi", "path": "rates.online"}
        plans = {100: ("higher", 0.7, "at_least_70"), 140: ("higher", 0.5, "from_50_to_70"),
                 70: ("higher", 1.0, "achieved"), 49: ("lower", 0.7, "at_least_70")}
        ids = {plan: (await create(client, issuer, target(owner, online, plan,
                                                          direction=d)))["id"]
               for plan, (d, _, _) in plans.items()}
        await publish_submissions(nats_server.url, owner, online=7, counter=3)

        async def counted() -> bool:
            return (await shown(client, issuer, ids[100]))["actual"] == 70.0

        assert await eventually(counted, timeout=30)
        for plan, (_, progress, klass) in plans.items():
            found = await shown(client, issuer, ids[plan])
            assert (found["actual"], found["progress"], found["progress_class"]) == (
                70.0, progress, klass), plan
        assert found["window_start"] == "2025-12-15T00:00:00+07:00"
        assert found["window_end"] == "2026-12-15T00:00:00+07:00"

    async def test_an_index_target_follows_the_index_of_the_year(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        owner = new_agency()
        created = await create(client, issuer, target(
            owner, {"kind": "kpi", "path": "index766.total"}, 85, unit="points"))
        r = await client.get("/api/v1/reports/index-766", headers=officer(issuer), params={
            "agency": owner, "from": "2025-12-15", "to": "2026-12-14"})
        assert created["actual"] == r.json()["total"]

    @pytest.mark.parametrize(("path", "unit", "code"), [
        ("rates.online", "count", "unit_mismatch"),
        ("rates.nowhere", "percent", "unknown_source_path"),
    ])
    async def test_a_source_must_exist_and_fit_the_unit(
        self, client: httpx.AsyncClient, issuer: TestIssuer, path: str, unit: str, code: str
    ) -> None:
        body = target("H56", {"kind": "kpi", "path": path}, 10, unit=unit)
        r = await client.post(BASE, json=body, headers=officer(issuer))
        assert r.status_code == 422 and r.json()["code"] == code


class TestManualTargets:
    async def test_recorded_actuals_with_evidence_and_their_classes(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, target(new_agency(), {"kind": "manual"}, 50))
        assert (created["actual"], created["progress_class"]) == (None, "no_data")
        for value, progress, klass in ((35, 0.7, "at_least_70"), (25, 0.5, "from_50_to_70"),
                                       (24.99, 0.4998, "below_50"), (50, 1.0, "achieved")):
            r = await client.put(f"{BASE}/{created['id']}/actual", headers=officer(issuer),
                                 json={"value": value, "note": "Biên bản kiểm tra quý III",
                                       "evidence_file": "docflow:document/42"})
            assert r.status_code == 200, r.text
            found = r.json()
            assert (found["actual"], found["progress"], found["progress_class"]) == (
                value, progress, klass)
        assert found["evidence"]["recorded_by"] == "baocao"
        assert found["evidence"]["file"] == "docflow:document/42"
        assert found["evidence"]["recorded_at"].endswith("+07:00")

    async def test_evidence_is_required_and_kpi_targets_take_no_hand_value(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        owner = new_agency()
        manual = await create(client, issuer, target(owner, {"kind": "manual"}, 50))
        r = await client.put(f"{BASE}/{manual['id']}/actual", headers=officer(issuer),
                             json={"value": 10, "note": "không có minh chứng"})
        assert r.status_code == 422 and r.json()["code"] == "evidence_required"
        kpi = await create(client, issuer, target(owner, {"kind": "kpi",
                                                          "path": "rates.online"}, 50))
        r = await client.put(f"{BASE}/{kpi['id']}/actual", headers=officer(issuer), json={
            "value": 10, "note": "x", "evidence_url": "https://example.vn/a"})
        assert r.status_code == 409 and r.json()["code"] == "target_not_manual"


class TestListing:
    async def test_the_year_lists_the_subtree_with_classes(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        owner = new_agency()
        first = await create(client, issuer, target(owner, {"kind": "manual"}, 50))
        await create(client, issuer, target(f"{owner}.1", {"kind": "manual"}, 50))
        await create(client, issuer, target(owner, {"kind": "manual"}, 50, year=2027))
        await client.put(f"{BASE}/{first['id']}/actual", headers=officer(issuer), json={
            "value": 60, "note": "x", "evidence_url": "https://example.vn/a"})
        r = await client.get(BASE, params={"year": 2026, "agency": owner},
                             headers=officer(issuer))
        assert r.status_code == 200, r.text
        listed = r.json()
        assert [t["owner_agency_id"] for t in listed["targets"]] == [owner, f"{owner}.1"]
        assert listed["summary"] == {"achieved": 1, "at_least_70": 0, "from_50_to_70": 0,
                                     "below_50": 0, "no_data": 1}

    async def test_a_change_and_a_deletion(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, target(new_agency(), {"kind": "manual"}, 50))
        r = await client.patch(f"{BASE}/{created['id']}", headers=officer(issuer),
                               json={"plan_value": 80, "name": "Tỷ lệ mới"})
        assert r.status_code == 200 and (r.json()["plan_value"], r.json()["name"]) == (
            80, "Tỷ lệ mới")
        r = await client.patch(f"{BASE}/{created['id']}", headers=officer(issuer),
                               json={"name": None, "note": "Ghi chú"})
        assert r.status_code == 200 and (r.json()["name"], r.json()["note"]) == (
            "Tỷ lệ mới", "Ghi chú")
        assert (await client.delete(f"{BASE}/{created['id']}",
                                    headers=officer(issuer))).status_code == 204
        r = await client.get(f"{BASE}/{created['id']}", headers=officer(issuer))
        assert r.status_code == 404 and r.json()["code"] == "target_not_found"


class TestAccess:
    async def test_an_officer_below_cannot_create_for_the_province(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post(BASE, json=target("H56", {"kind": "manual"}, 50),
                              headers=officer(issuer, "H56.14"))
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"
        r = await client.get(BASE, params={"agency": "H56"}, headers=officer(issuer, "H56.14"))
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"

    async def test_a_province_target_is_not_found_below_the_province(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        created = await create(client, issuer, target("H56", {"kind": "manual"}, 50))
        below = officer(issuer, "H56.14")
        for method in ("GET", "PATCH", "DELETE"):
            r = await client.request(method, f"{BASE}/{created['id']}", headers=below,
                                     json={"plan_value": 1} if method == "PATCH" else None)
            assert r.status_code == 404 and r.json()["code"] == "target_not_found", method

    async def test_leaders_read_but_do_not_write_and_citizens_do_neither(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        leader = officer(issuer, role="leader")
        assert (await client.get(BASE, headers=leader)).status_code == 200
        r = await client.post(BASE, json=target("H56", {"kind": "manual"}, 50), headers=leader)
        assert r.status_code == 403
        citizen = issuer.headers(kind="citizen")
        assert (await client.get(BASE, headers=citizen)).status_code == 403

    @pytest.mark.parametrize(("change", "code"), [
        ({"plan_value": -1}, "validation_failed"),
        ({"year": 1990}, "validation_failed"),
        ({"direction": "sideways"}, "validation_failed"),
        ({"owner_agency_id": "h56"}, "validation_failed"),
    ])
    async def test_bad_input_is_a_problem_with_a_stable_code(
        self, client: httpx.AsyncClient, issuer: TestIssuer, change: dict[str, Any], code: str
    ) -> None:
        body = target("H56", {"kind": "manual"}, 50) | change
        r = await client.post(BASE, json=body, headers=officer(issuer))
        assert r.status_code == 422 and r.json()["code"] == code
        assert r.headers["content-type"] == "application/problem+json"

    async def test_a_code_is_unique_per_owner_and_year(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        body = target(new_agency(), {"kind": "manual"}, 50)
        await create(client, issuer, body)
        r = await client.post(BASE, json=body, headers=officer(issuer))
        assert r.status_code == 409 and r.json()["code"] == "target_exists"


class TestDemo:
    async def test_the_demo_targets_are_seeded_once(
        self, databases: Databases, nats_server: NatsServer, issuer: TestIssuer
    ) -> None:
        settings = ReportingSettings(database_url=databases.new_url("targets_demo"),
                                     nats_url=nats_server.url, log_level="WARNING", demo=True)
        for _ in range(2):  # a restart seeds nothing twice
            async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as c:
                r = await c.get(BASE, params={"agency": "H56"}, headers=officer(issuer))
        assert r.status_code == 200, r.text
        listed = r.json()
        assert listed["year"] == datetime.now(VN_TZ).year
        assert sorted(t["code"] for t in listed["targets"]) == sorted(t[0] for t in DEMO_TARGETS)

"""The dashboard endpoints through the API, fed by events published on JetStream: buckets in
Vietnam time and zero-filled, ratio series, a breakdown by child agency equal to each child's
KPIs, an overview of the caller's agency, caching headers, and the access rule."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from egov_shared.events import contracts as c
from egov_shared.events import new_event
from egov_shared.timeutil import VN_TZ
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings

SERIES = "/api/v1/reports/dashboard/series"
AGENCIES = "/api/v1/reports/dashboard/agencies"
OVERVIEW = "/api/v1/reports/dashboard/overview"
PROCEDURE = "1.000001.000.00.00.H56"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


class Events:
    """Dossier events under a fresh agency root; ``publish`` sends them in order."""

    def __init__(self) -> None:
        self.root = f"H56.{uuid.uuid4().hex[:6].upper()}"
        self.items: list[tuple[c.EventContract, dict[str, Any]]] = []
        self.n = 0

    def submit(self, agency: str, at: datetime, *, channel: str = "online",
               due_at: datetime | None = None) -> dict[str, Any]:
        """Online: not yet received; counter: received on submission, due at ``due_at``."""
        self.n += 1
        base = {"code": f"{agency}-{self.n:06d}", "agency_id": agency, "channel": channel,
                "procedure_code": PROCEDURE, "online_level": "full"}
        self.items.append((c.DOSSIER_SUBMITTED, {
            **base, "status_code": 1 if channel == "online" else 2, "submitted_at": at,
            "due_at": due_at}))
        return base

    def finish(self, base: dict[str, Any], received_at: datetime, at: datetime, *,
               late: bool, satisfied: bool | None = None) -> None:
        self.items.append((c.DOSSIER_RETURNED, {
            **base, "action": "return_result", "status_code_before": 9, "status_code": 10,
            "at": at, "received_at": received_at, "actor_kind": "official",
            "timeliness": "late" if late else "on_time", "completed_at": at,
            "processing_working_hours": 8.0, "statutory_working_hours": 16.0}))
        if satisfied is not None:
            score = 5 if satisfied else 2
            self.items.append((c.DOSSIER_RATED, {
                **base, "scores": {"tiep_can": score}, "average": float(score),
                "satisfied": satisfied, "at": at}))

    async def publish(self, url: str) -> None:
        nc = await nats.connect(url)
        js = nc.jetstream()
        for contract, data in self.items:
            payload = contract.data_model.model_validate(data).model_dump(mode="json")
            event = new_event(type=contract.type, source="/test", subject=data["code"],
                              data=payload)
            await js.publish(contract.subject, event.to_json())
        await nc.close()


@pytest.fixture(scope="module")
async def client(databases: Databases, nats_server: NatsServer, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(database_url=databases.new_url("reporting"),
                                 nats_url=nats_server.url, log_level="WARNING")
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


def officer(issuer: TestIssuer, agency: str = "H56", role: str = "reporting_officer"
            ) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency)


async def get(client: httpx.AsyncClient, issuer: TestIssuer, path: str,
              **params: str) -> dict[str, Any]:
    r = await client.get(path, params=params, headers=officer(issuer))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def kpis(client: httpx.AsyncClient, issuer: TestIssuer, agency: str,
               **window: str) -> dict[str, Any]:
    return await get(client, issuer, "/api/v1/reports/kpis", agency=agency, **window)


async def published(client: httpx.AsyncClient, issuer: TestIssuer, events: Events,
                    nats_server: NatsServer, **window: str) -> None:
    """Publish, then wait until the root's KPIs count every submission and return."""
    await events.publish(nats_server.url)
    submitted = sum(1 for contract, _ in events.items if contract is c.DOSSIER_SUBMITTED)
    returned = sum(1 for contract, _ in events.items if contract is c.DOSSIER_RETURNED)

    async def counted() -> bool:
        d = (await kpis(client, issuer, events.root, **window))["dossiers"]
        return bool(d["submitted"] == submitted and d["completed"] == returned)

    assert await eventually(counted, timeout=30)


def values(answer: dict[str, Any], name: str) -> list[Any]:
    return next(s["values"] for s in answer["series"] if s["name"] == name)


class TestSeries:
    async def test_buckets_are_vietnam_months_zero_filled_and_clipped(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events = Events()
        events.submit(events.root, vn(2026, 10, 31, 23, 30))  # 16:30 UTC: still October
        events.submit(events.root, vn(2026, 11, 1, 0, 10))  # 31 Oct 17:10 UTC: November
        events.submit(events.root, vn(2026, 11, 20, 9, 0))
        window = {"from": "2026-09-15", "to": "2026-12-10"}
        await published(client, issuer, events, nats_server, **window)
        answer = await get(client, issuer, SERIES, agency=events.root, bucket="month",
                           metrics="submitted", **window)
        assert [(b["label"], b["first"], b["last"]) for b in answer["buckets"]] == [
            ("2026-09", "2026-09-15", "2026-09-30"), ("2026-10", "2026-10-01", "2026-10-31"),
            ("2026-11", "2026-11-01", "2026-11-30"), ("2026-12", "2026-12-01", "2026-12-10")]
        assert values(answer, "submitted") == [0, 1, 2, 0]

    async def test_day_and_week_buckets(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events = Events()
        for at in (vn(2026, 10, 5, 8), vn(2026, 10, 5, 23, 59), vn(2026, 10, 8, 0, 0)):
            events.submit(events.root, at)
        window = {"from": "2026-10-04", "to": "2026-10-13"}  # Sunday to the Tuesday after
        await published(client, issuer, events, nats_server, **window)
        days = await get(client, issuer, SERIES, agency=events.root, bucket="day",
                         metrics="submitted", **window)
        assert [b["label"] for b in days["buckets"]][:3] == ["2026-10-04", "2026-10-05",
                                                              "2026-10-06"]
        assert values(days, "submitted") == [0, 2, 0, 0, 1, 0, 0, 0, 0, 0]
        weeks = await get(client, issuer, SERIES, agency=events.root, bucket="week",
                          metrics="submitted", **window)
        assert [(b["label"], b["first"], b["last"]) for b in weeks["buckets"]] == [
            ("2026-W40", "2026-10-04", "2026-10-04"), ("2026-W41", "2026-10-05", "2026-10-11"),
            ("2026-W42", "2026-10-12", "2026-10-13")]
        assert values(weeks, "submitted") == [0, 3, 0]

    async def test_ratio_series_are_computed_per_bucket_from_two_counts(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events, day1, day3 = Events(), vn(2026, 9, 1, 9), vn(2026, 9, 3, 9)
        for channel in ("online", "online", "online", "counter"):
            events.submit(events.root, day1, channel=channel)
        for n, (late, satisfied) in enumerate([(False, True), (False, False), (True, True)]):
            base = events.submit(f"{events.root}.1", day3, channel="counter")
            events.finish(base, day3, day3 + timedelta(hours=n + 1), late=late,
                          satisfied=satisfied)
        window = {"from": "2026-09-01", "to": "2026-09-03"}
        await published(client, issuer, events, nats_server, **window)
        answer = await get(client, issuer, SERIES, agency=events.root, bucket="day",
                           metrics="online_rate,on_time_rate,satisfaction_rate,completed",
                           **window)
        assert values(answer, "online_rate") == [0.75, None, 0.0]
        assert values(answer, "on_time_rate") == [None, None, 0.6667]
        assert values(answer, "satisfaction_rate") == [None, None, 0.6667]
        assert values(answer, "completed") == [0, 0, 3]
        named = {s["name"]: s for s in answer["series"]}
        assert named["on_time_rate"]["formula"] == "completed_in_time / completed"
        assert named["online_rate"]["kind"] == "ratio"

    @pytest.mark.parametrize(("params", "code"), [
        ({"metrics": "submitted,nonsense"}, "unknown_series"),
        ({"metrics": ""}, "unknown_series"),
        ({"metrics": ",".join(["submitted", "completed", "received", "refused", "paid",
                               "rated", "satisfied", "withdrawn", "stopped", "decided",
                               "digitised", "reused", "online_rate"])}, "too_many_series"),
        ({"bucket": "year"}, "invalid_bucket"),
        ({"bucket": "day", "from": "2024-01-01", "to": "2026-01-01"}, "window_too_large"),
        ({"bucket": "month", "from": "2020-01-01", "to": "2026-01-01"}, "window_too_large"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "invalid_window"),
        ({"to": "9999-12-31"}, "invalid_window"),
    ])
    async def test_bad_input_is_422_with_a_stable_code(
        self, client: httpx.AsyncClient, issuer: TestIssuer, params: dict[str, str], code: str
    ) -> None:
        r = await client.get(SERIES, params={"agency": "H56", **params},
                             headers=officer(issuer))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code

    async def test_answers_are_cached_briefly_and_revalidated_by_etag(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        params = {"agency": "H56", "from": "2026-01-01", "to": "2026-01-31"}
        first = await client.get(SERIES, params=params, headers=officer(issuer))
        assert first.headers["cache-control"].startswith("private, max-age=")
        again = await client.get(SERIES, params=params, headers={
            **officer(issuer), "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content


class TestAgencies:
    async def test_each_child_equals_its_own_kpis(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events, rng, now = Events(), random.Random(766), datetime.now(UTC)
        holders = [events.root, f"{events.root}.1", f"{events.root}.1.7", f"{events.root}.2",
                   f"{events.root}.3"]
        for _ in range(60):
            _lifecycle(events, rng, rng.choice(holders), now)
        today = now.astimezone(VN_TZ).date()
        window = {"from": (today - timedelta(days=12)).isoformat(), "to": today.isoformat()}
        await published(client, issuer, events, nats_server, **window)
        answer = await get(client, issuer, AGENCIES, agency=events.root, **window)
        rows = {row["agency_id"]: row for row in answer["agencies"]}
        assert set(rows) == {f"{events.root}.{n}" for n in (1, 2, 3)}
        for agency_id, row in [*rows.items(), (events.root, answer["total"])]:
            assert _headline(row) == _kpi_headline(await kpis(client, issuer, agency_id,
                                                              **window)), agency_id
        assert sum(r["submitted"] for r in rows.values()) < answer["total"]["submitted"]

    async def test_sorted_by_the_field_asked(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events, at = Events(), vn(2026, 8, 10, 9)
        for child, count in ((1, 2), (2, 5), (3, 1)):
            for _ in range(count):
                events.submit(f"{events.root}.{child}", at)
        window = {"from": "2026-08-01", "to": "2026-08-31"}
        await published(client, issuer, events, nats_server, **window)
        for order, expected in (("desc", [2, 1, 3]), ("asc", [3, 1, 2])):
            answer = await get(client, issuer, AGENCIES, agency=events.root, sort="submitted",
                               order=order, **window)
            assert [r["agency_id"] for r in answer["agencies"]] == [
                f"{events.root}.{n}" for n in expected]
            assert answer["agencies"][0]["overdue_now"] is None  # the window ended before
        r = await client.get(AGENCIES, params={"agency": events.root, "sort": "name"},
                             headers=officer(issuer))
        assert r.status_code == 422 and r.json()["code"] == "invalid_sort"


def _lifecycle(events: Events, rng: random.Random, agency: str, now: datetime) -> None:
    at = now - timedelta(days=rng.randrange(1, 10), minutes=rng.randrange(600))
    channel = rng.choice(["online", "online", "counter"])
    due = at + timedelta(days=rng.choice([-1, 0, 30]))  # some already overdue
    base = events.submit(agency, at, channel=channel, due_at=due)
    if channel == "counter" and rng.random() < 0.5:
        events.finish(base, at, at + timedelta(hours=rng.randrange(1, 20)),
                      late=rng.random() < 0.3, satisfied=rng.choice([True, False, None]))


def _headline(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("submitted", "online", "completed", "on_time", "online_rate",
                                "on_time_rate", "satisfaction_rate", "overdue_now")}


def _kpi_headline(k: dict[str, Any]) -> dict[str, Any]:
    d = k["dossiers"]
    return {"submitted": d["submitted"], "online": d["online"], "completed": d["completed"],
            "on_time": d["on_time"], "online_rate": k["rates"]["online"],
            "on_time_rate": k["rates"]["on_time"],
            "satisfaction_rate": k["satisfaction"]["rate"], "overdue_now": d["overdue_now"]}


class TestOverview:
    async def test_today_month_and_year_of_the_callers_agency(
        self, client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer
    ) -> None:
        events, now = Events(), datetime.now(UTC)
        midnight = datetime.combine(now.astimezone(VN_TZ).date(), datetime.min.time(), VN_TZ)
        recent = max(now - timedelta(minutes=5), midnight)  # today in Vietnam
        events.submit(events.root, recent)
        events.submit(f"{events.root}.1", recent, channel="counter",
                      due_at=now - timedelta(seconds=1))  # received, already overdue
        events.submit(events.root, now - timedelta(days=400))  # last year: in none
        await published(client, issuer, events, nats_server, **{
            "from": (now - timedelta(days=401)).astimezone(VN_TZ).date().isoformat()})
        r = await client.get(OVERVIEW, headers=officer(issuer, events.root, "leader"))
        assert r.status_code == 200, r.text
        answer = r.json()
        today = datetime.now(VN_TZ).date()
        assert answer["agency_id"] == events.root
        assert answer["today"]["first"] == today.isoformat()
        assert answer["year"]["first"] == date(today.year, 1, 1).isoformat()
        for period in ("today", "month", "year"):
            figures = answer[period]
            assert (figures["submitted"], figures["online"], figures["received"]) == (2, 1, 1)
            assert figures["online_rate"] == 0.5
        assert (answer["in_progress"], answer["overdue_now"]) == (1, 1)


class TestAccess:
    @pytest.mark.parametrize("path", [SERIES, AGENCIES])
    async def test_officer_outside_the_subtree_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, path: str
    ) -> None:
        r = await client.get(path, params={"agency": "H56"},
                             headers=officer(issuer, "H56.14"))
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"
        own = await client.get(path, params={"agency": "H56.14.02"},
                               headers=officer(issuer, "H56.14"))
        assert own.status_code == 200, own.text

    @pytest.mark.parametrize("path", [SERIES, AGENCIES, OVERVIEW])
    async def test_other_roles_and_citizens_are_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, path: str
    ) -> None:
        for headers in (issuer.headers(kind="citizen"),
                        officer(issuer, "H56", "processing_officer")):
            r = await client.get(path, params={"agency": "H56"}, headers=headers)
            assert r.status_code == 403, r.text

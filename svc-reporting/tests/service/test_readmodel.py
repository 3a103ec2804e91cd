"""The read model against figures computed independently from the same events: a generated
province-like data set (dossiers through their lifecycle, payments, ratings, documents) is
published on JetStream; the KPIs must equal the test's own counts, stay equal when every event
is delivered a second time, and be the same after a rebuild from replay."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from egov_shared.events import contracts as c
from egov_shared.events import new_event
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import MIGRATIONS, create_app
from svc_reporting.readmodel.rebuild import rebuild
from svc_reporting.settings import ReportingSettings

START = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
WINDOW = {"from": "2026-10-01", "to": "2026-10-31"}


class DataSet:
    """Events of ``n`` dossiers and some documents under a fresh agency root, with the figures
    a person would count from them."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.root = f"H56.{uuid.uuid4().hex[:6].upper()}"
        self.events: list[tuple[c.EventContract, dict[str, Any]]] = []
        self.expected: Counter[str] = Counter()
        self.sums: Counter[str] = Counter()
        self.ids: list[str] = []  # the event ids, once published
        self.sliced: Counter[tuple[str, str]] = Counter()  # (channel or level, figure)
        for i in range(n):
            self._dossier(i)
        for i in range(n // 3):
            self._documents(i)

    def _at(self) -> datetime:
        return START + timedelta(days=self.rng.randrange(25), minutes=self.rng.randrange(600))

    def _dossier(self, i: int) -> None:
        agency = self.rng.choice([self.root, f"{self.root}.1", f"{self.root}.2"])
        channel = self.rng.choice(["online", "online", "counter", "post"])
        level = self.rng.choice(["full", "partial"])
        code, at = f"{agency}-261001-{i:04d}", self._at()
        base = {"code": code, "agency_id": agency, "procedure_code": "1.000001.000.00.00.H56",
                "channel": channel, "online_level": level}
        received = channel != "online"
        self.dims = (channel, level)
        self._count("submitted")
        self._emit(c.DOSSIER_SUBMITTED, {**base, "status_code": 2 if received else 1,
                                         "submitted_at": at})
        self.expected.update(["submitted", channel] + ([f"online_{level}"]
                                                       if channel == "online" else []))
        if not received:
            if self.rng.random() < 0.15:  # refused before receipt
                self._change(c.DOSSIER_REFUSED, base, "refuse", 1, 3, at, None)
                self.expected["refused"] += 1
                return
            at += timedelta(hours=1)
            self._change(c.DOSSIER_RECEIVED, base, "receive", 1, 2, at, at)
        self.expected["received"] += 1
        self._count("received", "in_progress")
        self._after_receipt(base, at)

    def _after_receipt(self, base: dict[str, Any], received_at: datetime) -> None:
        fate = self.rng.random()
        at = received_at + timedelta(hours=self.rng.randrange(2, 40))
        if fate < 0.1:
            self._change(c.DOSSIER_WITHDRAWN, base, "withdraw", 2, 7, at, received_at)
            self.expected["withdrawn"] += 1
            self._count("in_progress", by=-1)
            return
        if fate < 0.3:
            self.expected["in_progress"] += 1
            return
        if self.rng.random() < 0.5:
            amount = self.rng.choice([50_000, 100_000, 200_000])
            online = self.rng.random() < 0.6
            self._change(c.DOSSIER_PAYMENT_REQUESTED, base, "request_payment", 4, 6, at,
                         received_at, amount=amount)
            self._change(c.DOSSIER_PAYMENT_RECEIVED, base, "payment_received", 6, 4, at,
                         received_at, amount=amount,
                         actor_kind="system" if online else "official")
            self.expected.update(["payment_requested", "paid"]
                                 + (["paid_online"] if online else []))
            self.sums["amount_paid"] += amount
        self._return(base, at, received_at)

    def _return(self, base: dict[str, Any], at: datetime, received_at: datetime) -> None:
        timeliness = self.rng.choice(["early", "on_time", "late"])
        hours, statutory = self.rng.randrange(1, 60) / 2, 40.0
        self._change(c.DOSSIER_RETURNED, base, "return_result", 9, 10, at, received_at,
                     timeliness=timeliness, completed_at=at, processing_working_hours=hours,
                     statutory_working_hours=statutory)
        # "on_time" in the API is early or on time (đúng hạn); early and late also alone.
        self.expected.update(["completed", f"t_{timeliness}"]
                             + (["on_time"] if timeliness != "late" else []))
        self._count("completed", "on_time" if timeliness != "late" else "late")
        self._count("in_progress", by=-1)
        self.sums["hours"] += hours
        self.sums["statutory"] += statutory
        if self.rng.random() < 0.7:
            scores = {k: self.rng.randint(2, 5) for k in ("tiep_can", "thu_tuc", "ket_qua")}
            average = sum(scores.values()) / 3
            self._emit(c.DOSSIER_RATED, {**base, "scores": scores, "average": average,
                                         "satisfied": average >= 4, "at": at})
            self.expected.update(["rated"] + (["satisfied"] if average >= 4 else []))
            self.sums["score"] += average

    def _count(self, *figures: str, by: int = 1) -> None:
        for dim in self.dims:
            for figure in figures:
                self.sliced[(dim, figure)] += by

    def _documents(self, i: int) -> None:
        signed, at = self.rng.random() < 0.8, self._at()
        self._emit(c.DOCUMENT_ISSUED, {
            "document_id": uuid.uuid4().hex, "agency_id": self.root, "direction": "outgoing",
            "doc_type": "CV", "status": "issued", "signed": signed, "recipients": 2,
            "at": at})
        self.expected.update(["doc_out"] + (["doc_out_signed"] if signed else []))
        source = self.rng.choice(["axis", "axis", "paper"])
        self._emit(c.DOCUMENT_RECEIVED, {
            "document_id": uuid.uuid4().hex, "agency_id": f"{self.root}.1",
            "direction": "incoming", "doc_type": "QĐ", "status": "received", "source": source,
            "at": at})
        self.expected.update(["doc_in", f"doc_in_{source}"])

    def _change(self, contract: c.EventContract, base: dict[str, Any], action: str,
                before: int, after: int, at: datetime, received_at: datetime | None,
                actor_kind: str = "official", **extra: Any) -> None:
        self._emit(contract, {**base, "action": action, "status_code_before": before,
                              "status_code": after, "at": at, "received_at": received_at,
                              "actor_kind": actor_kind, **extra})

    def _emit(self, contract: c.EventContract, data: dict[str, Any]) -> None:
        self.events.append((contract, data))

    async def publish(self, url: str, *, ids: list[str] | None = None) -> list[str]:
        """Publish every event (with the given event ids: a second delivery of the same
        events); answers the ids."""
        nc = await nats.connect(url)
        js, used = nc.jetstream(), []
        for n, (contract, data) in enumerate(self.events):
            event = new_event(type=contract.type, source="/test", subject=data.get(
                "code", data.get("document_id")), data=c_json(contract, data))
            if ids is not None:
                event = event.model_copy(update={"id": ids[n]})
            used.append(event.id)
            await js.publish(contract.subject, event.to_json(),
                             headers={"Nats-Msg-Id": uuid.uuid4().hex})
        await nc.close()
        return used


def c_json(contract: c.EventContract, data: dict[str, Any]) -> dict[str, Any]:
    return contract.data_model.model_validate(data).model_dump(mode="json")


def figures(kpis: dict[str, Any]) -> dict[str, Any]:
    d, docs = kpis["dossiers"], kpis["documents"]
    return {
        "submitted": d["submitted"], "online": d["online"], "counter": d["counter"],
        "post": d["post"], "online_full": d["online_full"],
        "online_partial": d["online_partial"], "received": d["received"],
        "refused": d["refused"], "withdrawn": d["withdrawn"], "completed": d["completed"],
        "on_time": d["on_time"], "early": d["early"], "late": d["late"],
        "in_progress": d["in_progress"], "paid": kpis["payments"]["paid"],
        "paid_online": kpis["payments"]["paid_online"],
        "payment_requested": kpis["payments"]["requested"],
        "rated": kpis["satisfaction"]["rated"], "satisfied": kpis["satisfaction"]["satisfied"],
        "doc_out": docs["outgoing"]["issued"], "doc_out_signed": docs["outgoing"]["signed"],
        "doc_in": docs["incoming"]["received"], "doc_in_axis": docs["incoming"]["online"],
        "doc_in_paper": docs["incoming"]["paper"],
    }


def expected_figures(data: DataSet) -> dict[str, Any]:
    e = data.expected
    names = ["submitted", "online", "counter", "post", "online_full", "online_partial",
             "received", "refused", "withdrawn", "completed", "on_time", "early", "late",
             "in_progress", "paid", "paid_online", "payment_requested", "rated", "satisfied",
             "doc_out", "doc_out_signed", "doc_in", "doc_in_axis", "doc_in_paper"]
    return {name: e[name] for name in names} | {"early": e["t_early"], "late": e["t_late"]}


@pytest.fixture(scope="module")
def settings(databases: Databases, nats_server: NatsServer) -> ReportingSettings:
    return ReportingSettings(database_url=databases.new_url("reporting"),
                             nats_url=nats_server.url, log_level="WARNING")


async def read(client: httpx.AsyncClient, issuer: TestIssuer, agency: str) -> dict[str, Any]:
    headers = issuer.headers(kind="official", roles=["reporting_officer"], agency_id="H56")
    r = await client.get("/api/v1/reports/kpis", params={"agency": agency, **WINDOW},
                         headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture(scope="module")
def data() -> DataSet:
    return DataSet(n=120, seed=20261128)


@pytest.fixture(scope="module")
async def client(settings: ReportingSettings, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


class TestAgainstIndependentCounts:
    async def test_kpis_equal_the_counts_of_the_events(
        self, client: httpx.AsyncClient, issuer: TestIssuer, data: DataSet,
        nats_server: NatsServer
    ) -> None:
        data.ids = await data.publish(nats_server.url)
        want = expected_figures(data)

        async def settled() -> dict[str, Any] | None:
            got = await read(client, issuer, data.root)
            return got if figures(got)["submitted"] == want["submitted"] and figures(
                got)["doc_in"] == want["doc_in"] and figures(got)["rated"] == want["rated"] \
                else None

        kpis = await eventually(settled, timeout=30)
        assert kpis is not None and figures(kpis) == want
        assert kpis["payments"]["amount_paid"] == data.sums["amount_paid"]
        assert kpis["satisfaction"]["average_score"] == pytest.approx(
            data.sums["score"] / want["rated"], abs=1e-3)
        assert kpis["processing"]["average_working_hours"] == pytest.approx(
            data.sums["hours"] / want["completed"], abs=1e-3)
        assert kpis["rates"]["on_time"] == pytest.approx(
            want["on_time"] / want["completed"], abs=1e-3)
        figures_ = ("submitted", "received", "completed", "on_time", "late", "in_progress")
        for dim, found in [*kpis["by_channel"].items(), *kpis["by_online_level"].items()]:
            assert {f: found[f] for f in figures_} == {
                f: data.sliced[(dim, f)] for f in figures_}, dim
        children = [await read(client, issuer, f"{data.root}.{n}") for n in (1, 2)]
        own = want["submitted"] - sum(k["dossiers"]["submitted"] for k in children)
        assert 0 < own < want["submitted"]  # the root counts its children and its own

    async def test_every_event_delivered_twice_changes_nothing(
        self, client: httpx.AsyncClient, issuer: TestIssuer, data: DataSet,
        nats_server: NatsServer
    ) -> None:
        before = await read(client, issuer, data.root)
        await data.publish(nats_server.url, ids=data.ids)
        marker = DataSet(n=1, seed=1)
        await marker.publish(nats_server.url)  # published after the duplicates
        assert await eventually(
            lambda: _submitted(client, issuer, marker.root), timeout=30)
        assert await read(client, issuer, data.root) == before


async def _submitted(client: httpx.AsyncClient, issuer: TestIssuer, agency: str) -> bool:
    return bool((await read(client, issuer, agency))["dossiers"]["submitted"])


class TestRebuild:
    async def test_a_rebuild_from_replay_gives_the_live_figures(
        self, settings: ReportingSettings, issuer: TestIssuer, data: DataSet,
        client: httpx.AsyncClient
    ) -> None:
        live = await read(client, issuer, data.root)
        child = await read(client, issuer, f"{data.root}.1")
        # The service is stopped for a rebuild: a second app on the same database, started
        # after the rebuild, must answer the same and must not count anything twice.
        report = await rebuild(settings, MIGRATIONS)
        assert report.events >= len(data.events)
        async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as again:
            assert await read(again, issuer, data.root) == live
            assert await read(again, issuer, f"{data.root}.1") == child

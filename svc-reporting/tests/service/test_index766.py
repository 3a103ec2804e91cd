"""The 766 index through the API, from dossier events published on JetStream: the result must
be the version's formulas applied to the counts this test makes of its own events; another
version gives other points for the same counts, and the old results stay reproducible."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from egov_shared.events import contracts as c
from egov_shared.events import new_event
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings

AT = datetime(2026, 10, 6, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
WINDOW = {"from": "2026-10-01", "to": "2026-10-31"}
BASE = "/api/v1/reports/index-766"
# Manual values: CK1 for the root (its whole subtree), CK2 for child 1 only.
MANUAL = [("", "CK1", 0.75), (".1", "CK2", 0.5)]

# Per child agency: dossiers as (channel, online level, timeliness or None, paid online or
# None, rating satisfied or None), and components digitised, reused, electronic results.
PROFILES: dict[str, dict[str, Any]] = {
    "1": {"dossiers": [("online", "full", "early", True, True)] * 4
                      + [("online", "full", "on_time", False, True),
                         ("online", "partial", "late", None, False),
                         ("online", "partial", None, None, None),
                         ("counter", None, "on_time", True, True),
                         ("counter", None, "on_time", None, None),
                         ("post", None, None, None, None)],
          "apologies": 1, "digitised": 5, "reused": 3, "results": 6},
    "2": {"dossiers": [("online", "full", "late", False, False),
                       ("counter", None, "on_time", False, True),
                       ("counter", None, "late", None, False),
                       ("counter", None, "early", None, None),
                       ("post", None, None, None, None)],
          "apologies": 0, "digitised": 2, "reused": 0, "results": 1},
}


class Province:
    """Events under a fresh root and the counts a person would make of them, per agency."""

    def __init__(self) -> None:
        self.root = f"H56.{uuid.uuid4().hex[:6].upper()}"
        self.events: list[tuple[c.EventContract, dict[str, Any]]] = []
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for child, profile in PROFILES.items():
            self._agency(f"{self.root}.{child}", profile)

    def _agency(self, agency: str, profile: dict[str, Any]) -> None:
        for n, dossier in enumerate(profile["dossiers"]):
            self._dossier(agency, f"{agency}-261006-{n:04d}", *dossier)
        for n in range(profile["apologies"]):
            self._change(c.DOSSIER_APOLOGISED, agency, f"{agency}-A{n}", "apologise")
            self._count(agency, "apologised")
        for contract, metric in ((c.DOSSIER_COMPONENT_DIGITISED, "digitised"),
                                 (c.DOSSIER_COMPONENT_REUSED, "reused"),
                                 (c.DOSSIER_RESULT_ISSUED, "results")):
            for n in range(profile[metric]):
                self._component(contract, agency, n, metric)

    def _dossier(self, agency: str, code: str, channel: str, level: str | None,
                 timeliness: str | None, paid_online: bool | None,
                 satisfied: bool | None) -> None:
        self.events.append((c.DOSSIER_SUBMITTED, {
            "code": code, "procedure_code": "1.000001.000.00.00.H56", "agency_id": agency,
            "channel": channel, "status_code": 1 if channel == "online" else 2,
            "submitted_at": AT, "online_level": level}))
        self._count(agency, "submitted", f"submitted_{channel}",
                    *([f"submitted_online_{level}"] if channel == "online" else []))
        if paid_online is not None:
            self._change(c.DOSSIER_PAYMENT_RECEIVED, agency, code, "payment_received",
                         amount=50_000, actor_kind="system" if paid_online else "official")
            self._count(agency, "paid", *(["paid_online"] if paid_online else []))
        if timeliness is not None:
            self._change(c.DOSSIER_RETURNED, agency, code, "return_result",
                         timeliness=timeliness, completed_at=AT, processing_working_hours=4.0)
            self._count(agency, "completed", "completed_late" if timeliness == "late"
                        else "completed_in_time")
        if satisfied is not None:
            scores = dict.fromkeys(("tiep_can", "thu_tuc", "ket_qua"), 5 if satisfied else 2)
            self.events.append((c.DOSSIER_RATED, {
                "code": code, "agency_id": agency, "procedure_code": "1.000001.000.00.00.H56",
                "channel": channel, "scores": scores, "average": 5.0 if satisfied else 2.0,
                "satisfied": satisfied, "at": AT}))
            self._count(agency, "rated", *(["satisfied"] if satisfied else []))

    def _change(self, contract: c.EventContract, agency: str, code: str, action: str,
                actor_kind: str = "official", **extra: Any) -> None:
        self.events.append((contract, {
            "code": code, "agency_id": agency, "procedure_code": "1.000001.000.00.00.H56",
            "channel": "online", "action": action, "status_code_before": 4,
            "status_code": 10 if action == "return_result" else 4, "at": AT,
            "received_at": AT - timedelta(hours=2), "actor_kind": actor_kind, **extra}))

    def _component(self, contract: c.EventContract, agency: str, n: int, kind: str) -> None:
        source = {"digitised": "counter_scan", "reused": "datastore_reuse"}.get(kind, "result")
        self.events.append((contract, {
            "code": f"{agency}-C{n}", "agency_id": agency,
            "procedure_code": "1.000001.000.00.00.H56", "source": source, "at": AT,
            "component_code": None if source == "result" else f"TP{n}"}))
        self._count(agency, "result_electronic" if kind == "results" else kind)

    def _count(self, agency: str, *metrics: str) -> None:
        self.counts[agency].update(metrics)
        self.counts[self.root].update(metrics)  # the root's subtree holds its children

    async def publish(self, url: str) -> None:
        nc = await nats.connect(url)
        js = nc.jetstream()
        for contract, data in self.events:
            body = contract.data_model.model_validate(data).model_dump(mode="json")
            event = new_event(type=contract.type, source="/test", subject=data["code"],
                              data=body)
            await js.publish(contract.subject, event.to_json())
        await nc.close()


def expected_index(config: dict[str, Any], counts: Counter[str],
                   manual: dict[str, float]) -> dict[str, Any]:
    """The version's formulas, applied by hand: indicator code → (ratio, points)."""
    found: dict[str, Any] = {}
    for i in config["indicators"]:
        if i.get("source") == "manual":
            ratio = manual.get(i["code"])
        else:
            num = sum(counts[m] for m in i["numerator"])
            den = sum(counts[m] for m in i["denominator"])
            ratio = round(min(num / den, 1), 4) if den else None
        found[i["code"]] = (ratio, round(i["points"] * _share(i, ratio), 2))
    return found


def _share(indicator: dict[str, Any], ratio: float | None) -> float:
    scoring = indicator.get("scoring", {"rule": "proportional"})
    if ratio is None:
        return 1.0 if indicator.get("when_empty") == "full" else 0.0
    if scoring["rule"] == "proportional":
        return min(ratio / scoring.get("full_at", 1.0), 1.0)
    return max((s["share"] for s in scoring["steps"] if ratio >= s["at_least"]), default=0.0)


def indicators(result: dict[str, Any]) -> dict[str, Any]:
    return {i["code"]: (i["ratio"], i["points"]) for g in result["groups"]
            for i in g["indicators"]}


@pytest.fixture(scope="module")
async def client(databases: Databases, nats_server: NatsServer, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(database_url=databases.new_url("index766"),
                                 nats_url=nats_server.url, log_level="WARNING", demo=False)
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


def officer(issuer: TestIssuer, agency: str = "H56", role: str = "reporting_officer"
            ) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency, username="baocao")


@pytest.fixture(scope="module")
async def province(client: httpx.AsyncClient, issuer: TestIssuer,
                   nats_server: NatsServer) -> Province:
    data = Province()
    await data.publish(nats_server.url)
    want = data.counts[data.root]

    async def settled() -> bool:
        r = await client.get(BASE, params={"agency": data.root, **WINDOW},
                             headers=officer(issuer))
        by_code = {i["code"]: i for g in r.json()["groups"] for i in g["indicators"]}
        return (by_code["TT1"]["denominator"], by_code["HL1"]["denominator"],
                by_code["SH3"]["denominator"], by_code["TT3"]["denominator"]) == (
            want["submitted"], want["rated"], want["reused"] + want["digitised"], want["paid"])

    assert await eventually(settled, timeout=30)
    for agency, code, ratio in MANUAL:
        r = await client.put(f"{BASE}/manual-values", headers=officer(issuer), json={
            "agency_id": f"{data.root}{agency}", "indicator": code, "valid_from": "2026-01-01",
            "ratio": ratio, "note": "Kiểm tra trên Cổng DVC", "evidence_url": "https://x.vn/1"})
        assert r.status_code == 200, r.text
        assert r.json()["recorded_by"] == "baocao"
    return data


async def get_index(client: httpx.AsyncClient, issuer: TestIssuer, agency: str,
                    **params: str) -> dict[str, Any]:
    r = await client.get(BASE, params={"agency": agency, **WINDOW, **params},
                         headers=officer(issuer))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def shipped(client: httpx.AsyncClient, issuer: TestIssuer) -> dict[str, Any]:
    r = await client.get(f"{BASE}/versions/2026.1", headers=officer(issuer))
    assert r.status_code == 200
    return dict(r.json())


class TestIndex:
    async def test_the_index_is_the_formula_applied_to_the_counts(
        self, client: httpx.AsyncClient, issuer: TestIssuer, province: Province
    ) -> None:
        result = await get_index(client, issuer, province.root)
        want = expected_index(await shipped(client, issuer), province.counts[province.root],
                              {"CK1": 0.75})
        assert result["version"] == "2026.1"
        assert indicators(result) == want
        assert result["total"] == pytest.approx(sum(p for _, p in want.values()), abs=0.011)
        tt1 = next(i for g in result["groups"] for i in g["indicators"] if i["code"] == "TT1")
        assert (tt1["numerator"], tt1["denominator"]) == (
            province.counts[province.root]["submitted_online"],
            province.counts[province.root]["submitted"])
        assert [g["max_points"] for g in result["groups"]] == [18, 20, 22, 22, 18]

    async def test_manual_values_apply_to_the_subtree_below_them(
        self, client: httpx.AsyncClient, issuer: TestIssuer, province: Province
    ) -> None:
        second = await get_index(client, issuer, f"{province.root}.2")
        want = expected_index(await shipped(client, issuer),
                              province.counts[f"{province.root}.2"], {"CK1": 0.75})
        assert indicators(second) == want
        first = await get_index(client, issuer, f"{province.root}.1")
        assert indicators(first)["CK1"] == (0.75, 3.0)
        assert indicators(first)["CK2"] == (0.5, 3.0)
        ck1 = next(i for i in first["groups"][0]["indicators"] if i["code"] == "CK1")
        assert ck1["manual_agency_id"] == province.root

    async def test_the_ranking_lists_the_children_best_first(
        self, client: httpx.AsyncClient, issuer: TestIssuer, province: Province
    ) -> None:
        r = await client.get(f"{BASE}/ranking", params={"agency": province.root, **WINDOW},
                             headers=officer(issuer))
        assert r.status_code == 200, r.text
        ranking = r.json()
        children = [await get_index(client, issuer, f"{province.root}.{n}") for n in "12"]
        assert ranking["version"] == "2026.1"
        assert [(a["rank"], a["agency_id"], a["total"]) for a in ranking["agencies"]] == [
            (1, f"{province.root}.1", children[0]["total"]),
            (2, f"{province.root}.2", children[1]["total"])]
        assert ranking["agencies"][1]["groups"] == {
            g["code"]: g["points"] for g in children[1]["groups"]}


def reweighted(version: str, effective_from: str, base: dict[str, Any]) -> dict[str, Any]:
    """The shipped version with other points inside two groups and a threshold rule."""
    points = {"TT1": 14, "TT2": 4, "TT3": 4, "HL1": 4, "HL2": 10, "HL3": 4}
    doc = {**base, "version": version, "effective_from": effective_from,
           "name": "Thử nghiệm trọng số"}
    doc["indicators"] = [{**i, "points": points.get(i["code"], i["points"])}
                         for i in base["indicators"]]
    td1 = next(i for i in doc["indicators"] if i["code"] == "TD1")
    td1["scoring"] = {"rule": "thresholds", "steps": [{"at_least": 0.8, "share": 1},
                                                      {"at_least": 0.6, "share": 0.5}]}
    return doc


class TestVersions:
    async def test_another_version_scores_the_same_counts_differently(
        self, client: httpx.AsyncClient, issuer: TestIssuer, province: Province
    ) -> None:
        base = await shipped(client, issuer)
        before = await get_index(client, issuer, province.root, version="2026.1")
        name = "T" + uuid.uuid4().hex[:8]
        doc = reweighted(name, "2027-01-01", base)
        r = await client.post(f"{BASE}/versions", json=doc, headers=officer(issuer, role="admin"))
        assert r.status_code == 201, r.text
        after = await get_index(client, issuer, province.root, version=name)
        assert after["version"] == name
        manual = {"CK1": 0.75}
        assert indicators(after) == expected_index(doc, province.counts[province.root], manual)
        assert after["total"] != before["total"]
        again = await get_index(client, issuer, province.root, version="2026.1")
        assert again == before
        assert (await get_index(client, issuer, province.root))["version"] == "2026.1"
        later = await get_index(client, issuer, province.root, **{"from": "2027-01-01",
                                                                  "to": "2027-01-31"})
        assert later["version"] == name

    async def test_a_version_is_corrected_until_used_then_frozen(
        self, client: httpx.AsyncClient, issuer: TestIssuer, province: Province
    ) -> None:
        admin = officer(issuer, role="admin")
        name = "T" + uuid.uuid4().hex[:8]
        doc = reweighted(name, "2030-01-01", await shipped(client, issuer))
        assert (await client.post(f"{BASE}/versions", json=doc, headers=admin)).status_code == 201
        again = await client.post(f"{BASE}/versions", json=doc, headers=admin)
        assert again.status_code == 409 and again.json()["code"] == "index_version_exists"
        doc["name"] = "Đã sửa"
        fixed = await client.put(f"{BASE}/versions/{name}", json=doc, headers=admin)
        assert fixed.status_code == 200, fixed.text
        await get_index(client, issuer, province.root, version=name)
        frozen = await client.put(f"{BASE}/versions/{name}", json=doc, headers=admin)
        assert frozen.status_code == 409 and frozen.json()["code"] == "index_version_in_use"
        listed = (await client.get(f"{BASE}/versions", headers=officer(issuer))).json()
        summary = {v["version"]: v for v in listed["versions"]}
        assert summary[name]["used"] and summary[name]["name"] == "Đã sửa"
        assert summary["2026.1"]["shipped"] and listed["current"] == "2026.1"

    async def test_an_unsound_version_is_refused_with_its_problems(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        doc = reweighted("T" + uuid.uuid4().hex[:8], "2027-01-01", await shipped(client, issuer))
        doc["indicators"][0]["points"] = 10
        r = await client.post(f"{BASE}/versions", json=doc, headers=officer(issuer, role="admin"))
        assert r.status_code == 422 and r.json()["code"] == "invalid_index_version"
        assert "the indicators of publicity add up to 24, not 18" in r.json()["problems"]

    async def test_only_administrators_add_versions(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        doc = reweighted("T" + uuid.uuid4().hex[:8], "2027-01-01", await shipped(client, issuer))
        r = await client.post(f"{BASE}/versions", json=doc, headers=officer(issuer))
        assert r.status_code == 403


class TestAccess:
    @pytest.mark.parametrize("path", ["", "/ranking", "/manual-values"])
    async def test_an_officer_below_the_province_is_refused_the_province(
        self, client: httpx.AsyncClient, issuer: TestIssuer, path: str
    ) -> None:
        r = await client.get(BASE + path, params={"agency": "H56"},
                             headers=officer(issuer, "H56.14"))
        assert r.status_code == 403 and r.json()["code"] == "agency_not_covered"

    async def test_a_citizen_is_refused(self, client: httpx.AsyncClient,
                                        issuer: TestIssuer) -> None:
        r = await client.get(BASE, params={"agency": "H56"},
                             headers=issuer.headers(kind="citizen"))
        assert r.status_code == 403

    @pytest.mark.parametrize(("params", "status", "code"), [
        ({"agency": "h56"}, 422, "invalid_agency_id"),
        ({"agency": "H56", "from": "2026-11-10", "to": "2026-11-01"}, 422, "invalid_window"),
        ({"agency": "H56", "version": "9999.9"}, 404, "index_version_not_found"),
        ({"agency": "H56", "version": "../x"}, 422, "validation_failed"),
    ])
    async def test_bad_input_is_a_problem_with_a_stable_code(
        self, client: httpx.AsyncClient, issuer: TestIssuer, params: dict[str, str],
        status: int, code: str
    ) -> None:
        r = await client.get(BASE, params=params, headers=officer(issuer))
        assert r.status_code == status and r.json()["code"] == code
        assert r.headers["content-type"] == "application/problem+json"

    async def test_manual_values_only_for_manual_indicators_by_recorders(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        body = {"agency_id": "H56.14", "indicator": "TD1", "valid_from": "2026-01-01",
                "ratio": 1, "note": "x"}
        r = await client.put(f"{BASE}/manual-values", json=body, headers=officer(issuer))
        assert r.status_code == 422 and r.json()["code"] == "not_a_manual_indicator"
        body["indicator"] = "CK1"
        r = await client.put(f"{BASE}/manual-values", json=body,
                             headers=officer(issuer, role="leader"))
        assert r.status_code == 403

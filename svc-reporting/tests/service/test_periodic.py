"""Periodic reports as a reporting officer sees them: generated from the read model after
events are published on JetStream, with the KPI endpoint's figures for the same NĐ 09 window,
exported as JSON, CSV, XLSX and PDF in Vietnamese, refused when the request is wrong, and only
for the caller's subtree."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from egov_shared.events import contracts as c
from egov_shared.events import new_event
from egov_testing import Databases, NatsServer, TestIssuer, eventually, serve_in_process
from svc_reporting.main import create_app
from svc_reporting.settings import ReportingSettings

PERIODIC = "/api/v1/reports/periodic"
# The monthly report for 10/2026 counts 15/09/2026 00:00 to 14/10/2026 23:59:59 (+07:00).
OCTOBER = {"kind": "monthly", "period": "2026-10"}
INSIDE = [datetime(2026, 9, 14, 17, 0, tzinfo=UTC),  # 15/09 00:00 in Vietnam: the first second
          datetime(2026, 9, 20, 2, 0, tzinfo=UTC), datetime(2026, 10, 1, 3, 0, tzinfo=UTC),
          datetime(2026, 10, 14, 16, 30, tzinfo=UTC)]  # 14/10 23:30 in Vietnam
OUTSIDE = [datetime(2026, 9, 14, 16, 50, tzinfo=UTC),  # 14/09 23:50: the September report
           datetime(2026, 10, 14, 17, 10, tzinfo=UTC)]  # 15/10 00:10: the November report


def new_agency() -> str:
    return f"H56.{uuid.uuid4().hex[:6].upper()}"


def officer(issuer: TestIssuer, agency: str = "H56", role: str = "reporting_officer"
            ) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency,
                          username=f"{role}-{agency}")


async def publish(url: str, events: list[tuple[c.EventContract, dict[str, Any]]]) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for contract, data in events:
        body = contract.data_model.model_validate(data).model_dump(mode="json")
        event = new_event(type=contract.type, source="/test", subject=data["code"],
                          agency=data["agency_id"], data=body)
        await js.publish(contract.subject, event.to_json())
    await nc.close()


def dossier_events(root: str) -> list[tuple[c.EventContract, dict[str, Any]]]:
    """Dossiers submitted at the window's edges, one returned on time and paid online, one
    rated: counted for ``root`` and its child."""
    events: list[tuple[c.EventContract, dict[str, Any]]] = []
    for n, at in enumerate(INSIDE + OUTSIDE):
        agency = root if n % 2 else f"{root}.1"
        events.append((c.DOSSIER_SUBMITTED, {
            "code": f"{agency}-{n}", "procedure_code": "1.000001.000.00.00.H56",
            "agency_id": agency, "channel": "online" if n % 3 else "counter",
            "status_code": 1 if n % 3 else 2, "submitted_at": at, "online_level": "full"}))
    base = {"code": f"{root}-0", "agency_id": root, "procedure_code": "1.000001.000.00.00.H56",
            "channel": "counter", "online_level": "full", "actor_kind": "system",
            "received_at": INSIDE[1], "at": INSIDE[2]}
    events += [
        (c.DOSSIER_PAYMENT_RECEIVED, {**base, "action": "payment_received",
                                      "status_code_before": 6, "status_code": 4,
                                      "amount": 150_000}),
        (c.DOSSIER_RETURNED, {**base, "action": "return_result", "status_code_before": 9,
                              "status_code": 10, "timeliness": "on_time",
                              "completed_at": INSIDE[2], "processing_working_hours": 12.0,
                              "statutory_working_hours": 40.0}),
        (c.DOSSIER_RATED, {"code": f"{root}-0", "agency_id": root, "channel": "counter",
                           "procedure_code": "1.000001.000.00.00.H56", "average": 4.5,
                           "scores": {"a": 4, "b": 5}, "satisfied": True, "at": INSIDE[2]}),
    ]
    return events


@pytest.fixture(scope="module")
async def client(databases: Databases, nats_server: NatsServer, issuer: TestIssuer
                 ) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(database_url=databases.new_url("reporting"),
                                 nats_url=nats_server.url, log_level="WARNING", demo=True)
    async with serve_in_process(create_app(settings, jwks_fetcher=issuer.jwks)) as client:
        yield client


@pytest.fixture(scope="module")
async def root(client: httpx.AsyncClient, issuer: TestIssuer, nats_server: NatsServer) -> str:
    """An agency whose events have all been counted."""
    agency = new_agency()
    await publish(nats_server.url, dossier_events(agency))

    async def counted() -> bool:
        r = await client.get("/api/v1/reports/kpis", headers=officer(issuer), params={
            "agency": agency, "from": "2026-09-01", "to": "2026-10-31"})
        d = r.json()
        return d["dossiers"]["submitted"] == 6 and d["satisfaction"]["rated"] == 1

    assert await eventually(counted, timeout=30)
    return agency


@pytest.fixture(scope="module")
async def report(client: httpx.AsyncClient, issuer: TestIssuer, root: str) -> dict[str, Any]:
    r = await client.post(PERIODIC, json={**OCTOBER, "agency_id": root},
                          headers=officer(issuer))
    assert r.status_code == 201, r.text
    return dict(r.json())


class TestGenerate:
    async def test_the_report_has_the_nd09_window_and_is_a_draft(
        self, report: dict[str, Any], root: str
    ) -> None:
        assert report["window_start"] == "2026-09-15T00:00:00+07:00"
        assert report["window_end"] == "2026-10-14T23:59:59+07:00"
        assert report["deadline_at"] == "2026-10-20T23:59:59+07:00"
        assert (report["template"], report["kind"], report["period"]) == (
            "TTHC-THANG", "monthly", "2026-10")
        assert report["period_label"] == "Tháng 10/2026"
        assert report["template_name"] == ("Báo cáo tình hình, kết quả giải quyết TTHC "
                                           "hằng tháng")
        assert (report["agency_id"], report["version"], report["status"]) == (root, 1, "draft")
        assert report["generated_by"] == "reporting_officer-H56"
        assert report["submission"] is None and report["corrects"] is None
        assert len(report["content_hash"]) == 64

    async def test_the_figures_are_the_kpis_of_the_same_window(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        r = await client.get("/api/v1/reports/kpis", headers=officer(issuer), params={
            "agency": root, "from": "2026-09-15", "to": "2026-10-14"})
        kpis = r.json()
        sections = report["content"]["sections"]
        assert list(sections) == ["dossiers", "rates", "payments", "digitisation",
                                  "satisfaction", "processing"]
        assert all(sections[name] == kpis[name] for name in sections)
        assert sections["dossiers"]["submitted"] == len(INSIDE)  # the edges: in and out
        assert sections["payments"]["amount_paid"] == 150_000
        assert sections["dossiers"]["on_time"] == 1 and sections["satisfaction"]["rated"] == 1

    async def test_the_next_month_counts_what_came_after_the_cut_off(
        self, client: httpx.AsyncClient, issuer: TestIssuer, root: str
    ) -> None:
        r = await client.post(PERIODIC, json={"kind": "monthly", "period": "2026-11",
                                              "agency_id": root}, headers=officer(issuer))
        assert r.json()["content"]["sections"]["dossiers"]["submitted"] == 1

    async def test_generating_again_recomputes_the_draft(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        r = await client.post(PERIODIC, json={**OCTOBER, "agency_id": root},
                              headers=officer(issuer))
        assert r.status_code == 200
        again = r.json()
        assert (again["id"], again["version"]) == (report["id"], 1)
        assert again["content_hash"] == report["content_hash"]  # same events, same figures

    async def test_a_cumulative_template_counts_from_the_start_of_the_year(
        self, client: httpx.AsyncClient, issuer: TestIssuer, root: str
    ) -> None:
        r = await client.post(PERIODIC, json={"kind": "quarterly", "period": "2026-Q3",
                                              "agency_id": root, "template": "TTHC-LUYKE-QUY"},
                              headers=officer(issuer))
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["window_start"], body["window_end"]) == (
            "2025-12-15T00:00:00+07:00", "2026-09-14T23:59:59+07:00")
        assert body["period_label"] == "9 tháng đầu năm 2026"
        assert body["content"]["sections"]["dossiers"]["submitted"] == 1  # 14/09 23:50 only

    async def test_reports_of_other_kinds_have_their_windows(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        agency, windows = new_agency(), {}
        for kind, period in (("quarterly", "2026-Q4"), ("half_year", "2026-H1"),
                             ("annual", "2026")):
            r = await client.post(PERIODIC, json={"kind": kind, "period": period,
                                                  "agency_id": agency}, headers=officer(issuer))
            assert r.status_code == 201, r.text
            windows[kind] = (r.json()["window_start"][:10], r.json()["window_end"][:10])
        assert windows == {"quarterly": ("2026-09-15", "2026-12-14"),
                           "half_year": ("2025-12-15", "2026-06-14"),
                           "annual": ("2025-12-15", "2026-12-14")}

    async def test_the_list_and_the_detail(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        r = await client.get(PERIODIC, params={"agency": root, "period": "2026-10"},
                             headers=officer(issuer))
        assert report["id"] in [item["id"] for item in r.json()]
        assert "content" not in r.json()[0]
        detail = (await client.get(f"{PERIODIC}/{report['id']}", headers=officer(issuer)))
        assert detail.json()["content"] == report["content"]


class TestExports:
    async def test_csv_is_utf8_with_a_bom_and_parses(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        r = await client.get(f"{PERIODIC}/{report['id']}.csv", headers=officer(issuer))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")
        assert f"bao-cao-TTHC-THANG-{root}-2026-10-v1.csv" in r.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        heading = {row[0]: row[1] for row in rows if len(row) == 2}
        assert heading["Kỳ báo cáo"] == "Tháng 10/2026 (2026-10)"
        assert heading["Thời gian chốt số liệu"] == ("từ 15/09/2026 00:00:00 "
                                                     "đến 14/10/2026 23:59:59")
        figures = {row[1]: row for row in rows if len(row) == 5}
        assert figures["dossiers.submitted"][2:] == ["Số hồ sơ đã nộp", "hồ sơ", "4"]
        assert figures["payments.amount_paid"][3:] == ["đồng", "150000"]
        assert figures["rates.on_time"][3:] == ["%", "100.0"]

    async def test_xlsx_opens_with_the_figures(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any]
    ) -> None:
        r = await client.get(f"{PERIODIC}/{report['id']}.xlsx", headers=officer(issuer))
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert sheet is not None
        rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if len(row) > 4}
        assert rows["dossiers.submitted"][2:] == ("Số hồ sơ đã nộp", "hồ sơ", 4)
        assert rows["payments.amount_paid"][4] == 150_000
        assert sheet["A1"].value == "Báo cáo"

    async def test_pdf_is_in_vietnamese_with_diacritics(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any]
    ) -> None:
        r = await client.get(f"{PERIODIC}/{report['id']}/export", params={"format": "pdf"},
                             headers=officer(issuer))
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert "-2026-10-v1.pdf" in r.headers["content-disposition"]
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
        for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                       "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC", "Tháng 10/2026",
                       "Số hồ sơ đã tiếp nhận", "Tỷ lệ giải quyết đúng hạn", "150.000",
                       "14/10/2026 23:59:59"):
            assert phrase in text, phrase

    async def test_json_is_the_report(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any]
    ) -> None:
        r = await client.get(f"{PERIODIC}/{report['id']}.json", headers=officer(issuer))
        assert r.json()["content_hash"] == report["content_hash"]
        assert "attachment" in r.headers["content-disposition"]

    async def test_an_unknown_format_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any]
    ) -> None:
        r = await client.get(f"{PERIODIC}/{report['id']}.docx", headers=officer(issuer))
        assert r.status_code == 422


class TestBadRequests:
    @pytest.mark.parametrize(("body", "code"), [
        ({"kind": "weekly", "period": "2026-11"}, "validation_failed"),
        ({"kind": "monthly", "period": "2026-13"}, "invalid_period"),
        ({"kind": "quarterly", "period": "2026-Q5"}, "invalid_period"),
        ({"kind": "quarterly", "period": "2026-11"}, "invalid_period"),
        ({"kind": "half_year", "period": "2026-H3"}, "invalid_period"),
        ({"kind": "annual", "period": "2026-Q1"}, "invalid_period"),
        ({"kind": "monthly", "period": "2099-01"}, "period_not_started"),
        ({"kind": "monthly", "period": "2026-11", "template": "KHONG-CO"}, "unknown_template"),
        ({"kind": "monthly", "period": "2026-11", "template": "TTHC-NAM"},
         "template_kind_mismatch"),
        ({"kind": "monthly", "period": "2026-11", "agency_id": "not an id"},
         "validation_failed"),
    ])
    async def test_422_problem(self, client: httpx.AsyncClient, issuer: TestIssuer,
                               body: dict[str, Any], code: str) -> None:
        r = await client.post(PERIODIC, json={"agency_id": "H56", **body},
                              headers=officer(issuer))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code


class TestAccess:
    async def test_a_citizen_is_refused(self, client: httpx.AsyncClient, issuer: TestIssuer,
                                        report: dict[str, Any]) -> None:
        citizen = issuer.headers(kind="citizen")
        assert (await client.post(PERIODIC, json={**OCTOBER, "agency_id": "H56"},
                                  headers=citizen)).status_code == 403
        assert (await client.get(f"{PERIODIC}/{report['id']}",
                                 headers=citizen)).status_code == 403

    async def test_without_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(PERIODIC)).status_code == 401

    async def test_a_leader_of_the_agency_reads_and_generates(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        leader = officer(issuer, root, "leader")
        assert (await client.get(f"{PERIODIC}/{report['id']}.csv",
                                 headers=leader)).status_code == 200
        r = await client.post(PERIODIC, json={**OCTOBER, "agency_id": f"{root}.1"},
                              headers=leader)
        assert r.status_code == 201
        assert r.json()["content"]["sections"]["dossiers"]["submitted"] == 2

    async def test_another_subtree_sees_nothing(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        other = officer(issuer, new_agency())
        assert (await client.get(f"{PERIODIC}/{report['id']}",
                                 headers=other)).status_code == 404
        assert (await client.get(f"{PERIODIC}/{report['id']}.pdf",
                                 headers=other)).status_code == 404
        r = await client.post(PERIODIC, json={**OCTOBER, "agency_id": root}, headers=other)
        assert (r.status_code, r.json()["code"]) == (403, "agency_not_covered")
        assert (await client.get(PERIODIC, params={"agency": root},
                                 headers=other)).status_code == 403

    async def test_a_child_agency_does_not_see_its_parent(
        self, client: httpx.AsyncClient, issuer: TestIssuer, report: dict[str, Any], root: str
    ) -> None:
        child = officer(issuer, f"{root}.1")
        assert (await client.get(f"{PERIODIC}/{report['id']}",
                                 headers=child)).status_code == 404
        listed = await client.get(PERIODIC, headers=child)
        assert {item["agency_id"] for item in listed.json()} <= {f"{root}.1"}

    async def test_an_unknown_report_is_404(self, client: httpx.AsyncClient,
                                            issuer: TestIssuer) -> None:
        r = await client.get(f"{PERIODIC}/{uuid.uuid4().hex}", headers=officer(issuer))
        assert (r.status_code, r.json()["code"]) == (404, "report_not_found")


class TestTemplates:
    async def test_the_standard_templates_are_seeded(self, client: httpx.AsyncClient,
                                                     issuer: TestIssuer) -> None:
        r = await client.get("/api/v1/reports/templates", headers=officer(issuer))
        templates = {t["code"]: t for t in r.json()}
        assert {"TTHC-THANG", "TTHC-QUY", "TTHC-6THANG", "TTHC-NAM",
                "TTHC-LUYKE-QUY"} <= set(templates)
        monthly = templates["TTHC-THANG"]
        assert (monthly["kind"], monthly["window"], monthly["deadline"], monthly["recipient"]) \
            == ("monthly", {"start_day": 15, "cumulative": False},
                {"day": 20, "month_offset": 0}, "national-reporting")

    async def test_an_administrator_defines_a_calendar_month_report(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        admin = issuer.headers(kind="official", roles=["admin"], agency_id="H56")
        body = {"name": "Báo cáo tháng theo tháng dương lịch", "kind": "monthly",
                "window": {"start_day": 1}, "deadline": {"day": 5, "month_offset": 1},
                "sections": ["dossiers", "payments"]}
        r = await client.put("/api/v1/reports/templates/NGANH-THANG", json=body, headers=admin)
        assert r.status_code == 200, r.text
        r = await client.post(PERIODIC, json={"kind": "monthly", "period": "2026-02",
                                              "agency_id": new_agency(),
                                              "template": "NGANH-THANG"},
                              headers=officer(issuer))
        made = r.json()
        assert (made["window_start"], made["window_end"], made["deadline_at"]) == (
            "2026-02-01T00:00:00+07:00", "2026-02-28T23:59:59+07:00",
            "2026-03-05T23:59:59+07:00")
        assert list(made["content"]["sections"]) == ["dossiers", "payments"]

    async def test_a_deadline_before_the_cut_off_is_refused(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        admin = issuer.headers(kind="official", roles=["admin"], agency_id="H56")
        body = {"name": "Sai hạn", "kind": "monthly", "deadline": {"day": 10},
                "sections": ["dossiers"]}
        r = await client.put("/api/v1/reports/templates/SAI-HAN", json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (422, "invalid_template")

    async def test_only_an_administrator_defines_templates(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        body = {"name": "Thử", "kind": "annual", "sections": ["dossiers"]}
        r = await client.put("/api/v1/reports/templates/THU", json=body,
                             headers=officer(issuer))
        assert r.status_code == 403

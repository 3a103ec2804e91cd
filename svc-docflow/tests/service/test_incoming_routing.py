"""Routing an incoming document (phân công) and what its sender hears: the leader assigns units
of their subtree (04), the lead unit reports progress (05) and completion (06), co-operating
units add their contributions; who sees it; the lists of a unit; the sender's recall (15, or
16 once done), update and recall notice (13)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy

from egov_shared.timeutil import VN_TZ
from egov_testing import NatsServer, TestIssuer, eventually
from svc_docflow.edxml import (
    Organ,
    ResponseFor,
    StatusPackage,
    build_status,
    parse_package,
)

Officials = Any  # conftest.Officials: the demo officials' real tokens
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "edxml" / "incoming_cong_van.xml"
INCOMING = "/api/v1/documents/incoming"
VPCP = "000.00.00.G22"


def hand_written(*, to: str = "000.00.14.H56", due: str = "2099/12/31",
                 business_type: int = 0, subject: str | None = None) -> tuple[bytes, str]:
    """The hand-written fixture with a fresh CodeNumber, and what a test changes in it."""
    number = str(uuid.uuid4().int % 900_000 + 100_000)
    data = FIXTURE.read_bytes().replace(b">4521<", f">{number}<".encode())
    data = data.replace(b",4521/", f",{number}/".encode())
    data = data.replace(b"<edXML:OrganId>000.00.14.H56<", f"<edXML:OrganId>{to}<".encode())
    data = data.replace(b">2099/12/31<", f">{due}<".encode())
    data = data.replace(b"<edXML:BussinessDocType>0<",
                        f"<edXML:BussinessDocType>{business_type}<".encode())
    if subject:
        data = data.replace("V/v báo cáo kết quả số hóa".encode(), subject.encode())
    return data, f"{VPCP},2026/11/25,{number}/VPCP-KSTT"


class Axis:
    """Delivers as the national axis; watches what goes back to the sender on NATS."""

    def __init__(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        self.client, self.issuer = client, issuer
        self.statuses: list[StatusPackage] = []

    async def deliver(self, data: bytes, status: int = 201) -> dict[str, Any]:
        headers = {"Content-Type": "application/xml",
                   **self.issuer.headers(kind="client", scope="axis")}
        r = await self.client.post("/api/v1/axis/packages", content=data, headers=headers)
        assert r.status_code == status, r.text
        return dict(r.json())

    async def on_message(self, msg: Any) -> None:
        found = parse_package(msg.data, max_bytes=16 * 1024 * 1024)
        if isinstance(found, StatusPackage):
            self.statuses.append(found)
        await msg.ack()

    def codes(self, external_id: str) -> list[str]:
        return [s.status_code for s in self.statuses
                if s.response_for.document_id == external_id]

    async def wait_codes(self, external_id: str, expected: list[str]) -> list[str]:
        async def arrived() -> list[str] | None:
            codes = self.codes(external_id)
            return codes if len(codes) >= len(expected) else None

        return await eventually(arrived, timeout=20) or []


@pytest.fixture(scope="module")
async def axis(client: httpx.AsyncClient, issuer: TestIssuer,
               nats_server: NatsServer) -> AsyncIterator[Axis]:
    watched = Axis(client, issuer)
    nc = await nats.connect(nats_server.url)
    sub = await nc.jetstream().subscribe(f"axis.{VPCP}.inbox", stream="AXIS",
                                         deliver_policy=DeliverPolicy.ALL,
                                         cb=watched.on_message)
    yield watched
    await sub.unsubscribe()
    await nc.close()


def official(issuer: TestIssuer, role: str, agency_id: str) -> dict[str, str]:
    return issuer.headers(kind="official", roles=[role], agency_id=agency_id)


def in_a_week() -> str:
    return (datetime.now(VN_TZ).date() + timedelta(days=7)).isoformat()


async def act(client: httpx.AsyncClient, headers: dict[str, str], doc_id: str, action: str,
              body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    r = await client.post(f"{INCOMING}/{doc_id}/{action}", headers=headers, json=body or {})
    assert r.status_code == status, r.text
    return dict(r.json())


async def received_and_registered(axis: Axis, clerk: dict[str, str], **package: Any,
                                  ) -> tuple[str, str]:
    data, external_id = hand_written(**package)
    doc_id = (await axis.deliver(data))["results"][0]["document_id"]
    await act(axis.client, clerk, doc_id, "register")
    return doc_id, external_id


class TestRouting:
    async def test_assigned_then_processed_and_done_with_04_05_06_to_the_sender(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
        nats_server: NatsServer,
    ) -> None:
        doc_id, external_id = await received_and_registered(
            axis, await officials.headers("vanthu"))
        leader, officer = await officials.headers("lanhdao"), await officials.headers(
            "chuyenvien")
        assigned = await act(client, leader, doc_id, "assign", {
            "lead_unit_id": "H56.14", "deadline": in_a_week(), "note": "Giao phòng xử lý."})
        assert assigned["status"] == "assigned" and assigned["processing_deadline"] == in_a_week()
        assert [(a["unit_id"], a["role"]) for a in assigned["assignments"]] == [
            ("H56.14", "lead")]
        assert (await act(client, officer, doc_id, "progress", {"note": "Đang tổng hợp"})
                )["status"] == "in_progress"
        await act(client, officer, doc_id, "progress", {"note": "Đã có số liệu"})
        done = await act(client, officer, doc_id, "complete", {"note": "Đã báo cáo."})
        assert done["status"] == "done" and done["assignments"][0]["status"] == "done"
        codes = await axis.wait_codes(external_id, ["01", "03", "04", "05", "06"])
        assert codes == ["01", "03", "04", "05", "06"]  # 05 once, for the first note
        history = (await client.get(f"{INCOMING}/{doc_id}/history", headers=officer)).json()
        assert [h["action"] for h in history] == [
            "received", "registered", "assigned", "progress", "progress", "done"]
        assert await _events_of(nats_server, doc_id, 4) == [
            "vn.egov.docflow.document.received.v1", "vn.egov.docflow.document.registered.v1",
            "vn.egov.docflow.document.assigned.v1", "vn.egov.docflow.document.completed.v1"]

    async def test_what_the_leader_may_and_may_not_assign(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
    ) -> None:
        clerk, leader = await officials.headers("vanthu"), await officials.headers("lanhdao")
        data, _ = hand_written()
        early = (await axis.deliver(data))["results"][0]["document_id"]
        r = await act(client, leader, early, "assign", {"lead_unit_id": "H56.14"}, status=409)
        assert r["code"] == "illegal_transition"
        doc_id, _ = await received_and_registered(axis, clerk)
        cases = [
            (clerk, {"lead_unit_id": "H56.14"}, 403, "leader_only"),
            (leader, {"lead_unit_id": "H56.16"}, 422, "unit_not_in_subtree"),
            (leader, {"lead_unit_id": "H56.14", "info_unit_ids": ["H56.14"]}, 422,
             "unit_twice"),
            (leader, {"lead_unit_id": "H56.14", "deadline": "2020-01-01"}, 422,
             "deadline_in_past"),
        ]
        for headers, body, status, code in cases:
            assert (await act(client, headers, doc_id, "assign", body, status))["code"] == code
        officer = await officials.headers("chuyenvien")
        r = await act(client, officer, doc_id, "progress", status=403)
        assert r["code"] == "lead_unit_only"  # nobody is assigned yet

    async def test_the_province_routes_to_departments_who_then_see_and_work_on_it(
        self, client: httpx.AsyncClient, axis: Axis, issuer: TestIssuer, officials: Officials,
    ) -> None:
        doc_id, _ = await received_and_registered(
            axis, official(issuer, "clerk", "H56"), to="000.00.00.H56")
        path = f"{INCOMING}/{doc_id}"
        tu_phap = await officials.headers("chuyenvien")
        assert (await client.get(path, headers=tu_phap)).status_code == 404
        await act(client, official(issuer, "leader", "H56"), doc_id, "assign", {
            "lead_unit_id": "H56.14", "cooperating_unit_ids": ["H56.16"],
            "info_unit_ids": ["H56.10"], "deadline": in_a_week()})
        assert (await client.get(path, headers=tu_phap)).status_code == 200
        mine = (await client.get(INCOMING, headers=tu_phap, params={"status": "assigned"}))
        assert doc_id in [d["id"] for d in mine.json()]
        xay_dung = official(issuer, "processing_officer", "H56.16")
        await act(client, xay_dung, doc_id, "contributions",
                  {"note": "Sở Xây dựng thống nhất nội dung.", "done": True})
        r = await act(client, xay_dung, doc_id, "progress", status=403)
        assert r["code"] == "lead_unit_only"
        info = official(issuer, "processing_officer", "H56.10")
        assert (await client.get(path, headers=info)).status_code == 200
        r = await act(client, info, doc_id, "contributions", {"note": "x"}, status=403)
        assert r["code"] == "cooperating_unit_only"
        stranger = official(issuer, "processing_officer", "H56.11")
        assert (await client.get(path, headers=stranger)).status_code == 404
        done = await act(client, tu_phap, doc_id, "complete", {"note": "Đã xong."})
        units = {a["unit_id"]: a["status"] for a in done["assignments"]}
        assert units == {"H56.14": "done", "H56.16": "done", "H56.10": "assigned"}
        history = (await client.get(f"{path}/history", headers=tu_phap)).json()
        contribution = next(h for h in history if h["action"] == "contribution")
        assert contribution["data"]["unit_id"] == "H56.16"


class TestLists:
    async def test_my_units_documents_by_status_and_the_overdue_ones(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials, issuer: TestIssuer,
    ) -> None:
        clerk = await officials.headers("vanthu")
        late_data, _ = hand_written(due="2026/01/05")
        late = (await axis.deliver(late_data))["results"][0]["document_id"]
        current, _ = await received_and_registered(axis, clerk)
        overdue = (await client.get(INCOMING, headers=clerk, params={"overdue": True})).json()
        assert late in [d["id"] for d in overdue] and current not in [d["id"] for d in overdue]
        assert all(d["overdue"] for d in overdue)
        received = (await client.get(INCOMING, headers=clerk, params={"status": "received"}))
        assert late in [d["id"] for d in received.json()]
        assert current not in [d["id"] for d in received.json()]
        other = official(issuer, "clerk", "H56.16")
        assert late not in [d["id"] for d in (await client.get(INCOMING, headers=other)).json()]


class TestRecallAndUpdate:
    async def test_a_recall_before_we_are_done_is_accepted_with_15(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
    ) -> None:
        doc_id, external_id = await received_and_registered(axis, await officials.headers(
            "vanthu"))
        recall, _ = hand_written_same(external_id, business_type=1)
        answer = await axis.deliver(recall, status=202)
        assert answer["results"][0]["status_code"] == "15"
        doc = (await client.get(f"{INCOMING}/{doc_id}",
                                headers=await officials.headers("vanthu"))).json()
        assert doc["status"] == "recalled"
        assert await axis.wait_codes(external_id, ["01", "03", "15"]) == ["01", "03", "15"]

    async def test_a_recall_after_we_are_done_is_refused_with_16_and_the_reason(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
    ) -> None:
        doc_id, external_id = await received_and_registered(axis, await officials.headers(
            "vanthu"))
        await act(client, await officials.headers("lanhdao"), doc_id, "assign",
                  {"lead_unit_id": "H56.14"})
        await act(client, await officials.headers("chuyenvien"), doc_id, "complete")
        recall, _ = hand_written_same(external_id, business_type=1)
        answer = (await axis.deliver(recall, status=202))["results"][0]
        assert answer["status_code"] == "16" and answer["outcome"] == "refused"
        await axis.wait_codes(external_id, ["01", "03", "04", "06", "16"])
        refusal = [s for s in axis.statuses if s.response_for.document_id == external_id
                   and s.status_code == "16"]
        assert "xử lý xong" in (refusal[0].description or "")
        doc = (await client.get(f"{INCOMING}/{doc_id}",
                                headers=await officials.headers("vanthu"))).json()
        assert doc["status"] == "done"

    async def test_an_update_replaces_the_subject_and_adds_the_new_file(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
    ) -> None:
        clerk = await officials.headers("vanthu")
        doc_id, external_id = await received_and_registered(axis, clerk)
        update, _ = hand_written_same(external_id, business_type=2,
                                      subject="V/v báo cáo (sửa đổi) kết quả số hóa")
        assert (await axis.deliver(update, status=202))["results"][0]["status_code"] == "15"
        doc = (await client.get(f"{INCOMING}/{doc_id}", headers=clerk)).json()
        assert doc["subject"].startswith("V/v báo cáo (sửa đổi)")
        assert doc["status"] == "registered" and len(doc["files"]) == 2

    async def test_a_recall_of_a_document_never_received_is_404(self, axis: Axis) -> None:
        data, _ = hand_written(business_type=1)
        problem = await axis.deliver(data, status=404)
        assert problem["code"] == "document_not_found"

    async def test_the_senders_recall_notice_13_is_kept_with_our_copy(
        self, client: httpx.AsyncClient, axis: Axis, officials: Officials,
    ) -> None:
        clerk = await officials.headers("vanthu")
        doc_id, external_id = await received_and_registered(axis, clerk)
        notice = build_status(StatusPackage(
            from_organ=Organ(VPCP, "Văn phòng Chính phủ"),
            response_for=ResponseFor(VPCP, external_id.split(",")[2], date(2026, 11, 25),
                                     external_id),
            status_code="13", description="Văn bản đã bị thu hồi.",
            timestamp=datetime.now(UTC).astimezone(VN_TZ)))
        assert (await axis.deliver(notice, status=202))["results"][0]["status_code"] == "13"
        history = (await client.get(f"{INCOMING}/{doc_id}/history", headers=clerk)).json()
        assert history[-1]["action"] == "recall_notice"
        assert history[-1]["note"] == "Văn bản đã bị thu hồi."


def hand_written_same(external_id: str, **changes: Any) -> tuple[bytes, str]:
    """The package of ``external_id`` again (same number), with ``changes``."""
    number = external_id.split(",")[2].split("/")[0]
    data, _ = hand_written(**changes)
    fresh = data.split(b"<edXML:CodeNumber>")[1].split(b"<")[0]
    return data.replace(fresh, number.encode()), external_id


async def _events_of(nats_server: NatsServer, doc_id: str, count: int) -> list[str]:
    """The docflow events published about one document, in order."""
    found: list[str] = []
    nc = await nats.connect(nats_server.url)
    try:
        sub = await nc.jetstream().subscribe("docflow.document.>", stream="DOCFLOW",
                                             deliver_policy=DeliverPolicy.ALL)

        async def collected() -> bool:
            while True:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except nats.errors.TimeoutError:
                    return len(found) >= count
                event = json.loads(msg.data)
                if event["subject"] == doc_id:
                    found.append(event["type"])

        await eventually(collected, timeout=20)
    finally:
        await nc.close()
    return found

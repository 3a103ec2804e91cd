"""The working calendar through svc-dossier's API: overrides, office hours, the due date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from egov_shared.db import create_engine
from egov_testing import TestIssuer
from svc_dossier.settings import DossierSettings

DUE = "/api/v1/calendar/due-date"
OVERRIDES = "/api/v1/calendar/overrides"
HOURS = "/api/v1/calendar/office-hours"
LLTP = "2.000748.000.00.00.H56"  # 10 working days, Sở Tư pháp H56.14
QUICK_ONLINE = "9.990001.000.00.00.H56"  # added below: 5 days, 2 online, the 15:00 rule
OVERRIDE = {"date": "2026-12-09", "kind": "day_off", "reason": "Nghỉ bầu cử bổ sung",
            "legal_reference": "Quyết định 123/QĐ-UBND"}


def admin(issuer: TestIssuer, agency: str = "H56") -> dict[str, str]:
    return issuer.headers(kind="official", roles=["admin"], agency_id=agency)


async def due(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    return await client.get(DUE, params={"explain": "true", **params})


def assert_problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code


@pytest.fixture(scope="module")
async def quick_online_procedure(dossier_settings: DossierSettings,
                                 client: httpx.AsyncClient) -> AsyncIterator[str]:
    """A catalogue row with an online duration and the 15:00 rule (the demo has none)."""
    engine = create_engine(dossier_settings.database_url)
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO procedure (code, name, name_folded, field, agency_id, duration, "
            "duration_unit, online_level, fees, created_at, online_duration, after_15h_next_day)"
            " VALUES (:code, 'Thủ tục nhanh', 'thu tuc nhanh', 'Khác', 'H56.14', 5, "
            "'working_days', 'full', '[]', '2026-11-01', 2, :flag)"),
            {"code": QUICK_ONLINE, "flag": True})
    await engine.dispose()
    yield QUICK_ONLINE


class TestSeededSwap:
    async def test_the_2026_make_up_saturday_is_listed_with_its_legal_reference(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await client.get(OVERRIDES, params={"year": 2026})
        assert r.status_code == 200
        seed = next(o for o in r.json() if o["date"] == "2026-08-22")
        assert seed["kind"] == "working_day" and seed["agency_id"] is None
        assert seed["seeded"] is True and seed["legal_reference"].startswith("Thông báo")

    async def test_the_due_date_counts_the_make_up_saturday(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await due(client, agency="H56.14", start="2026-08-21T17:00:00+07:00", duration=1)
        body = r.json()
        assert body["due_at"] == "2026-08-22T17:00:00+07:00"
        assert body["working_hours"] == 8
        assert [o["date"] for o in body["calendar"]["overrides_applied"]] == ["2026-08-22"]
        assert body["calendar"]["office_hours"]["source"] == "default"

    async def test_the_plain_answer_is_the_due_time_only(self, client: httpx.AsyncClient) -> None:
        r = await client.get(DUE, params={"agency": "H56.14", "duration": 1,
                                          "start": "2026-08-28T17:00:00+07:00"})
        assert r.json() == {"due_at": "2026-09-03T17:00:00+07:00"}


class TestAdministratorAddsAnOverride:
    async def test_a_day_off_moves_the_due_date_of_its_subtree_only(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        params = {"start": "2026-12-08T17:00:00+07:00", "duration": 1}
        before = await due(client, agency="H56.21.03", **params)
        assert before.json()["due_at"] == "2026-12-09T17:00:00+07:00"
        r = await client.post(OVERRIDES, headers=admin(issuer, "H56.21"),
                              json={**OVERRIDE, "agency_id": "H56.21"})
        assert r.status_code == 201, r.text
        after = await due(client, agency="H56.21.03", **params)
        assert after.json()["due_at"] == "2026-12-10T17:00:00+07:00"
        assert after.json()["calendar"]["overrides_applied"][0]["id"] == r.json()["id"]
        other = await due(client, agency="H56.22", **params)
        assert other.json()["due_at"] == "2026-12-09T17:00:00+07:00"

    async def test_deleting_it_restores_the_due_date(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post(OVERRIDES, headers=admin(issuer),
                              json={**OVERRIDE, "agency_id": "H56.23"})
        params = {"agency": "H56.23", "start": "2026-12-08T17:00:00+07:00", "duration": 1}
        assert (await due(client, **params)).json()["due_at"] == "2026-12-10T17:00:00+07:00"
        deleted = await client.delete(f"{OVERRIDES}/{r.json()['id']}", headers=admin(issuer))
        assert deleted.status_code == 204
        assert (await due(client, **params)).json()["due_at"] == "2026-12-09T17:00:00+07:00"

    async def test_a_province_wide_working_day_counts_a_saturday(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post(OVERRIDES, headers=admin(issuer), json={
            **OVERRIDE, "date": "2027-01-09", "kind": "working_day"})
        assert r.status_code == 201 and r.json()["agency_id"] is None
        answer = await due(client, agency="H56.14", start="2027-01-08T17:00:00+07:00",
                           duration=1)
        assert answer.json()["due_at"] == "2027-01-09T17:00:00+07:00"
        listed = await client.get(OVERRIDES, params={"year": 2027, "agency": "H56.14"})
        assert [o["date"] for o in listed.json()] == ["2027-01-09"]

    async def test_the_same_date_and_scope_twice_is_409(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        body = {**OVERRIDE, "date": "2027-03-03", "agency_id": "H56.24"}
        assert (await client.post(OVERRIDES, headers=admin(issuer), json=body)).status_code == 201
        again = await client.post(OVERRIDES, headers=admin(issuer),
                                  json={**body, "kind": "working_day"})
        assert_problem(again, 409, "override_exists")


class TestOverrideRefusals:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.post(OVERRIDES, json=OVERRIDE), 401, "unauthorized")

    async def test_an_official_without_the_admin_role_is_403(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        headers = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56")
        r = await client.post(OVERRIDES, headers=headers, json={**OVERRIDE, "agency_id": "H56"})
        assert_problem(r, 403, "forbidden")

    async def test_an_admin_of_another_subtree_is_403(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post(OVERRIDES, headers=admin(issuer, "H56.14"),
                              json={**OVERRIDE, "agency_id": "H56.16"})
        assert_problem(r, 403, "agency_not_covered")

    async def test_a_department_admin_cannot_override_the_province(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.post(OVERRIDES, headers=admin(issuer, "H56.14"), json=OVERRIDE)
        assert_problem(r, 403, "province_admin_required")

    async def test_a_department_admin_cannot_delete_the_seeded_swap(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        listed = await client.get(OVERRIDES, params={"year": 2026})
        seed = next(o for o in listed.json() if o["seeded"])
        r = await client.delete(f"{OVERRIDES}/{seed['id']}", headers=admin(issuer, "H56.14"))
        assert_problem(r, 403, "province_admin_required")

    async def test_an_unknown_override_is_404(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.delete(f"{OVERRIDES}/987654321", headers=admin(issuer))
        assert_problem(r, 404, "override_not_found")

    @pytest.mark.parametrize(("change", "code"), [
        ({"agency_id": "h56"}, "invalid_agency_id"),
        ({"date": "1999-12-31"}, "date_out_of_range"),
        ({"reason": "   "}, "reason_required"),
        ({"legal_reference": " "}, "legal_reference_required"),
        ({"kind": "holiday"}, "validation_failed"),
    ])
    async def test_bad_input_is_422(
        self, client: httpx.AsyncClient, issuer: TestIssuer, change: dict[str, str], code: str
    ) -> None:
        r = await client.post(OVERRIDES, headers=admin(issuer), json={**OVERRIDE, **change})
        assert_problem(r, 422, code)

    async def test_a_year_outside_the_supported_range_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        assert_problem(await client.get(OVERRIDES, params={"year": 1900}), 422,
                       "year_out_of_range")


FRIDAY_MORNINGS = {day: [["07:30", "11:30"], ["13:30", "17:00"]]
                   for day in ("mon", "tue", "wed", "thu")} | {"fri": [["07:30", "11:30"]]}


class TestOfficeHours:
    async def test_an_agency_without_hours_has_the_default(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await client.get(f"{HOURS}/H56.40.01")
        assert r.status_code == 200
        body = r.json()
        assert body["source"] == "default" and body["source_agency_id"] is None
        assert body["sessions"]["mon"] == [["07:00", "11:30"], ["13:30", "17:00"]]
        assert body["hours_per_day"] == 8

    async def test_a_subtree_inherits_its_nearest_ancestors_hours(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        r = await client.put(f"{HOURS}/H56.41", headers=admin(issuer),
                             json={"sessions": FRIDAY_MORNINGS, "hours_per_day": 7.5})
        assert r.status_code == 200, r.text
        assert r.json()["source"] == "own"
        child = (await client.get(f"{HOURS}/H56.41.02.7")).json()
        assert child["source"] == "inherited" and child["source_agency_id"] == "H56.41"
        assert child["sessions"] == FRIDAY_MORNINGS and child["hours_per_day"] == 7.5
        # Fri 07:30: 4 h that morning, 3.5 h on Monday from 07:30.
        answer = await due(client, agency="H56.41.02.7", start="2026-12-11T07:30:00+07:00",
                           duration=1)
        assert answer.json()["due_at"] == "2026-12-14T11:00:00+07:00"
        assert answer.json()["calendar"]["office_hours"]["source_agency_id"] == "H56.41"

    async def test_own_hours_win_and_deleting_them_inherits_again(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        await client.put(f"{HOURS}/H56.42", headers=admin(issuer),
                         json={"sessions": FRIDAY_MORNINGS, "hours_per_day": 7.5})
        mine = {**FRIDAY_MORNINGS, "fri": [["07:30", "11:30"], ["13:30", "16:30"]]}
        r = await client.put(f"{HOURS}/H56.42.01", headers=admin(issuer, "H56.42"),
                             json={"sessions": mine})
        assert r.json()["source"] == "own" and r.json()["sessions"]["fri"][1] == ["13:30", "16:30"]
        deleted = await client.delete(f"{HOURS}/H56.42.01", headers=admin(issuer, "H56.42"))
        assert deleted.status_code == 204
        assert (await client.get(f"{HOURS}/H56.42.01")).json()["source_agency_id"] == "H56.42"

    async def test_refusals(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        body = {"sessions": FRIDAY_MORNINGS}
        assert_problem(await client.put(f"{HOURS}/H56.43", json=body), 401, "unauthorized")
        officer = issuer.headers(kind="official", roles=["one_stop_officer"], agency_id="H56")
        assert_problem(await client.put(f"{HOURS}/H56.43", headers=officer, json=body),
                       403, "forbidden")
        assert_problem(await client.put(f"{HOURS}/H56.43", headers=admin(issuer, "H56.14"),
                                        json=body), 403, "agency_not_covered")
        assert_problem(await client.delete(f"{HOURS}/H56.43", headers=admin(issuer, "H56.14")),
                       403, "agency_not_covered")
        assert_problem(await client.get(f"{HOURS}/not-an-agency"), 422, "invalid_agency_id")

    @pytest.mark.parametrize(("body", "code"), [
        ({"sessions": {**FRIDAY_MORNINGS, "fri": [["07:30", "11:30"], ["11:00", "12:00"]]}},
         "sessions_overlap"),
        ({"sessions": {**FRIDAY_MORNINGS, "fri": [["12:00", "11:00"]]}}, "session_not_ordered"),
        ({"sessions": {**FRIDAY_MORNINGS, "fri": [["7h30", "11:30"]]}}, "invalid_time"),
        ({"sessions": {k: v for k, v in FRIDAY_MORNINGS.items() if k != "wed"}},
         "workday_without_sessions"),
        ({"sessions": {**FRIDAY_MORNINGS, "holiday": []}}, "unknown_weekday"),
        ({"sessions": FRIDAY_MORNINGS, "hours_per_day": 0}, "invalid_hours_per_day"),
        ({"sessions": {"mon": "07:00-17:00"}}, "validation_failed"),
    ])
    async def test_bad_hours_are_422(
        self, client: httpx.AsyncClient, issuer: TestIssuer, body: dict[str, Any], code: str
    ) -> None:
        assert_problem(await client.put(f"{HOURS}/H56.44", headers=admin(issuer), json=body),
                       422, code)


class TestDueDateFromTheCatalogue:
    async def test_the_procedure_gives_duration_and_agency(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await due(client, procedure=LLTP, start="2026-12-07T07:00:00+07:00")
        body = r.json()
        assert body["procedure_code"] == LLTP and body["duration"] == 10
        assert body["calendar"]["agency_id"] == "H56.14"
        assert body["due_at"] == "2026-12-18T17:00:00+07:00" and body["working_hours"] == 80

    async def test_online_duration_and_the_15h_rule(
        self, client: httpx.AsyncClient, quick_online_procedure: str
    ) -> None:
        start = "2026-12-07T15:30:00+07:00"
        online = await due(client, procedure=quick_online_procedure, channel="online",
                           start=start)
        body = online.json()
        assert body["duration"] == 2 and body["after_15h_next_day"] is True
        assert body["counted_from"] == "2026-12-08T07:00:00+07:00"
        assert body["due_at"] == "2026-12-09T17:00:00+07:00"
        counter = await due(client, procedure=quick_online_procedure, start=start)
        assert counter.json()["due_at"] == "2026-12-14T17:00:00+07:00"

    async def test_the_15h_rule_as_a_parameter(self, client: httpx.AsyncClient) -> None:
        params = {"agency": "H56.14", "start": "2026-12-07T15:30:00+07:00", "duration": 1}
        assert (await due(client, **params)).json()["due_at"] == "2026-12-08T15:30:00+07:00"
        ruled = await due(client, after_15h_next_day="true", **params)
        assert ruled.json()["due_at"] == "2026-12-08T17:00:00+07:00"

    @pytest.mark.parametrize(("params", "code"), [
        ({"procedure": LLTP, "duration": 3}, "procedure_sets_duration"),
        ({"procedure": "0.000000"}, "unknown_procedure"),
        ({"agency": "H56.14", "duration": 1, "channel": "online"}, "channel_without_procedure"),
        ({"agency": "H56.14"}, "duration_required"),
        ({"duration": 1}, "agency_required"),
        ({"agency": "H56.14", "duration": 1, "unit": "weeks"}, "validation_failed"),
    ])
    async def test_bad_queries_are_422(
        self, client: httpx.AsyncClient, params: dict[str, Any], code: str
    ) -> None:
        r = await due(client, start="2026-12-07T07:00:00+07:00", **params)
        assert_problem(r, 422, code)

    async def test_a_due_date_after_2100_is_422(self, client: httpx.AsyncClient) -> None:
        r = await due(client, agency="H56.14", start="2100-12-20T07:00:00+07:00", duration=30)
        assert_problem(r, 422, "due_date_out_of_range")

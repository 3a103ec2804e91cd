"""Levels of assurance: level 2 by a one-stop-shop officer's check at the counter or by the
national population database (its simulator, served over real HTTP), and what a token says.

This module runs its own svc-identity whose ``population_url`` points at a simulator served
by uvicorn on a free port: the default URL (the service itself on port 8001) does not exist
when the app runs in process."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from fastapi import FastAPI

from egov_testing import Databases, NatsServer, free_port, serve_in_process
from svc_identity.accounts import validation
from svc_identity.main import create_app
from svc_identity.population.schemas import SEX_CODES, parse_birth_date
from svc_identity.population.simulator import create_simulator, seed_residents
from svc_identity.settings import IdentitySettings

DEMO_PASSWORD = "demo-Password-1"
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


class ThreadedServer:
    """One uvicorn server in a daemon thread (real HTTP, as the service will see it)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the population simulator did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def population() -> Iterator[ThreadedServer]:
    server = ThreadedServer(create_simulator(enabled=True))
    server.start()
    yield server
    server.stop()


def identity_settings(databases: Databases, nats_server: NatsServer,
                      tmp_path_factory: pytest.TempPathFactory,
                      population_url: str) -> IdentitySettings:
    return IdentitySettings(
        database_url=databases.new_url("identity"), nats_url=nats_server.url, demo=True,
        demo_password=DEMO_PASSWORD, log_json=False, population_url=population_url,
        mail_drop_dir=str(tmp_path_factory.mktemp("mail")),
        secret_key_file=str(tmp_path_factory.mktemp("keys") / "identity-secret.key"),
    )


@pytest.fixture(scope="module")
async def verifying_identity(
    databases: Databases, nats_server: NatsServer, population: ThreadedServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    settings = identity_settings(databases, nats_server, tmp_path_factory, population.url)
    async with serve_in_process(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(verifying_identity: httpx.AsyncClient) -> httpx.AsyncClient:
    """This module's svc-identity (the ``tokens`` and ``citizen`` fixtures use it too)."""
    return verifying_identity


# --- helpers -------------------------------------------------------------------------------

def resident_of(citizen: dict[str, Any], *, layout: str = "%d/%m/%Y",
                **changes: Any) -> dict[str, Any]:
    """The national database's record of ``citizen``, as its clerks typed it (upper case)."""
    born = date.fromisoformat(citizen["date_of_birth"])
    record = {"soDinhDanh": citizen["id_number"], "hoVaTen": citizen["full_name"].upper(),
              "ngaySinh": born.strftime(layout),
              "gioiTinh": "2" if citizen["sex"] == "female" else "1",
              "noiThuongTru": "Thôn Phú Lâm, xã Quảng Phú, tỉnh Thanh Hóa"}
    return {**record, **changes}


async def enrol(population: ThreadedServer, resident: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=population.url) as http:
        answer = await http.post("/api/citizens", json=resident)
    assert answer.status_code == 201, answer.text


async def bearer(client: httpx.AsyncClient, tokens: Any, username: str,
                 password: str | None = None) -> dict[str, str]:
    """Signs ``username`` in from a fresh browser (no single sign-on carried over)."""
    client.cookies.clear()
    headers: dict[str, str] = await (tokens.bearer(username) if password is None
                                     else tokens.bearer(username, password))
    return headers


def acr(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["acr"])


async def signed_in_citizen(client: httpx.AsyncClient, tokens: Any,
                            citizen: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    answer = await client.post("/api/v1/citizens", json=citizen)
    assert answer.status_code == 201, answer.text
    return answer.json(), await bearer(client, tokens, citizen["id_number"], citizen["password"])


async def assurance(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.get("/api/v1/verifications/me", headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def counter_check(citizen: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"id_number": citizen["id_number"], "full_name": citizen["full_name"],
            "date_of_birth": citizen["date_of_birth"], "document": "chip_id_card", **changes}


def fresh_tax_code() -> str:
    while True:
        first_nine = f"28{random.randrange(1, 10**7):07d}"
        check = 10 - sum(w * int(d) for w, d in zip(WEIGHTS, first_nine, strict=True)) % 11
        if check < 10:
            return f"{first_nine}{check}"


# --- the simulator -------------------------------------------------------------------------

class TestPopulationSimulator:
    async def test_looks_a_seeded_resident_up_in_the_national_format(
        self, population: ThreadedServer
    ) -> None:
        async with httpx.AsyncClient(base_url=population.url) as http:
            answer = await http.post("/api/citizens/lookup", json={"soDinhDanh": "038082004517"})
        assert answer.status_code == 200 and answer.headers["x-simulator"] == "csdlqg-dan-cu"
        record = answer.json()
        assert record["hoVaTen"] == "Lê Văn Hùng" and record["ngaySinh"] == "19820815"
        assert record["gioiTinh"] == "1" and record["quocTich"] == "Việt Nam"
        assert record["noiThuongTru"].endswith("tỉnh Thanh Hóa")

    def test_seeded_residents_are_thanh_hoa_people_with_consistent_numbers(self) -> None:
        residents = seed_residents().values()
        assert len(residents) >= 3
        for resident in residents:
            born = parse_birth_date(resident.birth_date)
            assert born is not None and resident.id_number.startswith("038")
            validation.check_id_number_matches(resident.id_number, date_of_birth=born,
                                               sex=SEX_CODES[resident.sex_code])

    async def test_an_unknown_number_is_not_found(self, population: ThreadedServer) -> None:
        async with httpx.AsyncClient(base_url=population.url) as http:
            answer = await http.post("/api/citizens/lookup", json={"soDinhDanh": "038099999999"})
        assert answer.status_code == 404 and answer.json()["maLoi"] == "KHONG_TIM_THAY"

    async def test_adds_residents_but_not_twice_nor_inconsistent_ones(
        self, population: ThreadedServer, citizen: dict[str, Any]
    ) -> None:
        async with httpx.AsyncClient(base_url=population.url) as http:
            wrong_sex = await http.post("/api/citizens", json=resident_of(citizen, gioiTinh="1"))
            wrong_day = await http.post("/api/citizens",
                                        json=resident_of(citizen, ngaySinh="1995-03-14"))
            malformed = await http.post("/api/citizens", json={"soDinhDanh": "1"})
            added = await http.post("/api/citizens", json=resident_of(citizen))
            again = await http.post("/api/citizens", json=resident_of(citizen))
            found = await http.post("/api/citizens/lookup",
                                    json={"soDinhDanh": citizen["id_number"]})
        assert [wrong_sex.status_code, wrong_day.status_code, malformed.status_code] == [400] * 3
        assert {a.json()["maLoi"] for a in (wrong_sex, wrong_day, malformed)} == {
            "DU_LIEU_KHONG_HOP_LE"}
        assert added.status_code == 201
        assert again.status_code == 409 and again.json()["maLoi"] == "DA_TON_TAI"
        assert found.json()["hoVaTen"] == "NGUYỄN THỊ HOA"

    async def test_svc_identity_serves_it_in_demo_mode_only(
        self, client: httpx.AsyncClient
    ) -> None:
        """Mounted at /simulators/population, the default ``population_url``; it follows the
        platform's demo switch (``EGOV_DEMO``), whatever this test run sets it to."""
        answer = await client.post("/simulators/population/api/citizens/lookup",
                                   json={"soDinhDanh": "038082004517"})
        if IdentitySettings().demo:
            assert answer.status_code == 200 and answer.json()["hoVaTen"] == "Lê Văn Hùng"
        else:
            assert answer.status_code == 503 and answer.json()["maLoi"] == "TAM_NGUNG"

    async def test_answers_nothing_outside_demo_mode(self) -> None:
        transport = httpx.ASGITransport(app=create_simulator(enabled=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as http:
            answer = await http.post("/api/citizens/lookup", json={"soDinhDanh": "038082004517"})
        assert answer.status_code == 503 and answer.json()["maLoi"] == "TAM_NGUNG"


# --- verification by population database ---------------------------------------------------

class TestVerifyWithPopulationDatabase:
    @pytest.mark.parametrize("layout", ["%Y%m%d", "%d/%m/%Y"])
    async def test_a_matching_record_raises_the_citizen_to_level_2(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        population: ThreadedServer, layout: str,
    ) -> None:
        await enrol(population, resident_of(citizen, layout=layout))
        person, headers = await signed_in_citizen(client, tokens, citizen)
        assert acr(headers) == "1"
        answer = await client.post("/api/v1/verifications/population", headers=headers)
        assert answer.status_code == 200, answer.text
        verified = answer.json()
        assert verified["account_id"] == person["id"] and verified["assurance_level"] == 2
        assert verified["verified"] is True and verified["verification_method"] == "population_db"
        assert verified["verified_at"].endswith("+07:00") and verified["verified_by"] is None
        assert (await assurance(client, headers))["assurance_level"] == 2
        again = await bearer(client, tokens, citizen["id_number"], citizen["password"])
        assert acr(again) == "2"  # the next token carries the new level
        me = await client.get("/api/v1/me", headers=again)
        assert me.json()["assurance_level"] == 2

    async def test_a_second_request_finds_it_already_verified(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        population: ThreadedServer,
    ) -> None:
        await enrol(population, resident_of(citizen))
        _, headers = await signed_in_citizen(client, tokens, citizen)
        first = await client.post("/api/v1/verifications/population", headers=headers)
        assert first.status_code == 200
        second = await client.post("/api/v1/verifications/population", headers=headers)
        assert second.status_code == 409 and second.json()["code"] == "already_verified"

    async def test_no_record_is_a_mismatch(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        answer = await client.post("/api/v1/verifications/population", headers=headers)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "population_mismatch"
        assert (await assurance(client, headers))["assurance_level"] == 1

    async def test_a_difference_is_a_mismatch_that_does_not_say_which(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        population: ThreadedServer,
    ) -> None:
        answers = []
        for changes in ({"hoVaTen": "NGUYEN THI HOA"}, {"ngaySinh": "15/03/1995"}):
            person = {**citizen, "id_number": citizen["id_number"][:6]
                      + f"{random.randrange(10**6):06d}"}
            await enrol(population, resident_of(person, **changes))
            _, headers = await signed_in_citizen(client, tokens, person)
            answers.append(await client.post("/api/v1/verifications/population",
                                             headers=headers))
            assert (await assurance(client, headers))["verified"] is False
        assert [a.status_code for a in answers] == [422, 422]
        name, day = (a.json() for a in answers)
        assert name["code"] == day["code"] == "population_mismatch"
        assert name["detail"] == day["detail"]
        assert set(name) == set(day) and "field" not in name

    async def test_only_a_citizen_verifies_themselves(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        anonymous = await client.post("/api/v1/verifications/population")
        assert anonymous.status_code == 401
        officer = await client.post("/api/v1/verifications/population",
                                    headers=await bearer(client, tokens, "motcua"))
        assert officer.status_code == 403

    async def test_the_account_verified_event_names_the_method(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        population: ThreadedServer, find_event: Any,
    ) -> None:
        await enrol(population, resident_of(citizen))
        person, headers = await signed_in_citizen(client, tokens, citizen)
        assert (await client.post("/api/v1/verifications/population",
                                  headers=headers)).status_code == 200
        event = await find_event("identity.account.verified", person["id"])
        assert event["type"] == "vn.egov.identity.account.verified.v1"
        assert event["data"]["account_id"] == person["id"]
        assert event["data"]["kind"] == "citizen" and event["data"]["assurance_level"] == 2
        assert event["data"]["method"] == "population_db"
        assert citizen["id_number"] not in str(event)


@pytest.fixture(scope="module", params=["refused", "wrong_path"])
async def unavailable_identity(
    request: pytest.FixtureRequest, databases: Databases, nats_server: NatsServer,
    population: ThreadedServer, tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[httpx.AsyncClient]:
    """svc-identity whose population database cannot answer: nothing listens at the URL, or
    something answers there that is not the database (a 404 that is no answer about anyone)."""
    url = (f"http://127.0.0.1:{free_port()}" if request.param == "refused"
           else f"{population.url}/not-the-population-database")
    settings = identity_settings(databases, nats_server, tmp_path_factory, url)
    async with serve_in_process(create_app(settings)) as client:
        yield client


class TestPopulationDatabaseUnavailable:
    @pytest.fixture
    def client(self, unavailable_identity: httpx.AsyncClient) -> httpx.AsyncClient:
        return unavailable_identity

    async def test_answers_503_and_changes_nothing(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        answer = await client.post("/api/v1/verifications/population", headers=headers)
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "population_db_unavailable"
        now = await assurance(client, headers)
        assert now["assurance_level"] == 1 and now["verification_method"] is None
        assert acr(await bearer(client, tokens, citizen["id_number"], citizen["password"])) == "1"


# --- verification at the counter -----------------------------------------------------------

class TestVerifyAtCounter:
    async def test_an_officer_verifies_a_citizen_seen_in_person(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        person, _ = await signed_in_citizen(client, tokens, citizen)
        officer = await bearer(client, tokens, "motcua")
        officer_id = (await client.get("/api/v1/me", headers=officer)).json()["id"]
        answer = await client.post("/api/v1/verifications/counter", headers=officer, json=(
            counter_check(citizen, full_name="  NGUYỄN  THỊ HOA ", document="vneid",
                          note="Đối chiếu CCCD gắn chip")))
        assert answer.status_code == 200, answer.text
        verified = answer.json()
        assert verified["account_id"] == person["id"] and verified["assurance_level"] == 2
        assert verified["verification_method"] == "counter"
        assert verified["verified_by"] == officer_id and verified["businesses"] == []
        again = await bearer(client, tokens, citizen["id_number"], citizen["password"])
        assert acr(again) == "2"
        mine = await assurance(client, again)
        assert mine["verified"] is True and mine["verification_method"] == "counter"
        assert mine["verified_at"] == verified["verified_at"]

    @pytest.mark.parametrize("changes", [
        {"full_name": "Nguyen Thi Hoa"}, {"full_name": "Nguyễn Thị Hòa"},
        {"date_of_birth": "1995-03-15"},
    ])
    async def test_the_document_must_match_the_account(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        changes: dict[str, Any],
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        officer = await bearer(client, tokens, "motcua")
        answer = await client.post("/api/v1/verifications/counter", headers=officer,
                                   json=counter_check(citizen, **changes))
        assert answer.status_code == 422 and answer.json()["code"] == "identity_mismatch"
        assert (await assurance(client, headers))["assurance_level"] == 1

    @pytest.mark.parametrize(("changes", "status", "code"), [
        ({"id_number": "12345"}, 422, "invalid_id_number"),
        ({"document": "passport"}, 422, "validation_failed"),
        ({"date_of_birth": "14/03/1995"}, 422, "validation_failed"),
    ])
    async def test_malformed_checks_are_refused(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        changes: dict[str, Any], status: int, code: str,
    ) -> None:
        officer = await bearer(client, tokens, "motcua")
        answer = await client.post("/api/v1/verifications/counter", headers=officer,
                                   json=counter_check(citizen, **changes))
        assert answer.status_code == status and answer.json()["code"] == code

    async def test_an_unknown_account_is_not_found(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        officer = await bearer(client, tokens, "motcua")
        answer = await client.post("/api/v1/verifications/counter", headers=officer,
                                   json=counter_check(citizen))  # never registered
        assert answer.status_code == 404 and answer.json()["code"] == "account_not_found"

    async def test_a_verified_account_is_not_verified_twice(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        await signed_in_citizen(client, tokens, citizen)
        officer = await bearer(client, tokens, "motcua")
        first = await client.post("/api/v1/verifications/counter", headers=officer,
                                  json=counter_check(citizen))
        assert first.status_code == 200
        second = await client.post("/api/v1/verifications/counter", headers=officer,
                                   json=counter_check(citizen, document="vneid"))
        assert second.status_code == 409 and second.json()["code"] == "already_verified"

    async def test_only_one_stop_officers_verify_at_the_counter(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        body = counter_check(citizen)
        as_citizen = await client.post("/api/v1/verifications/counter", headers=headers,
                                       json=body)
        processing = await client.post("/api/v1/verifications/counter", json=body,
                                       headers=await bearer(client, tokens, "chuyenvien"))
        anonymous = await client.post("/api/v1/verifications/counter", json=body)
        assert [as_citizen.status_code, processing.status_code, anonymous.status_code] == [
            403, 403, 401]
        mine = await bearer(client, tokens, citizen["id_number"], citizen["password"])
        assert (await assurance(client, mine))["assurance_level"] == 1

    async def test_the_businesses_of_the_representative_rise_with_them(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        find_event: Any,
    ) -> None:
        _, headers = await signed_in_citizen(client, tokens, citizen)
        tax_code = fresh_tax_code()
        created = await client.post("/api/v1/businesses", headers=headers, json={
            "tax_code": tax_code, "name": "Hộ kinh doanh Hạc Thành",
            "password": "Doanh-nghiep-2026"})
        assert created.status_code == 201 and created.json()["assurance_level"] == 1
        officer = await bearer(client, tokens, "motcua")
        answer = await client.post("/api/v1/verifications/counter", headers=officer,
                                   json=counter_check(citizen))
        assert answer.json()["businesses"] == [tax_code]
        as_business = await bearer(client, tokens, tax_code, "Doanh-nghiep-2026")
        assert acr(as_business) == "2"
        now = await assurance(client, as_business)
        assert now["kind"] == "business" and now["verification_method"] == "counter"
        event = await find_event("identity.account.verified", created.json()["id"])
        assert event["data"]["kind"] == "business" and event["data"]["method"] == "counter"

    async def test_the_account_verified_event_names_the_officer_and_agency(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any],
        find_event: Any,
    ) -> None:
        person, _ = await signed_in_citizen(client, tokens, citizen)
        officer = await bearer(client, tokens, "motcua")
        officer_id = (await client.get("/api/v1/me", headers=officer)).json()["id"]
        await client.post("/api/v1/verifications/counter", headers=officer,
                          json=counter_check(citizen))
        event = await find_event("identity.account.verified", person["id"])
        assert event["data"]["method"] == "counter"
        assert event["data"]["verified_by"] == officer_id
        assert event["data"]["agency_id"] == event["agency"] == "H56.20"
        assert citizen["full_name"] not in str(event)


class TestMyAssurance:
    async def test_a_new_citizen_is_self_declared(
        self, client: httpx.AsyncClient, tokens: Any, citizen: dict[str, Any]
    ) -> None:
        person, headers = await signed_in_citizen(client, tokens, citizen)
        assert await assurance(client, headers) == {
            "account_id": person["id"], "kind": "citizen", "assurance_level": 1,
            "verified": False, "verification_method": None, "verified_at": None,
            "verified_by": None}

    async def test_an_official_is_verified_by_their_agency(
        self, client: httpx.AsyncClient, tokens: Any
    ) -> None:
        mine = await assurance(client, await bearer(client, tokens, "motcua"))
        assert mine["kind"] == "official" and mine["assurance_level"] == 2
        assert (await client.get("/api/v1/verifications/me")).status_code == 401

"""A procedure can require a verified account (level of assurance 2) for online submission;
the level comes from the access token's ``acr``. Also: the schema the migrations build."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from egov_shared.db import create_engine
from egov_testing import Databases, TestIssuer
from svc_dossier.main import MIGRATIONS
from svc_dossier.models import metadata
from svc_dossier.settings import DossierSettings

BUSINESS_REGISTRATION = "2.001610.000.00.00.H56"  # Sở Kế hoạch và Đầu tư H56.10, level 2
CONSTRUCTION_PERMIT = "1.009972.000.00.00.H56"  # Sở Xây dựng H56.16, level 2
CRIMINAL_RECORD = "2.000748.000.00.00.H56"  # Sở Tư pháp H56.14, level 1
BUSINESS_FORM = {"ten_doanh_nghiep": "Công ty TNHH Sao Mai Thanh Hóa",
                 "dia_chi_tru_so": "15 Lê Lợi, phường Hạc Thành", "nganh_nghe": ["4711"],
                 "von_dau_tu": 500_000_000}
APPLICANT = {"id_number": "038190004321", "full_name": "Lê Thị Thu"}


def applicant(issuer: TestIssuer, kind: str, acr: int, sub: str) -> dict[str, str]:
    username = "2800000027" if kind == "business" else "038190004321"
    return issuer.headers(sub=sub, kind=kind, username=username, acr=acr)


class TestTheCatalogueShowsTheRequirement:
    @pytest.mark.parametrize(("code", "level"), [
        (BUSINESS_REGISTRATION, 2), (CONSTRUCTION_PERMIT, 2), (CRIMINAL_RECORD, 1),
    ])
    async def test_each_procedure_states_the_level_it_requires(
        self, client: httpx.AsyncClient, code: str, level: int
    ) -> None:
        answer = await client.get(f"/api/v1/procedures/{code}")
        assert answer.status_code == 200
        assert answer.json()["required_assurance_level"] == level

    async def test_every_procedure_requires_level_1_or_2(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/v1/procedures", params={"limit": 200})).json()
        assert listed and {p["required_assurance_level"] for p in listed} == {1, 2}


class TestOnlineSubmission:
    @pytest.mark.parametrize("kind", ["citizen", "business"])
    @pytest.mark.parametrize("code", [BUSINESS_REGISTRATION, CONSTRUCTION_PERMIT])
    async def test_a_self_declared_account_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, issuer: TestIssuer, kind: str, code: str
    ) -> None:
        sub = uuid.uuid4().hex
        answer = await client.post("/api/v1/dossiers", headers=applicant(issuer, kind, 1, sub),
                                   json={"procedure_code": code, "form_data": {"a": "b"}})
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "assurance_level_required"
        assert "mức 2" in problem["detail"]  # a message the applicant can read
        assert problem["required_assurance_level"] == 2 and problem["assurance_level"] == 1
        mine = await client.get("/api/v1/dossiers", headers=applicant(issuer, kind, 1, sub))
        assert mine.json() == []

    @pytest.mark.parametrize("kind", ["citizen", "business"])
    async def test_a_verified_account_submits(
        self, client: httpx.AsyncClient, issuer: TestIssuer, kind: str
    ) -> None:
        sub = uuid.uuid4().hex
        answer = await client.post("/api/v1/dossiers", headers=applicant(issuer, kind, 2, sub),
                                   json={"procedure_code": BUSINESS_REGISTRATION,
                                         "form_data": BUSINESS_FORM})
        assert answer.status_code == 201, answer.text
        assert answer.json()["agency_id"] == "H56.10"
        mine = await client.get("/api/v1/dossiers", headers=applicant(issuer, kind, 2, sub))
        assert [d["code"] for d in mine.json()] == [answer.json()["code"]]

    async def test_a_level_1_procedure_takes_a_self_declared_account(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        answer = await client.post(
            "/api/v1/dossiers", headers=applicant(issuer, "citizen", 1, uuid.uuid4().hex),
            json={"procedure_code": CRIMINAL_RECORD, "form_data": {"muc_dich": "Xin việc"}})
        assert answer.status_code == 201, answer.text

    async def test_a_refused_key_can_be_used_again_once_verified(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        sub, body = uuid.uuid4().hex, {"procedure_code": CONSTRUCTION_PERMIT}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        refused = await client.post("/api/v1/dossiers", json=body, headers={
            **applicant(issuer, "citizen", 1, sub), **key})
        assert refused.status_code == 403
        accepted = await client.post("/api/v1/dossiers", json=body, headers={
            **applicant(issuer, "citizen", 2, sub), **key})
        assert accepted.status_code == 201 and "idempotent-replayed" not in accepted.headers


class TestCounterSubmission:
    async def test_the_officer_checks_the_applicant_in_person(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        officer = issuer.headers(kind="official", roles=["one_stop_officer"],
                                 agency_id="H56.10", acr=2)
        answer = await client.post("/api/v1/dossiers", headers=officer, json={
            "procedure_code": BUSINESS_REGISTRATION, "form_data": BUSINESS_FORM,
            "channel": "counter",
            "applicant": APPLICANT})
        assert answer.status_code == 201, answer.text
        assert answer.json()["applicant"]["id_number"] == APPLICANT["id_number"]


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _alembic(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade_with_dossiers_in_place(connection: Connection) -> list[Any]:
    """0001 with a procedure and a dossier that points at it, then head, down and up again:
    the new column must not need a table rebuild (SQLite's foreign keys would refuse it)."""
    config = _alembic(connection)
    command.upgrade(config, "0001")
    connection.execute(text(
        "INSERT INTO procedure (code, name, name_folded, field, agency_id, duration, "
        "duration_unit, online_level, fees, created_at) VALUES ('9.999999', 'Thủ tục cũ', "
        "'thu tuc cu', 'Khác', 'H56', 1, 'working_days', 'full', '[]', '2026-11-01')"))
    connection.execute(text(
        "INSERT INTO dossier (code, procedure_code, agency_id, channel, status_code, "
        "search_text, form_data, submitted_by, submitted_at) VALUES ('H56-261101-0001', "
        "'9.999999', 'H56', 'online', 1, 'h56', '{}', 'someone', '2026-11-01')"))
    command.upgrade(config, "head")
    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    return list(connection.execute(text(
        "SELECT required_assurance_level FROM procedure WHERE code = '9.999999'")).scalars())


class TestMigrations:
    async def test_the_migrated_schema_matches_the_models(
        self, client: httpx.AsyncClient, dossier_settings: DossierSettings
    ) -> None:
        engine = create_engine(dossier_settings.database_url)  # migrated by the app's start
        try:
            async with engine.connect() as connection:
                assert await connection.run_sync(_schema_diff) == []
        finally:
            await engine.dispose()

    async def test_existing_procedures_get_level_1_with_dossiers_in_place(
        self, databases: Databases
    ) -> None:
        engine = create_engine(databases.new_url("dossier"))
        try:
            async with engine.begin() as connection:
                assert await connection.run_sync(_upgrade_with_dossiers_in_place) == [1]
        finally:
            await engine.dispose()

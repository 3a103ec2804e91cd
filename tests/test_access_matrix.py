"""The access-control matrix (issue 10), generated from ``tests/access_matrix.py``: every
operation of the gateway's merged OpenAPI document × every kind of caller (anonymous, the
citizen who owns the records, another citizen, a business, a partner client, and each official
role in the records' own agency, a sibling agency and the parent agency), one request per cell
through the gateway, and the answer the table expects.

The records live at Sở Tư pháp (H56.14): a dossier of citizen A, a draft document, a periodic
report, a register, a target, an official, a partner client, the business A represents. The
officials are made by the administrator: each role at H56.14 (own), H56.16 Sở Xây dựng
(sibling) and H56 (parent, which covers H56.14's subtree)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
import pytest

from egov_testing import Databases
from gateway.settings import AUTH_ROUTES
from tests.access_matrix import (
    ALLOWED_WRITE_ANSWERS,
    AUTHORISED,
    MATRIX,
    MISSING,
    PDF,
    PRINCIPALS,
    RELATIONS,
    ROLES,
    TAX,
    Call,
    operations_of,
)
from tests.platform import (
    CLIENT_ID,
    DEMO_PASSWORD,
    Platform,
    _post_form,
    bearer,
    complete_openapi,
    login,
    register_citizen,
    running,
)

pytestmark = pytest.mark.e2e
DEMO_TOTP_SECRET = "EGOVDEMOTOTPTHANHHOA234567ABCDEF"
LLTP = "2.000748.000.00.00.H56"
SPARE_PROCEDURE = "9.999998.000.00.00.H56"  # the writes' procedure (made by the test)
NEW_PROCEDURE = "9.999999.000.00.00.H56"  # what POST /procedures makes
OWN = RELATIONS["own"]
CONCURRENCY = 12


@dataclass
class World:
    """The platform, a token per principal and the records' identifiers for the paths."""

    gateway: str
    tokens: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


async def login_enrolling(api: httpx.AsyncClient, username: str) -> str:
    """``login`` for a new official whose role needs a second factor: the provider asks to
    enrol one at the first sign-in and shows its secret; a code of that secret finishes it."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect_uri = str(api.base_url).rstrip("/") + "/callback"
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as browser:
        page = await browser.get("/oauth2/authorize", params={
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri,
            "scope": "openid profile", "state": "s", "nonce": "n",
            "code_challenge": challenge.decode().rstrip("="), "code_challenge_method": "S256"})
        answer = await _post_form(browser, page.text,
                                  {"username": username, "password": DEMO_PASSWORD})
        found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', answer.text)
        assert found, answer.text
        answer = await _post_form(browser, answer.text,
                                  {"otp": pyotp.TOTP(found.group(1).replace(" ", "")).now()})
        assert answer.status_code in (302, 303), answer.text
        code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
        token = await browser.post("/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": CLIENT_ID, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


async def client_token(api: httpx.AsyncClient, client_id: str, secret: str) -> str:
    r = await api.post("/oauth2/token", data={"grant_type": "client_credentials",
                                              "scope": "axis"}, auth=(client_id, secret))
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def created(api: httpx.AsyncClient, path: str, token: str, **kw: Any) -> dict[str, Any]:
    r = await api.post(path, headers={**bearer(token), **kw.pop("headers", {})}, **kw)
    assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
    return dict(r.json())


async def officials(api: httpx.AsyncClient, admin: str) -> dict[str, str | None]:
    """Each role in each relation, made by the administrator, signed in once."""
    gate = asyncio.Semaphore(3)  # password hashing is CPU-bound: a few at a time

    async def one(role: str, relation: str) -> tuple[str, str]:
        async with gate:
            return await appoint(role, relation)

    async def appoint(role: str, relation: str) -> tuple[str, str]:
        username = f"mx.{role.replace('_', '')}.{relation}"
        await created(api, "/api/v1/officials", admin, json={
            "username": username, "full_name": "Nguyễn Văn Kiểm", "roles": [role],
            "agency_id": RELATIONS[relation], "password": DEMO_PASSWORD})
        if role in ("admin", "leader"):
            return f"{role}@{relation}", await login_enrolling(api, username)
        return f"{role}@{relation}", await login(api, username, DEMO_PASSWORD)
    pairs = await asyncio.gather(*(one(r, rel) for r in ROLES for rel in RELATIONS))
    return dict(pairs)


async def dossier(api: httpx.AsyncClient, citizen: str) -> str:
    body = {"procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}}
    return str((await created(api, "/api/v1/dossiers", citizen, json=body))["code"])


async def prepare(api: httpx.AsyncClient) -> World:
    world = World(gateway=str(api.base_url))
    admin = await login(api, "admin", DEMO_PASSWORD,
                        otp=pyotp.TOTP(DEMO_TOTP_SECRET).now())
    a_id, a_password = await register_citizen(api)  # Nguyễn Văn An, born 1990-05-17
    b_id, b_password = await register_citizen(api)
    citizen = await login(api, a_id, a_password)
    other = await login(api, b_id, b_password)
    await created(api, "/api/v1/businesses", citizen, json={
        "tax_code": TAX, "name": "Công ty TNHH Thương mại Hạc Thành",
        "password": DEMO_PASSWORD})
    client = await created(api, "/api/v1/admin/clients", admin, json={
        "name": "Hệ thống đối tác", "auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"], "scopes": ["axis"], "agency_id": OWN})
    world.tokens = {"anonymous": None, "citizen": citizen, "other_citizen": other,
                    "business": await login(api, TAX, DEMO_PASSWORD),
                    "client": await client_token(api, client["client_id"],
                                                 client["client_secret"]),
                    **await officials(api, admin)}
    world.values = await records(api, world, admin, client["client_id"])
    world.values["counter_body"] = {"id_number": a_id, "full_name": "Nguyễn Văn An",
                                    "date_of_birth": "1990-05-17", "document": "chip_id_card"}
    return world


async def records(api: httpx.AsyncClient, world: World, admin: str,
                  client_id: str) -> dict[str, Any]:
    """The records of H56.14 the cells ask about; a second one where a write would spoil the
    first (``write_*``)."""
    t = {who: str(token) for who, token in world.tokens.items()}
    values: dict[str, Any] = {"client_id": client_id, "tax_code": TAX, "procedure": LLTP,
                              "agency_id": OWN, "role": "clerk", "form": "01", "fmt": "json",
                              "reference": MISSING}
    values |= await identity_records(api, t, admin)
    values |= await dossier_records(api, t, admin)
    values |= await docflow_records(api, t)
    values |= await reporting_records(api, t)
    return values


async def identity_records(api: httpx.AsyncClient, t: dict[str, str],
                           admin: str) -> dict[str, Any]:
    victim = await created(api, "/api/v1/officials", admin, json={
        "username": "mx.victim", "full_name": "Trần Thị Thử", "roles": ["clerk"],
        "agency_id": OWN, "password": DEMO_PASSWORD})
    seals = await api.get("/api/v1/certificates", headers=bearer(admin), params={
        "agency_id": OWN, "status": "valid"})  # the demo issues every agency's seal
    seal = next(c for c in seals.json() if c["kind"] == "organisational")
    personal = await created(api, "/api/v1/certificates", admin, json={
        "kind": "personal", "account_id": victim["id"]})
    return {"official_id": victim["id"], "serial": seal["serial"],
            "write_serial": personal["serial"]}


async def dossier_records(api: httpx.AsyncClient, t: dict[str, str],
                          admin: str) -> dict[str, Any]:
    procedure = (await api.get(f"/api/v1/procedures/{LLTP}")).json()
    fields = {k: v for k, v in procedure.items()
              if k not in ("code", "total_fee", "national_level")}
    await created(api, "/api/v1/procedures", admin, json={**fields, "code": SPARE_PROCEDURE})
    code, write_code = await dossier(api, t["citizen"]), await dossier(api, t["citizen"])
    component = procedure["components"][0]["code"]
    attachments = [await created(
        api, f"/api/v1/dossiers/{c}/attachments", t["citizen"], content=PDF,
        params={"component": component, "filename": "ban-sao.pdf"},
        headers={"Content-Type": "application/pdf"}) for c in (code, write_code)]
    await created(api, f"/api/v1/dossiers/{code}/receive", t["one_stop_officer@own"], json={})
    override = await created(api, "/api/v1/calendar/overrides", admin, json={
        "date": "2030-05-02", "kind": "day_off", "reason": "Thử", "agency_id": OWN,
        "legal_reference": "Thông báo thử"})
    return {"dossier": code, "code": code, "write_dossier": write_code,
            "procedure_fields": fields, "procedure_body": {**fields, "code": NEW_PROCEDURE},
            "spare_procedure": SPARE_PROCEDURE, "component": component,
            "attachment_id": attachments[0]["id"], "write_attachment": attachments[1]["id"],
            "override_id": override["id"]}


async def docflow_records(api: httpx.AsyncClient, t: dict[str, str]) -> dict[str, Any]:
    processing = t["processing_officer@own"]
    leader_id = (await api.get("/api/v1/me", headers=bearer(t["leader@own"]))).json()["id"]
    body = {"doc_type": "CV", "unit_notation": "VP", "subject": "V/v kiểm tra quyền truy cập",
            "body": "Nội dung.", "signer": {"account_id": leader_id, "name": "Lê Văn Cường",
                                            "position": "GIÁM ĐỐC"},
            "recipients": [{"agency_id": "H56.16"}]}
    document = await created(api, "/api/v1/documents", processing, json=body)
    await created(api, f"/api/v1/documents/{document['id']}/pdf/render", processing)
    pdf = await api.get(f"/api/v1/documents/{document['id']}/pdf", headers=bearer(processing))
    assert pdf.status_code == 200, pdf.text
    scans = [await created(api, "/api/v1/documents/incoming/scans", t["clerk@own"], data={
        "sender_name": "Công an tỉnh Thanh Hóa", "code_number": number, "notation": "CAT-PV01",
        "promulgation_date": "2026-11-20", "doc_type": "CV", "subject": "V/v lý lịch tư pháp"},
        files={"file": ("scan.pdf", pdf.content, "application/pdf")}) for number in ("77", "78")]
    registers = await api.get("/api/v1/registers", headers=bearer(t["clerk@own"]))
    assert registers.status_code == 200, registers.text
    return {"document_id": document["id"], "document_body": body,
            "incoming_id": scans[0]["id"], "incoming_file": scans[0]["files"][0]["id"],
            "write_incoming": scans[1]["id"],
            "register_id": registers.json()[0]["id"],
            "write_register": registers.json()[1]["id"]}


async def reporting_records(api: httpx.AsyncClient, t: dict[str, str]) -> dict[str, Any]:
    officer = t["reporting_officer@own"]
    reports = [await created(api, "/api/v1/reports/periodic", officer, json={
        "kind": "monthly", "period": period, "agency_id": OWN})
        for period in ("2026-01", "2026-03", "2026-04")]
    targets = [await created(api, "/api/v1/reports/targets", officer, json={
        "year": 2026, "code": code, "name": "Tỷ lệ hồ sơ đúng hạn", "unit": "percent",
        "plan_value": 90, "owner_agency_id": OWN, "source": {"kind": "manual"}})
        for code in ("MX1", "MX2")]
    versions = await api.get("/api/v1/reports/index-766/versions", headers=bearer(officer))
    assert versions.status_code == 200, versions.text
    return {"report_id": reports[0]["id"], "write_report": reports[1]["id"],
            "delete_report": reports[2]["id"], "target_id": targets[0]["id"],
            "delete_target": targets[1]["id"], "version": versions.json()["current"]}


async def send(api: httpx.AsyncClient, call: Call, token: str | None) -> tuple[int, str]:
    headers = bearer(token) if token else {}
    kw: dict[str, Any] = {"params": call.params or None, "headers": headers}
    if call.content is not None:
        kw["content"], headers["Content-Type"] = call.content, call.content_type
    elif call.body is not None:
        kw["json"] = call.body
    r = await api.request(call.method, call.url, **kw)
    return r.status_code, r.text[:300]


async def observe(api: httpx.AsyncClient, world: World) -> dict[tuple[str, str, str],
                                                                 tuple[int, str]]:
    gate = asyncio.Semaphore(CONCURRENCY)
    results: dict[tuple[str, str, str], tuple[int, str]] = {}

    async def cell(key: tuple[str, str], who: str) -> None:
        call = MATRIX[key].call(key, world.values, who)
        async with gate:
            results[(*key, who)] = await send(api, call, world.tokens[who])

    async def operation(key: tuple[str, str]) -> None:
        if key[0] == "GET":
            await asyncio.gather(*(cell(key, who) for who in PRINCIPALS))
        else:  # one caller after the other, the refused first: each refusal meets the
            # record intact, and two allowed writers never race on one record
            for who in sorted(PRINCIPALS, key=lambda w: MATRIX[key].expect[w] == AUTHORISED):
                await cell(key, who)
    await asyncio.gather(*(operation(key) for key in MATRIX))
    return results


class MatrixPlatform(Platform):
    """The platform with room in the sign-in rate limit: the matrix alone posts some 150
    sign-in and registration requests within seconds from one address (the limiter is
    ``gateway/tests``' subject, not this one's)."""

    def env(self) -> dict[str, str]:
        auth = {"routes": AUTH_ROUTES, "ip_rate": 1000, "ip_burst": 1000}
        return {**super().env(), "GATEWAY_RATE_LIMITS": json.dumps({"auth": auth})}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory,
             databases: Databases) -> Iterator[Platform]:
    with running(MatrixPlatform, tmp_path_factory, databases, "matrix") as platform:
        yield platform


@pytest.fixture(scope="module")
async def observed(platform: Platform) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=60) as api:
        world = await prepare(api)
        document = await complete_openapi(api)
        return {"cells": await observe(api, world), "operations": operations_of(document),
                "missing_services": document["info"].get("x-missing-services", [])}


def mismatch(key: tuple[str, str], who: str, got: tuple[int, str]) -> str | None:
    want = MATRIX[key].expect[who]
    status, text = got
    if want == AUTHORISED:
        ok = 200 <= status < 300 or status in MATRIX[key].settled or (
            key[0] != "GET" and status in ALLOWED_WRITE_ANSWERS)
        if ok:
            return None
        want_text = "authorised (2xx" + (", 409, 422)" if key[0] != "GET" else ")")
    elif status == want:
        return None
    else:
        want_text = str(want)
    role, _, relation = who.partition("@")
    place = f" in the {relation} agency ({RELATIONS[relation]})" if relation else ""
    return (f"{key[0]} {key[1]} as {role}{place}, record {MATRIX[key].record}: "
            f"expected {want_text}, got {status} {text}")


class TestTheTableCoversTheApi:
    def test_every_operation_has_a_rule_and_every_rule_an_operation(
        self, observed: dict[str, Any]
    ) -> None:
        assert not observed["missing_services"], "the merged document lacks services"
        live = set(observed["operations"])
        missing = sorted(live - set(MATRIX))
        stale = sorted(set(MATRIX) - live)
        assert not missing, ("operations without a rule in tests/access_matrix.py: "
                             + json.dumps(missing))
        assert not stale, "rules for operations that no longer exist: " + json.dumps(stale)


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
class TestEveryCaller:
    def test_gets_the_answer_the_table_states(self, key: tuple[str, str],
                                              observed: dict[str, Any]) -> None:
        cells = observed["cells"]
        wrong = [m for who in PRINCIPALS
                 if (m := mismatch(key, who, cells[(*key, who)])) is not None]
        assert not wrong, "\n".join(wrong)

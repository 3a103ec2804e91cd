"""Schemathesis against every operation of the gateway's merged OpenAPI document, with the
platform as processes and a valid bearer token of each role.

The pass bar: nothing sent gets a 5xx; every response conforms to what its operation documents
(status code, content type, body schema); invalid input (schemathesis's negative mode) is
refused with a 4xx, and an API's 4xx is ``application/problem+json``. Each operation gets
``EGOV_FUZZ_EXAMPLES`` valid and as many invalid examples (few by default, so that the file
runs in about two minutes in ``make test``; ``make fuzz`` runs many more), after one valid
example sent as each person: a citizen, each kind of official (admin and lanhdao with their
second factor), nobody, and for the national portal's facade (``/integration/…``) the
portal's partner client (client_credentials). The random examples are sent as someone drawn
from the same people, and sent again with the path naming things that exist (a dossier the
citizen submitted, an agency, an official), so that they reach past the 404. The operations
that could spoil the demo for the others run last (``LAST``); none is left out.
``make test`` uses one fixed seed (the same examples for the same code: CI does not fail at
random); ``make fuzz`` a new random one each run; ``EGOV_FUZZ_SEED`` replays a run (its seed is
printed with any failure)."""

from __future__ import annotations

import asyncio
import os
import random
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.platform import (
    DEMO_PASSWORD,
    Platform,
    bearer,
    complete_openapi,
    login,
    register_citizen,
)
from tests.portal.browser import login_with_second_factor

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("EGOV_FUZZ_EXAMPLES", "5"))
# `make test` fuzzes with one fixed seed, so that CI gives the same answer for the same code;
# `make fuzz` (EGOV_FUZZ_RANDOM=1) draws a new one each run to explore further.
FIXED_SEED = 20261129
SEED = int(os.environ.get("EGOV_FUZZ_SEED") or (
    random.randrange(2**32) if os.environ.get("EGOV_FUZZ_RANDOM") else FIXED_SEED))
LLTP = "2.000748.000.00.00.H56"  # Cấp Phiếu lý lịch tư pháp, at Sở Tư pháp (H56.14)
PARTNER = ("cong-dvc-quoc-gia-mo-phong", DEMO_PASSWORD)  # the national portal's demo client
OFFICIALS = ("motcua.stp", "chuyenvien", "vanthu", "baocao")
WITH_SECOND_FACTOR = ("lanhdao", "admin")

# Operations fuzzed after all the others, because what they do can spoil the demo for the
# operations after them. Nothing is left out.
LAST: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/officials/{official_id}/disable"):
        "may disable a demo official whose token the other operations use",
    ("DELETE", "/api/v1/officials/{official_id}/roles/{role}"):
        "may take a role from a demo official whose token the other operations use",
    ("PATCH", "/api/v1/officials/{official_id}"): "may move a demo official to another agency",
    ("POST", "/api/v1/admin/signing-keys/rotate"):
        "new tokens are signed with a new key (the old one stays published)",
    ("PATCH", "/api/v1/admin/clients/{client_id}"):
        "may disable the portal's or the partner's client",
    ("POST", "/api/v1/admin/clients/{client_id}/secret"):
        "may replace the partner client's secret",
    ("POST", "/oauth2/logout"): "may end the sign-in of the person whose token is sent",
    ("POST", "/oauth2/revoke"): "may revoke a token the other operations use",
}
# What a client other than a browser gets an error as: RFC 6749's JSON errors and the
# provider's HTML pages are documented as such; everything else answers problem+json.
NOT_PROBLEM_JSON = ("/oauth2/", "/.well-known/")
# A signed PDF uploaded as the body itself: sent as the bytes generated.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")


def problem_json_for_api_errors(ctx: Any, response: schemathesis.Response,
                                case: schemathesis.Case) -> bool | None:
    """An API's 4xx is ``application/problem+json``."""
    path = case.operation.path
    if 400 <= response.status_code < 500 and not path.startswith(NOT_PROBLEM_JSON):
        kind = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
        assert kind == "application/problem+json", (
            f"{response.status_code} answered as {kind or 'no content type'!r}, "
            "not application/problem+json")
    return None


def invalid_data_refused(ctx: Any, response: schemathesis.Response,
                         case: schemathesis.Case) -> bool | None:
    """Schemathesis's ``negative_data_rejection``, with 413 counted as a refusal: an invalid
    body over the size limit (a string past its maxLength, repeated) is refused for its size
    before anything reads it, and schemathesis's list of refusals leaves 413 out."""
    if response.status_code == 413:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, invalid_data_refused, problem_json_for_api_errors]


@dataclass
class Findings:
    """Each distinct failure once (an operation, a mode, the checks that failed)."""

    seen: dict[tuple[str, str, str], str] = field(default_factory=dict)
    sent: int = 0
    senders: dict[str, set[str]] = field(default_factory=dict)  # operation → who sent to it

    def add(self, operation: str, mode: str, who: str, message: str) -> None:
        failed = [line for line in message.splitlines() if line.startswith("- ")]
        title = "; ".join(failed) or (message.strip().splitlines() or ["?"])[0]
        self.seen.setdefault((operation, mode, title),
                             f"{operation} [{mode}, as {who}]:\n{message.strip()[:2500]}")


def known_path_parameters(method: str, path: str, known: dict[str, str]) -> dict[str, str]:
    """Path parameters that name something that exists (``known``: a dossier's ``code``, an
    ``agency_id``, an ``official_id``), so that the examples reach past the 404. The demo's
    procedure only to read it: the dossiers' operations need it as it is."""
    values = dict(known)
    if path.startswith(("/api/v1/procedures/", "/integration/procedures/")):
        values["code"] = LLTP
        if method.upper() != "GET":
            values.pop("code")
    elif path.startswith("/api/v1/reports/"):
        values.pop("code", None)  # a report template's code
    return {name: values[name] for name in re.findall(r"{(\w+)}", path) if name in values}


def fuzz(base_url: str, tokens: dict[str, str], examples: int, findings: Findings,
         known: dict[str, str] | None = None) -> int:
    """Every operation: one valid example as each person (``""``: nobody), then ``examples``
    valid and ``examples`` invalid ones, each sent as someone drawn at random, and as many
    again with the path parameters ``known`` (see ``known_path_parameters``). Returns how
    many operations were fuzzed."""
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (op.method.upper(), op.path) in LAST)
    stale = set(LAST) - {(op.method.upper(), op.path) for op in operations}
    assert not stale, f"LAST names operations the document no longer has: {stale}"
    everyone = sorted(tokens)  # the partner's client token too, where a person's is expected
    with requests.Session() as http:
        for operation in operations:
            who = (["partner", "partner", "partner", "citizen", "anonymous"]
                   if operation.path.startswith("/integration/") else everyone)
            for name in sorted(set(who)):
                _fuzz_one(operation, GenerationMode.POSITIVE, [name], tokens, base_url, http,
                          1, findings)
            fixed = known_path_parameters(operation.method, operation.path, known or {})
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz_one(operation, mode, who, tokens, base_url, http, examples, findings)
                if fixed:
                    _fuzz_one(operation, mode, who, tokens, base_url, http, examples,
                              findings, fixed)
    return len(operations)


def _fuzz_one(operation: Any, mode: GenerationMode, who: list[str], tokens: dict[str, str],
              base_url: str, http: requests.Session, examples: int, findings: Findings,
              fixed: dict[str, str] | None = None) -> None:
    cases = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)

    @seed(SEED)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=cases, name=st.sampled_from(who))
    def run(case: schemathesis.Case, name: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[name]}"} if tokens.get(name) else {}
        findings.sent += 1
        findings.senders.setdefault(operation.label, set()).add(name)
        try:
            response = case.call(base_url=base_url, session=http, headers=headers, timeout=30)
        except requests.RequestException as exc:
            findings.add(operation.label, mode.value, name, f"no answer: {exc!r}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as exc:
            findings.add(operation.label, mode.value, name, str(exc))

    try:
        run()
    except Unsatisfiable as exc:
        if mode is GenerationMode.POSITIVE:
            findings.add(operation.label, mode.value, "-", f"no valid input generated: {exc!r}")
        # else: no invalid input exists (a body that may be any JSON at all)
    except Exception as exc:  # the data could not be generated at all: say so
        findings.add(operation.label, mode.value, "-", f"generation failed: {exc!r}")


async def partner_token(gateway: httpx.AsyncClient) -> str:
    """The national portal's client_credentials token, as it obtains one."""
    answer = await gateway.post("/oauth2/token", auth=PARTNER, data={
        "grant_type": "client_credentials", "scope": "national-portal"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def tokens_of_every_role(gateway: httpx.AsyncClient) -> dict[str, str]:
    id_number, password = await register_citizen(gateway)
    tokens = {"anonymous": "", "citizen": await login(gateway, id_number, password),
              "partner": await partner_token(gateway)}
    for username in OFFICIALS:
        tokens[username] = await login(gateway, username, DEMO_PASSWORD)
    for username in WITH_SECOND_FACTOR:
        tokens[username] = await login_with_second_factor(gateway, username)
    return tokens


async def known_things(gateway: httpx.AsyncClient, tokens: dict[str, str]) -> dict[str, str]:
    """A dossier the citizen submitted, an agency, an official nobody here signs in as."""
    submitted = await gateway.post("/api/v1/dossiers", headers=bearer(tokens["citizen"]), json={
        "procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}})
    assert submitted.status_code == 201, submitted.text
    officials = await gateway.get("/api/v1/officials", headers=bearer(tokens["admin"]),
                                  params={"q": "motcua"})
    assert officials.status_code == 200, officials.text
    motcua = next(one["id"] for one in officials.json() if one["username"] == "motcua")
    return {"code": submitted.json()["code"], "agency_id": "H56.14", "official_id": motcua}


def report(findings: Findings) -> str:
    return (f"{len(findings.seen)} distinct failures in {findings.sent} requests "
            f"(EGOV_FUZZ_SEED={SEED}):\n\n" + "\n\n".join(findings.seen.values()))


class TestEveryOperationWithEveryRole:
    @pytest.mark.timeout(300 + 10 * EXAMPLES)  # ~180 operations, twice, EXAMPLES each
    async def test_no_server_error_and_every_answer_as_documented(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        await complete_openapi(gateway)  # the fuzzer then reads it from the gateway's cache
        tokens = await tokens_of_every_role(gateway)
        known = await known_things(gateway, tokens)
        findings = Findings()
        fuzzed = await asyncio.to_thread(fuzz, platform.gateway, tokens, EXAMPLES, findings,
                                         known)
        assert fuzzed > 150  # the merged document of every service, not a part of it
        assert len(findings.senders) == fuzzed
        for operation, senders in findings.senders.items():
            expected = ({"partner", "citizen", "anonymous"} if " /integration/" in operation
                        else set(tokens))
            assert senders >= expected, f"{operation} was not sent as {expected - senders}"
        assert not findings.seen, report(findings)



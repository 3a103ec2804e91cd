"""Trace context end to end: a request's W3C trace id, sent to the gateway, reaches the service
and the CloudEvent the service publishes for it; the request id comes back to the caller."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from egov_testing import eventually
from tests.platform import Platform, bearer, login, register_citizen

pytestmark = pytest.mark.e2e
LLTP = "2.000748.000.00.00.H56"
SUBMITTED = "dossier.dossier.submitted"


async def submitted_event(platform: Platform, code: str) -> dict[str, Any] | None:
    """The last ``submitted`` event on the DOSSIER stream, if it is this dossier's."""
    nc = await nats.connect(platform.nats.url)
    try:
        message = await nc.jetstream().get_last_msg("DOSSIER", SUBMITTED)
    except NotFoundError:
        return None
    finally:
        await nc.close()
    event: dict[str, Any] = json.loads(message.data or b"{}")
    return event if event.get("subject") == code else None


class TestTraceContext:
    async def test_the_event_of_a_submission_carries_the_callers_trace_id(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        id_number, password = await register_citizen(gateway)
        citizen = await login(gateway, id_number, password)
        trace_id = os.urandom(16).hex()
        headers = {**bearer(citizen), "traceparent": f"00-{trace_id}-{os.urandom(8).hex()}-01",
                   "X-Request-ID": "trace-e2e-1"}
        submitted = await gateway.post("/api/v1/dossiers", headers=headers, json={
            "procedure_code": LLTP, "form_data": {"muc_dich": "Bổ sung hồ sơ xin việc"}})
        assert submitted.status_code == 201, submitted.text
        assert submitted.headers["x-request-id"] == "trace-e2e-1"
        assert submitted.headers["traceparent"].split("-")[1] == trace_id
        code = submitted.json()["code"]

        async def published() -> dict[str, Any] | None:
            return await submitted_event(platform, code)

        event = await eventually(published, timeout=15)
        assert event is not None, "the submitted event never reached the DOSSIER stream"
        assert event["traceparent"].split("-")[1] == trace_id

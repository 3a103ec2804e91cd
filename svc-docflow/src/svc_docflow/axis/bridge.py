"""The bridge to the national axis (Trục liên thông văn bản quốc gia): a package on
``axis.<organ-id>.inbox`` for an organ outside the platform is POSTed (XML body) to
``DOCFLOW_NATIONAL_AXIS_URL``. A 2xx is the axis's acknowledgement; a transport error, a
timeout, 408, 429 or 5xx is retried with backoff for as long as it takes (the consumer naks the
message; the inbox keeps a success from being counted twice); any other answer is the axis
refusing the package, logged and kept in ``axis_package``."""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared import http as shared_http
from egov_shared.messaging.consumer import RawMessage
from svc_docflow.axis import repository
from svc_docflow.axis.context import AxisContext
from svc_docflow.axis.receive import parse
from svc_docflow.axis.send import organ_of_inbox
from svc_docflow.edxml import DocumentPackage, PackageError

log = structlog.get_logger("docflow.axis.bridge")
TIMEOUT = httpx.Timeout(20.0, connect=5.0)  # below the consumer's ack wait (30 s)
RETRIED = {408, 425, 429}


class AxisUnavailable(Exception):
    """The national axis did not acknowledge: try again later."""


async def forward(ctx: AxisContext, session: AsyncSession, raw: RawMessage) -> None:
    key = organ_of_inbox(raw.subject)
    if key is None or await ctx.directory.find(key) is not None:
        return  # on the platform: the intake's
    try:
        logged = _logged(parse(ctx, raw.data), key)
    except PackageError as exc:  # nothing the national axis should see
        log.error("axis_forward_refused", subject=raw.subject, code=exc.code)
        await repository.record(session, direction="out", kind="document", data=raw.data,
                                outcome="refused", to_organ_id=key,
                                reason=f"{exc.code}: {exc.message}"[:2000])
        return
    status, text = await post(ctx.settings.national_axis_url, raw.data)
    outcome = "forwarded" if 200 <= status < 300 else "refused"
    if outcome == "refused":
        log.error("national_axis_refused", subject=raw.subject, status=status)
    await repository.record(session, direction="out", data=raw.data, outcome=outcome,
                            reason=None if outcome == "forwarded" else f"{status}: {text}",
                            **logged)


def _logged(package: Any, organ_id: str) -> dict[str, Any]:
    if isinstance(package, DocumentPackage):
        return {"kind": "document", "external_id": package.document_id,
                "from_organ_id": package.from_organ.organ_id, "to_organ_id": organ_id,
                "business_type": package.business_doc_type}
    return {"kind": "status", "external_id": package.response_for.document_id,
            "from_organ_id": package.from_organ.organ_id, "to_organ_id": organ_id,
            "status_code": package.status_code}


async def post(url: str, data: bytes) -> tuple[int, str]:
    """The axis's answer (status, the start of its body); raises ``AxisUnavailable`` for what
    is worth retrying."""
    try:
        answer = await shared_http.pooled("national-axis", timeout=TIMEOUT).post(
            url, content=data, headers={"Content-Type": "application/xml"})
    except httpx.HTTPError as exc:
        raise AxisUnavailable(type(exc).__name__) from exc
    if answer.status_code in RETRIED or answer.status_code >= 500:
        raise AxisUnavailable(str(answer.status_code))
    return answer.status_code, answer.text[:500]

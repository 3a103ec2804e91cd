"""SIMULATOR: the organs outside the province, as the national axis SIMULATOR plays them. They
keep what the province sends them, answer a document like a real organ's system would (status
01 on arrival, then 03 once "registered"; 15 to a recall or update), and can send the province
a document of their own. Every answer is a real edXML package POSTed to the platform's inbound
endpoint (``DOCFLOW_INBOUND_URL``) with a ``client_credentials`` token of the simulator's own
client. Nothing here is the national axis; it only speaks its formats."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

import httpx
import structlog
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from egov_shared import http as shared_http
from egov_shared.pdf.fonts import RENDERING
from egov_shared.pdf.fonts import register as register_font
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.common.agencies import AgencyDirectory
from svc_docflow.edxml import (
    Attachment,
    DocumentPackage,
    Organ,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    build_document,
    build_status,
    document_id,
)
from svc_docflow.settings import DocflowSettings

log = structlog.get_logger("docflow.simulator.national_axis")
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
ATTEMPTS = 5
ANSWERS = {0: ("01", "03"), 3: ("01", "03"), 1: ("15",), 2: ("15",)}
DESCRIPTIONS = {"01": "Đã nhận văn bản (MÔ PHỎNG).", "03": "Đã vào sổ văn bản đến (MÔ PHỎNG).",
                "15": "Đồng ý thu hồi/cập nhật (MÔ PHỎNG)."}


@dataclass
class Kept:
    """A package the simulated axis received, and what its organs answered."""

    id: str
    kind: str
    document_id: str
    from_organ_id: str
    to_organ_ids: list[str]
    business_type: int | None
    status_code: str | None
    size: int
    received_at: datetime
    answers: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Store:
    packages: list[Kept] = field(default_factory=list)
    answered: set[tuple[str, int, str]] = field(default_factory=set)  # (DocumentId, type, organ)


def keep(store: Store, package: DocumentPackage | StatusPackage, size: int) -> Kept:
    if isinstance(package, DocumentPackage):
        kept = Kept(uuid.uuid4().hex, "document", package.document_id,
                    package.from_organ.organ_id, [o.organ_id for o in package.to_organs],
                    package.business_doc_type, None, size, utcnow())
    else:
        kept = Kept(uuid.uuid4().hex, "status", package.response_for.document_id,
                    package.from_organ.organ_id, [package.response_for.organ_id], None,
                    package.status_code, size, utcnow())
    store.packages.append(kept)
    return kept


async def organs_to_answer(store: Store, package: DocumentPackage,
                           agencies: AgencyDirectory) -> list[Organ]:
    """The To organs outside the platform not yet answered for this document and business type
    (the province forwards one copy per outside organ)."""
    found = []
    for organ in package.to_organs:
        key = (package.document_id, package.business_doc_type, organ.organ_id)
        if key in store.answered or await agencies.find(organ.organ_id) is not None:
            continue
        store.answered.add(key)
        found.append(organ)
    return found


def status_package(package: DocumentPackage, organ: Organ, code: str) -> bytes:
    answered = ResponseFor(organ_id=package.from_organ.organ_id,
                           code=f"{package.code_number}/{package.code_notation}",
                           promulgation_date=package.promulgation_date,
                           document_id=package.document_id)
    return build_status(StatusPackage(
        from_organ=organ, response_for=answered, status_code=code,
        description=DESCRIPTIONS[code], timestamp=utcnow().astimezone(VN_TZ),
        staff_department="Văn thư (mô phỏng)", staff_name="Văn thư mô phỏng"))


async def answer(settings: DocflowSettings, kept: Kept, package: DocumentPackage,
                 organs: list[Organ]) -> None:
    """Each organ's answers, in order, to the platform's inbound endpoint."""
    for organ in organs:
        for code in ANSWERS.get(package.business_doc_type, ()):
            status = await deliver(settings, status_package(package, organ, code))
            kept.answers.append({"organ_id": organ.organ_id, "status_code": code,
                                 "inbound_status": status})


async def deliver(settings: DocflowSettings, data: bytes) -> int | None:
    """POST a package to the inbound endpoint, retried with backoff on transport errors and
    5xx; answers the final HTTP status (None: never reached)."""
    for attempt in range(ATTEMPTS):
        try:
            async with shared_http.client(timeout=TIMEOUT) as http:
                headers = {"Content-Type": "application/xml", **await _bearer(http, settings)}
                reply = await http.post(settings.inbound_url, content=data, headers=headers)
            if reply.status_code < 500:
                if reply.status_code >= 400:
                    log.warning("simulator_delivery_refused", status=reply.status_code,
                                body=reply.text[:300])
                return reply.status_code
        except httpx.HTTPError as exc:
            log.warning("simulator_delivery_failed", error=type(exc).__name__, attempt=attempt)
        await asyncio.sleep(0.5 * 2**attempt)
    return None


async def _bearer(http: httpx.AsyncClient, settings: DocflowSettings) -> dict[str, str]:
    """A client_credentials token of the simulator's client; its secret defaults to the demo
    password (``EGOV_DEMO_PASSWORD``), like the demo accounts'. No token when refused."""
    configured = settings.simulator_client_secret
    secret = configured.get_secret_value() if configured else settings.demo_password
    reply = await http.post(settings.identity_url.rstrip("/") + "/oauth2/token",
                            data={"grant_type": "client_credentials", "scope": "axis"},
                            auth=(settings.simulator_client_id, secret))
    if reply.status_code != 200:
        log.warning("simulator_token_refused", status=reply.status_code)
        return {}
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@dataclass(frozen=True)
class Origin:
    """A document an outside organ sends the province."""

    from_organ: Organ
    to_organs: tuple[Organ, ...]
    code_number: str
    code_notation: str
    type_name: str
    subject: str
    content: str | None
    promulgation_date: date
    due_date: date | None
    priority: int
    signer_position: str
    signer_full_name: str
    business_doc_type: int
    business_reason: str | None


def originate(origin: Origin) -> bytes:
    """A real edXML package, with a PDF of the document."""
    return build_document(DocumentPackage(
        from_organ=origin.from_organ, to_organs=origin.to_organs,
        code_number=origin.code_number, code_notation=origin.code_notation, place="Hà Nội",
        promulgation_date=origin.promulgation_date, type=1, type_name=origin.type_name,
        subject=origin.subject, content=origin.content, signer_competence=None,
        signer_position=origin.signer_position, signer_full_name=origin.signer_full_name,
        due_date=origin.due_date, to_places=tuple(o.organ_name for o in origin.to_organs),
        priority=origin.priority, steering_type=None,
        document_id=document_id(origin.from_organ.organ_id, origin.promulgation_date,
                                origin.code_number, origin.code_notation),
        trace=(TraceHeader(origin.from_organ.organ_id, utcnow().astimezone(VN_TZ)),),
        business_doc_type=origin.business_doc_type, business_reason=origin.business_reason,
        attachments=(Attachment(name=f"{origin.code_number}-{origin.code_notation}.pdf",
                                content_type="application/pdf", content=pdf_of(origin)),)))


def pdf_of(origin: Origin) -> bytes:
    """A one-page PDF standing for the document (unsigned: outside organs' CAs are not
    simulated), marked MÔ PHỎNG."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    font = register_font()
    lines = [origin.from_organ.organ_name.upper(),
             f"Số: {origin.code_number}/{origin.code_notation}",
             origin.promulgation_date.strftime("Ngày %d tháng %m năm %Y"), "",
             origin.type_name.upper(), origin.subject, "", *(origin.content or "").splitlines(),
             "", origin.signer_position, origin.signer_full_name, "",
             "VĂN BẢN MÔ PHỎNG - không có giá trị pháp lý"]
    y = A4[1] - 72
    with RENDERING:  # the shared faces: see egov_shared.pdf.fonts
        for line in lines:
            canvas.setFont(font, 12)
            canvas.drawString(72, y, line[:90])
            y -= 18
        canvas.showPage()
        canvas.save()
    return out.getvalue()

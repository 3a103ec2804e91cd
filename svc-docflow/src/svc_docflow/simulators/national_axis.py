"""SIMULATOR of the national document exchange axis (Trục liên thông văn bản quốc gia, run by
the Government Office). It is NOT the national axis and reaches no other province or ministry:
it stands in for it so that the province's side of the exchange can be shown and tested end to
end. Served by svc-docflow at ``/simulators/national-axis`` in demo mode only (``EGOV_DEMO``;
otherwise not mounted, and every call answers 503), outside the platform's OpenAPI: it has its
own, ``/simulators/national-axis/openapi.json``, titled as a simulator.

- ``POST /simulators/national-axis``: what the province's bridge sends to organs outside the
  platform (``DOCFLOW_NATIONAL_AXIS_URL``). Checked with the platform's own parser plus the
  axis's rule that every envelope element carries the ``edXML:`` prefix; a package the real
  axis would reject is answered 400 with a code. Kept, and answered like the receiving organ:
  01 then 03 (15 to a recall or update), POSTed to ``DOCFLOW_INBOUND_URL``.
- ``POST /simulators/national-axis/originate``: an outside organ sends the province a document
  (JSON in; a real edXML package with a PDF goes to the inbound endpoint).
- ``GET /simulators/national-axis/packages``: what the simulated axis has received.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from lxml import etree
from pydantic import BaseModel, Field

from egov_shared.access import access
from egov_shared.app import RuntimeDep
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.axis.body import read_limited
from svc_docflow.common.agencies import directory
from svc_docflow.edxml import DocumentPackage, Organ, PackageError, parse_package
from svc_docflow.edxml.model import NAMESPACE, PREFIX
from svc_docflow.edxml.safexml import read_xml
from svc_docflow.settings import DocflowSettings
from svc_docflow.simulators import external_organs as organs

TITLE = "SIMULATOR – Trục liên thông văn bản quốc gia (MÔ PHỎNG, chỉ chạy ở chế độ demo)"
SIMULATOR_HEADER = {"X-Simulator": "truc-lien-thong-van-ban-quoc-gia"}
PUBLIC = access("public")

simulator = APIRouter(prefix="/simulators/national-axis", tags=["SIMULATOR national axis"])


def _settings(runtime: Any) -> DocflowSettings:
    settings = runtime.settings
    assert isinstance(settings, DocflowSettings)
    return settings


def _answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=SIMULATOR_HEADER)


def _store(request: Request) -> organs.Store:
    store: organs.Store | None = getattr(request.app.state, "national_axis", None)
    if store is None:
        store = request.app.state.national_axis = organs.Store()
    return store


def unprefixed_element(data: bytes, max_bytes: int) -> str | None:
    """The first element inside the envelope written without the ``edXML:`` prefix."""
    root = read_xml(data, max_bytes)  # already parsed safely once: no DTD, no entity
    envelope = root if etree.QName(root).localname == "edXMLEnvelope" else root.find(
        f"{{{NAMESPACE}}}edXMLEnvelope")
    for element in envelope.iter() if envelope is not None else ():
        if isinstance(element.tag, str) and element.prefix != PREFIX:
            return etree.QName(element).localname
    return None


def _refusal(code: str, message: str) -> JSONResponse:
    return _answer({"accepted": False, "code": code, "message": message,
                    "simulator": True}, 400)


@simulator.post("", openapi_extra=PUBLIC)
async def receive(request: Request, runtime: RuntimeDep,
                  background: BackgroundTasks) -> JSONResponse:
    """Access: public (SIMULATOR, demo mode only). A package for organs outside the
    province; 202 when the simulated axis takes it, 400 with a code when the real axis would
    reject it (``missing_prefix`` among them)."""
    settings = _settings(runtime)
    if not settings.demo:
        return _answer({"accepted": False, "code": "simulator_off"}, 503)
    data = await read_limited(request, settings.max_package_bytes)
    try:
        package = parse_package(data, max_bytes=settings.max_package_bytes,
                                 max_attachments=settings.max_attachments)
        unprefixed = unprefixed_element(data, settings.max_package_bytes)
    except PackageError as exc:
        return _refusal(exc.code, exc.message)
    if unprefixed is not None:
        return _refusal("missing_prefix", f"Phần tử {unprefixed} thiếu tiền tố edXML:.")
    kept = organs.keep(_store(request), package, len(data))
    if isinstance(package, DocumentPackage):
        to_answer = await organs.organs_to_answer(
            _store(request), package, directory(settings.identity_url))
        background.add_task(organs.answer, settings, kept, package, to_answer)
    return _answer({"accepted": True, "id": kept.id, "document_id": kept.document_id,
                    "simulator": True}, 202)


class Originate(BaseModel):
    """A document an organ outside the province sends it (defaults: Văn phòng Chính phủ to
    UBND tỉnh Thanh Hóa). Same sender, date and number with ``business_doc_type`` 1 or 2:
    the recall or update of that document."""

    from_organ_id: str = Field(default="000.00.00.G22", max_length=35)
    from_organ_name: str = Field(default="Văn phòng Chính phủ", max_length=300)
    to_organ_id: str = Field(default="000.00.00.H56", max_length=35,
                             description="Legacy or current ID of the receiving agency")
    to_organ_name: str = Field(default="Ủy ban nhân dân tỉnh Thanh Hóa", max_length=300)
    code_number: str = Field(default="101", pattern=r"^[0-9]{1,6}$")
    code_notation: str = Field(default="VPCP-KSTT", max_length=50)
    type_name: str = Field(default="Công văn", max_length=100)
    subject: str = Field(min_length=3, max_length=500)
    content: str | None = Field(default=None, max_length=4000)
    promulgation_date: date | None = None
    due_date: date | None = None
    priority: int = Field(default=0, ge=0, le=4)
    signer_position: str = Field(default="Phó Chủ nhiệm", max_length=200)
    signer_full_name: str = Field(default="Nguyễn Văn Mô Phỏng", max_length=200)
    business_doc_type: int = Field(default=0, ge=0, le=3)
    business_reason: str | None = Field(default=None, max_length=500)

    def origin(self) -> organs.Origin:
        return organs.Origin(
            from_organ=Organ(self.from_organ_id, self.from_organ_name),
            to_organs=(Organ(self.to_organ_id, self.to_organ_name),),
            code_number=self.code_number, code_notation=self.code_notation,
            type_name=self.type_name, subject=self.subject, content=self.content,
            promulgation_date=self.promulgation_date or utcnow().astimezone(VN_TZ).date(),
            due_date=self.due_date, priority=self.priority,
            signer_position=self.signer_position, signer_full_name=self.signer_full_name,
            business_doc_type=self.business_doc_type, business_reason=self.business_reason)


@simulator.post("/originate", openapi_extra=PUBLIC)
async def originate(body: Originate, runtime: RuntimeDep) -> JSONResponse:
    """Access: public (SIMULATOR, demo mode only). Builds the package (with a PDF marked MÔ
    PHỎNG) and POSTs it to the platform's inbound endpoint; answers what the platform said."""
    settings = _settings(runtime)
    if not settings.demo:
        return _answer({"code": "simulator_off"}, 503)
    try:
        data = organs.originate(body.origin())
    except PackageError as exc:
        return _refusal(exc.code, exc.message)
    status = await organs.deliver(settings, data)
    package = parse_package(data, max_bytes=len(data) + 1)
    assert isinstance(package, DocumentPackage)
    return _answer({"document_id": package.document_id, "inbound_status": status,
                    "size": len(data), "simulator": True})


@simulator.get("/packages", openapi_extra=PUBLIC)
async def packages(request: Request) -> JSONResponse:
    """Access: public (SIMULATOR, demo mode only). What the simulated axis received, oldest
    first, with the answers its organs sent."""
    kept = [asdict(k) | {"received_at": k.received_at.isoformat()}
            for k in _store(request).packages]
    return _answer({"packages": kept, "simulator": True})


router = APIRouter()
router.include_router(simulator, include_in_schema=False)  # not the platform's API


@router.get("/simulators/national-axis/openapi.json", include_in_schema=False)
async def simulator_openapi() -> JSONResponse:
    """Access: public. The simulator's own OpenAPI document."""
    return _answer(get_openapi(title=TITLE, version="0.1.0", routes=simulator.routes,
                               description=__doc__))

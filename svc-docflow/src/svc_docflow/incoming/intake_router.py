"""What a clerk takes in by hand: an edXML package file received outside the axis, and a
scanned paper document with what the clerk reads off it. Both go through the same intake as
the axis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from egov_shared.access import access
from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_docflow.axis.body import PackageTooLarge, UnsupportedMediaType, read_limited, require_xml
from svc_docflow.axis.context import AxisContext
from svc_docflow.axis.receive import Delivery, Refused, take
from svc_docflow.axis.router import answer, package_problem, refused_problem
from svc_docflow.axis.schemas import XML_BODY, PackageAnswer
from svc_docflow.common.types import TYPES
from svc_docflow.edxml import PackageError
from svc_docflow.incoming import service
from svc_docflow.incoming.arrival import PDF, Arrival, IncomingFile
from svc_docflow.incoming.schemas import IncomingDocument, PaperDocument
from svc_docflow.incoming.views import detail

router = APIRouter()
Clerk = Annotated[Principal, Depends(require_roles("clerk"))]
AgencyParam = Annotated[str | None, Query(max_length=AGENCY_ID_MAX_LENGTH,
                                          pattern=AGENCY_ID_PATTERN,
                                          description="The receiving agency, inside the "
                                          "clerk's subtree (default: the clerk's own)")]
INTAKE_ERRORS = problem_responses(BadRequest, Unauthorized, Forbidden, NotFound,
                                  PackageTooLarge, UnsupportedMediaType, ValidationFailed)


def receiving_agency(principal: Principal, agency_id: str | None) -> str:
    if not principal.has_role("clerk"):  # an administrator reads, but takes nothing in
        raise Forbidden("Văn thư mới được tiếp nhận văn bản đến.", code="clerk_only")
    wanted = agency_id or principal.agency_id
    if wanted is None or not principal.covers_agency(wanted):
        raise Forbidden("Cơ quan nhận nằm ngoài phạm vi của văn thư.", code="agency_not_covered")
    return wanted


@router.post("/packages", status_code=201, response_model=PackageAnswer,
             openapi_extra={**access("official"), **XML_BODY},
             responses={202: {"model": PackageAnswer}, **INTAKE_ERRORS})
async def upload_package(request: Request, response: Response, session: SessionDep,
                         runtime: RuntimeDep, principal: Clerk,
                         agency_id: AgencyParam = None) -> PackageAnswer | JSONResponse:
    """Access: clerks, for their agency (or ``agency_id`` in their subtree, 403
    ``agency_not_covered``). An edXML package file that reached the agency outside the axis
    (``Content-Type: application/xml``): checked and taken in exactly like one from the axis
    (same limits and codes; 422 ``not_addressed_here`` when its To does not name the
    agency); status 01 goes back to the sender over the axis."""
    target = receiving_agency(principal, agency_id)
    require_xml(request)
    ctx = AxisContext.of(runtime)
    data = await read_limited(request, ctx.settings.max_package_bytes)
    try:
        outcome = await take(session, ctx, data, Delivery("upload", target, principal))
    except PackageError as exc:
        raise package_problem(exc) from None
    except Refused as exc:
        return refused_problem(exc, request)
    return answer(outcome, response)


@router.post("/scans", status_code=201, response_model=IncomingDocument,
             openapi_extra=access("official"), responses=INTAKE_ERRORS)
async def upload_scan(request: Request, session: SessionDep, runtime: RuntimeDep,
                      principal: Clerk, metadata: Annotated[PaperDocument, Form()],
                      file: Annotated[UploadFile, File(description="The scan, a PDF")],
                      ) -> IncomingDocument:
    """Access: clerks, for their agency (or ``agency_id`` in their subtree). A paper document,
    scanned: ``multipart/form-data`` with the PDF (``file``, at most
    ``DOCFLOW_MAX_PDF_BYTES``: 413 ``pdf_too_large``; not a PDF: 422 ``not_a_pdf``) and what
    the clerk read off it (sender, number and notation, date, type, subject…). Recorded as
    ``received``; its signature, if any, is checked like any other."""
    target = receiving_agency(principal, metadata.agency_id)
    ctx = AxisContext.of(runtime)
    content = await _pdf_of(file, ctx.settings.max_pdf_bytes)
    if metadata.doc_type not in TYPES:
        raise ValidationFailed(f"Loại văn bản {metadata.doc_type} không có trong danh mục.",
                               code="unknown_doc_type", extra={"field": "doc_type"})
    receipt = await service.receive(session, ctx, _paper(metadata, target, file, content),
                                    actor=principal)
    row = await service.load_visible(session, principal, receipt.document_id or "")
    return await detail(session, row)


async def _pdf_of(file: UploadFile, limit: int) -> bytes:
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise PackageTooLarge(f"Tệp quét vượt giới hạn {limit} byte.", code="pdf_too_large",
                              extra={"max_bytes": limit})
    if not content.startswith(b"%PDF-"):
        raise ValidationFailed("Tệp quét phải là PDF.", code="not_a_pdf",
                               extra={"field": "file"})
    return content


def _paper(metadata: PaperDocument, agency_id: str, file: UploadFile,
           content: bytes) -> Arrival:
    return Arrival(
        agency_id=agency_id, source="paper", doc_type=metadata.doc_type,
        subject=metadata.subject, sender_name=metadata.sender_name,
        files=(IncomingFile(file.filename or "ban-quet.pdf", PDF, content),),
        sender_organ_id=metadata.sender_organ_id, code_number=metadata.code_number,
        notation=metadata.notation, promulgation_date=metadata.promulgation_date,
        summary=metadata.summary, urgency=metadata.urgency, due_date=metadata.due_date,
        extra={"code_number": metadata.code_number} if metadata.code_number else {})


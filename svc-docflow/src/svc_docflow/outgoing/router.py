"""Outgoing document endpoints (văn bản đi). Each states who may call it. Document paths take
a UUID only (``{document_id:uuid}``), so that other ``/api/v1/documents/…`` paths of the
service stay free."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.requests import ClientDisconnect

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, bearer_token, require_roles
from egov_shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_docflow import audit
from svc_docflow.common import files
from svc_docflow.common.agencies import directory
from svc_docflow.outgoing import distribution, pdfs, service, signing
from svc_docflow.outgoing.issue import issue
from svc_docflow.outgoing.pdfs import PdfTooLarge
from svc_docflow.outgoing.schemas import (
    Document,
    DocumentSummary,
    DraftChange,
    DraftCreate,
    FileVersion,
    Note,
    Reason,
    ReturnBody,
    SendBody,
    UpdateBody,
)
from svc_docflow.outgoing.state import Action
from svc_docflow.outgoing.steps import DOCUMENT_ROLES, check_step, load_visible, settings_of
from svc_docflow.outgoing.views import to_document, to_summary, to_version

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
Official = Annotated[Principal, Depends(require_roles(*DOCUMENT_ROLES))]
ITEM = "/{document_id:uuid}"
READ_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound)
STEP_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)
SIGN_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed,
                                ServiceUnavailable)
RAW_PDF: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("", status_code=201, response_model=Document, openapi_extra=access("official"),
             responses=problem_responses(Unauthorized, Forbidden, ValidationFailed,
                                         ServiceUnavailable))
async def create_draft(body: DraftCreate, session: SessionDep, runtime: RuntimeDep,
                       principal: Official, response: Response) -> Document:
    """Access: clerks, leaders and processing officers, for their own agency. Recipients are
    agencies of the platform (``agency_id``) or organs outside it (``organ_id``, ``name``)."""
    row = await service.create_draft(session, runtime.outbox,
                                     directory(runtime.settings.identity_url), principal, body)
    response.headers["Location"] = f"/api/v1/documents/{row.id}"
    return await to_document(session, row)


@router.get("", response_model=list[DocumentSummary], openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_documents(
    session: SessionDep, principal: Official,
    direction: Annotated[str | None, Query(pattern="^(outgoing|incoming)$")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    doc_type: Annotated[str | None, Query(alias="type", max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Subject; diacritic-"
                                                               "insensitive")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DocumentSummary]:
    """Access: clerks, leaders, processing officers and administrators; the documents of
    their agency subtree, newest first."""
    rows = await service.listed(session, principal, direction=direction, status=status,
                                doc_type=doc_type, q=q, limit=limit, offset=offset)
    return [to_summary(r) for r in rows]


@router.get(ITEM, response_model=Document, openapi_extra=access("official"),
            responses=READ_ERRORS)
async def get_document(document_id: uuid.UUID, request: Request, session: SessionDep,
                       principal: Official) -> Document:
    """Access: officials of the document's agency subtree (404 for others), with its
    recipients and their statuses, its PDF versions and its history (audit-logged)."""
    row = await load_visible(session, principal, str(document_id))
    await audit.document_read(request, session, principal, document_id)
    return await to_document(session, row)


@router.patch(ITEM, response_model=Document, openapi_extra=access("official"),
              responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                          ValidationFailed, ServiceUnavailable))
async def edit_draft(document_id: uuid.UUID, body: DraftChange, session: SessionDep,
                     runtime: RuntimeDep, principal: Official) -> Document:
    """Access: the drafter or a clerk, while a draft. ``recipients`` replaces the list."""
    row = await service.edit_draft(session, runtime.outbox,
                                   directory(runtime.settings.identity_url), principal,
                                   str(document_id), body)
    return await to_document(session, row)


@router.post(ITEM + "/pdf", status_code=201, response_model=FileVersion,
             openapi_extra={**access("official"), **RAW_PDF},
             responses=problem_responses(BadRequest, Unauthorized, Forbidden, NotFound,
                                         Conflict, PdfTooLarge, ValidationFailed))
async def upload_pdf(document_id: uuid.UUID, request: Request, session: SessionDep,
                     runtime: RuntimeDep, principal: Official,
                     filename: Annotated[str | None, Query(max_length=255)] = None
                     ) -> FileVersion:
    """Access: the drafter or a clerk, while a draft. The body is the PDF itself (413
    ``pdf_too_large`` over ``DOCFLOW_MAX_PDF_BYTES``; 422 ``not_a_pdf``)."""
    row = await load_visible(session, principal, str(document_id), outgoing=True)
    check_step(principal, row, Action.EDIT)
    limit = settings_of(runtime).max_pdf_bytes
    content = await pdfs.checked_upload(await _body(request, limit), limit)
    stored = await pdfs.store_upload(session, row, content, filename, principal.subject)
    return to_version(stored)


async def _body(request: Request, limit: int) -> bytes:
    """The body, read no further than just past the limit."""
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                break
    except ClientDisconnect as exc:
        raise BadRequest("Tệp tải lên bị gián đoạn.", code="upload_incomplete") from exc
    return b"".join(chunks)


@router.post(ITEM + "/pdf/render", status_code=201, response_model=FileVersion,
             openapi_extra=access("official"), responses=STEP_ERRORS)
async def render_pdf(document_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                     principal: Official) -> FileVersion:
    """Access: the drafter or a clerk, while a draft. Lays the draft out per NĐ 30."""
    row = await load_visible(session, principal, str(document_id), outgoing=True)
    check_step(principal, row, Action.EDIT)
    stored = await pdfs.render(session, directory(runtime.settings.identity_url), row,
                               principal.subject)
    return to_version(stored)


@router.get(ITEM + "/pdf", response_class=Response, openapi_extra=access("official"),
            responses={200: {"content": {"application/pdf": {}}}, **READ_ERRORS})
async def download_pdf(document_id: uuid.UUID, request: Request, session: SessionDep,
                       principal: Official,
                       version: Annotated[int | None, Query(ge=1, le=2**62)] = None
                       ) -> Response:
    """Access: officials of the document's agency subtree. The latest version, or
    ``version`` (a file id of the detail's ``files``); 404 ``pdf_not_found``."""
    row = await load_visible(session, principal, str(document_id))
    found = (await files.latest(session, row.id) if version is None
             else await files.by_id(session, row.id, version))
    if found is None:
        raise NotFound("Văn bản chưa có tệp PDF này.", code="pdf_not_found")
    await audit.document_read(request, session, principal, document_id, "document.downloaded")
    disposition = f"inline; filename*=UTF-8''{quote(found.name)}"
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": disposition})


# --- steps: POST /api/v1/documents/{id}/<action>, the table in state.py ----------------------


@router.post(ITEM + "/submit", response_model=Document, openapi_extra=access("official"),
             responses=SIGN_ERRORS)
async def submit(document_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                 principal: Official, body: Note | None = None) -> Document:
    """Access: the drafter or a clerk. draft → in_review; a rendered draft is rendered again
    from its fields (an uploaded PDF stays). 422 ``signer_required``."""
    moved = await service.submit(session, runtime.outbox,
                                 directory(runtime.settings.identity_url), principal,
                                 str(document_id), body.note if body else None)
    return await to_document(session, moved)


@router.post(ITEM + "/approve", response_model=Document, openapi_extra=access("official"),
             responses=STEP_ERRORS)
async def approve(document_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
                  principal: Official, body: Note | None = None) -> Document:
    """Access: leaders of the document's agency subtree. in_review → approved."""
    row = await service.review(session, runtime.outbox, principal, str(document_id),
                               Action.APPROVE, body.note if body else None)
    return await to_document(session, row)


@router.post(ITEM + "/return", response_model=Document, openapi_extra=access("official"),
             responses=STEP_ERRORS)
async def return_draft(document_id: uuid.UUID, body: ReturnBody, session: SessionDep,
                       runtime: RuntimeDep, principal: Official) -> Document:
    """Access: leaders of the document's agency subtree. in_review or approved → draft,
    with a note saying what to change."""
    row = await service.review(session, runtime.outbox, principal, str(document_id),
                               Action.RETURN, body.note)
    return await to_document(session, row)


@router.post(ITEM + "/sign", response_model=Document, openapi_extra=access("official"),
             responses=SIGN_ERRORS)
async def sign(document_id: uuid.UUID, request: Request, session: SessionDep,
               runtime: RuntimeDep, principal: Official) -> Document:
    """Access: the leader the draft names as signer (403 ``not_the_signer``). approved →
    signed: PAdES with the leader's own certificate, made by svc-identity with the leader's
    token (503 ``identity_unavailable``, 409 ``no_certificate``: nothing changed)."""
    row = await signing.sign(session, runtime.outbox, identity_url=runtime.settings.identity_url,
                             token=bearer_token(request), principal=principal,
                             document_id=str(document_id))
    return await to_document(session, row)


@router.post(ITEM + "/issue", response_model=Document, openapi_extra=access("official"),
             responses=SIGN_ERRORS)
async def issue_document(document_id: uuid.UUID, request: Request, session: SessionDep,
                         runtime: RuntimeDep, principal: Official) -> Document:
    """Access: clerks of the document's agency subtree. signed → numbered (number from the
    register, committed at once) → issued (the agency's seal, then the packages to the
    recipients; none for a secret document). From numbered, resumes at the seal."""
    row = await issue(runtime, principal=principal, token=bearer_token(request),
                      document_id=str(document_id))
    return await to_document(session, row)


@router.post(ITEM + "/send", response_model=Document, openapi_extra=access("official"),
             responses=STEP_ERRORS)
async def send(document_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep,
               principal: Official, body: SendBody | None = None) -> Document:
    """Access: clerks. The issued document again, to ``organ_ids`` (default: every
    recipient). 409 ``secret_not_on_axis`` for a secret document."""
    row = await distribution.send_again(session, runtime.outbox, settings_of(runtime),
                                        principal, str(document_id),
                                        body.organ_ids if body else None)
    return await to_document(session, row)


@router.post(ITEM + "/recall", response_model=Document, openapi_extra=access("official"),
             responses=STEP_ERRORS)
async def recall(document_id: uuid.UUID, body: Reason, session: SessionDep,
                 runtime: RuntimeDep, principal: Official) -> Document:
    """Access: clerks and leaders. issued → recalled; a recall package (BussinessDocType 1)
    with the reason to every recipient."""
    row = await distribution.recall(session, runtime.outbox, settings_of(runtime), principal,
                                    str(document_id), body.reason)
    return await to_document(session, row)


@router.post(ITEM + "/update", response_model=Document, openapi_extra=access("official"),
             responses=STEP_ERRORS)
async def update(document_id: uuid.UUID, body: UpdateBody, session: SessionDep,
                 runtime: RuntimeDep, principal: Official) -> Document:
    """Access: clerks and leaders. Corrects subject, summary, due date or urgency of an
    issued document; an update package (BussinessDocType 2) to every recipient."""
    row = await distribution.update(session, runtime.outbox, settings_of(runtime), principal,
                                    str(document_id), body)
    return await to_document(session, row)

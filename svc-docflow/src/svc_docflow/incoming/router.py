"""Incoming document endpoints (văn bản đến). Each states who may call it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_docflow import audit
from svc_docflow.axis.context import AxisContext
from svc_docflow.common import files, history
from svc_docflow.incoming import repository, routing, service
from svc_docflow.incoming.intake_router import router as intake_router
from svc_docflow.incoming.repository import IncomingFilter
from svc_docflow.incoming.schemas import (
    Assignment,
    Contribution,
    HistoryEntry,
    IncomingDocument,
    ProgressNote,
    Refusal,
    Registration,
)
from svc_docflow.incoming.state import OPEN, Status
from svc_docflow.incoming.views import detail, document_view, history_view

router = APIRouter(prefix="/api/v1/documents/incoming", tags=["incoming documents"])
router.include_router(intake_router)
Official = Annotated[Principal, Depends(require_roles(*service.DOCUMENT_ROLES))]
DocumentId = Annotated[str, Path(max_length=36)]
OFFICIAL = access("official")
ACTION_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)


@router.get("", response_model=list[IncomingDocument], openapi_extra=OFFICIAL,
            responses=problem_responses(Unauthorized, Forbidden))
async def list_incoming(
    session: SessionDep, principal: Official,
    status: Annotated[Status | None, Query()] = None,
    overdue: Annotated[bool, Query(description="Open documents past their deadline")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[IncomingDocument]:
    """Access: clerks, leaders and processing officers: the incoming documents of their agency
    subtree and those assigned to their unit, newest first; by ``status``, or the ``overdue``
    ones (open, past the leader's deadline or else the sender's DueDate)."""
    if principal.agency_id is None:
        return []
    where = IncomingFilter(agency_id=principal.agency_id, status=status,
                           overdue_on=routing.today_vn() if overdue else None,
                           open_statuses=tuple(OPEN))
    rows = await repository.listing(session, where, limit=limit, offset=offset)
    return [document_view(r) for r in rows]


@router.get("/{document_id}", response_model=IncomingDocument, openapi_extra=OFFICIAL,
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def get_incoming(document_id: DocumentId, request: Request, session: SessionDep,
                       principal: Official) -> IncomingDocument:
    """Access: officers of the receiving agency's subtree and of the units it is assigned
    to; 404 for anyone else. With the signature report, assignments and files. Recorded in
    the audit log."""
    row = await service.load_visible(session, principal, document_id)
    await audit.document_read(request, session, principal, document_id)
    return await detail(session, row)


@router.get("/{document_id}/history", response_model=list[HistoryEntry],
            openapi_extra=OFFICIAL, responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def incoming_history(document_id: DocumentId, session: SessionDep,
                           principal: Official) -> list[HistoryEntry]:
    """Access: whoever may see the document. Every step, oldest first."""
    row = await service.load_visible(session, principal, document_id)
    return [history_view(h) for h in await history.of(session, row.id)]


@router.get("/{document_id}/files/{file_id}", response_class=Response, openapi_extra=OFFICIAL,
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def incoming_file(document_id: DocumentId, file_id: Annotated[int, Path(ge=1, le=2**62)],
                        request: Request, session: SessionDep,
                        principal: Official) -> Response:
    """Access: whoever may see the document. The file, as a download (audit-logged)."""
    row = await service.load_visible(session, principal, document_id)
    stored = await files.by_id(session, row.id, file_id)
    if stored is None:
        raise NotFound(f"Không có tệp {file_id}.", code="file_not_found")
    await audit.document_read(request, session, principal, document_id, "document.downloaded")
    return Response(stored.content, media_type=stored.media_type, headers={
        "Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})


@router.post("/{document_id}/register", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def register_incoming(document_id: DocumentId, session: SessionDep,
                            runtime: RuntimeDep, principal: Official,
                            body: Registration | None = None) -> IncomingDocument:
    """Access: clerks of the receiving agency (403 ``clerk_only``). Vào sổ: the next arrival
    number of the agency's incoming register for the year (gap-free); 03 goes to the
    sender. Only a ``received`` document (409 ``illegal_transition``)."""
    row = await service.register(session, AxisContext.of(runtime), principal, document_id,
                                 body.note if body else None)
    return await detail(session, row)


@router.post("/{document_id}/refuse", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def refuse_incoming(document_id: DocumentId, body: Refusal, session: SessionDep,
                          runtime: RuntimeDep, principal: Official) -> IncomingDocument:
    """Access: clerks of the receiving agency. Từ chối tiếp nhận a ``received`` document: 02
    goes to the sender with the reason."""
    row = await service.refuse(session, AxisContext.of(runtime), principal, document_id,
                               body.reason)
    return await detail(session, row)


@router.post("/{document_id}/assign", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def assign_incoming(document_id: DocumentId, body: Assignment, session: SessionDep,
                          runtime: RuntimeDep, principal: Official) -> IncomingDocument:
    """Access: leaders of the receiving agency (403 ``leader_only``). Phân công a registered
    (or assigned) document: one lead unit, co-operating and for-information units, each an
    agency of the leader's subtree (422 ``unit_not_in_subtree``), a deadline (default: the
    sender's DueDate); 04 goes to the sender."""
    row = await routing.assign(session, AxisContext.of(runtime), principal, document_id, body)
    return await detail(session, row)


@router.post("/{document_id}/progress", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def record_progress(document_id: DocumentId, session: SessionDep,
                          runtime: RuntimeDep, principal: Official,
                          body: ProgressNote | None = None) -> IncomingDocument:
    """Access: officers of the lead unit (403 ``lead_unit_only``). A progress note; the first
    one moves the document to ``in_progress`` and sends 05."""
    row = await routing.progress(session, AxisContext.of(runtime), principal, document_id,
                                 body or ProgressNote())
    return await detail(session, row)


@router.post("/{document_id}/complete", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def complete_incoming(document_id: DocumentId, session: SessionDep,
                            runtime: RuntimeDep, principal: Official,
                            body: ProgressNote | None = None) -> IncomingDocument:
    """Access: officers of the lead unit. Hoàn thành: ``done``, 06 to the sender."""
    row = await routing.complete(session, AxisContext.of(runtime), principal, document_id,
                                 body or ProgressNote())
    return await detail(session, row)


@router.post("/{document_id}/contributions", response_model=IncomingDocument,
             openapi_extra=OFFICIAL, responses=ACTION_ERRORS)
async def contribute(document_id: DocumentId, body: Contribution, session: SessionDep,
                     principal: Official) -> IncomingDocument:
    """Access: officers of a co-operating unit (403 ``cooperating_unit_only``), while the
    document is assigned or in progress. Their contribution goes to the history."""
    row = await routing.contribute(session, principal, document_id, body)
    return await detail(session, row)

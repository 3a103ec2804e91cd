"""Personal data store endpoints (kho dữ liệu điện tử). Each states who may call it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.responses import StreamingResponse

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import Forbidden, NotFound, Unauthorized, problem_responses
from svc_dossier.attachments.router import blob_store
from svc_dossier.attachments.storage import download
from svc_dossier.datastore import service
from svc_dossier.datastore.schemas import Document

router = APIRouter(tags=["datastore"])
DocumentId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/api/v1/datastore/documents", response_model=list[Document],
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_documents(session: SessionDep, principal: PrincipalDep,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50,
                         offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0
                         ) -> list[Document]:
    """Access: a citizen or business, their own store only (officers: 403
    ``datastore_for_applicants``; no one lists another person's store). Newest first."""
    rows = await service.documents(session, principal, limit=limit, offset=offset)
    return [Document.of(row) for row in rows]


@router.get("/api/v1/datastore/documents/{document_id}", openapi_extra=access("authenticated"),
            response_class=StreamingResponse,
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def download_document(document_id: DocumentId, request: Request, session: SessionDep,
                            principal: PrincipalDep) -> Response:
    """Access: the document's owner only (404 ``document_not_found`` for anyone else)."""
    row = await service.own_document(session, principal, document_id)
    return download(blob_store(request), key=row.storage_key, filename=row.filename,
                    media_type=row.media_type, size=row.size, sha256=row.sha256)

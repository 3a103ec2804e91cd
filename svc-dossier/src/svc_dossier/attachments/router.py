"""Attachment endpoints. Each states who may call it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from egov_shared.access import access
from egov_shared.app import RuntimeDep, ServiceRuntime, SessionDep
from egov_shared.auth import PrincipalDep, bearer_token
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
from svc_dossier import audit
from svc_dossier.attachments import result_signing, service
from svc_dossier.attachments.result_signing import NotSignable
from svc_dossier.attachments.schemas import Attachment, Reuse
from svc_dossier.attachments.service import AttachmentTooLarge, Upload, too_large
from svc_dossier.attachments.storage import (
    BlobStore,
    Spooled,
    TooLarge,
    build_store,
    download,
    spool,
    spool_dir_of,
)
from svc_dossier.settings import DossierSettings

router = APIRouter(tags=["attachments"])
Code = Annotated[str, Path(max_length=64)]
ComponentCode = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
RAW_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string", "format": "binary"}}
    for media in ("application/pdf", "image/jpeg", "image/png", "application/octet-stream")}}}


def _cap(runtime: ServiceRuntime) -> int:
    """The global cap on one file (``DOSSIER_ATTACHMENT_MAX_BYTES``). Uploads are exempt from
    the 1 MB JSON body cap; the request guard stops them only a little above this cap, so that
    this slice answers the specific ``attachment_too_large``."""
    settings = runtime.settings
    assert isinstance(settings, DossierSettings)
    return settings.attachment_max_bytes


def blob_store(request: Request) -> BlobStore:
    """One store per app, built from its settings on first use."""
    store: BlobStore | None = getattr(request.app.state, "blob_store", None)
    if store is None:
        store = build_store(request.app.state.runtime.settings)
        request.app.state.blob_store = store
    return store


def _announced_too_large(request: Request, limit: int) -> None:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large(limit)


async def _spool(request: Request, store: BlobStore, limit: int) -> Spooled:
    async def chunks() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            if chunk:
                yield chunk

    try:
        return await spool(chunks(), limit=limit, directory=spool_dir_of(store))
    except TooLarge as exc:
        raise too_large(limit) from exc
    except ClientDisconnect as exc:
        raise BadRequest("Tệp tải lên bị gián đoạn.", code="upload_incomplete") from exc


@router.post("/api/v1/dossiers/{code}/attachments", status_code=201, response_model=Attachment,
             openapi_extra={**access("authenticated"), **RAW_BODY},
             responses=problem_responses(BadRequest, Unauthorized, Forbidden, NotFound,
                                         Conflict, AttachmentTooLarge, ValidationFailed))
async def upload(
    code: Code, request: Request, session: SessionDep, runtime: RuntimeDep,
    principal: PrincipalDep, component: ComponentCode = None,
    kind: Literal["component", "result"] = "component",
    filename: Annotated[str | None, Query(max_length=255)] = None, digitised: bool = False,
) -> Attachment:
    """Access: the applicant (citizen or business) of the dossier while it is submitted (1) or
    a supplement is pending (5); a one-stop officer covering its agency while 1, 2 or 5
    (``digitised=true``: scanned at the counter, also filed in the applicant's data store); a
    processing officer or leader covering it while processing (4), for ``kind=result``.

    The body is the file itself (``Content-Type`` its type), streamed: refused with 413
    ``attachment_too_large`` as soon as it crosses the component's ``max_bytes`` or the
    global cap; its type is read from its first bytes (PDF, JPEG, PNG)."""
    if (kind == "component") != (component is not None):
        raise ValidationFailed("Nêu thành phần hồ sơ (component) cho tệp thành phần, và không "
                               "nêu cho tệp kết quả.", code="component_required")
    wanted = Upload(component, filename, request.headers.get("content-type"), digitised)
    cap, store = _cap(runtime), blob_store(request)
    async with runtime.sessionmaker() as checks:  # short: no connection held while streaming
        plan = await service.plan_upload(checks, principal, code, wanted, cap=cap)
    _announced_too_large(request, plan.limit)
    spooled = await _spool(request, store, plan.limit)
    try:
        row = await service.record_upload(session, runtime.outbox, store, principal=principal,
                                          code=code, upload=wanted, spooled=spooled, cap=cap)
    finally:
        spooled.discard()  # stored blobs were moved out of the spool already
    return Attachment.of(row, code, for_official=principal.kind == "official")


@router.post("/api/v1/dossiers/{code}/attachments/reuse", status_code=201,
             response_model=Attachment, openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                         AttachmentTooLarge, ValidationFailed))
async def reuse(code: Code, body: Reuse, request: Request, session: SessionDep,
                runtime: RuntimeDep, principal: PrincipalDep) -> Attachment:
    """Access: the applicant of the dossier (1 or 5), with a document of their own data store
    (404 ``document_not_found`` otherwise), for a component marked ``reusable`` (409
    ``component_not_reusable``). The same blob is attached; no bytes are copied."""
    row = await service.reuse(session, runtime.outbox, principal=principal, code=code,
                              component_code=body.component, document_id=body.document_id,
                              cap=_cap(runtime))
    return Attachment.of(row, code, for_official=False)


@router.get("/api/v1/dossiers/{code}/attachments", response_model=list[Attachment],
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def list_attachments(code: Code, session: SessionDep,
                           principal: PrincipalDep) -> list[Attachment]:
    """Access: whoever may see the dossier (its applicant; officers covering its agency)."""
    rows = await service.listed(session, principal, code)
    official = principal.kind == "official"
    return [Attachment.of(row, code, for_official=official) for row in rows]


@router.get("/api/v1/dossiers/{code}/attachments/{attachment_id}",
            openapi_extra=access("authenticated"), response_class=StreamingResponse,
            responses=problem_responses(Unauthorized, NotFound))
async def download_attachment(code: Code, attachment_id: Annotated[int, Path(ge=1, le=2**62)],
                              request: Request, session: SessionDep,
                              principal: PrincipalDep) -> Response:
    """Access: whoever may see the dossier. The file, streamed, as a download
    (``Content-Disposition`` with its UTF-8 name, ``Repr-Digest`` its SHA-256)."""
    row = await service.visible_attachment(session, principal, code, attachment_id)
    await audit.dossier_read(request, session, principal, code, "dossier.attachment_downloaded")
    return download(blob_store(request), key=row.storage_key, filename=row.filename,
                    media_type=row.media_type, size=row.size, sha256=row.sha256)


@router.post("/api/v1/dossiers/{code}/attachments/{attachment_id}/signature",
             status_code=201, response_model=Attachment, openapi_extra=access("official"),
             responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                         NotSignable, ServiceUnavailable))
async def sign_result(code: Code, attachment_id: Annotated[int, Path(ge=1, le=2**62)],
                      request: Request, session: SessionDep, runtime: RuntimeDep,
                      principal: PrincipalDep) -> Attachment:
    """Access: leaders of the dossier's agency subtree, while it is being processed (status
    4). Ký số kết quả: the result PDF signed (PAdES, a visible stamp on its last page) with
    the leader's own valid personal certificate, kept as a new result attachment that the
    decision can then name; 409 ``result_not_signable`` without such a certificate or for a
    file that is not a result PDF."""
    caller = result_signing.Caller(principal, bearer_token(request),
                                   runtime.settings.identity_url)
    row = await result_signing.sign_result(session, blob_store(request), caller, code,
                                           attachment_id)
    return Attachment.of(row, code, for_official=True)


@router.delete("/api/v1/dossiers/{code}/attachments/{attachment_id}", status_code=204,
               openapi_extra=access("authenticated"),
               responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict))
async def delete_attachment(code: Code, attachment_id: Annotated[int, Path(ge=1, le=2**62)],
                            session: SessionDep, principal: PrincipalDep) -> Response:
    """Access: the applicant of the dossier, before it is received (status 1)."""
    await service.delete(session, principal, code, attachment_id)
    return Response(status_code=204)

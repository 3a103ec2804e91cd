"""Periodic report endpoints (báo cáo định kỳ, NĐ 09/2019) and their templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

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
from egov_shared.timeutil import VN_TZ
from svc_reporting import audit
from svc_reporting.periodic import exports, repository, service
from svc_reporting.periodic import schemas as s
from svc_reporting.periodic.pdf import to_pdf
from svc_reporting.settings import ReportingSettings

router = APIRouter(prefix="/api/v1/reports", tags=["periodic reports"])
ReaderDep = Annotated[Principal, Depends(require_roles("reporting_officer", "leader"))]
SubmitterDep = Annotated[Principal, Depends(require_roles("reporting_officer"))]
AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
ReportId = Annotated[str, Path(max_length=32)]
Format = Literal["json", "csv", "xlsx", "pdf"]
READ_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound)
CHANGE_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)
RENDERERS = {"json": exports.to_json, "csv": exports.to_csv, "xlsx": exports.to_xlsx,
             "pdf": to_pdf}


def _by(principal: Principal) -> str:
    return principal.username or principal.subject


def _province(runtime: RuntimeDep) -> str:
    settings = runtime.settings
    assert isinstance(settings, ReportingSettings)
    return settings.province_id


def _now() -> datetime:
    return datetime.now(VN_TZ)


async def _report(session: SessionDep, report_id: str) -> s.Report:
    row = await repository.report(session, report_id)
    assert row is not None
    return service.report(row)


@router.get("/templates", response_model=list[s.TemplateOut], openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_templates(session: SessionDep, principal: ReaderDep) -> list[s.TemplateOut]:
    """Access: reporting officers, leaders and administrators. The report templates: window
    rule, deadline, sections, recipient."""
    return [service.template_out(row) for row in await repository.templates(session)]


@router.put("/templates/{code}", response_model=s.TemplateOut, openapi_extra=access("admin"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def put_template(code: Annotated[str, Path(pattern=s.TEMPLATE_CODE)],
                       body: s.TemplateBody, session: SessionDep,
                       principal: AdminDep) -> s.TemplateOut:
    """Access: administrators. Defines or replaces a template (a sector's window or
    deadline); reports already generated keep the window and deadline they were made with."""
    await service.save_template(session, code, body)
    row = await repository.template(session, code)
    return service.template_out(row)


@router.post("/periodic", status_code=201, response_model=s.Report,
             openapi_extra=access("official"), responses=CHANGE_ERRORS)
async def generate(body: s.GenerateRequest, session: SessionDep, runtime: RuntimeDep,
                   principal: ReaderDep, response: Response) -> s.Report:
    """Access: reporting officers, leaders and administrators, for agencies in their subtree.
    Computes the report of the period for the agency's subtree over its NĐ 09 window: a new
    draft (201), or the existing draft recomputed (200); 409 `report_submitted` once it has
    been submitted (file a correction)."""
    if not principal.covers_agency(body.agency_id):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")
    report_id, created = await service.generate(
        session, body, by=_by(principal), province_id=_province(runtime), now=_now())
    response.status_code = 201 if created else 200
    return await _report(session, report_id)


@router.get("/periodic", response_model=list[s.ReportSummary],
            openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, ValidationFailed))
async def list_reports(
    session: SessionDep, principal: ReaderDep,
    agency: Annotated[str | None, Query(max_length=35, description="Default: yours")] = None,
    template: Annotated[str | None, Query(max_length=40)] = None,
    kind: Annotated[s.Kind | None, Query()] = None,
    period: Annotated[str | None, Query(max_length=8)] = None,
    status: Annotated[Literal["draft", "submitted"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[s.ReportSummary]:
    """Access: reporting officers, leaders and administrators: the versions of the agencies in
    the subtree of ``agency`` (which must be in theirs), newest first."""
    subtree = agency or principal.agency_id
    if subtree is None or not principal.covers_agency(subtree):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")
    filters = {k: v for k, v in (("template_code", template), ("kind", kind),
                                 ("period", period), ("status", status)) if v}
    rows = await repository.reports(session, subtree=subtree, filters=filters, limit=limit,
                                    offset=offset)
    return [s.ReportSummary(**service.summary(row)) for row in rows]


@router.get("/periodic/{report_id}.{fmt}", openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed))
async def export(report_id: ReportId, fmt: Format, request: Request, session: SessionDep,
                 principal: ReaderDep) -> Response:
    """Access: as reading the report. The report as a file: ``.json``, ``.csv`` (UTF-8 with
    BOM), ``.xlsx`` or ``.pdf``, named with its period and version; recorded in the audit
    log."""
    row = await service.found(session, report_id, principal.covers_agency)
    await audit.report_exported(request, session, principal, report_id, fmt)
    report = service.report(row)
    body = await run_in_threadpool(RENDERERS[fmt], report)
    name = exports.file_name(report, fmt)
    return Response(body, media_type=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/periodic/{report_id}/export", openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound, ValidationFailed))
async def export_as(report_id: ReportId, request: Request, session: SessionDep,
                    principal: ReaderDep,
                    format: Annotated[Format, Query()] = "json") -> Response:
    """Access: as reading the report. The same files as ``/periodic/{id}.{format}``."""
    return await export(report_id, format, request, session, principal)


@router.get("/periodic/{report_id}", response_model=s.Report,
            openapi_extra=access("official"), responses=READ_ERRORS)
async def read(report_id: ReportId, session: SessionDep, principal: ReaderDep) -> s.Report:
    """Access: reporting officers, leaders and administrators whose subtree holds the report's
    agency (others: 404). The version with its content and submission."""
    return service.report(await service.found(session, report_id, principal.covers_agency))


@router.get("/periodic/{report_id}/versions", response_model=list[s.ReportSummary],
            openapi_extra=access("official"), responses=READ_ERRORS)
async def versions(report_id: ReportId, session: SessionDep,
                   principal: ReaderDep) -> list[s.ReportSummary]:
    """Access: as reading the report. Every version of the same report (template, agency,
    period), the original first; each correction names the version it corrects."""
    row = await service.found(session, report_id, principal.covers_agency)
    rows = await repository.versions(session, row.template_code, row.agency_id, row.period)
    return [s.ReportSummary(**service.summary(r)) for r in rows]


@router.put("/periodic/{report_id}", response_model=s.Report,
            openapi_extra=access("official"), responses=CHANGE_ERRORS)
async def put_note(report_id: ReportId, body: s.NoteRequest, session: SessionDep,
                   principal: ReaderDep) -> s.Report:
    """Access: as reading the report. Sets the draft's explanation (thuyết minh); 409
    `report_submitted` once submitted."""
    row = await service.found(session, report_id, principal.covers_agency)
    await service.set_note(session, row, body.note)
    return await _report(session, report_id)


@router.delete("/periodic/{report_id}", status_code=204, openapi_extra=access("official"),
               responses=CHANGE_ERRORS)
async def delete(report_id: ReportId, session: SessionDep, principal: ReaderDep) -> Response:
    """Access: as reading the report. Deletes a draft; 409 `report_submitted` once
    submitted."""
    await service.delete(session, await service.found(session, report_id,
                                                      principal.covers_agency))
    return Response(status_code=204)


@router.post("/periodic/{report_id}/regenerate", response_model=s.Report,
             openapi_extra=access("official"), responses=CHANGE_ERRORS)
async def regenerate(report_id: ReportId, session: SessionDep, runtime: RuntimeDep,
                     principal: ReaderDep) -> s.Report:
    """Access: as reading the report. Recomputes a draft from the read model; 409
    `report_submitted` once submitted."""
    row = await service.found(session, report_id, principal.covers_agency)
    await service.regenerate(session, row, by=_by(principal), province_id=_province(runtime),
                             now=_now())
    return await _report(session, report_id)


@router.post("/periodic/{report_id}/submit", status_code=202, response_model=s.Report,
             openapi_extra=access("official"), responses=CHANGE_ERRORS)
async def submit(report_id: ReportId, session: SessionDep, principal: SubmitterDep) -> s.Report:
    """Access: reporting officers and administrators whose subtree holds the report's agency.
    Freezes the draft and queues it for the national reporting system once its window has
    closed (409 `window_open` before); follow ``submission.status``. A failed delivery may be
    requested again; otherwise 409 `report_submitted`."""
    row = await service.found(session, report_id, principal.covers_agency)
    await service.submit(session, row, by=_by(principal), now=_now())
    return await _report(session, report_id)


@router.post("/periodic/{report_id}/corrections", status_code=201, response_model=s.Report,
             openapi_extra=access("official"), responses=CHANGE_ERRORS)
async def correct(report_id: ReportId, body: s.CorrectionRequest, session: SessionDep,
                  runtime: RuntimeDep, principal: ReaderDep) -> s.Report:
    """Access: as reading the report. A correction of the latest, submitted version: a new
    draft version n+1 that ``corrects`` it, with the reason, recomputed unless asked not to;
    it is submitted in its turn."""
    row = await service.found(session, report_id, principal.covers_agency)
    new_id = await service.correct(session, row, body, by=_by(principal),
                                   province_id=_province(runtime), now=_now())
    return await _report(session, new_id)

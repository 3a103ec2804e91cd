"""Periodic reports: generate a version from the read model, keep it a draft while it may
change, freeze it when it is submitted, correct it with a new version (``state.py``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import ServiceRuntime
from egov_shared.errors import Conflict, NotFound, ValidationFailed
from egov_shared.timeutil import to_vn, utcnow
from svc_reporting.periodic import repository, state
from svc_reporting.periodic import schemas as s
from svc_reporting.periodic.sections import compute, content_hash
from svc_reporting.periodic.templates import (
    DEFAULT_FOR_KIND,
    STANDARD,
    Template,
    from_row,
    to_values,
)
from svc_reporting.periodic.windows import DeadlineRule, InvalidPeriod, Kind, Period, WindowRule
from svc_reporting.periodic.windows import parse_period as _parse

SUBMITTED_CONFLICT = "The report has been submitted: it cannot change; file a correction."


# --- templates ---------------------------------------------------------------------------

async def seed_templates(runtime: ServiceRuntime) -> None:
    """Start-up: the standard templates, once (an administrator's edits are kept)."""
    async with runtime.sessionmaker() as session, session.begin():
        await repository.add_templates_if_missing(
            session, [to_values(t, utcnow()) for t in STANDARD])


async def template_for(session: AsyncSession, code: str | None, kind: Kind) -> Template:
    row = await repository.template(session, code or DEFAULT_FOR_KIND[kind])
    if row is None:
        raise ValidationFailed(f"No report template {code!r}.", code="unknown_template")
    template = from_row(row)
    if template.kind != kind:
        raise ValidationFailed(f"Template {template.code} is a {template.kind} report.",
                               code="template_kind_mismatch")
    return template


async def save_template(session: AsyncSession, code: str, body: s.TemplateBody) -> None:
    existing = await repository.template(session, code)
    template = Template(code, body.name,
                        WindowRule(body.kind, body.window.start_day, body.window.cumulative),
                        DeadlineRule(body.deadline.day, body.deadline.month_offset),
                        tuple(body.sections), standard=bool(existing and existing.standard))
    problems = template.problems()
    if problems:
        raise ValidationFailed("; ".join(problems) + ".", code="invalid_template")
    await repository.save_template(session, to_values(template, utcnow()))


def template_out(row: Any) -> s.TemplateOut:
    return s.TemplateOut(
        code=row.code, name=row.name, kind=row.kind, recipient=row.recipient,
        standard=row.standard, sections=list(row.sections),
        window=s.WindowRuleModel(start_day=row.start_day, cumulative=row.cumulative),
        deadline=s.DeadlineModel(day=row.deadline_day, month_offset=row.deadline_month_offset))


# --- versions ----------------------------------------------------------------------------

def parse_period(kind: Kind, text: str) -> Period:
    try:
        return _parse(kind, text)
    except InvalidPeriod as exc:
        raise ValidationFailed(str(exc), code="invalid_period") from exc


async def generate(session: AsyncSession, body: s.GenerateRequest, *, by: str,
                   province_id: str, now: datetime) -> tuple[str, bool]:
    """A new version 1, or the draft recomputed; answers (id, created)."""
    period = parse_period(body.kind, body.period)
    template = await template_for(session, body.template, body.kind)
    if template.rule.window(period).start > now:
        raise ValidationFailed("That period has not started.", code="period_not_started")
    existing = await repository.versions(session, template.code, body.agency_id, str(period))
    if existing and existing[-1].status != state.DRAFT:
        raise Conflict(SUBMITTED_CONFLICT, code="report_submitted",
                       extra={"report_id": existing[-1].id})
    values = await _computed(session, template, body.agency_id, period, province_id, now, by)
    if existing:
        await _change_draft(session, existing[-1].id, values)
        return existing[-1].id, False
    report_id = uuid.uuid4().hex
    await _add(session, {
        **values, "id": report_id, "template_code": template.code,
        "agency_id": body.agency_id, "kind": template.kind, "period": str(period),
        "version": 1, "status": state.DRAFT})
    return report_id, True


async def regenerate(session: AsyncSession, row: Any, *, by: str, province_id: str,
                     now: datetime) -> None:
    _must_be_draft(row)
    template = await template_for(session, row.template_code, row.kind)
    period = parse_period(row.kind, row.period)
    await _change_draft(session, row.id, await _computed(
        session, template, row.agency_id, period, province_id, now, by))


async def correct(session: AsyncSession, row: Any, body: s.CorrectionRequest, *, by: str,
                  province_id: str, now: datetime) -> str:
    """Version n+1 of a submitted version, a draft to be submitted in its turn."""
    if row.status == state.DRAFT:
        raise Conflict("A draft is regenerated or edited, not corrected.",
                       code="report_not_submitted")
    latest = (await repository.versions(session, row.template_code, row.agency_id,
                                        row.period))[-1]
    if latest.id != row.id:
        raise Conflict("A later version exists: correct that one.", code="report_superseded",
                       extra={"report_id": latest.id})
    template = await template_for(session, row.template_code, row.kind)
    values = (await _computed(session, template, row.agency_id,
                              parse_period(row.kind, row.period), province_id, now, by)
              if body.recompute else _copied(row, now, by))
    report_id = uuid.uuid4().hex
    await _add(session, {
        **values, "id": report_id, "template_code": row.template_code,
        "agency_id": row.agency_id, "kind": row.kind, "period": row.period,
        "version": row.version + 1, "corrects": row.id, "correction_reason": body.reason,
        "status": state.DRAFT, "note": row.note})
    return report_id


async def _computed(session: AsyncSession, template: Template, agency_id: str, period: Period,
                    province_id: str, now: datetime, by: str) -> dict[str, Any]:
    window = template.rule.window(period)
    sections = await compute(session, template=template, agency_id=agency_id,
                             province_id=province_id, window=window, now=now)
    content = {
        "template": template.code, "template_name": template.name, "agency_id": agency_id,
        "kind": template.kind, "period": str(period),
        "period_label": template.rule.label(period),
        "window_start": window.start.isoformat(), "window_end": window.end.isoformat(),
        "sections": sections}
    return {"window_start": _utc(window.start), "window_end": _utc(window.end),
            "deadline_at": _utc(template.deadline.due_at(window)), "generated_at": _utc(now),
            "generated_by": by, "content": content, "content_hash": content_hash(content)}


def _utc(moment: datetime) -> datetime:
    """Stored in UTC (SQLite keeps the wall time and drops the offset)."""
    return moment.astimezone(UTC)


def _stored(moment: datetime) -> datetime:
    """A stored time, aware (SQLite answers naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _copied(row: Any, now: datetime, by: str) -> dict[str, Any]:
    return {"window_start": row.window_start, "window_end": row.window_end,
            "deadline_at": row.deadline_at, "generated_at": _utc(now), "generated_by": by,
            "content": row.content, "content_hash": row.content_hash}


async def _add(session: AsyncSession, values: dict[str, Any]) -> None:
    if not await repository.add_report(session, values):
        raise Conflict("The same report was being made at the same time; try again.",
                       code="concurrent_change")


async def _change_draft(session: AsyncSession, report_id: str, values: dict[str, Any]) -> None:
    if not await repository.change_draft(session, report_id, values):
        raise Conflict(SUBMITTED_CONFLICT, code="report_submitted")


def _must_be_draft(row: Any) -> None:
    if row.status != state.DRAFT:
        raise Conflict(SUBMITTED_CONFLICT, code="report_submitted")


async def set_note(session: AsyncSession, row: Any, note: str | None) -> None:
    _must_be_draft(row)
    await _change_draft(session, row.id, {"note": note})


async def delete(session: AsyncSession, row: Any) -> None:
    _must_be_draft(row)
    if not await repository.delete_draft(session, row.id):
        raise Conflict(SUBMITTED_CONFLICT, code="report_submitted")


# --- submission --------------------------------------------------------------------------

async def submit(session: AsyncSession, row: Any, *, by: str, now: datetime) -> None:
    """Freezes the version and queues its delivery; a failed delivery may be requested again."""
    if row.status == state.SUBMITTED:
        if row.s_status not in state.MAY_REQUEST_AGAIN:
            raise Conflict("The report has already been submitted.", code="report_submitted")
        await repository.change_submission(session, row.id, {
            "status": state.QUEUED, "attempts": 0, "next_attempt_at": _utc(now),
            "last_error": None})
        return
    if now <= _stored(row.window_end):
        raise Conflict("The report's window has not closed yet.", code="window_open")
    await _change_draft(session, row.id, {"status": state.SUBMITTED})
    await repository.add_submission(session, {
        "report_id": row.id, "status": state.QUEUED, "requested_at": _utc(now),
        "requested_by": by, "late": now > _stored(row.deadline_at),
        "attempts": 0, "next_attempt_at": _utc(now)})


# --- representation ----------------------------------------------------------------------

async def found(session: AsyncSession, report_id: str, covers: Any) -> Any:
    """The version, if the caller's subtree covers its agency (else, as if absent: 404)."""
    row = await repository.report(session, report_id) if len(report_id) <= 32 else None
    if row is None or not covers(row.agency_id):
        raise NotFound("No such report.", code="report_not_found")
    return row


def summary(row: Any) -> dict[str, Any]:
    content = row.content
    return {
        "id": row.id, "template": row.template_code, "template_name": content["template_name"],
        "kind": row.kind, "period": row.period, "period_label": content["period_label"],
        "agency_id": row.agency_id, "window_start": to_vn(row.window_start),
        "window_end": to_vn(row.window_end), "deadline_at": to_vn(row.deadline_at),
        "version": row.version, "corrects": row.corrects,
        "correction_reason": row.correction_reason, "status": row.status,
        "generated_at": to_vn(row.generated_at), "generated_by": row.generated_by,
        "note": row.note, "content_hash": row.content_hash, "submission": _submission(row)}


def report(row: Any) -> s.Report:
    return s.Report(**summary(row), content=row.content)


def _submission(row: Any) -> s.Submission | None:
    if row.s_status is None:
        return None
    return s.Submission(
        status=row.s_status, late=row.s_late, requested_at=to_vn(row.s_requested_at),
        requested_by=row.s_requested_by, attempts=row.s_attempts,
        next_attempt_at=to_vn(row.s_next_attempt_at), receipt_id=row.s_receipt_id,
        delivered_at=to_vn(row.s_delivered_at), decided_at=to_vn(row.s_decided_at),
        reason=row.s_reason, last_error=row.s_last_error)

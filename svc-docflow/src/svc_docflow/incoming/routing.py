"""Phân công xử lý: a leader of the receiving agency assigns an incoming document to exactly one
lead unit (chủ trì), co-operating units (phối hợp) and units for information (để biết), all in
the leader's subtree, with a deadline (04 to the sender); officers of the lead unit record
progress (05, the first time) and completion (06); co-operating units record contributions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden, ValidationFailed
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.axis.context import AxisContext
from svc_docflow.common import history
from svc_docflow.incoming import repository
from svc_docflow.incoming.schemas import Assignment, Contribution, ProgressNote
from svc_docflow.incoming.service import advance, check, in_unit, is_officer, load_visible
from svc_docflow.incoming.state import COOPERATE, INFO, LEAD, Action, Status


def today_vn() -> date:
    return utcnow().astimezone(VN_TZ).date()


async def assign(session: AsyncSession, ctx: AxisContext, principal: Principal,
                 document_id: str, body: Assignment) -> Row[Any]:
    """Replaces any earlier assignment (a leader may re-assign until work has started)."""
    doc = await load_visible(session, principal, document_id, lock=True)
    if not (principal.has_role("leader") and principal.covers_agency(doc.agency_id)):
        raise Forbidden("Lãnh đạo cơ quan nhận mới được phân công xử lý văn bản.",
                        code="leader_only")
    check(doc, Action.ASSIGN)
    roles = await _units(ctx, principal, body)
    deadline = body.deadline or doc.due_date
    if deadline is not None and deadline < today_vn():
        raise ValidationFailed("Hạn xử lý đã qua.", code="deadline_in_past",
                               extra={"field": "deadline"})
    now = utcnow()
    await repository.replace_assignments(session, doc.id, [
        {"document_id": doc.id, "unit_id": unit, "role": role, "deadline": deadline,
         "status": "assigned", "assigned_by": principal.subject, "assigned_at": now}
        for unit, role in roles.items()])
    return await advance(session, ctx, doc, Action.ASSIGN, actor=principal, note=body.note,
                         changes={"processing_deadline": deadline},
                         unit_id=body.lead_unit_id, data=_assignment_data(roles, deadline))


async def _units(ctx: AxisContext, principal: Principal, body: Assignment) -> dict[str, str]:
    """unit → role, each unit once, each an agency of the leader's subtree."""
    roles: dict[str, str] = {body.lead_unit_id: LEAD}
    for units, role in ((body.cooperating_unit_ids, COOPERATE), (body.info_unit_ids, INFO)):
        for unit in units:
            if unit in roles:
                raise ValidationFailed(f"Đơn vị {unit} được giao hai vai trò.",
                                       code="unit_twice", extra={"unit_id": unit})
            roles[unit] = role
    for unit in roles:
        agency = await ctx.directory.find(unit)
        if agency is None or agency.id != unit or not principal.covers_agency(unit):
            raise ValidationFailed(f"Đơn vị {unit} không thuộc phạm vi phân công.",
                                   code="unit_not_in_subtree", extra={"unit_id": unit})
    return roles


def _assignment_data(roles: dict[str, str], deadline: date | None) -> dict[str, Any]:
    return {"units": [{"unit_id": u, "role": r} for u, r in roles.items()],
            "deadline": deadline.isoformat() if deadline else None}


async def _lead_unit(session: AsyncSession, principal: Principal, doc: Row[Any]) -> str:
    lead = next((a.unit_id for a in await repository.assignments(session, doc.id)
                 if a.role == LEAD), None)
    if lead is None or not (is_officer(principal) and in_unit(principal, lead)):
        raise Forbidden("Chỉ cán bộ của đơn vị chủ trì mới cập nhật tiến độ xử lý.",
                        code="lead_unit_only")
    return lead


async def progress(session: AsyncSession, ctx: AxisContext, principal: Principal,
                   document_id: str, body: ProgressNote) -> Row[Any]:
    """05 goes to the sender the first time only; later notes are history."""
    doc = await load_visible(session, principal, document_id, lock=True)
    lead = await _lead_unit(session, principal, doc)
    check(doc, Action.PROGRESS)
    await repository.update_assignment(session, doc.id, lead, status="in_progress")
    return await advance(session, ctx, doc, Action.PROGRESS, actor=principal, note=body.note,
                         unit_id=lead, data={"unit_id": lead},
                         answer=doc.status != Status.IN_PROGRESS)


async def complete(session: AsyncSession, ctx: AxisContext, principal: Principal,
                   document_id: str, body: ProgressNote) -> Row[Any]:
    doc = await load_visible(session, principal, document_id, lock=True)
    lead = await _lead_unit(session, principal, doc)
    check(doc, Action.COMPLETE)
    await repository.update_assignment(session, doc.id, lead, status="done", done_at=utcnow())
    return await advance(session, ctx, doc, Action.COMPLETE, actor=principal, note=body.note,
                         unit_id=lead, data={"unit_id": lead})


async def contribute(session: AsyncSession, principal: Principal, document_id: str,
                     body: Contribution) -> Row[Any]:
    """A co-operating unit's contribution (ý kiến phối hợp): history, and its own status."""
    doc = await load_visible(session, principal, document_id, lock=True)
    mine = [a for a in await repository.assignments(session, doc.id)
            if a.role == COOPERATE and is_officer(principal) and in_unit(principal, a.unit_id)]
    if not mine:
        raise Forbidden("Chỉ cán bộ của đơn vị phối hợp mới ghi ý kiến phối hợp.",
                        code="cooperating_unit_only")
    if doc.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
        check(doc, Action.PROGRESS)  # raises: the document is not being processed
    unit = mine[0].unit_id
    done = {"status": "done", "done_at": utcnow()} if body.done else {"status": "in_progress"}
    await repository.update_assignment(session, doc.id, unit, **done)
    await history.record(session, doc.id, "contribution", actor=principal,
                         from_status=doc.status, to_status=doc.status, note=body.note,
                         data={"unit_id": unit, "done": body.done})
    return doc

"""Dossier lifecycle use cases: load (locked) → check who and from which status (state.py) →
plan the change → update the dossier, append the history, write the event to the outbox.

Never commits and never talks to NATS: a failed action raises before the unit of work commits,
so it writes nothing and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import VN_TZ, in_supported_range, to_vn, utcnow
from svc_dossier.calendar.service import calendar_for, extend_for_pause
from svc_dossier.datastore import service as datastore
from svc_dossier.dossiers import repository, schemas
from svc_dossier.dossiers.deadlines import aware, due_at_for, timeliness
from svc_dossier.dossiers.service import can_see, is_reception_officer, works_on
from svc_dossier.dossiers.state import (
    ACTION_NAMES,
    APPLICANT,
    STATUS_NAMES,
    SYSTEM,
    TRANSITIONS,
    Action,
    Status,
    Transition,
)
from svc_dossier.procedures import repository as procedures


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a signed-in principal, or a platform component (``system``)."""

    id: str
    kind: str
    agency_id: str | None = None
    roles: frozenset[str] = frozenset()
    principal: Principal | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.subject, principal.kind, principal.agency_id, principal.roles,
                   principal)

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(component, SYSTEM, None, frozenset({SYSTEM}))


PAYMENTS = Actor.system("payments")


@dataclass
class Change:
    """What an action does: the new status, other dossier columns, the history row's data and
    the event's extra fields."""

    to_status: int
    values: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    dossier: Row[Any]
    procedure: Row[Any]
    actor: Actor
    now: datetime


def _iso(moment: datetime | None) -> str | None:
    shown = to_vn(moment)
    return shown.isoformat() if shown else None


async def perform(session: AsyncSession, outbox: Outbox, *, actor: Actor, code: str,
                  action: Action, body: Any) -> Row[Any]:
    """Performs ``action`` on dossier ``code``; answers the updated dossier."""
    row = await _load(session, actor, code)
    transition = TRANSITIONS[action]
    _check(actor, row, action, transition)
    procedure = await procedures.get(session, row.procedure_code)
    if procedure is None:  # the foreign key rules it out
        raise NotFound(f"Không có thủ tục {row.procedure_code}.", code="procedure_not_found")
    ctx = Context(session, row, procedure, actor, utcnow())
    change = await PLANNERS[action](ctx, body)
    updated = await repository.update_dossier(
        session, row.id, {"status_code": int(change.to_status), **change.values})
    await repository.add_history(session, {
        "dossier_id": row.id, "action": action.value, "from_status": row.status_code,
        "to_status": updated.status_code, "actor_id": actor.id, "actor_kind": actor.kind,
        "actor_agency_id": actor.agency_id, "reason": change.reason, "note": change.note,
        "data": {**change.data, **_officer_name(actor)}, "at": ctx.now,
    })
    await outbox.add(session, transition.event, subject=code, agency=row.agency_id,
                     data=_event_data(ctx, action, updated, change))
    if action is Action.RETURN_RESULT:  # the electronic result into the applicant's store
        await datastore.issue_result(session, outbox, updated, at=ctx.now)
    return updated


async def _load(session: AsyncSession, actor: Actor, code: str) -> Row[Any]:
    row = await repository.get_for_update(session, code)
    visible = row is not None and (actor.principal is None or can_see(actor.principal, row))
    if row is None or not visible:
        raise NotFound(f"Không có hồ sơ {code}.", code="dossier_not_found")
    return row


def _officer_name(actor: Actor) -> dict[str, str]:
    """The official's full name, printed on the forms they issue (01–05)."""
    name = actor.principal.claims.get("name") if actor.principal else None
    return {"actor_name": name} if actor.kind == "official" and isinstance(name, str) else {}


def may_act(actor: Actor, row: Row[Any], transition: Transition) -> bool:
    """The applicant acts on their own dossier only; officials by role (the subtree is checked
    when the dossier is loaded); a platform administrator has no business action."""
    if actor.kind == SYSTEM:
        return SYSTEM in transition.actors
    if actor.kind in ("citizen", "business"):
        return APPLICANT in transition.actors and row.applicant_account_id == actor.id
    return bool(actor.roles & transition.actors)


# What the reception desk of another agency (the service centre's one-stop shop) does with a
# dossier it received: receive or refuse it, ask for and take in a supplement, pass it on to
# the responsible agency once (hand-over from "received"), take a payment, return the result.
RECEPTION_ACTIONS = frozenset({Action.RECEIVE, Action.REFUSE, Action.REQUEST_SUPPLEMENT,
                               Action.SUPPLEMENT, Action.PAYMENT_RECEIVED, Action.RETURN_RESULT})


def at_reception_only(actor: Actor, row: Row[Any]) -> bool:
    """The actor reaches the dossier only as an officer of its reception desk."""
    return (actor.principal is not None and actor.kind == "official"
            and not works_on(actor.principal, row)
            and is_reception_officer(actor.principal, row.reception_agency_id))


def _check(actor: Actor, row: Row[Any], action: Action, transition: Transition) -> None:
    if at_reception_only(actor, row):
        passes_on = action is Action.HAND_OVER and row.status_code == Status.RECEIVED
        if not (action in RECEPTION_ACTIONS or passes_on):
            raise Forbidden(f"Bộ phận tiếp nhận không {ACTION_NAMES[action]} đối với hồ sơ này: "
                            f"việc này do {row.agency_id} thực hiện.",
                            code="action_not_allowed", extra={"action": action.value})
    elif not may_act(actor, row, transition):
        raise Forbidden(f"Bạn không có quyền {ACTION_NAMES[action]} đối với hồ sơ này.",
                        code="action_not_allowed", extra={"action": action.value})
    if row.status_code not in transition.sources:
        raise Conflict(
            f"Không thể {ACTION_NAMES[action]} khi hồ sơ đang ở trạng thái "
            f"“{STATUS_NAMES[row.status_code]}”.",
            code="illegal_transition",
            extra={"action": action.value, "current_status_code": row.status_code,
                   "current_status": STATUS_NAMES[row.status_code]},
        )


def _event_data(ctx: Context, action: Action, updated: Row[Any],
                change: Change) -> dict[str, Any]:
    row = ctx.dossier
    return {
        "code": row.code, "agency_id": row.agency_id, "procedure_code": row.procedure_code,
        "channel": row.channel, "online_level": ctx.procedure.online_level,
        "action": action.value, "status_code_before": row.status_code,
        "status_code": updated.status_code, "at": ctx.now,
        "due_at": aware(updated.due_at) if updated.due_at else None,
        "received_at": aware(updated.received_at) if updated.received_at else None,
        "actor_kind": ctx.actor.kind, **change.event,
    }


# --- the planners: one per action -----------------------------------------------------------

async def _receive(ctx: Context, body: schemas.ActionBody) -> Change:
    calendar = await calendar_for(ctx.session, ctx.dossier.agency_id)
    due = due_at_for(calendar, ctx.procedure, ctx.dossier.channel, ctx.now)
    return Change(Status.RECEIVED, values={"received_at": ctx.now, "due_at": due},
                  data={"due_at": _iso(due)}, note=body.note)


async def _refuse(ctx: Context, body: schemas.Refusal) -> Change:
    return Change(Status.REFUSED, reason=body.reason, note=body.note)


async def _request_supplement(ctx: Context, body: schemas.SupplementRequest) -> Change:
    if await repository.last_action(ctx.session, ctx.dossier.id, Action.REQUEST_SUPPLEMENT):
        raise Conflict("Hồ sơ chỉ được yêu cầu bổ sung một lần; yêu cầu đã được gửi trước đó.",
                       code="supplement_already_requested")
    return Change(Status.SUPPLEMENT_REQUESTED, data={"missing": body.missing},
                  reason=body.reason, note=body.note)


async def _supplement(ctx: Context, body: schemas.Supplement) -> Change:
    """Back to the status before the request; the due time grows by the office hours spent
    waiting (the clock stops while a supplement is pending), and so does the current hop's."""
    request = await repository.last_action(ctx.session, ctx.dossier.id, Action.REQUEST_SUPPLEMENT)
    if request is None:  # status 5 is only reached through a request
        raise Conflict("Không tìm thấy yêu cầu bổ sung của hồ sơ.", code="no_supplement_request")
    calendar = await calendar_for(ctx.session, ctx.dossier.agency_id)
    paused_at, due_before = aware(request.at), aware(ctx.dossier.due_at)
    due = extend_for_pause(calendar, due_before, paused_at, ctx.now).astimezone(UTC)
    hop = await _open_hop(ctx)
    if hop is not None:
        await repository.update_hop(ctx.session, hop.id, {"deadline_at": extend_for_pause(
            calendar, aware(hop.deadline_at), paused_at, ctx.now).astimezone(UTC)})
    return Change(request.from_status, values={"due_at": due}, note=body.note, data={
        "documents": body.documents, "paused_at": _iso(paused_at), "resumed_at": _iso(ctx.now),
        "paused_working_hours": round(calendar.working_hours_between(paused_at, ctx.now), 4),
        "due_at_before": _iso(due_before), "due_at": _iso(due),
    })


async def _open_hop(ctx: Context) -> Row[Any] | None:
    hops = await repository.hops_of(ctx.session, ctx.dossier.id)
    return hops[-1] if hops and hops[-1].handed_on_at is None else None


async def _hand_over(ctx: Context, body: schemas.HandOver) -> Change:
    root, target = ctx.dossier.agency_id, body.to_agency_id
    if target != root and not target.startswith(root + "."):
        raise ValidationFailed(f"Đơn vị nhận phải thuộc cơ quan giải quyết hồ sơ ({root}).",
                               code="agency_outside_dossier")
    hops = await repository.hops_of(ctx.session, ctx.dossier.id)
    current = hops[-1] if hops and hops[-1].handed_on_at is None else None
    # Passed on by the reception desk (the service centre), the first hop leaves the desk.
    desk = None if hops else at_reception_only(ctx.actor, ctx.dossier)
    holder = (current.to_agency_id if current
              else ctx.dossier.reception_agency_id if desk else root)
    if target == holder:
        raise ValidationFailed("Hồ sơ đang ở chính đơn vị này.", code="same_unit")
    if current is not None:
        await repository.update_hop(ctx.session, current.id, {"handed_on_at": ctx.now})
    calendar = await calendar_for(ctx.session, root)
    # Stored in UTC: SQLite keeps the wall-clock time and drops the offset.
    deadline = calendar.add_working_hours(
        ctx.now, body.deadline_days * calendar.hours_per_day).astimezone(UTC)
    await repository.add_hop(ctx.session, {
        "dossier_id": ctx.dossier.id, "sequence": len(hops) + 1, "from_agency_id": holder,
        "to_agency_id": target, "received_at": ctx.now, "deadline_at": deadline,
    })
    return Change(Status.PROCESSING, note=body.note, event={"to_agency_id": target},
                  values={"current_unit": None if target == root else target}, data={
        "from_agency_id": holder, "to_agency_id": target, "deadline_days": body.deadline_days,
        "deadline_at": _iso(deadline),
    })


async def _request_payment(ctx: Context, body: schemas.PaymentRequest) -> Change:
    fees = list(ctx.procedure.fees or [])
    amount = body.amount or sum(int(f.get("amount", 0)) for f in fees)
    if amount <= 0:
        raise ValidationFailed("Thủ tục không quy định phí, lệ phí: hãy nêu số tiền phải nộp.",
                               code="payment_amount_required")
    return Change(Status.PAYMENT_REQUESTED, data={"amount": amount, "fees": fees},
                  event={"amount": amount}, note=body.note)


async def _payment_received(ctx: Context, body: schemas.PaymentReceived) -> Change:
    return Change(Status.PROCESSING, data={"amount": body.amount, "reference": body.reference},
                  event={"amount": body.amount}, note=body.note)


async def _decide(ctx: Context, body: schemas.Decision) -> Change:
    if not (body.result_file or body.result_note):
        raise ValidationFailed("Kết quả cần tệp kết quả điện tử hoặc nội dung kết quả.",
                               code="result_required")
    await datastore.check_result_file(ctx.session, ctx.dossier, body.result_file)
    return Change(Status.DECIDED, note=body.note, event={"outcome": body.outcome}, data={
        "outcome": body.outcome, "result_file": body.result_file,
        "result_note": body.result_note,
    })


async def _return_result(ctx: Context, body: schemas.ActionBody) -> Change:
    row = ctx.dossier
    calendar = await calendar_for(ctx.session, row.agency_id)
    klass = timeliness(ctx.now, row.due_at)
    supplement = await repository.last_action(ctx.session, row.id, Action.SUPPLEMENT)
    paused = float(supplement.data.get("paused_working_hours", 0)) if supplement else 0.0
    start = aware(row.received_at or row.submitted_at)
    hours = max(0.0, calendar.working_hours_between(start, ctx.now) - paused)
    statutory_due = due_at_for(calendar, ctx.procedure, row.channel, start)
    statutory = calendar.working_hours_between(start, statutory_due)
    facts = {"timeliness": klass, "completed_at": ctx.now,
             "processing_working_hours": round(hours, 2),
             "statutory_working_hours": round(statutory, 2)}
    return Change(Status.RETURNED, values={"completed_at": ctx.now, "timeliness": klass},
                  note=body.note, event=facts,
                  data={**facts, "completed_at": _iso(ctx.now)})


async def _withdraw(ctx: Context, body: schemas.Withdrawal) -> Change:
    return Change(Status.WITHDRAWN, reason=body.reason)


async def _stop(ctx: Context, body: schemas.Stop) -> Change:
    return Change(Status.STOPPED, reason=body.reason, note=body.note)


async def _apologise(ctx: Context, body: schemas.Apology) -> Change:
    """Form 04: only for a late dossier (now after its due time); the status is unchanged."""
    due = aware(ctx.dossier.due_at)
    if ctx.now <= due:
        raise Conflict("Hồ sơ chưa quá hạn: không cần phiếu xin lỗi.", code="not_late",
                       extra={"due_at": _iso(due)})
    new = body.new_due_at if body.new_due_at.tzinfo else body.new_due_at.replace(tzinfo=VN_TZ)
    if not in_supported_range(new.date()):
        raise ValidationFailed("Ngày hẹn mới nằm ngoài khoảng hỗ trợ.",
                               code="new_due_at_out_of_range")
    if new <= ctx.now:
        raise ValidationFailed("Ngày hẹn trả kết quả mới phải sau thời điểm hiện tại.",
                               code="new_due_at_not_in_future")
    return Change(ctx.dossier.status_code, values={"due_at": new.astimezone(UTC)},
                  reason=body.reason,
                  note=body.note, data={"due_at_before": _iso(due), "new_due_at": _iso(new)})


Planner = Callable[[Context, Any], Awaitable[Change]]
PLANNERS: dict[Action, Planner] = {
    Action.RECEIVE: _receive, Action.REFUSE: _refuse,
    Action.REQUEST_SUPPLEMENT: _request_supplement, Action.SUPPLEMENT: _supplement,
    Action.HAND_OVER: _hand_over, Action.REQUEST_PAYMENT: _request_payment,
    Action.PAYMENT_RECEIVED: _payment_received, Action.DECIDE: _decide,
    Action.RETURN_RESULT: _return_result, Action.WITHDRAW: _withdraw, Action.STOP: _stop,
    Action.APOLOGISE: _apologise,
}


async def payment_received(
    session: AsyncSession, outbox: Outbox, *, code: str, amount: int | None = None,
    reference: str | None = None, actor: Actor = PAYMENTS,
) -> Row[Any]:
    """Records that the financial obligation of dossier ``code`` was paid: status 6 → 4, a
    history row and the ``vn.egov.dossier.payment_received.v1`` event, in the caller's unit of
    work (never commits). For the payments slice's online payment callback (the default actor
    is the ``payments`` system component, which sees every dossier); officers at the counter
    reach the same path through ``POST /api/v1/dossiers/{code}/payment-received``.

    ``amount`` in integer đồng, ``reference`` the transaction or receipt reference. Raises
    ``NotFound`` (``dossier_not_found``) and ``Conflict`` (``illegal_transition``, e.g. when a
    repeated callback arrives after the dossier moved on: the caller may treat it as done).
    """
    body = schemas.PaymentReceived(amount=amount, reference=reference)
    return await perform(session, outbox, actor=actor, code=code,
                         action=Action.PAYMENT_RECEIVED, body=body)

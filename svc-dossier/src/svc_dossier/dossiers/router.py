"""Dossier endpoints. Each states who may call it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Row

from egov_shared.access import access
from egov_shared.agency import AGENCY_ID_PATTERN
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from egov_shared.timeutil import to_vn
from svc_dossier import audit
from svc_dossier.dossiers import lifecycle, repository, schemas, service
from svc_dossier.dossiers.lifecycle import Actor
from svc_dossier.dossiers.schemas import (
    Applicant,
    Contact,
    DecisionResult,
    Dossier,
    DossierHistory,
    DossierSubmission,
    HistoryEntry,
    Hop,
    PublicDossier,
    Representative,
)
from svc_dossier.dossiers.state import FINISHED, STATUS_NAMES, Action, Status
from svc_dossier.ratings import repository as ratings

router = APIRouter(tags=["dossiers"])
Queue = Literal["new", "processing", "due_soon", "overdue", "supplement", "finished"]
DUE_SOON_HOURS = 8  # one working day


def _dates(row: Row[Any]) -> dict[str, Any]:
    return {
        "code": row.code, "procedure_code": row.procedure_code, "agency_id": row.agency_id,
        "status_code": row.status_code, "status": STATUS_NAMES[row.status_code],
        "submitted_at": to_vn(row.submitted_at), "received_at": to_vn(row.received_at),
        "due_at": to_vn(row.due_at), "completed_at": to_vn(row.completed_at),
        "timeliness": row.timeliness,
    }


def to_dossier(row: Row[Any]) -> Dossier:
    form = dict(row.form_data)
    applicant = form.pop("applicant", None)
    representative = form.pop("representative", None)
    contact = form.pop("contact", None)
    if applicant is None and row.applicant_id_number:
        applicant = {"id_number": row.applicant_id_number,
                     "full_name": row.applicant_name or row.applicant_id_number}
    return Dossier(**_dates(row), reception_agency_id=row.reception_agency_id,
                   channel=row.channel, form_data=form,
                   applicant=Applicant.model_validate(applicant) if applicant else None,
                   representative=(Representative.model_validate(representative)
                                   if representative else None),
                   contact=Contact.model_validate(contact) if contact else None)


@router.post(
    "/api/v1/dossiers", status_code=201, response_model=Dossier,
    openapi_extra=access("authenticated"),
    responses=problem_responses(Unauthorized, Forbidden, ValidationFailed, Conflict),
)
async def submit_dossier(
    submission: DossierSubmission,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Dossier:
    """Access: citizens and businesses (online, for themselves); one-stop-shop officers
    (counter or post, for an applicant, within their agency subtree, or at the procedure's
    reception desk: the service centre files for the departments). Honours
    ``Idempotency-Key``: a replay answers the same dossier and creates nothing."""
    if idempotency_key:
        replayed = await service.replay_idempotent(
            session, principal=principal, key=idempotency_key, submission=submission)
        if replayed is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return to_dossier(replayed)
    row = await service.submit_dossier(
        session, runtime.outbox, principal=principal, submission=submission,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/api/v1/dossiers/{row.code}"
    return to_dossier(row)


@router.get("/api/v1/dossiers", response_model=list[Dossier], openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, Forbidden))
async def list_dossiers(
    session: SessionDep,
    principal: PrincipalDep,
    queue: Annotated[Queue | None, Query(description="Officers' work lists")] = None,
    agency: Annotated[str | None, Query(max_length=35, pattern=AGENCY_ID_PATTERN,
                                        description="A subtree inside the caller's")] = None,
    q: Annotated[str | None, Query(max_length=200,
                                   description="Code, applicant or procedure; "
                                               "diacritic-insensitive")] = None,
    status_code: Annotated[int | None, Query(ge=1, le=10)] = None,
    due_within_hours: Annotated[int, Query(ge=1, le=400, description="due_soon: within "
                                           "this many working hours")] = DUE_SOON_HOURS,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Dossier]:
    """Access: citizens and businesses see their own dossiers (``queue`` is 403
    ``queue_for_officers``); officers those of their agency subtree (one-stop officers also
    those their desk received for another agency), or of ``agency`` inside it (outside: 403
    ``agency_not_covered``). Newest first; ``due_soon`` and ``overdue`` due first."""
    rows = await service.list_dossiers(
        session, principal, queue=queue, agency=agency, q=q, status_code=status_code,
        due_within_hours=due_within_hours, limit=limit, offset=offset)
    return [to_dossier(r) for r in rows]


@router.get("/api/v1/dossiers/{code}", response_model=Dossier,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def get_dossier(code: str, request: Request, session: SessionDep,
                      principal: PrincipalDep) -> Dossier:
    """Access: the applicant; officers of the dossier's agency subtree or of the unit holding
    it; one-stop-shop officers of its reception desk. Others get 404. Once decided, with the
    decision's result. An official's read is recorded in the audit log (the applicant sees
    it)."""
    row = await service.load_visible(session, principal, code)
    await audit.dossier_read(request, session, principal, code)
    dossier = to_dossier(row)
    decided = await repository.last_action(session, row.id, Action.DECIDE.value)
    if decided is not None and row.status_code in (Status.DECIDED, Status.RETURNED):
        data = decided.data or {}
        dossier.result = DecisionResult(
            outcome=data.get("outcome", "approved"), result_note=data.get("result_note"),
            result_file=data.get("result_file"), decided_at=to_vn(decided.at))
    if row.status_code in FINISHED:  # the statuses a rating is taken in
        rating = await ratings.of_dossier(session, row.id)
        dossier.rated_at = to_vn(rating.rated_at) if rating is not None else None
    return dossier


@router.get("/api/v1/public/dossiers/{code}", response_model=PublicDossier,
            openapi_extra=access("public"),
            responses=problem_responses(NotFound))
async def public_status(code: str, session: SessionDep) -> PublicDossier:
    """Access: public. Status and dates only, never personal data."""
    row = await repository.get_by_code(session, code)
    if row is None:
        raise NotFound(f"No dossier {code}.", code="dossier_not_found")
    return PublicDossier(**_dates(row))


@router.get("/api/v1/dossiers/{code}/history", response_model=DossierHistory,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def dossier_history(code: str, session: SessionDep,
                          principal: PrincipalDep) -> DossierHistory:
    """Access: the applicant (without officers' internal notes and account ids); officers of
    the dossier's agency subtree. Others get 404."""
    row = await service.load_visible(session, principal, code)
    officer = principal.kind not in ("citizen", "business")
    entries = [_entry(h, officer) for h in await repository.history_of(session, row.id)]
    hops = [Hop(sequence=h.sequence, from_agency_id=h.from_agency_id,
                to_agency_id=h.to_agency_id, received_at=to_vn(h.received_at),
                deadline_at=to_vn(h.deadline_at), handed_on_at=to_vn(h.handed_on_at))
            for h in await repository.hops_of(session, row.id)]
    return DossierHistory(code=code, entries=entries, hops=hops)


def _entry(h: Row[Any], officer: bool) -> HistoryEntry:
    shown = officer or h.actor_kind in ("citizen", "business")
    return HistoryEntry(
        sequence=h.sequence, action=h.action, from_status=h.from_status, to_status=h.to_status,
        status=STATUS_NAMES[h.to_status], actor_kind=h.actor_kind,
        actor_id=h.actor_id if shown else None, actor_agency_id=h.actor_agency_id,
        reason=h.reason, note=h.note if officer else None,
        data={k: v for k, v in h.data.items() if officer or k != "actor_name"}, at=to_vn(h.at))


# --- lifecycle actions: POST /api/v1/dossiers/{code}/<action>, the table in state.py ---------

ACTION_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)


async def _act(session: SessionDep, runtime: RuntimeDep, principal: PrincipalDep, code: str,
               action: Action, body: BaseModel) -> Dossier:
    row = await lifecycle.perform(session, runtime.outbox, actor=Actor.of(principal), code=code,
                                  action=action, body=body)
    return to_dossier(row)


@router.post("/api/v1/dossiers/{code}/receive", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def receive(code: str, session: SessionDep, runtime: RuntimeDep, principal: PrincipalDep,
                  body: schemas.ActionBody | None = None) -> Dossier:
    """Access: one-stop-shop officers of the dossier's agency subtree or reception desk
    (nơi tiếp nhận, e.g. the service centre). 1 → 2; sets the due
    time from the procedure (online duration, after-15:00 rule, working calendar)."""
    return await _act(session, runtime, principal, code, Action.RECEIVE,
                      body or schemas.ActionBody())


@router.post("/api/v1/dossiers/{code}/refuse", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def refuse(code: str, body: schemas.Refusal, session: SessionDep, runtime: RuntimeDep,
                 principal: PrincipalDep) -> Dossier:
    """Access: one-stop-shop officers of the dossier's agency subtree or reception desk.
    1 or 2 → 3 (form 03)."""
    return await _act(session, runtime, principal, code, Action.REFUSE, body)


@router.post("/api/v1/dossiers/{code}/request-supplement", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def request_supplement(code: str, body: schemas.SupplementRequest, session: SessionDep,
                             runtime: RuntimeDep, principal: PrincipalDep) -> Dossier:
    """Access: one-stop-shop and processing officers of the dossier's agency subtree;
    one-stop-shop officers of its reception desk. 2 or 4 → 5, once per dossier (409
    ``supplement_already_requested``); the clock pauses (form 02)."""
    return await _act(session, runtime, principal, code, Action.REQUEST_SUPPLEMENT, body)


@router.post("/api/v1/dossiers/{code}/supplement", response_model=Dossier,
             openapi_extra=access("authenticated"), responses=ACTION_ERRORS)
async def supplement(code: str, session: SessionDep, runtime: RuntimeDep,
                     principal: PrincipalDep, body: schemas.Supplement | None = None) -> Dossier:
    """Access: the applicant (online) or one-stop-shop officers of the dossier's agency
    subtree or reception desk (at the counter). 5 → the status before; the due time grows by
    the office hours spent waiting."""
    return await _act(session, runtime, principal, code, Action.SUPPLEMENT,
                      body or schemas.Supplement())


@router.post("/api/v1/dossiers/{code}/hand-over", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def hand_over(code: str, body: schemas.HandOver, session: SessionDep, runtime: RuntimeDep,
                    principal: PrincipalDep) -> Dossier:
    """Access: processing officers of the dossier's agency subtree; one-stop-shop officers of
    its reception desk from 2 only (they pass it on to the responsible agency, the first hop
    leaving the desk). 2 or 4 → 4, to a unit inside the dossier agency's subtree; each hop
    has its own deadline (form 05)."""
    return await _act(session, runtime, principal, code, Action.HAND_OVER, body)


@router.post("/api/v1/dossiers/{code}/request-payment", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def request_payment(code: str, session: SessionDep, runtime: RuntimeDep,
                          principal: PrincipalDep,
                          body: schemas.PaymentRequest | None = None) -> Dossier:
    """Access: one-stop-shop and processing officers of the dossier's agency subtree. 4 → 6;
    the amount defaults to the procedure's fees."""
    return await _act(session, runtime, principal, code, Action.REQUEST_PAYMENT,
                      body or schemas.PaymentRequest())


@router.post("/api/v1/dossiers/{code}/payment-received", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def payment_received(code: str, session: SessionDep, runtime: RuntimeDep,
                           principal: PrincipalDep,
                           body: schemas.PaymentReceived | None = None) -> Dossier:
    """Access: one-stop-shop officers of the dossier's agency subtree or reception desk
    (payment at the counter). 6 → 4. Online payments reach the same path through
    ``lifecycle.payment_received``."""
    return await _act(session, runtime, principal, code, Action.PAYMENT_RECEIVED,
                      body or schemas.PaymentReceived())


@router.post("/api/v1/dossiers/{code}/decide", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def decide(code: str, body: schemas.Decision, session: SessionDep, runtime: RuntimeDep,
                 principal: PrincipalDep) -> Dossier:
    """Access: leaders of the dossier's agency subtree. 4 → 9 with the outcome and the result
    (an electronic result file reference or a note)."""
    return await _act(session, runtime, principal, code, Action.DECIDE, body)


@router.post("/api/v1/dossiers/{code}/return-result", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def return_result(code: str, session: SessionDep, runtime: RuntimeDep,
                        principal: PrincipalDep,
                        body: schemas.ActionBody | None = None) -> Dossier:
    """Access: one-stop-shop officers of the dossier's agency subtree or reception desk.
    9 → 10; sets
    ``completed_at`` and the timeliness (early, on_time, late)."""
    return await _act(session, runtime, principal, code, Action.RETURN_RESULT,
                      body or schemas.ActionBody())


@router.post("/api/v1/dossiers/{code}/withdraw", response_model=Dossier,
             openapi_extra=access("authenticated"), responses=ACTION_ERRORS)
async def withdraw(code: str, session: SessionDep, runtime: RuntimeDep, principal: PrincipalDep,
                   body: schemas.Withdrawal | None = None) -> Dossier:
    """Access: the applicant (the account that submitted online). 1, 2, 4 or 5 → 7."""
    return await _act(session, runtime, principal, code, Action.WITHDRAW,
                      body or schemas.Withdrawal())


@router.post("/api/v1/dossiers/{code}/stop", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def stop(code: str, body: schemas.Stop, session: SessionDep, runtime: RuntimeDep,
               principal: PrincipalDep) -> Dossier:
    """Access: processing officers of the dossier's agency subtree. 2, 4, 5 or 6 → 8."""
    return await _act(session, runtime, principal, code, Action.STOP, body)


@router.post("/api/v1/dossiers/{code}/apologise", response_model=Dossier,
             openapi_extra=access("official"), responses=ACTION_ERRORS)
async def apologise(code: str, body: schemas.Apology, session: SessionDep, runtime: RuntimeDep,
                    principal: PrincipalDep) -> Dossier:
    """Access: leaders of the dossier's agency subtree. Only for a late dossier (else 409
    ``not_late``): records the apology with a new appointed time (form 04), which becomes the
    due time; the status is unchanged."""
    return await _act(session, runtime, principal, code, Action.APOLOGISE, body)

"""Dossier use cases: load → decide → persist → write the event to the outbox.

Never commits (the request's unit of work does) and never talks to NATS (the relay does).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from egov_shared.events.contracts import DOSSIER_SUBMITTED
from egov_shared.messaging.outbox import Outbox
from egov_shared.text import fold
from egov_shared.timeutil import VN_TZ, utcnow
from svc_dossier.calendar.service import calendar_for
from svc_dossier.dossiers import repository
from svc_dossier.dossiers.deadlines import due_at_for
from svc_dossier.dossiers.repository import DossierFilter
from svc_dossier.dossiers.schemas import Applicant, DossierSubmission
from svc_dossier.dossiers.state import CLOCK_RUNNING, FINISHED, INITIAL_STATUS, Status
from svc_dossier.notifications.contacts import normalize_email, normalize_phone
from svc_dossier.procedures import service as procedure_rules
from svc_dossier.procedures.service import validate_form

OFFICER_ROLES = ("one_stop_officer", "processing_officer", "leader", "admin")
ONE_STOP_ROLE = "one_stop_officer"


def request_fingerprint(submission: DossierSubmission) -> str:
    canonical = json.dumps(submission.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replay_idempotent(
    session: AsyncSession, *, principal: Principal, key: str, submission: DossierSubmission
) -> Row[Any] | None:
    """The dossier a previous request with this key created, if any."""
    seen = await repository.find_idempotent(session, principal.subject, key)
    if seen is None:
        return None
    if seen.request_hash != request_fingerprint(submission):
        raise ValidationFailed("This Idempotency-Key was used for a different request.",
                               code="idempotency_key_reused")
    return await repository.get_by_code(session, seen.dossier_code)


def _applicant_of(principal: Principal, submission: DossierSubmission) -> Applicant | None:
    """Online: the caller applies for themselves. Counter and post: an officer files it."""
    if submission.channel == "online":
        if principal.kind not in ("citizen", "business"):
            raise Forbidden("Online submission is for citizens and businesses.",
                            code="online_submission_forbidden")
        if submission.representative is not None:
            raise ValidationFailed("Người được ủy quyền chỉ ghi nhận khi nộp trực tiếp hoặc qua "
                                   "bưu chính; trực tuyến, người nộp là chủ tài khoản.",
                                   code="representative_not_online")
        return None
    if not principal.has_role("one_stop_officer", "admin"):
        raise Forbidden("Only one-stop-shop officers record counter and postal submissions.",
                        code="counter_submission_forbidden")
    if submission.applicant is None:
        raise ValidationFailed("A counter or postal submission names its applicant.",
                               code="applicant_required")
    if submission.contact is not None:
        raise ValidationFailed("Tại bộ phận một cửa và qua bưu chính, thông tin liên hệ là của "
                               "người nộp (applicant.email, applicant.phone).",
                               code="contact_online_only", extra={"field": "contact"})
    return submission.applicant


def _contact_of(submission: DossierSubmission) -> dict[str, str] | None:
    """The contact the applicant gave, normalised (phone as +84…); a malformed one is a 422."""
    given: dict[str, str] = {}
    typed = submission.contact or submission.applicant
    if typed is None:
        return None
    if typed.email:
        if (email := normalize_email(typed.email)) is None:
            raise ValidationFailed("Địa chỉ thư điện tử không hợp lệ.", code="invalid_email",
                                   extra={"field": "email"})
        given["email"] = email
    if typed.phone:
        if (phone := normalize_phone(typed.phone)) is None:
            raise ValidationFailed("Số điện thoại di động không hợp lệ (0xxxxxxxxx hoặc "
                                   "+84xxxxxxxxx).", code="invalid_phone",
                                   extra={"field": "phone"})
        given["phone"] = phone
    return given or None


def _check_assurance(principal: Principal, procedure: Row[Any], channel: str) -> None:
    """Online, the account's level of assurance (the token's ``acr``) must reach the
    procedure's. At the counter or by post the officer checks the applicant's papers."""
    required = int(procedure.required_assurance_level)
    if channel == "online" and principal.assurance_level < required:
        raise Forbidden(
            "Thủ tục này yêu cầu tài khoản đã xác thực định danh mức 2. Hãy xác thực tài "
            "khoản (qua Cơ sở dữ liệu quốc gia về dân cư hoặc tại bộ phận một cửa) rồi đăng "
            "nhập lại.",
            code="assurance_level_required",
            extra={"required_assurance_level": required,
                   "assurance_level": principal.assurance_level},
        )


async def submit_dossier(
    session: AsyncSession,
    outbox: Outbox,
    *,
    principal: Principal,
    submission: DossierSubmission,
    idempotency_key: str | None,
) -> Row[Any]:
    applicant = _applicant_of(principal, submission)
    contact = _contact_of(submission) if submission.contact else None
    procedure = await procedure_rules.for_submission(session, submission.procedure_code)
    if procedure.online_level == "info" and submission.channel == "online":
        raise ValidationFailed("This procedure is information only; it cannot be submitted.",
                               code="procedure_not_submittable")
    _check_assurance(principal, procedure, submission.channel)
    validate_form(procedure, submission.form_data)
    agency_id = submission.agency_id or procedure.agency_id
    # Submitted to the procedure's own agency, the dossier goes to its reception desk.
    reception = procedure.reception_agency_id if agency_id == procedure.agency_id else None
    if applicant is not None and not (principal.covers_agency(agency_id)
                                      or is_reception_officer(principal, reception)):
        raise Forbidden("That agency is outside your agency.", code="agency_not_covered")

    now = utcnow()
    status = INITIAL_STATUS[submission.channel]
    # Online, a provisional due time: receiving the dossier sets the real one. Read before
    # taking the sequence: its row stays locked until commit and serialises the agency's day.
    due_at = due_at_for(await calendar_for(session, agency_id), procedure, submission.channel,
                        now)
    sequence = await repository.next_sequence(session, agency_id, now.astimezone(VN_TZ).date())
    code = f"{agency_id}-{now.astimezone(VN_TZ):%y%m%d}-{sequence:04d}"
    applicant_name = applicant.full_name if applicant else principal.claims.get("name")
    row = await repository.insert_dossier(session, {
        "code": code,
        "procedure_code": procedure.code,
        "agency_id": agency_id,
        "channel": submission.channel,
        "status_code": int(status),
        "applicant_account_id": None if applicant else principal.subject,
        "applicant_id_number": _applicant_id_number(principal, applicant),
        "applicant_name": applicant_name,
        "search_text": fold(" ".join(filter(None, [code, applicant_name, procedure.name]))),
        "form_data": {**submission.form_data,
                      **({"applicant": applicant.model_dump()} if applicant else {}),
                      **({"representative": submission.representative.model_dump()}
                         if submission.representative else {}),
                      **({"contact": contact} if contact else {})},
        "submitted_by": principal.subject,
        "submitted_at": now,
        "received_at": now if status == Status.RECEIVED else None,
        "due_at": due_at,
        "reception_agency_id": reception,
    })
    await repository.add_history(session, {
        "dossier_id": row.id, "action": "submit", "from_status": None, "to_status": int(status),
        "actor_id": principal.subject, "actor_kind": principal.kind,
        "actor_agency_id": principal.agency_id, "data": {"channel": submission.channel},
        "at": now,
    }, sequence=1)
    if idempotency_key:
        await _remember(session, principal, idempotency_key, submission, code)
    await outbox.add(session, DOSSIER_SUBMITTED, subject=code, agency=agency_id, data={
        "code": code,
        "procedure_code": procedure.code,
        "agency_id": agency_id,
        "channel": submission.channel,
        "status_code": int(status),
        "submitted_at": now,
        "due_at": due_at,
        "applicant_account_id": row.applicant_account_id,
        "online_level": procedure.online_level,
    })
    return row


def _applicant_id_number(principal: Principal, applicant: Applicant | None) -> str | None:
    """The applicant's personal ID number. A business signs in with its tax code, which is no
    personal ID number (and a branch's does not fit the column): none is recorded for it."""
    if applicant is not None:
        return applicant.id_number
    return principal.username if principal.kind == "citizen" else None


async def _remember(
    session: AsyncSession, principal: Principal, key: str, submission: DossierSubmission,
    code: str,
) -> None:
    try:
        async with session.begin_nested():
            await repository.remember_idempotent(session, {
                "principal": principal.subject, "key": key,
                "request_hash": request_fingerprint(submission), "dossier_code": code,
                "created_at": utcnow(),
            })
    except IntegrityError as exc:
        raise Conflict("A request with this Idempotency-Key is being processed; retry.",
                       code="idempotency_conflict") from exc


def can_see(principal: Principal, row: Row[Any]) -> bool:
    if principal.kind in ("citizen", "business"):
        return bool(row.applicant_account_id == principal.subject)
    if not principal.has_role(*OFFICER_ROLES):
        return False
    # The responsible agency's officers, those of the unit it was handed to, and the one-stop
    # officers of the desk that received it (the service centre).
    return works_on(principal, row) or is_reception_officer(principal, row.reception_agency_id)


def works_on(principal: Principal, row: Row[Any]) -> bool:
    """An official of the responsible agency's subtree or of the unit holding the dossier."""
    return principal.covers_agency(row.agency_id) or bool(
        row.current_unit and principal.covers_agency(row.current_unit))


def is_reception_officer(principal: Principal, reception_agency_id: str | None) -> bool:
    """A one-stop-shop officer of the reception desk ``reception_agency_id`` (nơi tiếp nhận)."""
    return bool(reception_agency_id and principal.has_role(ONE_STOP_ROLE)
                and principal.covers_agency(reception_agency_id))


async def load_visible(session: AsyncSession, principal: Principal, code: str) -> Row[Any]:
    """The dossier, or 404 both when it does not exist and when it is not the caller's."""
    row = await repository.get_by_code(session, code)
    if row is None or not can_see(principal, row):
        raise NotFound(f"No dossier {code}.", code="dossier_not_found")
    return row


# Queues (hàng đợi) by national status; the due queues look at dossiers whose clock runs.
QUEUE_STATUSES: dict[str, frozenset[int]] = {
    "new": frozenset({Status.SUBMITTED, Status.RECEIVED}),
    "processing": frozenset({Status.PROCESSING}),
    "supplement": frozenset({Status.SUPPLEMENT_REQUESTED}),
    "due_soon": CLOCK_RUNNING,
    "overdue": CLOCK_RUNNING,
    "finished": FINISHED,
}


def _scope(principal: Principal, agency: str | None, queue: str | None) -> DossierFilter:
    """Citizens and businesses: their own dossiers, no queues (they are officers' work lists).
    Officers: the dossiers their agency subtree is responsible for or holds (handed to one of
    its units), and for one-stop officers those their desk received for another agency (the
    service centre); narrowed to ``agency`` when it lies inside it."""
    if principal.kind in ("citizen", "business"):
        if queue is not None:
            raise Forbidden("Hàng đợi hồ sơ chỉ dành cho cán bộ.", code="queue_for_officers")
        return DossierFilter(applicant_account_id=principal.subject,
                             agency_subtrees=(agency,) if agency else ())
    if not (principal.has_role(*OFFICER_ROLES) and principal.agency_id):
        raise Forbidden("Your roles do not include dossier work.")
    if agency and not principal.covers_agency(agency):
        raise Forbidden("Cơ quan này nằm ngoài phạm vi của bạn.", code="agency_not_covered")
    return DossierFilter(holder_subtrees=tuple(filter(None, (principal.agency_id, agency))),
                         with_reception=principal.has_role(ONE_STOP_ROLE))


async def list_dossiers(
    session: AsyncSession, principal: Principal, *, queue: str | None, agency: str | None,
    q: str | None, status_code: int | None, due_within_hours: int, limit: int, offset: int,
) -> Sequence[Row[Any]]:
    """Newest first; the due queues (due_soon, overdue) due first."""
    where = _scope(principal, agency, queue)
    statuses = QUEUE_STATUSES[queue] if queue else None
    if status_code is not None:
        statuses = (statuses or frozenset({status_code})) & {status_code}
    where = replace(where, q=q, status_codes=statuses, due_first=queue in ("due_soon", "overdue"))
    now = utcnow()
    if queue == "overdue":
        where = replace(where, due_before=now)
    elif queue == "due_soon":
        calendar = await calendar_for(session, agency or principal.agency_id or "")
        where = replace(where, due_after=now,
                        due_before=calendar.add_working_hours(now, due_within_hours))
    return await repository.search(session, where, limit=limit, offset=offset)

"""What each event does to the read model, as pure data: the counts it adds (per agency and
Vietnam day) and the change to the open-dossier list. The live consumers and the rebuild apply
the same effects, so a rebuild from replay gives the same figures as the live model.

Metric names are the read model's vocabulary (``metrics.py`` documents each one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import ValidationError

from egov_shared.events import CloudEvent
from egov_shared.events import contracts as c
from egov_shared.timeutil import VN_TZ

FINISHING = {"refuse", "withdraw", "stop", "return_result"}  # leaving "in progress"


@dataclass(frozen=True)
class Count:
    agency_id: str
    day: date
    metric: str
    count: int = 1
    total: float = 0.0


@dataclass(frozen=True)
class OpenDossier:
    """``received_at`` None: the dossier is finished (delete it)."""

    code: str
    agency_id: str
    received_at: datetime | None
    due_at: datetime | None = None


@dataclass
class Effects:
    counts: list[Count] = field(default_factory=list)
    open_dossier: OpenDossier | None = None

    def add(self, agency_id: str, at: datetime, *metrics: str, total: float = 0.0) -> None:
        day = at.astimezone(VN_TZ).date()
        self.counts.extend(Count(agency_id, day, m, 1, total) for m in metrics)


def effects_of(event: CloudEvent, *, province_id: str) -> Effects:
    """The effects of one event; an unknown type or a payload that does not fit has none."""
    handler = _HANDLERS.get(event.type)
    effects = Effects()
    if handler is not None:
        try:
            handler(event.data, effects, province_id)
        except (ValidationError, KeyError, TypeError, ValueError):
            return Effects()  # the consumer dead-letters unreadable contracts before this
    return effects


# --- dossiers -------------------------------------------------------------------------------

# The figures also kept per channel and per the procedure's online level (KPIs "by channel and
# online level"): ``received.ch_online``, ``completed_late.lv_full`` …
SLICED = frozenset({"submitted", "received", "completed", "completed_in_time", "completed_late",
                    "closed_after_receipt"})


def _sliced(fx: Effects, agency_id: str, at: datetime, channel: str, level: str | None,
            *metrics: str) -> None:
    """``metrics`` for the agency, and those of SLICED again per channel and online level."""
    fx.add(agency_id, at, *metrics)
    for metric in metrics:
        if metric in SLICED:
            fx.add(agency_id, at, f"{metric}.ch_{channel}")
            if level in ("full", "partial"):
                fx.add(agency_id, at, f"{metric}.lv_{level}")

def _submitted(data: dict[str, object], fx: Effects, _: str) -> None:
    d = c.DossierSubmittedV1.model_validate(data)
    metrics = ["submitted", f"submitted_{d.channel}"]
    if d.channel == "online" and d.online_level in ("full", "partial"):
        metrics.append(f"submitted_online_{d.online_level}")
    if d.status_code == 2:  # received at the counter or by post on submission
        metrics.append("received")
        fx.open_dossier = OpenDossier(d.code, d.agency_id, d.submitted_at, d.due_at)
    _sliced(fx, d.agency_id, d.submitted_at, d.channel, d.online_level, *metrics)


def _changed(data: dict[str, object], fx: Effects, _: str) -> None:
    d = c.DossierChangedV1.model_validate(data)
    metric = _CHANGE_METRICS.get(d.action)
    if metric is not None:
        _sliced(fx, d.agency_id, d.at, d.channel, d.online_level, metric)
    if d.action == "receive":
        fx.open_dossier = OpenDossier(d.code, d.agency_id, d.at, d.due_at)
    elif d.action in FINISHING and d.received_at is not None:
        _sliced(fx, d.agency_id, d.at, d.channel, d.online_level, "closed_after_receipt")
        fx.open_dossier = OpenDossier(d.code, d.agency_id, None)
    elif d.received_at is not None and d.due_at is not None:  # a new due time (pause, apology)
        fx.open_dossier = OpenDossier(d.code, d.agency_id, d.received_at, d.due_at)
    _extras(d, fx)


def _extras(d: c.DossierChangedV1, fx: Effects) -> None:
    """Amounts paid and asked, online payments, decisions."""
    if d.action == "request_payment":
        fx.add(d.agency_id, d.at, "payment_requested_amount", total=float(d.amount or 0))
    elif d.action == "payment_received":
        fx.add(d.agency_id, d.at, "paid_amount", total=float(d.amount or 0))
        if d.actor_kind == "system":  # through the national payment platform's callback
            fx.add(d.agency_id, d.at, "paid_online")
    elif d.action == "decide" and d.outcome:
        fx.add(d.agency_id, d.at, f"decided_{d.outcome}")


def _returned(data: dict[str, object], fx: Effects, province: str) -> None:
    _changed(data, fx, province)
    d = c.DossierReturnedV1.model_validate(data)
    if d.timeliness == "late":
        _sliced(fx, d.agency_id, d.at, d.channel, d.online_level, "completed_late")
    else:  # early or on time: together "đúng hạn" in the national reports
        fx.add(d.agency_id, d.at, f"completed_{d.timeliness}")
        _sliced(fx, d.agency_id, d.at, d.channel, d.online_level, "completed_in_time")
    fx.add(d.agency_id, d.at, f"completed_{d.channel}")
    fx.add(d.agency_id, d.at, "processing_hours", total=d.processing_working_hours)
    if d.statutory_working_hours is not None:
        fx.add(d.agency_id, d.at, "statutory_hours", total=d.statutory_working_hours)
    if d.online_level in ("full", "partial") and d.channel == "online":
        fx.add(d.agency_id, d.at, f"completed_online_{d.online_level}")


def _rated(data: dict[str, object], fx: Effects, _: str) -> None:
    d = c.DossierRatedV1.model_validate(data)
    fx.add(d.agency_id, d.at, "rated", total=d.average)
    if d.satisfied:
        fx.add(d.agency_id, d.at, "satisfied")


def _document(metric: str) -> Callable[[dict[str, object], Effects, str], None]:
    def handle(data: dict[str, object], fx: Effects, _: str) -> None:
        d = c.DossierDocumentV1.model_validate(data)
        fx.add(d.agency_id, d.at, metric)

    return handle


_CHANGE_METRICS = {
    "receive": "received", "refuse": "refused", "request_supplement": "supplement_requested",
    "hand_over": "handed_over", "request_payment": "payment_requested",
    "payment_received": "paid", "decide": "decided", "return_result": "completed",
    "withdraw": "withdrawn", "stop": "stopped", "apologise": "apologised",
}


# --- documents (svc-docflow) ----------------------------------------------------------------

def _doc(data: dict[str, object], fx: Effects, _: str, *, step: str) -> None:
    d = c.DocumentChangedV1.model_validate(data)
    prefix = "doc_out" if d.direction == "outgoing" else "doc_in"
    fx.add(d.agency_id, d.at, f"{prefix}_{step}")
    if step == "issued":
        if d.signed:
            fx.add(d.agency_id, d.at, "doc_out_signed")
        if d.recipients and not d.secret:
            fx.add(d.agency_id, d.at, "doc_out_online")  # sent over the axis
    elif step == "received":
        fx.add(d.agency_id, d.at, f"doc_in_{d.source or 'upload'}")
        if d.source == "axis":
            fx.add(d.agency_id, d.at, "doc_in_online")
        if d.signed:
            fx.add(d.agency_id, d.at, "doc_in_signed")
    elif step == "completed" and d.created_at is not None:
        hours = max(0.0, (d.at - d.created_at).total_seconds() / 3600)
        fx.add(d.agency_id, d.at, "doc_in_handling_hours", total=hours)


def _doc_step(step: str) -> Callable[[dict[str, object], Effects, str], None]:
    def handle(data: dict[str, object], fx: Effects, province: str) -> None:
        _doc(data, fx, province, step=step)

    return handle


# --- accounts (svc-identity): citizens and businesses, counted for the province --------------

def _registered(data: dict[str, object], fx: Effects, province: str) -> None:
    d = c.AccountRegisteredV1.model_validate(data)
    if d.kind in ("citizen", "business"):
        fx.add(province, d.registered_at, "accounts_registered")
        if d.assurance_level >= 2:
            fx.add(province, d.registered_at, "accounts_level2")


def _verified(data: dict[str, object], fx: Effects, province: str) -> None:
    d = c.AccountVerifiedV1.model_validate(data)
    if d.kind in ("citizen", "business"):
        fx.add(province, d.verified_at, "accounts_level2")


_HANDLERS: dict[str, Callable[[dict[str, object], Effects, str], None]] = {
    c.DOSSIER_SUBMITTED.type: _submitted,
    **{contract.type: _changed for contract in c.DOSSIER_LIFECYCLE},
    c.DOSSIER_RETURNED.type: _returned,
    c.DOSSIER_RATED.type: _rated,
    c.DOSSIER_COMPONENT_DIGITISED.type: _document("digitised"),
    c.DOSSIER_COMPONENT_REUSED.type: _document("reused"),
    c.DOSSIER_RESULT_ISSUED.type: _document("result_electronic"),
    c.DOCUMENT_ISSUED.type: _doc_step("issued"),
    c.DOCUMENT_RECEIVED.type: _doc_step("received"),
    c.DOCUMENT_REGISTERED.type: _doc_step("registered"),
    c.DOCUMENT_REFUSED.type: _doc_step("refused"),
    c.DOCUMENT_ASSIGNED.type: _doc_step("assigned"),
    c.DOCUMENT_COMPLETED.type: _doc_step("completed"),
    c.ACCOUNT_REGISTERED.type: _registered,
    c.ACCOUNT_VERIFIED.type: _verified,
}
HANDLED_TYPES = frozenset(_HANDLERS)

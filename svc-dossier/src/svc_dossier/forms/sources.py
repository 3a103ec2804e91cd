"""Where each form's facts come from in the lifecycle's history (``dossier_history``) and hops
(``dossier_hop``): the one place that knows the lifecycle's action names and ``data`` fields.
Pure functions over rows; no I/O.

- 01: the first row reaching status 2 (``receive``, or ``submit`` at the counter or by
  post): ``at``, ``data.due_at`` (else the dossier's ``due_at``), the actor.
- 02: the last ``request_supplement``: ``reason``, ``data.missing``, ``at``, the actor.
- 03: the last ``refuse``: ``reason``, ``at``, the actor.
- 04: the last ``apologise``: ``reason``, ``data.due_at_before``, ``data.new_due_at``, ``at``.
- 05: the row of 01, then every hop: ``received_at``, ``deadline_at``, ``handed_on_at``.

``note`` (officers' internal note) is never printed. The receiving officer's name is printed
from ``data.actor_name`` when the lifecycle records it, else from the downloading officer's
token when they are that officer, else left blank to be written by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from svc_dossier.dossiers.state import Action, Status
from svc_dossier.forms.schemas import (
    ApologySlip,
    ControlSheet,
    DossierFacts,
    DossierForm,
    HopLine,
    HopOutcome,
    Issuer,
    Receipt,
    RefusalSlip,
    SupplementSlip,
)

SUBMIT = "submit"  # the first history row, written by submit_dossier
RECEIPT_ACTIONS = frozenset({SUBMIT, Action.RECEIVE.value})
SOURCE_ACTION: dict[DossierForm, str] = {
    "02": Action.REQUEST_SUPPLEMENT.value,
    "03": Action.REFUSE.value,
    "04": Action.APOLOGISE.value,
}
MISSING = "missing"  # 02: the components to supply
DUE_AT = "due_at"  # 01: the appointed time set at reception
DUE_BEFORE, NEW_DUE_AT = "due_at_before", "new_due_at"  # 04
ACTOR_NAME = "actor_name"  # the officer's full name, if the lifecycle records it


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def parse_moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def receipt_event(history: Sequence[Any]) -> Any | None:
    """The row where the dossier was received (status 2), if it ever was."""
    return next((h for h in history if h.action in RECEIPT_ACTIONS
                 and h.to_status == Status.RECEIVED), None)


def last_event(history: Sequence[Any], action: str) -> Any | None:
    return next((h for h in reversed(history) if h.action == action), None)


def source_of(form: DossierForm, history: Sequence[Any]) -> Any | None:
    """The history row form ``form`` is derived from, or None: the form is not available."""
    if form in ("01", "05"):
        return receipt_event(history)
    return last_event(history, SOURCE_ACTION[form])


def officer_name(row: Any, viewer_id: str, viewer_name: str | None) -> str | None:
    recorded = (row.data or {}).get(ACTOR_NAME)
    if isinstance(recorded, str) and recorded:
        return recorded
    return viewer_name if row.actor_id == viewer_id else None


def component_names(procedure: Any) -> list[str]:
    names = []
    for c in procedure.components or []:
        copies = int(c.get("copies", 1) or 1)
        names.append(f"{c.get('name', '')} ({copies:02d} bản)")
    return names


def receipt(issuer: Issuer, facts: DossierFacts, dossier: Any, procedure: Any, row: Any,
            officer: str | None) -> Receipt:
    due = parse_moment((row.data or {}).get(DUE_AT)) or aware(dossier.due_at)
    return Receipt(issuer, facts, component_names(procedure), aware(row.at) or row.at, due,
                   officer, dossier.channel)


def supplement_slip(issuer: Issuer, facts: DossierFacts, row: Any,
                    officer: str | None) -> SupplementSlip:
    missing = [str(m) for m in (row.data or {}).get(MISSING, [])]
    return SupplementSlip(issuer, facts, aware(row.at) or row.at, row.reason or "", missing,
                          officer)


def refusal_slip(issuer: Issuer, facts: DossierFacts, row: Any,
                 officer: str | None) -> RefusalSlip:
    return RefusalSlip(issuer, facts, aware(row.at) or row.at, row.reason or "", officer)


def apology_slip(issuer: Issuer, facts: DossierFacts, row: Any) -> ApologySlip:
    data = row.data or {}
    return ApologySlip(issuer, facts, aware(row.at) or row.at, row.reason or "",
                       parse_moment(data.get(DUE_BEFORE)), parse_moment(data.get(NEW_DUE_AT)))


def hop_outcome(hop: Any, now: datetime) -> HopOutcome:
    deadline, handed_on = aware(hop.deadline_at), aware(hop.handed_on_at)
    assert deadline is not None
    if handed_on is None:
        return "open_late" if now > deadline else "open"
    return "late" if handed_on > deadline else "on_time"


def control_sheet(issuer: Issuer, facts: DossierFacts, dossier: Any, row: Any,
                  hops: Sequence[Any], unit_names: dict[str, str], now: datetime) -> ControlSheet:
    lines = [HopLine(h.sequence, unit_names.get(h.from_agency_id, h.from_agency_id),
                     unit_names.get(h.to_agency_id, h.to_agency_id),
                     aware(h.received_at) or h.received_at, aware(h.deadline_at) or h.deadline_at,
                     aware(h.handed_on_at), hop_outcome(h, now)) for h in hops]
    return ControlSheet(issuer, facts, aware(row.at) or row.at, aware(dossier.due_at), lines,
                        aware(dossier.completed_at), dossier.timeliness)

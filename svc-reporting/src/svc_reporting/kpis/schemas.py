"""KPI answers (DESIGN §3): counts for the agency's subtree, by the events' time, over whole
Vietnam days; rates as fractions (0–1, null when nothing to divide by)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DossierCounts(BaseModel):
    submitted: int = 0
    received: int = 0
    completed: int = 0  # returned (status 10)
    on_time: int = 0  # completed early or on time ("đúng hạn")
    early: int = 0
    late: int = 0
    online: int = 0  # submitted online
    counter: int = 0
    post: int = 0
    online_full: int = 0  # online, procedure toàn trình
    online_partial: int = 0  # online, procedure một phần
    refused: int = 0
    withdrawn: int = 0
    stopped: int = 0
    supplement_requested: int = 0
    handed_over: int = 0
    in_progress: int = 0  # received and not finished at the window's end
    overdue_now: int | None = None  # in progress past due, when the window ends today


class Payments(BaseModel):
    requested: int = 0
    paid: int = 0
    paid_online: int = 0
    amount_paid: int = 0  # đồng
    online_rate: float | None = None  # paid online / paid


class Digitisation(BaseModel):
    components_digitised: int = 0
    components_reused: int = 0
    electronic_results: int = 0
    electronic_result_rate: float | None = None  # electronic results / completed


class Satisfaction(BaseModel):
    rated: int = 0
    satisfied: int = 0
    average_score: float | None = None  # 1–5
    rate: float | None = None  # satisfied / rated


class Processing(BaseModel):
    average_working_hours: float | None = None
    average_statutory_hours: float | None = None
    time_ratio: float | None = None  # actual / statutory: 0.7 is "30 % faster than allowed"


class Rates(BaseModel):
    online: float | None = None  # submitted online / submitted
    on_time: float | None = None  # on time / completed


class OutgoingDocuments(BaseModel):
    issued: int = 0
    signed: int = 0
    sent_online: int = 0
    signed_rate: float | None = None


class IncomingDocuments(BaseModel):
    received: int = 0
    online: int = 0  # over the axis
    upload: int = 0
    paper: int = 0
    signed: int = 0
    registered: int = 0
    refused: int = 0
    assigned: int = 0
    done: int = 0
    online_rate: float | None = None
    average_handling_hours: float | None = None


class Documents(BaseModel):
    outgoing: OutgoingDocuments
    incoming: IncomingDocuments


class Accounts(BaseModel):
    """Citizen and business accounts, cumulative at the window's end (province-wide)."""

    registered: int = 0
    level2: int = 0
    level2_rate: float | None = None


class Slice(BaseModel):
    """The core dossier figures of one channel or one online level."""

    submitted: int = 0
    received: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0  # received and not finished at the window's end
    on_time_rate: float | None = None


class Kpis(BaseModel):
    agency_id: str
    window_start: datetime
    window_end: datetime
    dossiers: DossierCounts
    by_channel: dict[str, Slice]  # online, counter, post
    by_online_level: dict[str, Slice]  # full (toàn trình), partial (một phần)
    rates: Rates
    payments: Payments
    digitisation: Digitisation
    satisfaction: Satisfaction
    processing: Processing
    documents: Documents
    accounts: Accounts | None = None  # only for the province

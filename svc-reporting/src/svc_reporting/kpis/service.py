"""KPIs from the read model: window sums, stocks at the window's end, ratios of raw counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import VN_TZ
from svc_reporting.kpis import schemas as s
from svc_reporting.readmodel import queries
from svc_reporting.readmodel.queries import Sums

CHANNELS = ("online", "counter", "post")
LEVELS = ("full", "partial")
DIMENSIONS = (*(f"ch_{c}" for c in CHANNELS), *(f"lv_{lv}" for lv in LEVELS))


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _n(found: Sums, metric: str) -> int:
    return found.get(metric, (0, 0.0))[0]


def _t(found: Sums, metric: str) -> float:
    return found.get(metric, (0, 0.0))[1]


async def kpis(session: AsyncSession, *, agency_id: str, province_id: str, first: date,
               last: date, window: tuple[datetime, datetime], now: datetime) -> s.Kpis:
    found = await queries.sums(session, agency_id, first, last)
    stock = await queries.sums_until(session, agency_id, last, [
        "received", "closed_after_receipt", "accounts_registered", "accounts_level2",
        *(f"{m}.{dim}" for m in ("received", "closed_after_receipt") for dim in DIMENSIONS)])
    overdue = (await queries.overdue_open(session, agency_id, now)
               if last >= now.astimezone(VN_TZ).date() else None)
    return s.Kpis(
        agency_id=agency_id, window_start=window[0], window_end=window[1],
        dossiers=_dossiers(found, stock, overdue),
        by_channel={c: _slice(found, stock, f"ch_{c}") for c in CHANNELS},
        by_online_level={lv: _slice(found, stock, f"lv_{lv}") for lv in LEVELS},
        rates=_rates(found),
        payments=_payments(found), digitisation=_digitisation(found),
        satisfaction=_satisfaction(found), processing=_processing(found),
        documents=_documents(found),
        accounts=_accounts(stock) if agency_id == province_id else None)


def _dossiers(f: Sums, stock: Sums, overdue: int | None) -> s.DossierCounts:
    return s.DossierCounts(
        submitted=_n(f, "submitted"), received=_n(f, "received"), completed=_n(f, "completed"),
        on_time=_n(f, "completed_in_time"), early=_n(f, "completed_early"),
        late=_n(f, "completed_late"), online=_n(f, "submitted_online"),
        counter=_n(f, "submitted_counter"), post=_n(f, "submitted_post"),
        online_full=_n(f, "submitted_online_full"),
        online_partial=_n(f, "submitted_online_partial"), refused=_n(f, "refused"),
        withdrawn=_n(f, "withdrawn"), stopped=_n(f, "stopped"),
        supplement_requested=_n(f, "supplement_requested"), handed_over=_n(f, "handed_over"),
        in_progress=max(0, _n(stock, "received") - _n(stock, "closed_after_receipt")),
        overdue_now=overdue)


def _slice(f: Sums, stock: Sums, dim: str) -> s.Slice:
    completed = _n(f, f"completed.{dim}")
    return s.Slice(
        submitted=_n(f, f"submitted.{dim}"), received=_n(f, f"received.{dim}"),
        completed=completed, on_time=_n(f, f"completed_in_time.{dim}"),
        late=_n(f, f"completed_late.{dim}"),
        in_progress=max(0, _n(stock, f"received.{dim}")
                        - _n(stock, f"closed_after_receipt.{dim}")),
        on_time_rate=ratio(_n(f, f"completed_in_time.{dim}"), completed))


def _rates(f: Sums) -> s.Rates:
    return s.Rates(online=ratio(_n(f, "submitted_online"), _n(f, "submitted")),
                   on_time=ratio(_n(f, "completed_in_time"), _n(f, "completed")))


def _payments(f: Sums) -> s.Payments:
    return s.Payments(requested=_n(f, "payment_requested"), paid=_n(f, "paid"),
                      paid_online=_n(f, "paid_online"),
                      amount_paid=round(_t(f, "paid_amount")),
                      online_rate=ratio(_n(f, "paid_online"), _n(f, "paid")))


def _digitisation(f: Sums) -> s.Digitisation:
    return s.Digitisation(
        components_digitised=_n(f, "digitised"), components_reused=_n(f, "reused"),
        electronic_results=_n(f, "result_electronic"),
        electronic_result_rate=ratio(_n(f, "result_electronic"), _n(f, "completed")))


def _satisfaction(f: Sums) -> s.Satisfaction:
    rated = _n(f, "rated")
    return s.Satisfaction(rated=rated, satisfied=_n(f, "satisfied"),
                          average_score=ratio(_t(f, "rated"), rated),
                          rate=ratio(_n(f, "satisfied"), rated))


def _processing(f: Sums) -> s.Processing:
    actual, statutory = f.get("processing_hours", (0, 0.0)), f.get("statutory_hours", (0, 0.0))
    return s.Processing(average_working_hours=ratio(actual[1], actual[0]),
                        average_statutory_hours=ratio(statutory[1], statutory[0]),
                        time_ratio=ratio(actual[1], statutory[1]) if statutory[0] else None)


def _documents(f: Sums) -> s.Documents:
    handled = f.get("doc_in_handling_hours", (0, 0.0))
    return s.Documents(
        outgoing=s.OutgoingDocuments(
            issued=_n(f, "doc_out_issued"), signed=_n(f, "doc_out_signed"),
            sent_online=_n(f, "doc_out_online"),
            signed_rate=ratio(_n(f, "doc_out_signed"), _n(f, "doc_out_issued"))),
        incoming=s.IncomingDocuments(
            received=_n(f, "doc_in_received"), online=_n(f, "doc_in_online"),
            upload=_n(f, "doc_in_upload"), paper=_n(f, "doc_in_paper"),
            signed=_n(f, "doc_in_signed"), registered=_n(f, "doc_in_registered"),
            refused=_n(f, "doc_in_refused"), assigned=_n(f, "doc_in_assigned"),
            done=_n(f, "doc_in_completed"),
            online_rate=ratio(_n(f, "doc_in_online"), _n(f, "doc_in_received")),
            average_handling_hours=ratio(handled[1], handled[0])))


def _accounts(stock: Sums) -> s.Accounts:
    registered, level2 = _n(stock, "accounts_registered"), _n(stock, "accounts_level2")
    return s.Accounts(registered=registered, level2=level2,
                      level2_rate=ratio(level2, registered))

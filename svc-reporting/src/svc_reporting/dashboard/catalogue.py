"""The series a dashboard may ask for: every count of the read model by its metric name, and a
few named series computed per bucket from two raw figures (a ratio of counts, an average of a
measure), each with its formula. Rates are fractions 0–1 rounded to 4 places, null when there
is nothing to divide by, exactly as the KPI endpoint computes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from egov_shared.errors import ValidationFailed

Field = Literal["count", "total"]
Kind = Literal["count", "amount", "ratio", "average"]


@dataclass(frozen=True)
class Term:
    metric: str
    field: Field = "count"

    def __str__(self) -> str:
        return self.metric if self.field == "count" else f"sum({self.metric})"


@dataclass(frozen=True)
class SeriesDef:
    name: str
    kind: Kind
    unit: str
    numerator: Term
    denominator: Term | None = None

    @property
    def formula(self) -> str:
        top = str(self.numerator)
        return f"{top} / {self.denominator}" if self.denominator else top

    @property
    def metrics(self) -> set[str]:
        extra = {self.denominator.metric} if self.denominator else set()
        return {self.numerator.metric} | extra


# The read model's counts (readmodel/effects.py writes them), one series each, as is.
COUNT_METRICS = (
    "submitted", "submitted_online", "submitted_counter", "submitted_post",
    "submitted_online_full", "submitted_online_partial", "received", "refused",
    "supplement_requested", "handed_over", "payment_requested", "paid", "paid_online",
    "decided", "decided_approved", "decided_rejected", "completed", "completed_in_time",
    "completed_early", "completed_on_time", "completed_late", "completed_online",
    "completed_counter", "completed_post", "completed_online_full", "completed_online_partial",
    "withdrawn", "stopped", "apologised", "rated", "satisfied", "digitised", "reused",
    "result_electronic", "doc_out_issued", "doc_out_signed", "doc_out_online",
    "doc_in_received", "doc_in_online", "doc_in_axis", "doc_in_upload", "doc_in_paper",
    "doc_in_signed", "doc_in_registered", "doc_in_refused", "doc_in_assigned",
    "doc_in_completed", "accounts_registered", "accounts_level2",
)


def _ratio(name: str, top: str, bottom: str) -> SeriesDef:
    return SeriesDef(name, "ratio", "fraction", Term(top), Term(bottom))


def _average(name: str, unit: str, measure: str, over: Term) -> SeriesDef:
    return SeriesDef(name, "average", unit, Term(measure, "total"), over)


NAMED = (
    _ratio("online_rate", "submitted_online", "submitted"),
    _ratio("full_online_rate", "submitted_online_full", "submitted"),
    _ratio("on_time_rate", "completed_in_time", "completed"),
    _ratio("late_rate", "completed_late", "completed"),
    _ratio("satisfaction_rate", "satisfied", "rated"),
    _ratio("online_payment_rate", "paid_online", "paid"),
    _ratio("electronic_result_rate", "result_electronic", "completed"),
    _ratio("doc_out_signed_rate", "doc_out_signed", "doc_out_issued"),
    _ratio("doc_in_online_rate", "doc_in_online", "doc_in_received"),
    _average("average_score", "score 1–5", "rated", Term("rated")),
    _average("average_processing_hours", "working hours", "processing_hours",
             Term("processing_hours")),
    _average("time_ratio", "fraction", "processing_hours", Term("statutory_hours", "total")),
    SeriesDef("paid_amount", "amount", "đồng", Term("paid_amount", "total")),
)
CATALOGUE: dict[str, SeriesDef] = {
    **{m: SeriesDef(m, "count", "events", Term(m)) for m in COUNT_METRICS},
    **{s.name: s for s in NAMED},
}
MAX_SERIES = 12
DEFAULT_SERIES = "submitted,completed,completed_in_time,online_rate,on_time_rate"


def parse_series(value: str) -> list[SeriesDef]:
    """``submitted,online_rate`` → their definitions, in the order asked, without repeats."""
    names = list(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in CATALOGUE]
    if unknown:
        raise ValidationFailed(
            f"Unknown series: {', '.join(unknown)[:200]}.", code="unknown_series",
            extra={"unknown": unknown[:20], "known": sorted(CATALOGUE)})
    if not names:
        raise ValidationFailed("Name at least one series in `metrics`.", code="unknown_series",
                               extra={"unknown": [], "known": sorted(CATALOGUE)})
    if len(names) > MAX_SERIES:
        raise ValidationFailed(f"At most {MAX_SERIES} series per answer.",
                               code="too_many_series", extra={"max_series": MAX_SERIES})
    return [CATALOGUE[n] for n in names]

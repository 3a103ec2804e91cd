"""Dashboard figures from the read model: series per bucket, a breakdown by child agency and
an overview of one agency, with the KPI endpoint's formulas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.timeutil import VN_TZ
from svc_reporting.dashboard import buckets as b
from svc_reporting.dashboard import repository
from svc_reporting.dashboard import schemas as s
from svc_reporting.dashboard.catalogue import SeriesDef, Term
from svc_reporting.kpis.service import ratio
from svc_reporting.readmodel import queries
from svc_reporting.readmodel.queries import Sums

FIGURE_METRICS = ("submitted", "submitted_online", "received", "completed",
                  "completed_in_time", "completed_late", "rated", "satisfied", "paid",
                  "paid_online")
Order = Literal["asc", "desc"]


def _n(found: Sums, metric: str) -> int:
    return found.get(metric, (0, 0.0))[0]


def figures(found: Sums) -> dict[str, int | float | None]:
    """The fields of ``schemas.Figures`` from a period's sums."""
    n = {m: _n(found, m) for m in FIGURE_METRICS}
    return {
        "submitted": n["submitted"], "online": n["submitted_online"], "received": n["received"],
        "completed": n["completed"], "on_time": n["completed_in_time"],
        "late": n["completed_late"], "rated": n["rated"], "satisfied": n["satisfied"],
        "paid": n["paid"], "paid_online": n["paid_online"],
        "online_rate": ratio(n["submitted_online"], n["submitted"]),
        "on_time_rate": ratio(n["completed_in_time"], n["completed"]),
        "satisfaction_rate": ratio(n["satisfied"], n["rated"]),
        "online_payment_rate": ratio(n["paid_online"], n["paid"]),
    }


# --- series ---------------------------------------------------------------------------------

async def series(session: AsyncSession, *, agency_id: str, first: date, last: date,
                 size: b.BucketSize, wanted: Sequence[SeriesDef]) -> s.SeriesAnswer:
    spans = b.buckets(first, last, size)
    metrics = sorted(set().union(*(d.metrics for d in wanted)))
    per_bucket: list[Sums] = [{} for _ in spans]
    index = _bucket_of_day(spans)
    for day, metric, count, total in await queries.series(
            session, agency_id, first, last, metrics):
        sums = per_bucket[index[day]]
        was = sums.get(metric, (0, 0.0))
        sums[metric] = (was[0] + count, was[1] + total)
    return s.SeriesAnswer(
        agency_id=agency_id, first=first, last=last, bucket=size,
        buckets=[s.BucketOut(label=x.label, first=x.first, last=x.last) for x in spans],
        series=[s.SeriesOut(name=d.name, kind=d.kind, unit=d.unit, formula=d.formula,
                            values=[_value(d, sums) for sums in per_bucket]) for d in wanted])


def _bucket_of_day(spans: Sequence[b.Bucket]) -> dict[date, int]:
    index: dict[date, int] = {}
    for n, span in enumerate(spans):
        for offset in range((span.last - span.first).days + 1):
            index[span.first + timedelta(days=offset)] = n
    return index


def _term(sums: Sums, term: Term) -> float:
    count, total = sums.get(term.metric, (0, 0.0))
    return count if term.field == "count" else total


def _value(d: SeriesDef, sums: Sums) -> int | float | None:
    top = _term(sums, d.numerator)
    if d.denominator is not None:
        return ratio(top, _term(sums, d.denominator))
    return round(top) if d.kind == "amount" else int(top)


# --- breakdown by child agency --------------------------------------------------------------

async def agencies(session: AsyncSession, *, agency_id: str, first: date, last: date,
                   window: tuple[datetime, datetime], now: datetime, sort: str,
                   order: Order) -> s.AgencyBreakdown:
    children = await queries.breakdown(session, agency_id, first, last, FIGURE_METRICS)
    total = await queries.sums(session, agency_id, first, last, FIGURE_METRICS)
    overdue = (await _overdue_per_child(session, agency_id, now)
               if last >= now.astimezone(VN_TZ).date() else None)
    rows = [_agency(child, children.get(child, {}), overdue)
            for child in sorted(set(children) | set(overdue or {})) if child != agency_id]
    whole = s.AgencyFigures(agency_id=agency_id, **figures(total),
                            overdue_now=None if overdue is None else sum(overdue.values()))
    return s.AgencyBreakdown(agency_id=agency_id, window_start=window[0], window_end=window[1],
                             sort=sort, order=order, total=whole,
                             agencies=sort_agencies(rows, sort, order))


def _agency(child: str, sums: Sums, overdue: dict[str, int] | None) -> s.AgencyFigures:
    return s.AgencyFigures(agency_id=child, **figures(sums),
                           overdue_now=None if overdue is None else overdue.get(child, 0))


async def _overdue_per_child(session: AsyncSession, agency_id: str,
                             now: datetime) -> dict[str, int]:
    """Overdue dossiers held anywhere under each child, by the child's ID (one group more
    than the parent's: ``H56.14.02.7`` counts for ``H56.14`` under ``H56``), and the
    parent's own under its ID."""
    per_child: dict[str, int] = {}
    depth = agency_id.count(".") + 2
    for holder, n in (await repository.overdue_by_agency(session, agency_id, now)).items():
        child = ".".join(holder.split(".")[:depth])
        per_child[child] = per_child.get(child, 0) + n
    return per_child


SORT_FIELDS = ("agency_id", "submitted", "online", "received", "completed", "on_time", "late",
               "rated", "satisfied", "online_rate", "on_time_rate", "satisfaction_rate",
               "online_payment_rate", "overdue_now")


def sort_agencies(rows: list[s.AgencyFigures], field: str,
                  order: Order) -> list[s.AgencyFigures]:
    """By ``field`` then agency ID; agencies without a value (no rate) always come last."""
    known = sorted((r for r in rows if getattr(r, field) is not None),
                   key=lambda r: r.agency_id)
    known.sort(key=lambda r: getattr(r, field), reverse=order == "desc")
    return known + sorted((r for r in rows if getattr(r, field) is None),
                          key=lambda r: r.agency_id)


# --- overview -------------------------------------------------------------------------------

async def overview(session: AsyncSession, *, agency_id: str, now: datetime) -> s.Overview:
    today = now.astimezone(VN_TZ).date()
    starts = [today, today.replace(day=1), today.replace(month=1, day=1)]
    periods = await repository.period_sums(session, agency_id, starts, today, FIGURE_METRICS)
    stock = await queries.sums_until(session, agency_id, today,
                                     ["received", "closed_after_receipt"])
    day, month, year = (s.PeriodFigures(first=start, last=today, **figures(found))
                        for start, found in zip(starts, periods, strict=True))
    return s.Overview(
        agency_id=agency_id, as_of=now.astimezone(VN_TZ), today=day, month=month, year=year,
        in_progress=max(0, _n(stock, "received") - _n(stock, "closed_after_receipt")),
        overdue_now=await queries.overdue_open(session, agency_id, now))

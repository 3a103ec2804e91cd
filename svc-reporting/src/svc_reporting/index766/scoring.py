"""The 766 index from raw counts: pure arithmetic, no I/O. Ratios are rounded to 4 decimals
(as the KPIs'), points to 2; a group's score is the sum of its indicators' points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from svc_reporting.index766.config import IndexVersion, Indicator, Proportional, Thresholds


@dataclass(frozen=True)
class ManualValue:
    """A ratio an officer recorded for an indicator the platform cannot count."""

    agency_id: str  # the agency it was recorded for (the asked one or an ancestor)
    valid_from: date
    ratio: float
    note: str | None = None
    evidence_url: str | None = None


@dataclass(frozen=True)
class IndicatorScore:
    indicator: Indicator
    numerator: int | None
    denominator: int | None
    ratio: float | None
    points: float
    empty: bool  # nothing to divide by, or no manual value: scored by ``when_empty``
    manual: ManualValue | None = None


@dataclass(frozen=True)
class GroupScore:
    code: str
    name: str
    max_points: float
    points: float
    indicators: list[IndicatorScore]


@dataclass(frozen=True)
class IndexScore:
    config: IndexVersion
    total: float
    groups: list[GroupScore]


def score_index(config: IndexVersion, counts: Mapping[str, int],
                manual: Mapping[str, ManualValue]) -> IndexScore:
    """``counts``: metric → count over the window; ``manual``: indicator code → value."""
    scored = [score_indicator(i, counts, manual.get(i.code)) for i in config.indicators]
    groups = [GroupScore(g.code, g.name, g.points,
                         round(sum(s.points for s in scored if s.indicator.group == g.code), 2),
                         [s for s in scored if s.indicator.group == g.code])
              for g in config.groups]
    return IndexScore(config, round(sum(g.points for g in groups), 2), groups)


def score_indicator(indicator: Indicator, counts: Mapping[str, int],
                    manual: ManualValue | None) -> IndicatorScore:
    if indicator.source == "manual":
        ratio = None if manual is None else round(manual.ratio, 4)
        return _scored(indicator, None, None, ratio, manual)
    numerator = sum(counts.get(m, 0) for m in indicator.numerator)
    denominator = sum(counts.get(m, 0) for m in indicator.denominator)
    # Events of one window may relate to dossiers of another (an apology for a dossier
    # completed later): a ratio above 1 is capped.
    ratio = round(min(numerator / denominator, 1.0), 4) if denominator else None
    return _scored(indicator, numerator, denominator, ratio, None)


def _scored(indicator: Indicator, numerator: int | None, denominator: int | None,
            ratio: float | None, manual: ManualValue | None) -> IndicatorScore:
    if ratio is None:
        share = 1.0 if indicator.when_empty == "full" else 0.0
    else:
        share = earned_share(indicator.scoring, ratio)
    return IndicatorScore(indicator, numerator, denominator, ratio,
                          round(share * indicator.points, 2), ratio is None, manual)


def earned_share(scoring: Proportional | Thresholds, ratio: float) -> float:
    """The share (0–1) of an indicator's points a ratio earns."""
    if isinstance(scoring, Proportional):
        return min(ratio / scoring.full_at, 1.0)
    reached = [s.share for s in scoring.steps if ratio >= s.at_least]
    return max(reached, default=0.0)

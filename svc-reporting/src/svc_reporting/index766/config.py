"""A version of the 766 index's configuration (QĐ 766/QĐ-TTg): the five groups, each
sub-indicator's formula over the read model's raw counts, its points and its scoring rule.

Versions are data: JSON documents shipped in ``versions/`` (never edited once released: a
change is a new file) and versions an administrator adds through the API (stored, immutable
once an index has been computed with them)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from egov_shared.timeutil import in_supported_range

GroupCode = Literal["publicity", "progress", "digitisation", "online_service", "satisfaction"]
GROUPS: tuple[GroupCode, ...] = (
    "publicity", "progress", "digitisation", "online_service", "satisfaction")
MAX_POINTS = 100.0
TOLERANCE = 1e-6

# The read model's dossier metrics a formula may name (readmodel/effects.py produces them).
DOSSIER_METRICS = frozenset({
    "submitted", "submitted_online", "submitted_counter", "submitted_post",
    "submitted_online_full", "submitted_online_partial", "received", "refused",
    "supplement_requested", "handed_over", "payment_requested", "paid", "paid_online",
    "decided", "decided_approved", "decided_rejected", "completed", "completed_early",
    "completed_on_time", "completed_late", "completed_in_time", "completed_online",
    "completed_counter", "completed_post", "completed_online_full",
    "completed_online_partial", "withdrawn", "stopped", "apologised", "closed_after_receipt",
    "rated", "satisfied", "digitised", "reused", "result_electronic",
})

Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_.]{0,19}$")]
Metrics = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10)]
Share = Annotated[float, Field(ge=0, le=1)]


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at_least: Share  # the ratio from which…
    share: Share  # …this share of the indicator's points is given


class Proportional(BaseModel):
    """points = min(ratio / full_at, 1) × the indicator's points."""

    model_config = ConfigDict(extra="forbid")

    rule: Literal["proportional"] = "proportional"
    full_at: Annotated[float, Field(gt=0, le=1)] = 1.0


class Thresholds(BaseModel):
    """points = the share of the highest step the ratio reaches × the indicator's points."""

    model_config = ConfigDict(extra="forbid")

    rule: Literal["thresholds"]
    steps: Annotated[list[Step], Field(min_length=1, max_length=10)]


Scoring = Annotated[Proportional | Thresholds, Field(discriminator="rule")]


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: GroupCode
    name: Annotated[str, Field(min_length=1, max_length=200)]
    points: Annotated[float, Field(gt=0, le=MAX_POINTS)]


class Indicator(BaseModel):
    """``counts``: ratio = Σ numerator metrics / Σ denominator metrics over the window (capped
    at 1). ``manual``: the ratio an officer recorded for the agency (or its nearest ancestor),
    for what the platform cannot count. ``when_empty``: the score when there is nothing to
    divide by, or no manual value."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Annotated[str, Field(min_length=1, max_length=300)]
    group: GroupCode
    points: Annotated[float, Field(gt=0, le=MAX_POINTS)]
    source: Literal["counts", "manual"] = "counts"
    numerator: Metrics = []
    denominator: Metrics = []
    scoring: Scoring = Field(default_factory=Proportional)
    when_empty: Literal["full", "zero"] = "zero"
    note: Annotated[str | None, Field(max_length=1000)] = None


class IndexVersion(BaseModel):
    """One version of the configuration, as shipped or as posted by an administrator."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")]
    name: Annotated[str, Field(min_length=1, max_length=300)]
    effective_from: date
    basis: Annotated[str | None, Field(max_length=2000)] = None
    groups: Annotated[list[Group], Field(min_length=5, max_length=5)]
    indicators: Annotated[list[Indicator], Field(min_length=1, max_length=60)]

    def metrics(self) -> list[str]:
        """Every metric the version's formulas read (one ``sums`` query asks for these)."""
        return sorted({m for i in self.indicators for m in (*i.numerator, *i.denominator)})


def problems(config: IndexVersion) -> list[str]:
    """What makes a version unusable, in words; empty when it is sound."""
    found = _group_problems(config)
    codes = [i.code for i in config.indicators]
    found += [f"indicator {c} appears twice" for c in sorted(set(codes)) if codes.count(c) > 1]
    for indicator in config.indicators:
        found += _indicator_problems(indicator)
    if not in_supported_range(config.effective_from):
        found.append("effective_from is outside the supported years")
    return found


def _group_problems(config: IndexVersion) -> list[str]:
    found = []
    if sorted(g.code for g in config.groups) != sorted(GROUPS):
        found.append(f"the groups must be exactly {', '.join(GROUPS)}")
    if abs(sum(g.points for g in config.groups) - MAX_POINTS) > TOLERANCE:
        found.append("the groups' points must add up to 100")
    for group in config.groups:
        inside = sum(i.points for i in config.indicators if i.group == group.code)
        if abs(inside - group.points) > TOLERANCE:
            found.append(f"the indicators of {group.code} add up to {inside:g}, "
                         f"not {group.points:g}")
    return found


def _indicator_problems(indicator: Indicator) -> list[str]:
    code, metrics = indicator.code, [*indicator.numerator, *indicator.denominator]
    if indicator.source == "manual":
        return [f"{code}: a manual indicator names no metrics"] if metrics else []
    found = [f"{code}: {m} is not a metric of the read model"
             for m in metrics if m not in DOSSIER_METRICS]
    if not indicator.numerator or not indicator.denominator:
        found.append(f"{code}: a counted indicator needs a numerator and a denominator")
    return found


@cache
def shipped_versions() -> dict[str, IndexVersion]:
    """The versions shipped in the package, by version; each is checked at first use."""
    found: dict[str, IndexVersion] = {}
    for entry in resources.files("svc_reporting.index766").joinpath("versions").iterdir():
        if entry.name.endswith(".json"):
            config = IndexVersion.model_validate(json.loads(entry.read_text("utf-8")))
            if broken := problems(config):
                raise ValueError(f"shipped 766 version {entry.name}: {'; '.join(broken)}")
            found[config.version] = config
    return found

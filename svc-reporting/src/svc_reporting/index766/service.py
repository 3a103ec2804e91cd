"""The 766 index of an agency's subtree over a window: the version in effect (or the one
asked for), one ``sums`` query for the version's metrics, the manual values, the scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, NotFound, ValidationFailed
from egov_shared.timeutil import to_vn
from svc_reporting.index766 import repository
from svc_reporting.index766 import schemas as s
from svc_reporting.index766.config import IndexVersion, problems, shipped_versions
from svc_reporting.index766.scoring import (
    IndexScore,
    IndicatorScore,
    ManualValue,
    score_index,
)
from svc_reporting.readmodel import queries
from svc_reporting.readmodel.store import ancestors


@dataclass(frozen=True)
class KnownVersion:
    config: IndexVersion
    shipped: bool
    used: bool = False
    created_by: str | None = None
    created_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.config.version


async def known_versions(session: AsyncSession) -> list[KnownVersion]:
    """Shipped and added versions, oldest effective first."""
    known = [KnownVersion(config, shipped=True) for config in shipped_versions().values()]
    for row in await repository.added_versions(session):
        known.append(KnownVersion(IndexVersion.model_validate_json(row["document"]),
                                  shipped=False, used=row["used_at"] is not None,
                                  created_by=row["created_by"],
                                  created_at=to_vn(row["created_at"])))
    return sorted(known, key=lambda k: (k.config.effective_from, k.name))


def in_effect(known: Sequence[KnownVersion], day: date) -> KnownVersion:
    """The latest version effective on ``day``; before every version, the earliest."""
    effective = [k for k in known if k.config.effective_from <= day]
    return effective[-1] if effective else known[0]


async def resolve(session: AsyncSession, version: str | None, last: date) -> KnownVersion:
    known = await known_versions(session)
    if version is None:
        return in_effect(known, last)
    for candidate in known:
        if candidate.name == version:
            return candidate
    raise NotFound(f"No 766 index version {version!r}.", code="index_version_not_found")


async def index_for(session: AsyncSession, *, agency_id: str, first: date, last: date,
                    window: tuple[datetime, datetime], version: str | None,
                    now: datetime) -> s.IndexResult:
    known = await resolve(session, version, last)
    counts = await queries.sums(session, agency_id, first, last, known.config.metrics())
    manual = await manual_for(session, [agency_id], known.config, last)
    await _note_use(session, known, now)
    scored = score_index(known.config, {m: n for m, (n, _) in counts.items()},
                         manual.get(agency_id, {}))
    return result(agency_id, window, scored)


async def ranking(session: AsyncSession, *, parent_id: str, first: date, last: date,
                  window: tuple[datetime, datetime], version: str | None,
                  now: datetime) -> s.Ranking:
    """The index of each child of ``parent_id`` with counts in the window, best first."""
    known = await resolve(session, version, last)
    found = await queries.breakdown(session, parent_id, first, last, known.config.metrics())
    manual = await manual_for(session, list(found), known.config, last)
    await _note_use(session, known, now)
    scores = {agency: score_index(known.config, {m: n for m, (n, _) in sums.items()},
                                  manual.get(agency, {}))
              for agency, sums in found.items()}
    return s.Ranking(agency_id=parent_id, window_start=window[0], window_end=window[1],
                     version=known.name, agencies=ranked(scores))


def ranked(scores: dict[str, IndexScore]) -> list[s.RankedAgency]:
    order = sorted(scores.items(), key=lambda item: (-item[1].total, item[0]))
    out: list[s.RankedAgency] = []
    for position, (agency, score) in enumerate(order, start=1):
        rank = out[-1].rank if out and out[-1].total == score.total else position
        out.append(s.RankedAgency(rank=rank, agency_id=agency, total=score.total,
                                  groups={g.code: g.points for g in score.groups}))
    return out


async def manual_for(session: AsyncSession, agencies: Sequence[str], config: IndexVersion,
                     last: date) -> dict[str, dict[str, ManualValue]]:
    """Per agency, indicator → the value recorded for it or its nearest ancestor, the newest
    valid on ``last``. One query for every agency asked."""
    indicators = [i.code for i in config.indicators if i.source == "manual"]
    chains = {agency: [a for a, _ in ancestors(agency)] for agency in agencies}
    everyone = sorted({a for chain in chains.values() for a in chain})
    rows = await repository.manual_values(session, everyone, indicators, last)
    return {agency: _nearest(chain, rows) for agency, chain in chains.items()}


def _nearest(chain: list[str], rows: Sequence[RowMapping]) -> dict[str, ManualValue]:
    """``chain``: the agency first, then its ancestors; ``rows``: newest first."""
    found: dict[str, ManualValue] = {}
    for agency in chain:
        for row in rows:
            if row["agency_id"] == agency and row["indicator"] not in found:
                found[row["indicator"]] = ManualValue(
                    agency, row["valid_from"], row["ratio"], row["note"], row["evidence_url"])
    return found


async def _note_use(session: AsyncSession, known: KnownVersion, now: datetime) -> None:
    """An added version used once is frozen (its results must stay reproducible)."""
    if not known.shipped and not known.used:
        await repository.mark_used(session, known.name, now)


def result(agency_id: str, window: tuple[datetime, datetime], scored: IndexScore
           ) -> s.IndexResult:
    return s.IndexResult(
        agency_id=agency_id, window_start=window[0], window_end=window[1],
        version=scored.config.version, version_effective_from=scored.config.effective_from,
        total=scored.total,
        groups=[s.GroupResult(code=g.code, name=g.name, max_points=g.max_points,
                              points=g.points, indicators=[_indicator(i) for i in g.indicators])
                for g in scored.groups])


def _indicator(score: IndicatorScore) -> s.IndicatorResult:
    i = score.indicator
    return s.IndicatorResult(
        code=i.code, name=i.name, source=i.source, numerator_metrics=i.numerator,
        denominator_metrics=i.denominator, numerator=score.numerator,
        denominator=score.denominator, ratio=score.ratio, max_points=i.points,
        points=score.points, scoring=i.scoring.rule, empty=score.empty,
        manual_agency_id=score.manual.agency_id if score.manual else None,
        manual_valid_from=score.manual.valid_from if score.manual else None)


# --- versions and manual values ---------------------------------------------------------------

def version_list(known: Sequence[KnownVersion], today: date) -> s.VersionList:
    current = in_effect(known, today).name
    return s.VersionList(current=current, versions=[s.VersionSummary(
        version=k.name, name=k.config.name, effective_from=k.config.effective_from,
        shipped=k.shipped, current=k.name == current, used=k.shipped or k.used,
        created_by=k.created_by, created_at=k.created_at) for k in known])


def _checked(config: IndexVersion) -> str:
    if broken := problems(config):
        raise ValidationFailed("The version cannot be used: " + "; ".join(broken) + ".",
                               code="invalid_index_version", extra={"problems": broken})
    return config.model_dump_json()


async def add_version(session: AsyncSession, config: IndexVersion, *, principal: Principal,
                      now: datetime) -> None:
    document = _checked(config)
    if config.version in shipped_versions() or await repository.added_version(
            session, config.version):
        raise Conflict(f"Version {config.version} exists; a change is a new version.",
                       code="index_version_exists")
    await repository.insert_version(session, {
        "version": config.version, "effective_from": config.effective_from,
        "document": document, "created_by": principal.username or principal.subject,
        "created_at": now})


async def replace_version(session: AsyncSession, version: str, config: IndexVersion, *,
                          now: datetime) -> None:
    """An added version may be corrected until an index has been computed with it."""
    if config.version != version:
        raise ValidationFailed("The body names another version.", code="version_mismatch")
    if version in shipped_versions():
        raise Conflict("A shipped version never changes.", code="index_version_in_use")
    document = _checked(config)
    if await repository.added_version(session, version) is None:
        raise NotFound(f"No 766 index version {version!r}.", code="index_version_not_found")
    if not await repository.replace_version(session, version, {
            "effective_from": config.effective_from, "document": document, "updated_at": now}):
        raise Conflict("An index was computed with this version: it no longer changes.",
                       code="index_version_in_use")


async def record_manual_value(session: AsyncSession, value: s.ManualValueIn, *,
                              principal: Principal, now: datetime) -> s.ManualValue:
    manual_codes = {i.code for k in await known_versions(session)
                    for i in k.config.indicators if i.source == "manual"}
    if value.indicator not in manual_codes:
        raise ValidationFailed(f"{value.indicator} is no manual indicator of any version.",
                               code="not_a_manual_indicator")
    row = {**value.model_dump(mode="json"), "valid_from": value.valid_from,
           "recorded_by": principal.username or principal.subject, "recorded_at": now}
    await repository.upsert_manual_value(session, row)
    return s.ManualValue.model_validate({**row, "recorded_at": to_vn(now)})


async def manual_values(session: AsyncSession, agency_id: str) -> list[s.ManualValue]:
    return [s.ManualValue.model_validate({**row, "recorded_at": to_vn(row["recorded_at"])})
            for row in await repository.list_manual_values(session, agency_id)]

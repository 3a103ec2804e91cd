"""The 766 index's configuration and arithmetic, without I/O."""

from __future__ import annotations

import hashlib
from datetime import date
from importlib import resources
from typing import Any

import pytest

from svc_reporting.index766.config import IndexVersion, problems, shipped_versions
from svc_reporting.index766.scoring import (
    ManualValue,
    earned_share,
    score_index,
)

# A shipped version is never edited (its results must stay reproducible): a change is a new
# file. Update a digest here only together with a new version name.
SHIPPED_DIGESTS = {
    "2026.1.json": "823ce5a6b014e429f846c3cfb404c7543fa6585c00ebf340de013d2ffd81d5e4",
}


def document(**changes: Any) -> dict[str, Any]:
    base = shipped_versions()["2026.1"].model_dump(mode="json")
    return base | changes


class TestShippedVersions:
    def test_the_shipped_files_are_unchanged(self) -> None:
        folder = resources.files("svc_reporting.index766").joinpath("versions")
        found = {e.name: hashlib.sha256(e.read_bytes()).hexdigest()
                 for e in folder.iterdir() if e.name.endswith(".json")}
        assert found == SHIPPED_DIGESTS

    def test_the_groups_are_those_of_the_decision(self) -> None:
        config = shipped_versions()["2026.1"]
        assert problems(config) == []
        assert {g.code: g.points for g in config.groups} == {
            "publicity": 18, "progress": 20, "digitisation": 22, "online_service": 22,
            "satisfaction": 18}


class TestProblems:
    def test_points_that_do_not_add_up_are_named(self) -> None:
        doc = document()
        doc["indicators"][0]["points"] = 5
        found = problems(IndexVersion.model_validate(doc))
        assert "the indicators of publicity add up to 19, not 18" in found

    def test_an_unknown_metric_and_a_duplicate_code_are_named(self) -> None:
        doc = document()
        doc["indicators"][3]["numerator"] = ["completed_quickly"]
        doc["indicators"][4]["code"] = doc["indicators"][5]["code"]
        found = problems(IndexVersion.model_validate(doc))
        assert "TD1: completed_quickly is not a metric of the read model" in found
        assert f"indicator {doc['indicators'][5]['code']} appears twice" in found

    def test_groups_must_be_the_five_and_add_up_to_100(self) -> None:
        doc = document()
        doc["groups"][0]["points"] = 19
        found = problems(IndexVersion.model_validate(doc))
        assert "the groups' points must add up to 100" in found


class TestScoring:
    @pytest.mark.parametrize(("scoring", "ratio", "share"), [
        ({"rule": "proportional"}, 0.5, 0.5),
        ({"rule": "proportional", "full_at": 0.8}, 0.4, 0.5),
        ({"rule": "proportional", "full_at": 0.8}, 0.9, 1.0),
        ({"rule": "thresholds", "steps": [{"at_least": 0.9, "share": 1},
                                          {"at_least": 0.8, "share": 0.5}]}, 0.9, 1.0),
        ({"rule": "thresholds", "steps": [{"at_least": 0.9, "share": 1},
                                          {"at_least": 0.8, "share": 0.5}]}, 0.8999, 0.5),
        ({"rule": "thresholds", "steps": [{"at_least": 0.9, "share": 1}]}, 0.1, 0.0),
    ])
    def test_share_of_points(self, scoring: dict[str, Any], ratio: float, share: float) -> None:
        doc = document()
        doc["indicators"][3]["scoring"] = scoring
        config = IndexVersion.model_validate(doc)
        assert earned_share(config.indicators[3].scoring, ratio) == pytest.approx(share)

    def test_empty_denominators_and_missing_manual_values(self) -> None:
        scored = score_index(shipped_versions()["2026.1"], {}, {})
        by_code = {i.indicator.code: i for g in scored.groups for i in g.indicators}
        assert by_code["CK3"].points == 8 and by_code["CK3"].empty  # no late dossier
        assert by_code["TT3"].points == 8  # nothing paid: nothing to pay online
        assert by_code["TD1"].points == 0 and by_code["CK1"].points == 0
        assert scored.total == 16

    def test_a_ratio_above_one_is_capped_and_a_manual_value_counts(self) -> None:
        manual = {"CK1": ManualValue("H56", date(2026, 1, 1), 0.5)}
        scored = score_index(shipped_versions()["2026.1"],
                             {"apologised": 3, "completed_late": 2}, manual)
        publicity = scored.groups[0]
        assert [(i.ratio, i.points) for i in publicity.indicators] == [
            (0.5, 2.0), (None, 0.0), (1.0, 8.0)]
        assert publicity.points == 10.0

"""Target progress classes, windows and live sources, without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from svc_reporting.targets.demo import DEMO_TARGETS
from svc_reporting.targets.progress import progress, year_window
from svc_reporting.targets.sources import in_unit, unit_for, value_at


class TestProgress:
    @pytest.mark.parametrize(("actual", "plan", "direction", "expected"), [
        (97, 95, "higher", (1.0211, "achieved")),
        (95, 95, "higher", (1.0, "achieved")),
        (70, 100, "higher", (0.7, "at_least_70")),
        (69.99, 100, "higher", (0.6999, "from_50_to_70")),
        (50, 100, "higher", (0.5, "from_50_to_70")),
        (49.99, 100, "higher", (0.4999, "below_50")),
        (0, 0, "higher", (1.0, "achieved")),
        (60, 70, "lower", (1.1667, "achieved")),
        (100, 70, "lower", (0.7, "at_least_70")),
        (140, 70, "lower", (0.5, "from_50_to_70")),
        (0, 70, "lower", (1.0, "achieved")),
        (None, 70, "higher", (None, "no_data")),
    ])
    def test_classes_at_their_boundaries(self, actual: float | None, plan: float,
                                         direction: str, expected: tuple) -> None:
        assert progress(actual, plan, direction) == expected  # type: ignore[arg-type]

    def test_the_year_is_the_annual_cut_off_of_decree_09(self) -> None:
        assert year_window(2026) == (date(2025, 12, 15), date(2026, 12, 14))


class TestSources:
    def test_kpi_paths_fix_the_unit(self) -> None:
        assert unit_for("rates.online") == "percent"
        assert unit_for("documents.outgoing.signed_rate") == "percent"
        assert unit_for("accounts.level2_rate") == "percent"
        assert unit_for("processing.average_working_hours") == "hours"
        assert unit_for("dossiers.completed") == "count"
        assert unit_for("index766.total") == "points"
        assert unit_for("agency_id") is None and unit_for("rates") is None

    def test_values_are_read_and_shown_in_the_unit(self) -> None:
        tree = {"rates": {"online": 0.9712}, "dossiers": {"online_full": 3, "submitted": 8},
                "accounts": None}
        assert in_unit(value_at(tree, "rates.online"), "rates.online") == 97.12
        assert in_unit(value_at(tree, "rates.online_full"), "rates.online_full") == 37.5
        assert value_at(tree, "accounts.level2_rate") is None

    @pytest.mark.parametrize("seed", DEMO_TARGETS, ids=[t[0] for t in DEMO_TARGETS])
    def test_every_demo_target_follows_a_known_figure_in_its_unit(self, seed: tuple) -> None:
        _, _, unit, _, _, path, _ = seed
        assert path is None or unit_for(path) == unit

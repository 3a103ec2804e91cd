"""The figures a target can follow live: every numeric field of the KPI answer by its dotted
path (``rates.online``, ``documents.outgoing.signed_rate``, ``accounts.level2_rate``), a few
derived rates, and the 766 index (``index766.total``, ``index766.<group>``). Each path has a
kind that fixes the target's unit: a rate (a fraction) is followed in percent."""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from svc_reporting.index766.config import GROUPS
from svc_reporting.kpis.schemas import Kpis

Unit = Literal["percent", "hours", "days", "count", "points", "score", "vnd"]
Kind = Literal["fraction", "count", "hours", "score", "vnd", "points"]
UNIT_OF: dict[Kind, Unit] = {"fraction": "percent", "count": "count", "hours": "hours",
                             "score": "score", "vnd": "vnd", "points": "points"}
# Rates the KPI answer does not carry, as (numerator path, denominator path).
DERIVED: dict[str, tuple[str, str]] = {
    "rates.online_full": ("dossiers.online_full", "dossiers.submitted"),
    "rates.online_partial": ("dossiers.online_partial", "dossiers.submitted"),
}
INDEX_PREFIX = "index766."


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (``Accounts | None`` → Accounts)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return next((m for a in get_args(annotation) if (m := _model_in(a))), None)
    return annotation if isinstance(annotation, type) and issubclass(
        annotation, BaseModel) else None


def _kind(name: str, annotation: Any) -> Kind | None:
    numbers = {a for a in (get_args(annotation) or (annotation,)) if a in (int, float)}
    if not numbers:
        return None
    if name.endswith("_hours"):
        return "hours"
    if name in ("average_score", "amount_paid"):
        return "score" if name == "average_score" else "vnd"
    return "count" if numbers == {int} else "fraction"


def _paths(model: type[BaseModel], prefix: str = "") -> dict[str, Kind]:
    found: dict[str, Kind] = {}
    for name, field in model.model_fields.items():
        if (inner := _model_in(field.annotation)) is not None:
            found |= _paths(inner, f"{prefix}{name}.")
        elif (kind := _kind(name, field.annotation)) is not None:
            found[prefix + name] = kind
    return found


SOURCE_PATHS: dict[str, Kind] = {
    **_paths(Kpis), **dict.fromkeys(DERIVED, "fraction"),
    f"{INDEX_PREFIX}total": "points", **{f"{INDEX_PREFIX}{g}": "points" for g in GROUPS},
}


def unit_for(path: str) -> Unit | None:
    """The unit a target following ``path`` must have; None for an unknown path."""
    kind = SOURCE_PATHS.get(path)
    return UNIT_OF[kind] if kind else None


def value_at(tree: dict[str, Any], path: str) -> float | None:
    """The figure at ``path`` in a KPI answer (``model_dump``) extended with the index."""
    if path in DERIVED:
        numerator, denominator = (value_at(tree, p) for p in DERIVED[path])
        return round(numerator / denominator, 4) if numerator is not None and denominator \
            else None
    node: Any = tree
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return float(node) if isinstance(node, int | float) else None


def in_unit(value: float | None, path: str) -> float | None:
    """A fraction is shown in percent (0.9712 → 97.12)."""
    if value is None:
        return None
    return round(value * 100, 2) if SOURCE_PATHS.get(path) == "fraction" else round(value, 4)

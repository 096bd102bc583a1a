"""Outcome definitions: what an experiment keeps of each future, computed from a batched chunk.

An experiment lists outcomes by name (``hold_the_line``, ``cost_musd_total``) or as a
mapping from a yearly series to years (``{coca_ha: [2011, 2015]}``). Each becomes one or more
columns of the results table; this module says which columns, their units, and how each is
reduced from the engine's (scenario, year[, zone]) arrays.

Goal years are NaN where the goal is not reached within the horizon (``*_reached`` is then
False); goal flags are booleans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from cnplan.model.spatial import SPATIAL


class Experiment(Protocol):
    """What this module reads of an experiment: its ``outcomes:`` list.

    A protocol rather than :class:`cnplan.explore.experiment.Experiment` itself, which checks
    its outcomes with this module: the dependency goes one way only.
    """

    outcomes: list[str | dict[str, list[int]]]

GOALS = ("hold_the_line", "marginal_producer", "stability_point")


@dataclass(frozen=True)
class Reduction:
    """A scalar outcome: its unit, the engine flows it needs and how it is reduced."""

    unit: str
    needs: tuple[str, ...]
    reduce: Callable[[dict[str, np.ndarray]], np.ndarray]
    description: str


def _coca(out: dict[str, np.ndarray]) -> np.ndarray:
    return out["area"].sum(axis=2, dtype=np.float64)


SCALARS: dict[str, Reduction] = {
    "cost_musd_total": Reduction(
        "million USD",
        ("cost",),
        lambda o: o["cost"].sum(axis=1, dtype=np.float64),
        "the plan's programme cost summed over the reported years (before funding limits)",
    ),
    "resistance_max": Reduction(
        "index 0-1",
        ("resistance",),
        lambda o: o["resistance"].max(axis=(1, 2)).astype(np.float64),
        "highest eradication-related resistance in any zone and year",
    ),
    "coca_ha_min": Reduction(
        "ha", ("area",), lambda o: _coca(o).min(axis=1), "lowest national coca area in any year"
    ),
    "coca_ha_max": Reduction(
        "ha", ("area",), lambda o: _coca(o).max(axis=1), "highest national coca area in any year"
    ),
    "coca_ha_final": Reduction(
        "ha", ("area",), lambda o: _coca(o)[:, -1], "national coca area in the last year"
    ),
    "poppy_ha_final": Reduction(
        "ha",
        ("poppy",),
        lambda o: o["poppy"][:, -1].astype(np.float64),
        "poppy area in the last year",
    ),
    "forced_eradication_ha_total": Reduction(
        "ha",
        ("forced_eradication",),
        lambda o: o["forced_eradication"].sum(axis=(1, 2), dtype=np.float64),
        "forced eradication done over the reported years",
    ),
    "voluntary_eradication_ha_total": Reduction(
        "ha",
        ("voluntary_eradication",),
        lambda o: o["voluntary_eradication"].sum(axis=(1, 2), dtype=np.float64),
        "voluntary eradication done over the reported years",
    ),
    "funding_coverage_min": Reduction(
        "share",
        ("coverage",),
        lambda o: o["coverage"].min(axis=1).astype(np.float64),
        "lowest share of the programme cost funded in any year",
    ),
}
"""Outcomes that reduce a whole trajectory to one number."""

YEARLY: dict[str, tuple[str, str]] = {
    # series: (engine flow, unit)
    "coca_ha": ("area", "ha"),
    "poppy_ha": ("poppy", "ha"),
    "leaf_price": ("leaf_price", "USD/kg"),
    "cost_musd": ("cost", "million USD/yr"),
    "resistance": ("resistance", "index 0-1"),
}
"""Series that can be kept for chosen years: ``{coca_ha: [2011, 2015]}``."""

SPATIAL_YEARLY: dict[str, str] = {name: unit for name, (unit, _meaning) in SPATIAL.items()}
"""The spatial outcomes of the cell layer (docs/model.md, Space), kept for chosen years like a
yearly series: ``{coca_free_km2: [2011]}``; computed only for a dataset with polygons."""

VALID = [*GOALS, "goals", *SCALARS,
         *(f"{{{k}: [years]}}" for k in (*YEARLY, *SPATIAL_YEARLY))]


def outcome_problems(outcomes: list, start: int, until: int) -> list[str]:
    """Located problems of an experiment's ``outcomes:`` list."""
    problems: list[str] = []
    for i, item in enumerate(outcomes):
        where = f"outcomes[{i}]"
        if isinstance(item, str):
            if item not in GOALS and item != "goals" and item not in SCALARS:
                problems.append(
                    f"{where}: unknown outcome {item!r}; valid outcomes are {', '.join(VALID)}"
                )
            continue
        for series, years in item.items():
            if series not in YEARLY and series not in SPATIAL_YEARLY:
                problems.append(
                    f"{where}: unknown yearly series {series!r}; valid series are "
                    f"{', '.join([*YEARLY, *SPATIAL_YEARLY])}"
                )
                continue
            for year in years:
                if not start <= year <= until:
                    problems.append(
                        f"{where}.{series}: year must be within {start}-{until}, got {year}"
                    )
    columns = _columns_of(outcomes)
    dup = sorted({c for c in columns if columns.count(c) > 1})
    if dup:
        problems.append(f"outcomes: listed more than once: {', '.join(dup)}")
    return problems


def _columns_of(outcomes: list) -> list[str]:
    cols: list[str] = []
    for item in outcomes:
        if isinstance(item, str):
            goals = GOALS if item == "goals" else (item,) if item in GOALS else ()
            for goal in goals:
                cols += [f"{goal}_reached", f"{goal}_year"]
            if item in SCALARS:
                cols.append(item)
        else:
            for series, years in item.items():
                cols += [f"{series}_{y}" for y in years]
    return cols


def outcome_columns(exp: Experiment) -> list[str]:
    """The experiment's outcome columns, in the order of its ``outcomes:`` list."""
    return _columns_of(exp.outcomes)


def outcome_units(exp: Experiment) -> dict[str, str]:
    """Unit (or meaning) of every outcome column."""
    units: dict[str, str] = {}
    for col in outcome_columns(exp):
        if col.endswith("_reached"):
            units[col] = "bool (by the goal's year)"
        elif col.endswith("_year") and col[: -len("_year")] in GOALS:
            units[col] = "year (NaN: never)"
        elif col in SCALARS:
            units[col] = SCALARS[col].unit
        else:
            series = col.rsplit("_", 1)[0]
            units[col] = SPATIAL_YEARLY[series] if series in SPATIAL_YEARLY else YEARLY[series][1]
    return units


def needs(exp: Experiment) -> tuple[tuple[str, ...], bool]:
    """Engine flows to keep, and whether goals (and their branches) must be computed."""
    flows: set[str] = set()
    goals = False
    for item in exp.outcomes:
        if isinstance(item, str):
            if item in GOALS or item == "goals":
                goals = True
                flows |= {"area", "poppy"}
            if item in SCALARS:
                flows |= set(SCALARS[item].needs)
        else:
            flows |= {YEARLY[s][0] for s in item if s in YEARLY}
            if any(s in SPATIAL_YEARLY for s in item):
                flows |= {"area", "presence"}
    return tuple(sorted(flows)), goals


def needs_spatial(exp: Experiment) -> bool:
    """Whether the experiment keeps a spatial outcome (the cell layer must run)."""
    return any(not isinstance(i, str) and any(s in SPATIAL_YEARLY for s in i)
               for i in exp.outcomes)


def reduce_outcomes(
    exp: Experiment, out: dict[str, np.ndarray], years: np.ndarray
) -> dict[str, np.ndarray]:
    """Outcome columns from one chunk's engine outputs (``run_chunk``'s dict)."""
    cols: dict[str, np.ndarray] = {}
    index = {int(y): i for i, y in enumerate(years)}
    for col in outcome_columns(exp):
        if col.endswith("_reached"):
            cols[col] = np.asarray(out[col], dtype=bool)
        elif col.endswith("_year") and col[: -len("_year")] in GOALS:
            cols[col] = np.asarray(out[col], dtype=np.float64)
        elif col in SCALARS:
            cols[col] = SCALARS[col].reduce(out)
        else:
            series, year = col.rsplit("_", 1)
            if series in SPATIAL_YEARLY:
                cols[col] = np.asarray(out[series][:, index[int(year)]], dtype=np.float64)
                continue
            flow = out[YEARLY[series][0]][:, index[int(year)]]
            if flow.ndim == 2:  # a zone series: national total, or the highest zone's index
                flow = flow.sum(axis=1, dtype=np.float64) if series == "coca_ha" else flow.max(1)
            cols[col] = flow.astype(np.float64)
    return cols

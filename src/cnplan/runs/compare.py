"""Plans side by side: goal probabilities with the difference and its Monte Carlo uncertainty,
yearly bands, levers that differ and cost.

"Plan A or plan B?" is answered by a difference of probabilities, and a difference estimated
from a few hundred futures has an error a reader must see before trusting its sign. When both
runs used the same futures (same seed, number of futures, parameter set, data and years: common
random numbers), future *i* of one run faces the same draws as future *i* of the other, so the
difference is estimated from the paired outcomes, whose error is usually much smaller; otherwise
the two probabilities are independent estimates and their errors add.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan.plans import LEVERS, Plan, parse_plan
from cnplan.runs.folder import load_run
from cnplan.runs.summary import goal_descriptions

GOALS = ("hold_the_line", "marginal_producer", "stability_point")
COST = "programme_cost_musd"
Z95 = 1.959964
"""Two-sided 95% normal quantile, for the interval of a difference."""

SAME_FUTURES = ("seed", "scenarios", "parameter_set", "data", "data_version", "years")
"""What must agree for two runs to share their futures (common random numbers)."""


@dataclass
class Side:
    """One run in a comparison: a label, its ensemble, its plan and its ``run.json``."""

    label: str
    ds: xr.Dataset
    plan: Plan
    meta: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @property
    def n(self) -> int:
        return int(self.ds.sizes["scenario"])


def side_from_folder(folder: str | Path, label: str | None = None) -> Side:
    """A run folder (``cnplan run``) as a side; its label is the plan name and any variant."""
    ds, meta = load_run(folder)
    raw = meta.get("plan_effective")
    if not raw:
        from cnplan.yamlio import load_yaml

        raw = load_yaml(meta.get("plan_text") or "")
    plan = parse_plan(raw, source=f"{folder}/run.json")
    if label is None:
        label = meta.get("plan", plan.name) + (" variant" if meta.get("variant") else "")
    return Side(label, ds, plan, meta, Path(folder))


def side_from_ensemble(label: str, ds: xr.Dataset, plan: Plan) -> Side:
    """An ensemble simulated in Python (``cnplan.simulate``) as a side."""
    attrs = ds.attrs
    meta = {k: attrs.get(k) for k in ("seed", "scenarios", "parameter_set", "data",
                                      "data_version")}
    meta["years"] = [int(ds.year[0]), int(ds.year[-1])]
    meta["plan"] = plan.name
    return Side(label, ds, plan, meta)


def same_futures(a: Side, b: Side) -> bool:
    """Whether two runs drew the same futures (see :data:`SAME_FUTURES`)."""
    ma = dict(a.meta, scenarios=a.n, years=[int(a.ds.year[0]), int(a.ds.year[-1])])
    mb = dict(b.meta, scenarios=b.n, years=[int(b.ds.year[0]), int(b.ds.year[-1])])
    return all(ma.get(k) is not None and ma.get(k) == mb.get(k) for k in SAME_FUTURES)


def difference(a: np.ndarray, b: np.ndarray, paired: bool) -> tuple[float, float]:
    """``mean(b) - mean(a)`` of two 0/1 outcome arrays and its Monte Carlo standard error.

    Paired (common random numbers): the standard error of the mean of the per-future
    differences. Independent: ``sqrt(pa(1-pa)/na + pb(1-pb)/nb)``, the standard error of a
    difference of two proportions.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    diff = float(b.mean() - a.mean())
    if paired and len(a) == len(b) and len(a) > 1:
        return diff, float(np.std(b - a, ddof=1) / math.sqrt(len(a)))
    pa, pb = a.mean(), b.mean()
    return diff, float(math.sqrt(pa * (1 - pa) / len(a) + pb * (1 - pb) / len(b)))


def goal_table(sides: Sequence[Side], paired: bool) -> pd.DataFrame:
    """One row per goal and run: probability, and difference from the first run with its
    standard error and 95% interval (empty for the first run).
    """
    rows = []
    base = sides[0]
    texts = goal_descriptions(base.plan)
    for goal in GOALS:
        reached0 = base.ds[f"{goal}_reached"].to_numpy()
        for i, side in enumerate(sides):
            reached = side.ds[f"{goal}_reached"].to_numpy()
            row = {"goal": goal, "description": texts[goal], "run": side.label,
                   "by_year": getattr(side.plan.goals, goal).by_year,
                   "probability": float(reached.mean()), "n": side.n,
                   "difference": np.nan, "se": np.nan, "low": np.nan, "high": np.nan}
            if i:
                diff, se = difference(reached0, reached, paired)
                row.update(difference=diff, se=se, low=diff - Z95 * se, high=diff + Z95 * se)
            rows.append(row)
    return pd.DataFrame(rows)


def band_table(sides: Sequence[Side], variable: str = "coca") -> pd.DataFrame:
    """Yearly 10th, 50th and 90th percentiles of a national variable for every run."""
    frames = []
    for side in sides:
        values = (side.ds["national_ha"].sel(crop=variable) if variable in ("coca", "poppy")
                  else side.ds[variable])
        q = values.quantile([0.1, 0.5, 0.9], dim="scenario").transpose("year", "quantile")
        frame = pd.DataFrame(q.to_numpy(), columns=["p10", "median", "p90"])
        frame.insert(0, "year", side.ds["year"].to_numpy().astype(int))
        frame.insert(0, "run", side.label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _schedule_text(schedule: dict) -> str:
    return ", ".join(f"{int(y)}: {v:,.10g}" for y, v in sorted(schedule.items(),
                                                               key=lambda kv: int(kv[0])))


def _dense(schedule: dict, years: np.ndarray) -> np.ndarray:
    out = np.zeros(len(years))
    for year in sorted(schedule, key=int):
        out[years >= int(year)] = schedule[year]
    return out


def lever_table(sides: Sequence[Side]) -> pd.DataFrame:
    """The levers (and their zone or scope) whose yearly values differ between the runs, each
    run's schedule written as the plan writes it ("2005: 0, 2007: 5").
    """
    first = min(s.plan.start_year for s in sides)
    last = max(s.plan.end_year for s in sides)
    years = np.arange(first, last + 1)
    rows = []
    for lever, spec in LEVERS.items():
        keys = dict.fromkeys(k for s in sides for k in s.plan.levers.get(lever, {}))
        for key in keys:
            schedules = [s.plan.levers.get(lever, {}).get(key, {}) for s in sides]
            dense = [_dense(sch, years) for sch in schedules]
            if all(np.array_equal(dense[0], d) for d in dense[1:]):
                continue
            row = {"lever": lever, "key": key, "unit": spec.unit}
            row.update({s.label: _schedule_text(sch) or "–" for s, sch in
                        zip(sides, schedules, strict=True)})
            rows.append(row)
    return pd.DataFrame(rows, columns=["lever", "key", "unit", *[s.label for s in sides]])


def cost_table(sides: Sequence[Side]) -> pd.DataFrame:
    """Programme cost over the run's years per run (million USD): median and 10-90% over the
    futures; NaN for runs saved before the cost was kept in the ensemble.
    """
    rows = []
    for side in sides:
        if COST in side.ds:
            values = side.ds[COST]
            if "country" in values.dims:
                values = values.sum("country")
            total = values.sum("year").to_numpy().astype(float)
            q = np.percentile(total, [10, 50, 90])
        else:
            q = [np.nan] * 3
        rows.append({"run": side.label, "p10": q[0], "median": q[1], "p90": q[2],
                     "years": f"{int(side.ds.year[0])}–{int(side.ds.year[-1])}"})
    return pd.DataFrame(rows)


@dataclass
class Comparison:
    """Runs side by side; ``paired`` says whether they share their futures."""

    sides: list[Side]
    paired: bool
    goals: pd.DataFrame
    bands: pd.DataFrame
    levers: pd.DataFrame
    cost: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.sides]


def _unique_labels(sides: Sequence[Side]) -> None:
    """Runs of the same plan are told apart by their folder name, else by a number."""
    counts = pd.Series([s.label for s in sides]).value_counts()
    for side in sides:
        if counts[side.label] > 1 and side.folder is not None:
            side.label = side.folder.name
    seen: dict[str, int] = {}
    for side in sides:
        seen[side.label] = seen.get(side.label, 0) + 1
        if seen[side.label] > 1:
            side.label = f"{side.label} #{seen[side.label]}"


def compare(sides: Sequence[Side]) -> Comparison:
    """Compare two or more runs (differences are against the first)."""
    sides = list(sides)
    if len(sides) < 2:
        raise ValueError(f"compare: needs at least two runs, got {len(sides)}")
    _unique_labels(sides)
    paired = all(same_futures(sides[0], s) for s in sides[1:])
    return Comparison(sides, paired, goal_table(sides, paired), band_table(sides),
                      lever_table(sides), cost_table(sides))


def compare_folders(folders: Sequence[str | Path]) -> Comparison:
    """Compare run folders written by ``cnplan run``."""
    return compare([side_from_folder(f) for f in folders])

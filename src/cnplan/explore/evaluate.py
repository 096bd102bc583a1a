"""Batched evaluation of a table of input rows: one engine call per batch, not per row.

Row ``i`` of a table evaluated with ``first_row=f`` is scenario ``f + i``: its random parameters
and shocks are those :func:`cnplan.model.simulate.draw` gives scenario ``f + i`` under the seed
(one ``SeedSequence`` per block of scenarios), so a row's outcomes depend only on (seed, row
index, row values), never on the batch size, the chunking or the executor.

How a row's values act on the model:

- ``lever:<lever>[.<zone>]``: with ``scale`` the plan's own series is multiplied by the value
  (every year from ``from_year``, default all); with ``level`` it is replaced by the value.
  Index levers (0-1) are capped at their maximum after scaling.
- ``param:<name>``: replaces the drawn parameter column.
- ``driver:gdp_growth``: replaces the ``gdp_growth`` parameter column.
- ``driver:election_will``: the political will of the plan's second phase (the government
  after the election); later phases keep their difference to it; clipped to 0-1. With a
  single phase it sets the will in every year.
- ``driver:price_shock``: the leaf price is multiplied by ``1 + shock`` in every year.

Columns the table lacks take the plan's values (levers, drivers) or the drawn values
(parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from cnplan.explore.experiment import Experiment, ExperimentError, LeverVariation
from cnplan.explore.outcomes import needs, needs_spatial, outcome_columns, reduce_outcomes
from cnplan.model import goals as g
from cnplan.model.cells import CellGrid
from cnplan.model.inputs import Inputs, build_inputs, spread_eradication
from cnplan.model.parameters import PARAM_INDEX
from cnplan.model.paramset import ParameterSet, default_parameter_set
from cnplan.model.simulate import Draws, draw, goal_config, run_chunk
from cnplan.model.spatial import spatial_outcomes
from cnplan.plans import LEVERS, Plan

BATCH = 4096
"""Scenarios per engine call inside :func:`evaluate` (memory and cache; not results)."""


@dataclass
class Prepared:
    """What every batch of an experiment shares: plan, inputs, parameter set, goal config."""

    exp: Experiment
    plan: Plan
    inputs: Inputs
    paramset: ParameterSet
    cfg: g.GoalConfig | None
    n_report: int
    keep: tuple[str, ...]
    data_name: str
    data_version: str
    levers: dict[str, LeverVariation]
    grid: CellGrid | None = None  # the cell layer, when spatial outcomes are kept


_CACHE: dict[str, Prepared] = {}


def prepare(exp: Experiment) -> Prepared:
    """Build (once per process) the shared inputs of an experiment."""
    key = exp.model_dump_json() + "|" + exp.base_dir
    if key in _CACHE:
        return _CACHE[key]
    from cnplan.data import load_dataset

    plan = exp.resolve_plan()
    data = load_dataset(exp.data or plan.data)
    if exp.parameter_set:
        paramset = ParameterSet.load(Path(exp.base_dir) / exp.parameter_set)
    else:
        paramset = default_parameter_set(data.name)
    keep, goals = needs(exp)
    cfg = goal_config(plan, data) if goals else None
    extra = cfg.years_without_assistance if cfg is not None else 0
    inputs = build_inputs(plan, data, extra_years=extra, until=exp.until)
    prepared = Prepared(
        exp=exp,
        plan=plan,
        inputs=inputs,
        paramset=paramset,
        cfg=cfg,
        n_report=len(inputs.years) - extra,
        keep=keep,
        data_name=data.name,
        data_version=data.version,
        levers={lv.column: lv for lv in exp.levers},
        grid=_grid(exp, data, inputs),
    )
    _CACHE.clear()  # one experiment at a time per process is the normal case
    _CACHE[key] = prepared
    return prepared


def _grid(exp: Experiment, data, inputs: Inputs):
    """The cell grid when the experiment keeps spatial outcomes (a located error if the
    dataset ships no polygons).
    """
    if not needs_spatial(exp):
        return None
    from cnplan.model.grid import grid_of

    grid = grid_of(data, inputs.geography)
    if grid is None:
        raise ValueError(f"outcomes: spatial outcomes need zone polygons (boundaries.geojson); "
                         f"dataset {data.name} has none")
    return grid


def check_columns(prep: Prepared, columns: list[str]) -> None:
    """Refuse input columns the experiment does not know, naming the valid ones."""
    valid = set(prep.exp.input_columns)
    bad = [c for c in columns if c not in valid and not _free_column(c)]
    if bad:
        raise ExperimentError(
            prep.exp.name,
            [
                f"rows: unknown input column {c!r}; valid columns are "
                f"{', '.join(prep.exp.input_columns)} (and any param:<name> or driver:<name>)"
                for c in bad
            ],
        )


def row_arrays(prep: Prepared, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The rows' input columns as float arrays, after refusing unknown columns and any value
    that is not a finite number (named by row and column).
    """
    check_columns(prep, list(rows.columns))
    arrays = {c: rows[c].to_numpy(dtype=float) for c in rows.columns}
    for c, a in arrays.items():
        if not np.isfinite(a).all():
            i = int(np.flatnonzero(~np.isfinite(a))[0])
            raise ExperimentError(
                prep.exp.name, [f"rows[{rows.index[i]!r}].{c}: must be a finite number"]
            )
    return arrays


def _free_column(col: str) -> bool:
    """Parameter and driver columns need no declaration to be understood."""
    from cnplan.explore.experiment import DRIVERS

    kind, _, name = col.partition(":")
    return (kind == "param" and name in PARAM_INDEX) or (kind == "driver" and name in DRIVERS)


def _apply_levers(prep: Prepared, values: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Per-scenario lever arrays for the levers that the rows vary; others stay shared."""
    base = prep.inputs.levers
    years = prep.inputs.years
    zones = prep.inputs.zones
    out = dict(base)
    touched: dict[str, np.ndarray] = {}
    for col, v in values.items():
        if not col.startswith("lever:"):
            continue
        lv = prep.levers[col]
        spec = LEVERS[lv.lever]
        if lv.lever not in touched:
            b = base[lv.lever]
            # Zone levers as (T, Z, S) memory, seen as (T, S, Z): each year's (S, Z) slice is
            # column-major like the engine's arrays (performance only).
            touched[lv.lever] = (
                np.repeat(b[:, :, None], n, axis=2)
                if b.ndim == 2
                else np.repeat(b[:, None], n, axis=1)
            )
        arr = touched[lv.lever]
        mask = years >= (lv.from_year if lv.from_year is not None else years[0])
        if lv.zone is not None:  # one zone: a (T, S) view of the (T, Z, S) array
            target, factor = arr[:, zones.index(lv.zone)], v[None, :]
        elif arr.ndim == 3:  # a zone lever scaled in all zones together
            target, factor = arr, v[None, None, :]
        else:  # a national lever
            target, factor = arr, v[None, :]
        if lv.mode == "scale":
            scaled = target * factor
            if spec.maximum is not None:
                scaled = np.minimum(scaled, spec.maximum)
        else:
            scaled = np.broadcast_to(factor, target.shape)
        target[mask] = scaled[mask]
    for name, arr in touched.items():
        out[name] = arr.transpose(0, 2, 1) if arr.ndim == 3 else arr
    return out


def _political_will(prep: Prepared, will: np.ndarray) -> np.ndarray:
    base = prep.inputs.political_will
    phases = prep.plan.phases
    years = prep.inputs.years
    if len(phases) == 1:
        return np.repeat(will[None, :], len(years), axis=0)
    shift = will - phases[1].political_will
    after = years >= phases[1].start
    out = np.repeat(base[:, None], will.size, axis=1)
    out[after] = np.clip(base[after, None] + shift[None, :], 0.0, 1.0)
    return out


def _evaluate_batch(
    prep: Prepared, values: dict[str, np.ndarray], seed: int, start: int, n: int
) -> dict[str, np.ndarray]:
    inputs = prep.inputs
    d = draw(prep.paramset, seed, start, start + n, len(inputs.years), len(inputs.zones))
    return run_rows(prep, d, values)


def run_rows(prep: Prepared, d: Draws, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One engine call: the rows' input ``values`` (column -> (S,) array) applied to the
    scenarios whose random ``d`` raws are given; returns the outcome columns.

    :func:`evaluate` hands it scenario ``i``'s draws for row ``i``; common-random-number
    evaluation (:mod:`cnplan.explore.crn`) hands every candidate the same scenarios' draws.
    """
    inputs = prep.inputs
    n = d.params.shape[0]
    overrides = {c[len("param:") :]: v for c, v in values.items() if c.startswith("param:")}
    if "driver:gdp_growth" in values:
        overrides["gdp_growth"] = values["driver:gdp_growth"]
    if overrides:
        params = d.params.copy()
        for name, v in overrides.items():
            params[:, PARAM_INDEX[name]] = v
        d = replace(d, params=params)
    changes: dict = {}
    if any(c.startswith("lever:") for c in values):
        changes["levers"] = _apply_levers(prep, values, n)
        forced = changes["levers"]["forced_eradication"]
        if forced.ndim == 3 and inputs.eradication_before > 0:
            # The year-before eradication is spread like each scenario's own first-year forced
            # eradication, as a separate run of that plan would (build_inputs).
            first = np.ascontiguousarray(forced[0])
            changes["eradication0"] = spread_eradication(
                inputs.eradication_before, first, inputs.area0
            )
    if "driver:election_will" in values:
        changes["political_will"] = _political_will(prep, values["driver:election_will"])
    if "driver:price_shock" in values:
        changes["price0"] = inputs.price0 * (1.0 + values["driver:price_shock"])
    if changes:
        inputs = replace(inputs, per_scenario=True, **changes)
    out = run_chunk(inputs, d, prep.n_report, prep.cfg, prep.keep)
    if prep.grid is not None:
        area0 = np.broadcast_to(np.asarray(inputs.area0, dtype=float), out["area"][:, 0].shape)
        out.update(spatial_outcomes(out["area"], out["presence"], area0,
                                    inputs.geography.kinds, prep.grid))
    return reduce_outcomes(prep.exp, out, inputs.years[: prep.n_report])


def evaluate(
    experiment: Experiment,
    rows: pd.DataFrame,
    seed: int | None = None,
    chunk_size: int = BATCH,
    first_row: int = 0,
) -> pd.DataFrame:
    """Evaluate any table of input rows in batched engine calls; return the outcome columns.

    Parameters
    ----------
    experiment : the experiment (base plan, outcomes, lever modes).
    rows : input columns named as in the experiment (``lever:...``, ``param:...``,
        ``driver:...``); a missing column takes the plan's or the drawn value.
    seed : the scenarios' seed (default: the experiment's).
    chunk_size : rows per engine call (memory and speed only; never the numbers).
    first_row : scenario number of the table's first row: row ``i`` is scenario
        ``first_row + i`` and gets that scenario's random parameters and shocks.

    Returns
    -------
    pandas.DataFrame with the experiment's outcome columns and the index of ``rows``.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size: must be >= 1, got {chunk_size}")
    if first_row < 0:
        raise ValueError(f"first_row: must be >= 0, got {first_row}")
    prep = prepare(experiment)
    arrays = row_arrays(prep, rows)
    seed = experiment.seed if seed is None else seed
    n = len(rows)
    columns = outcome_columns(experiment)
    parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    for a in range(0, n, chunk_size):
        b = min(a + chunk_size, n)
        got = _evaluate_batch(
            prep, {c: v[a:b] for c, v in arrays.items()}, seed, first_row + a, b - a
        )
        for c in columns:
            parts[c].append(got[c])
    data = {c: (np.concatenate(parts[c]) if parts[c] else np.empty(0)) for c in columns}
    return pd.DataFrame(data, index=rows.index, columns=columns)

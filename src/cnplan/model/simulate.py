"""Ensembles: draw parameters and shocks per scenario block, run the batched step, compute goals.

Randomness comes from one ``SeedSequence`` per block of ``BLOCK`` scenarios (spawned from the
run's seed by block index), so scenario ``i`` gets the same parameters and shocks whatever the
chunk size, the number of scenarios or the executor. The engine runs chunk by chunk to keep
arrays in cache and memory bounded; results leave as an ``xarray.Dataset`` with names on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import xarray as xr

import cnplan
from cnplan.data import Dataset, load_dataset
from cnplan.limits import SizeError, memory_problem, year_problem
from cnplan.model import compiled
from cnplan.model import goals as g
from cnplan.model import spatial as sp
from cnplan.model.engine import P, State, initial_state, step
from cnplan.model.grid import grid_of
from cnplan.model.inputs import Inputs, build_inputs, take_scenarios
from cnplan.model.outputs import COUNTRY_FLOWS, OUTPUTS, SPECS, UNIT_FLOWS
from cnplan.model.parameters import PARAM_NAMES
from cnplan.model.paramset import ParameterSet, default_parameter_set
from cnplan.model.structural import random_walk, structural_sd
from cnplan.plans import Plan, load_plan

log = logging.getLogger(__name__)

BLOCK = 1024
"""Scenarios per random-number block: the unit of reproducibility."""

OUTPUT_NAMES = {o.key: o.name for o in OUTPUTS}
"""Engine flow -> ensemble variable, from the declaration in :mod:`cnplan.model.outputs`."""
UNITS = {
    **{o.name: o.unit for o in OUTPUTS},
    "national_ha": "ha",
    "eradication_ha": "ha/yr",
}


@dataclass
class Draws:
    """Per-scenario random inputs: parameters and standard-normal shocks.

    ``structural`` (optional) is each scenario's log multiplicative error on reported coca area
    by year (:mod:`cnplan.model.structural`); without it (calibration, backtests, which handle
    the structural error themselves) reported areas are the simulated ones.
    """

    params: np.ndarray  # (S, k)
    planting: np.ndarray  # (S, T, Z)
    price: np.ndarray  # (S, T)
    structural: np.ndarray | None = None  # (S, T) log error on reported coca area
    rows: np.ndarray | None = None  # (S,) the parameter set's sample row of each scenario


def draw(
    paramset: ParameterSet,
    seed: int,
    start: int,
    stop: int,
    n_years: int,
    n_zones: int,
    n_countries: int = 1,
) -> Draws:
    """Draws for scenarios ``start``..``stop-1``, identical whatever range they are asked in.

    The price shocks are (S, T) for one country, (S, T, C) for several (the same numbers for
    the first country: the generator fills them in the same order).

    The structural-error steps are drawn after a block's other draws, so the parameters and
    shocks of every scenario are the same as without them.
    """
    sigma, _ = structural_sd(paramset)
    n = stop - start
    # Performance only: every array is allocated once for the whole range and a block used in
    # full is drawn straight into it (``out=``), instead of drawing each block apart and
    # concatenating; the generator fills the same values in the same order either way.
    params = np.empty((n, len(PARAM_NAMES)))
    planting = np.empty((n, n_years, n_zones))
    price_shape = (n_years,) if n_countries == 1 else (n_years, n_countries)
    price = np.empty((n, *price_shape))
    steps = np.empty((n, n_years))
    picked = np.zeros(n, dtype=np.int64)
    for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
        lo = max(start - block * BLOCK, 0)
        hi = min(stop - block * BLOCK, BLOCK)
        at = block * BLOCK + lo - start  # where the block's rows lo..hi-1 go
        rows = slice(at, at + hi - lo)
        if paramset.samples is None:
            params[rows] = paramset.draw(BLOCK, rng)[lo:hi]
        else:  # the same generator calls as ParameterSet.draw, keeping the rows
            picked[rows] = paramset.rows(BLOCK, rng)[lo:hi]
            params[rows] = paramset.samples[picked[rows]]
        if lo == 0 and hi == BLOCK:
            rng.standard_normal(out=planting[rows])
            rng.standard_normal(out=price[rows])
            rng.standard_normal(out=steps[rows])
        else:
            planting[rows] = rng.standard_normal((BLOCK, n_years, n_zones))[lo:hi]
            price[rows] = rng.standard_normal((BLOCK, *price_shape))[lo:hi]
            steps[rows] = rng.standard_normal((BLOCK, n_years))[lo:hi]
    rows_drawn = None if paramset.samples is None else picked
    return Draws(params, planting, price, random_walk(sigma, steps), rows_drawn)


@dataclass
class StartState:
    """Where a run starts when not from the data's last year alone: a filtered state
    (:func:`cnplan.calibrate.filter.filter_history`), one particle per sample row of
    ``parameter_set``. Only the growers' side (``fields``) is taken; the programmes' state
    (police, budget, outreach, poppy) is the plan's own.
    """

    state: State
    parameter_set: ParameterSet
    fields: tuple[str, ...]
    note: str
    zones: list[str]

    def apply(self, initial: State, rows: np.ndarray | None) -> State:
        if rows is None:
            raise ValueError("a filtered start needs the parameter set's sample rows")
        return replace(initial, **{k: getattr(self.state, k)[rows].copy() for k in self.fields})


def run_chunk(
    inputs: Inputs,
    draws: Draws,
    n_report: int,
    cfg: g.GoalConfig | None,
    keep: tuple[str, ...],
    start: StartState | None = None,
    into: tuple[np.ndarray, np.ndarray, int] | None = None,
) -> dict[str, np.ndarray]:
    """Simulate one chunk of scenarios; return the kept flows and goal outcomes.

    A unit flow is (S, T, U); a country flow (and ``cost``) is (S, T) for a one-country
    geography, (S, T, C) otherwise (the layout national series have always had). ``start``
    (a filtered state, :class:`StartState`) replaces the growers' side of the initial state
    of each scenario by its particle's (``draws.rows``). ``into``: the compiled path's output
    arrays for this chunk (``compiled.allocate``, sliced), written in place.
    """
    if start is None and compiled.applies(inputs):
        return _run_compiled(inputs, draws, n_report, cfg, keep, into)
    params = P(draws.params)
    state = initial_state(inputs, params)
    if start is not None:
        state = start.apply(state, draws.rows)
    start = state.copy()
    one_country = inputs.geography.n_countries == 1
    by_year: dict[str, np.ndarray] = {}
    states: list[State] = []
    for t in range(n_report):
        if cfg is not None:
            states.append(state)
        state, flows = step(state, t, inputs, params, draws.planting[:, t], draws.price[:, t])
        for name in keep:
            value = flows[name]
            if one_country and name not in UNIT_FLOWS:
                value = value[:, 0]
            if name not in by_year:
                by_year[name] = np.empty((value.shape[0], n_report, *value.shape[1:]), np.float32)
            by_year[name][:, t] = value
    out = _reported(by_year, draws, n_report)
    if cfg is None:
        return out
    if "area" not in out or "poppy" not in out:
        raise ValueError("goals need the 'area' and 'poppy' outputs")
    coca = out["area"].sum(axis=2, dtype=np.float64)
    branch_ok = _branches(inputs, draws, states, coca, start.area.sum(axis=1), n_report, cfg)
    _goals(inputs, out, (start.area.sum(axis=1), start.poppy.sum(axis=1)), n_report, cfg,
           branch_ok)
    return out


def _run_compiled(inputs: Inputs, draws: Draws, n_report: int, cfg: g.GoalConfig | None,
                  keep: tuple[str, ...], into=None) -> dict[str, np.ndarray]:
    """``run_chunk`` through the compiled kernel (:mod:`cnplan.model.compiled`), which also
    applies the structural error (``_reported``) and sums national coca for the goals.
    """
    if cfg is not None and ("area" not in keep or "poppy" not in keep):
        raise ValueError("goals need the 'area' and 'poppy' outputs")
    flows, coca, branch_ok = compiled.run_chunk(inputs, draws, n_report, cfg, bool(keep), into)
    out = {name: flows[name] for name in keep}
    if cfg is None:
        return out
    _goals(inputs, out, _start_totals(inputs, draws.params), n_report, cfg, branch_ok, coca)
    return out


def _start_totals(inputs: Inputs, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """National coca and poppy of ``initial_state`` (S,), computed as it and ``run_chunk``
    compute them (the same operations on the same arrays, so the same numbers) without building
    the rest of the state, which the compiled path does not need here (performance only).
    """
    geo = inputs.geography
    area = inputs.area0 + np.zeros((params.shape[0], geo.n_units))
    poppy = P(params).col("poppy_initial_ha")[:, None] * geo.poppy_weight
    return area.sum(axis=1), poppy.sum(axis=1)


def _reported(out: dict[str, np.ndarray], draws: Draws, n_report: int) -> dict[str, np.ndarray]:
    """Reported coca area: the simulated area times the structural error (same factor for
    every zone of a scenario and year); the goals are judged on it.
    """
    if draws.structural is not None and "area" in out:
        factor = np.exp(draws.structural[:, :n_report])
        out["area"] = (out["area"] * factor[:, :, None]).astype(np.float32)
    return out


def _national(x: np.ndarray) -> np.ndarray:
    """A country flow summed over countries: (S, T, C) -> (S, T); (S, T) as it is."""
    return x.sum(axis=2, dtype=np.float64) if x.ndim == 3 else x.astype(np.float64)


def _goals(inputs, out, start, n_report, cfg, branch_ok, coca=None) -> None:
    """The three goals per scenario, added to ``out``; ``start``: national coca and poppy
    (S,) at the start; ``branch_ok`` (S, T) from the stability branches; ``coca`` (S, T)
    national reported coca if already summed.
    """
    years = inputs.years[:n_report]
    if coca is None:
        coca = out["area"].sum(axis=2, dtype=np.float64)
    poppy = _national(out["poppy"])
    coca0, poppy0 = start
    reached, year = g.hold_the_line(coca, poppy, poppy0, years, cfg)
    out["hold_the_line_reached"], out["hold_the_line_year"] = reached, year
    reached, year = g.marginal_producer(coca, poppy, years, cfg)
    out["marginal_producer_reached"], out["marginal_producer_year"] = reached, year
    reached, year = g.stability_point(coca, coca0, poppy, branch_ok, years, cfg)
    out["stability_point_reached"], out["stability_point_year"] = reached, year


def _branches(
    inputs: Inputs,
    draws: Draws,
    states: list[State],
    coca: np.ndarray,
    coca0: np.ndarray,
    n_report: int,
    cfg: g.GoalConfig,
) -> np.ndarray:
    """For each year and scenario still looking for its stability year: does cultivation stay
    marginal for the following years if outside assistance stops that year?

    The branch reuses the scenario's own shocks (common random numbers), so it differs from the
    main path only by the missing assistance.
    """
    s = coca.shape[0]
    ok = np.zeros((s, n_report), dtype=bool)
    found = np.zeros(s, dtype=bool)
    previous = np.concatenate([coca0[:, None], coca[:, :-1]], axis=1)
    falling = (coca < previous) | (coca <= cfg.coca_marginal)
    for t0 in range(n_report):
        rows = np.flatnonzero(falling[:, t0] & ~found)
        if rows.size == 0:
            continue
        # Scenarios are independent rows, so a branch that leaves the marginal level is dropped
        # at once instead of being stepped to the end (performance only; same outcome).
        live = rows
        state = states[t0].take(rows)
        params = P(draws.params[live])
        sub = take_scenarios(inputs, live)
        for t in range(t0, t0 + cfg.years_without_assistance):
            state, flows = step(
                state,
                t,
                sub,
                params,
                draws.planting[live, t],
                draws.price[live, t],
                assistance=False,
            )
            reported = flows.area.sum(axis=1)
            if draws.structural is not None:
                reported = reported * np.exp(draws.structural[live, t])
            poppy = flows.poppy.sum(axis=1)
            stays = (reported <= cfg.coca_marginal) & (poppy <= cfg.poppy_marginal)
            if not stays.all():
                live = live[stays]
                if live.size == 0:
                    break
                state = state.take(np.flatnonzero(stays))
                params = P(draws.params[live])
                sub = take_scenarios(inputs, live)
        ok[live, t0] = True
        found[live] = True
    return ok


def goal_config(plan: Plan, data: Dataset) -> g.GoalConfig:
    """Resolve the plan's goals against the data (the observed base-year area, if any)."""
    goals = plan.goals
    national = data.national("coca_ha")
    base = national.get(goals.hold_the_line.base_year, np.nan)
    return g.GoalConfig(
        base_year=goals.hold_the_line.base_year,
        base_coca=None if np.isnan(base) else float(base),
        hold_by=goals.hold_the_line.by_year,
        coca_marginal=goals.marginal_producer.coca_ha,
        poppy_marginal=goals.marginal_producer.poppy_ha,
        marginal_by=goals.marginal_producer.by_year,
        stability_by=goals.stability_point.by_year,
        years_without_assistance=goals.stability_point.years_without_assistance,
    )


SPATIAL_NOTE = (
    "spatial outcomes: modelled cell layer of {n:,} hexagons {km:g} km apart inside the zone "
    "polygons; each zone's coca placed in its cells by suitability and neighbourhood "
    "(docs/model.md, Space), never observed"
)


def _spatial(out: dict, inputs: Inputs, grid, plan: Plan, n_report: int) -> None:
    """The spatial outcomes (S, T) and the plan's spatial goals (S,) of a chunk, into ``out``."""
    if grid is None or "area" not in out or "presence" not in out:
        return
    t = plan.goals.spatial_thresholds
    cfg = sp.SpatialConfig(t.cleared_ha, t.nogo_presence, t.nogo_coca_ha)
    kinds = inputs.geography.kinds
    area0 = np.broadcast_to(np.asarray(inputs.area0, dtype=float), out["area"][:, 0].shape)
    values = sp.spatial_outcomes(out["area"], out["presence"], area0, kinds, grid, cfg)
    out.update({name: v.astype(np.float32) for name, v in values.items()})
    if plan.goals.spatial:
        start = sp.at_start(area0, out["presence"][:, 0], kinds, grid, cfg)
        for goal in plan.goals.spatial:
            reached, year = sp.spatial_goal(
                values[goal.outcome], start[goal.outcome], inputs.years[:n_report], goal
            )
            out[f"goal_{goal.id}_reached"], out[f"goal_{goal.id}_year"] = reached, year


def _resolve(plan: Plan | str | Path, data: Dataset | str | None) -> tuple[Plan, Dataset]:
    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    if data is None:
        data = plan.data
    data = data if isinstance(data, Dataset) else load_dataset(data)
    return plan, data


def estimate_bytes(n: int, years: int, zones: int) -> int:
    """Peak memory of simulating ``n`` futures: every kept output as float32 per scenario,
    year and zone, plus the parameter matrix, times 1.25 for the chunk being computed
    (measured on lima-2005: 11 KB per future over 11 years and 8 zones).
    """
    per_future = years * zones * len(OUTPUTS) * 4 + len(PARAM_NAMES) * 8
    return int(n * per_future * 1.25)


def simulate(
    plan: Plan | str | Path = "lima-2005",
    data: Dataset | str | None = None,
    n: int = 1000,
    seed: int = 0,
    until: int | None = None,
    parameter_set: ParameterSet | None = None,
    chunk_size: int = 2048,
    first_scenario: int = 0,
    start: StartState | None = None,
) -> xr.Dataset:
    """Simulate a plan over ``n`` futures and return the ensemble as an ``xarray.Dataset``.

    Parameters
    ----------
    plan : a Plan, a built-in plan name or a path to a plan file.
    data : a Dataset or dataset name; by default the dataset the plan names.
    n : number of scenarios.
    seed : the run's seed; the same seed gives the same numbers for any ``chunk_size``.
    until : last year to report (default: the plan's end year).
    parameter_set : where parameters come from (default: the shipped calibrated set, else the
        provisional priors).
    chunk_size : scenarios per batched pass (memory and cache only, not results).
    first_scenario : index of the first scenario (to run a slice of a larger ensemble).

    Returns
    -------
    xarray.Dataset with dims ``scenario``, ``year``, ``zone`` (and ``crop`` for ``national_ha``),
    goal outcomes per scenario, the parameter matrix, and attributes naming the plan, seed,
    parameter set, data version and code version.
    """
    if n < 1:
        raise ValueError(f"n: must be >= 1 scenario, got {n}")
    if until is not None and (problem := year_problem(until)):
        raise SizeError(f"until: {problem}")
    plan, data = _resolve(plan, data)
    paramset = parameter_set or default_parameter_set()
    cfg = goal_config(plan, data)
    inputs = build_inputs(plan, data, extra_years=cfg.years_without_assistance, until=until)
    if start is not None:
        if list(start.zones) != list(inputs.zones):
            raise ValueError("start: the filtered state's zones differ from the run's")
        paramset = start.parameter_set
        inputs.notes.append(start.note)
    n_report = len(inputs.years) - cfg.years_without_assistance
    need = estimate_bytes(n, n_report, len(inputs.zones))
    if problem := memory_problem(need, f"{n:,} futures over {n_report} years and "
                                 f"{len(inputs.zones)} zones"):
        raise SizeError(f"n (-n/--scenarios): {problem}; ask for fewer futures or years")
    inputs.notes.append(structural_sd(paramset)[1])
    grid = grid_of(data, inputs.geography)
    if grid is not None:
        inputs.notes.append(SPATIAL_NOTE.format(km=grid.size_km, n=grid.n))
    merged = ensemble(inputs, cfg, paramset, n, seed, chunk_size, first_scenario, start,
                      lambda out: _spatial(out, inputs, grid, plan, n_report))
    return to_dataset(merged, inputs, n_report, plan, data, paramset, seed, first_scenario)


def ensemble(
    inputs: Inputs,
    cfg: g.GoalConfig,
    paramset: ParameterSet,
    n: int,
    seed: int = 0,
    chunk_size: int = 2048,
    first_scenario: int = 0,
    start: StartState | None = None,
    per_chunk=None,
) -> dict[str, np.ndarray]:
    """The arrays of ``simulate`` before names go on: draws, steps, every output and the goals
    with their stability branches, chunk by chunk (``per_chunk(out)`` may add to a chunk's
    outputs, e.g. the spatial layer). Filled in place: no second copy at the end, and the
    compiled path writes its flows straight into the run's arrays.
    """
    n_report = len(inputs.years) - cfg.years_without_assistance
    into = (compiled.allocate(n, n_report, len(inputs.zones), inputs.geography.n_countries)
            if start is None and compiled.applies(inputs) else None)
    merged: dict[str, np.ndarray] = {}
    for a in range(first_scenario, first_scenario + n, chunk_size):
        b = min(a + chunk_size, first_scenario + n)
        d = draw(paramset, seed, a, b, len(inputs.years), len(inputs.zones),
                 inputs.geography.n_countries)
        lo, hi = a - first_scenario, b - first_scenario
        part = None if into is None else (*into, lo)
        out = run_chunk(inputs, d, n_report, cfg, tuple(OUTPUT_NAMES), start, part)
        out["params"] = d.params
        if per_chunk is not None:
            per_chunk(out)
        _merge(merged, out, n, lo, hi, into)
    return merged


def _merge(merged: dict, out: dict, n: int, lo: int, hi: int, into) -> None:
    """A chunk's arrays into the run's (rows lo..hi-1). Flows the compiled path wrote in place
    (``into``: the run's (unit, country) flow arrays) only get their run-wide view.
    """
    for key, value in out.items():
        written = into is not None and key in SPECS
        if key not in merged:
            if written:
                unit = SPECS[key].dims == "unit"
                whole = into[0][UNIT_FLOWS.index(key)] if unit else \
                    into[1][COUNTRY_FLOWS.index(key)]
                merged[key] = whole if whole.ndim == value.ndim else whole[..., 0]
            else:
                merged[key] = np.empty((n, *value.shape[1:]), value.dtype)
        if not written:
            merged[key][lo:hi] = value


def _sum_of_two(a: np.ndarray, b: np.ndarray, rows: int = 4096) -> np.ndarray:
    """(a + b).sum(axis=2), ``rows`` scenarios at a time: the same numbers (each scenario and
    year is summed on its own) without a temporary as large as the run's outputs.
    """
    out = np.empty(a.shape[:2], dtype=np.result_type(a, b))
    for lo in range(0, a.shape[0], rows):
        out[lo:lo + rows] = (a[lo:lo + rows] + b[lo:lo + rows]).sum(axis=2)
    return out


def to_dataset(
    out: dict[str, np.ndarray],
    inputs: Inputs,
    n_report: int,
    plan: Plan,
    data: Dataset,
    paramset: ParameterSet,
    seed: int,
    first_scenario: int = 0,
) -> xr.Dataset:
    """Put names, units and provenance on the engine's arrays."""
    n = out["params"].shape[0]
    coords = {
        "scenario": np.arange(first_scenario, first_scenario + n),
        "year": inputs.years[:n_report],
        "zone": inputs.zones,
        "parameter": list(PARAM_NAMES),
        "crop": ["coca", "poppy"],
    }
    geo = inputs.geography
    if geo.n_countries > 1:
        coords["country"] = list(geo.countries)
    variables: dict[str, tuple] = {}
    for key, spec in SPECS.items():
        if key not in out:
            continue
        if spec.dims == "unit":
            dims = ("scenario", "year", "zone")
        else:  # a one-country run keeps the (scenario, year) layout of national series
            dims = ("scenario", "year") if geo.n_countries == 1 else ("scenario", "year", "country")
        variables[spec.name] = (dims, out[key], {"units": spec.unit, "description": spec.meaning})
    coca = out["area"].sum(axis=2)
    poppy = out["poppy"]  # one country: (S, T) float32 already (float64 and back is the same)
    poppy = poppy if poppy.ndim == 2 and poppy.dtype == coca.dtype else \
        _national(poppy).astype(coca.dtype)
    variables["national_ha"] = (
        ("scenario", "year", "crop"),
        np.stack([coca, poppy], axis=2),
        {"units": "ha", "description": "national area by crop"},
    )
    variables["eradication_ha"] = (
        ("scenario", "year"),
        _sum_of_two(out["forced_eradication"], out["voluntary_eradication"]),
        {"units": "ha/yr", "description": "forced plus voluntary eradication done"},
    )
    for goal in ("hold_the_line", "marginal_producer", "stability_point"):
        variables[f"{goal}_reached"] = (("scenario",), out[f"{goal}_reached"])
        variables[f"{goal}_year"] = (("scenario",), out[f"{goal}_year"])
    for name, (unit, meaning) in sp.SPATIAL.items():
        if name in out:
            variables[name] = (("scenario", "year"), out[name],
                               {"units": unit, "description": meaning, "modelled": "cell layer"})
    for goal in plan.goals.spatial:
        if f"goal_{goal.id}_reached" in out:
            variables[f"goal_{goal.id}_reached"] = (("scenario",), out[f"goal_{goal.id}_reached"])
            variables[f"goal_{goal.id}_year"] = (("scenario",), out[f"goal_{goal.id}_year"])
    variables["parameters"] = (("scenario", "parameter"), out["params"])
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs.update(
        plan=plan.name,
        data=data.name,
        data_version=data.version,
        seed=seed,
        scenarios=n,
        parameter_set=paramset.name,
        code_version=cnplan.__version__,
        start_year=int(inputs.years[0]),
        notes="\n".join(inputs.notes),
    )
    return ds

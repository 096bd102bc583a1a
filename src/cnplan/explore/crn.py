"""Evaluate many input rows on the *same* scenarios (common random numbers), in one batch.

:func:`cnplan.explore.evaluate` gives row ``i`` the random draws of scenario ``first_row + i``.
Comparing candidate plans (optimisation) or design points (sensitivity) needs the opposite:
every candidate faced with the same ``N`` futures, so that differences come from the levers,
not from luck, and so that a candidate's figures are exactly those ``cnplan run -n N --seed S``
gives for its plan. This adapter builds the (rows x N) table, draws scenarios ``0..N-1``,
tiles them, and runs the engine in batches; it runs through the exploration engine's own
:func:`cnplan.explore.evaluate.run_rows`, so both paths apply input rows identically.

The batches are independent, so they can run on the exploration runner's back ends (local
processes or Dask, :func:`cnplan.explore.runner.executor`). A batch is described by the
experiment, its slice of the rows, the per-scenario inputs and the seed; the worker redraws the
common scenarios itself (deterministic by seed) instead of receiving big arrays. The batch
bounds depend only on the number of rows, the scenarios and ``batch`` -- never on the executor
-- and every batch runs the same code wherever it runs, so results are bit-identical in this
process, on local workers or on a Dask cluster.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cnplan.explore.evaluate import Prepared, prepare, row_arrays, run_rows
from cnplan.explore.experiment import Experiment
from cnplan.explore.outcomes import outcome_columns
from cnplan.model.simulate import Draws, draw

MIN_BATCHES = 8
"""Fewest batches a table is cut into (when it has that many rows), so that a few workers all
get work; fixed so that the cut, and with it every number, is the same whatever the executor."""

_DRAWS: dict[tuple[int, int], tuple[Prepared, Draws]] = {}


def batch_bounds(n_rows: int, scenarios: int, batch: int = 8192) -> list[tuple[int, int]]:
    """Row ranges [a, b) of the batches: whole rows, at most ``batch`` engine rows per call
    (at least one table row), and at least :data:`MIN_BATCHES` batches when rows allow.
    """
    per = max(1, min(batch // scenarios, -(-n_rows // MIN_BATCHES)))
    return [(a, min(a + per, n_rows)) for a in range(0, n_rows, per)]


def _common_draws(prep: Prepared, seed: int, scenarios: int) -> Draws:
    """Scenarios ``0..scenarios-1`` of ``seed``, drawn once per process and experiment."""
    key = (seed, scenarios)
    hit = _DRAWS.get(key)
    if hit is not None and hit[0] is prep:
        return hit[1]
    inputs = prep.inputs
    d = draw(prep.paramset, seed, 0, scenarios, len(inputs.years), len(inputs.zones))
    _DRAWS.clear()  # one set of common scenarios at a time is the normal case
    _DRAWS[key] = (prep, d)
    return d


def run_batch(
    experiment: Experiment,
    values: dict[str, np.ndarray],
    shared: dict[str, np.ndarray],
    scenarios: int,
    seed: int,
    n_rows: int,
) -> dict[str, np.ndarray]:
    """A worker's job: every row of ``values`` under every common scenario, in one engine call.

    Parameters
    ----------
    experiment : the experiment (prepared once per worker process).
    values : input column -> (rows,) array: this batch's slice of the rows.
    shared : input column -> (scenarios,) array: inputs that vary by scenario, alike for all
        rows.
    scenarios, seed : the common futures (redrawn here from the seed).
    n_rows : rows in this batch.

    Returns
    -------
    dict of outcome column -> (rows * scenarios,) array, row-major (row, scenario).
    """
    prep = prepare(experiment)
    base = _common_draws(prep, seed, scenarios)
    cand = np.repeat(np.arange(n_rows), scenarios)
    scen = np.tile(np.arange(scenarios), n_rows)
    d = Draws(base.params[scen], base.planting[scen], base.price[scen], base.structural[scen])
    cols = {c: v[cand] for c, v in values.items()}
    cols.update({c: v[scen] for c, v in shared.items()})
    return run_rows(prep, d, cols)


def evaluate_on_scenarios(
    experiment: Experiment,
    rows: pd.DataFrame,
    scenarios: int,
    seed: int | None = None,
    batch: int = 8192,
    per_scenario: pd.DataFrame | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    executor: Any = None,
) -> dict[str, np.ndarray]:
    """Outcomes of every row under scenarios ``0..scenarios-1`` of ``seed``.

    Parameters
    ----------
    experiment : the experiment (base plan, outcomes, how lever columns act).
    rows : input rows (columns named as the experiment's inputs).
    scenarios : number of futures each row faces (the same futures for every row).
    seed : the scenarios' seed (default: the experiment's).
    batch : engine rows per call (memory only; never the numbers).
    per_scenario : optional input columns that vary by scenario instead of by row (one row per
        scenario, e.g. sampled uncertainties every candidate faces alike).
    workers : local worker processes for the batches (None or 1: this process).
    scheduler : Dask scheduler address, ``"local"`` for a LocalCluster, or a Client.
    executor : an open :class:`cnplan.explore.runner.Executor` to use instead of opening one
        from ``workers``/``scheduler`` (keeps one pool across many calls, e.g. generations).

    Returns
    -------
    dict of outcome column -> (len(rows), scenarios) array; bit-identical whatever the
    executor.
    """
    if scenarios < 1:
        raise ValueError(f"scenarios: must be >= 1, got {scenarios}")
    if batch < 1:
        raise ValueError(f"batch: must be >= 1, got {batch}")
    prep = prepare(experiment)
    seed = experiment.seed if seed is None else seed
    arrays = row_arrays(prep, rows)
    shared: dict[str, np.ndarray] = {}
    if per_scenario is not None:
        if len(per_scenario) != scenarios:
            raise ValueError(
                f"per_scenario: needs one row per scenario ({scenarios}), got {len(per_scenario)}"
            )
        shared = row_arrays(prep, per_scenario)
    columns = outcome_columns(experiment)
    n = len(rows)
    if n == 0:
        return {c: np.empty((0, scenarios)) for c in columns}
    tasks = [
        (experiment, {c: v[a:b] for c, v in arrays.items()}, shared, scenarios, seed, b - a)
        for a, b in batch_bounds(n, scenarios, batch)
    ]
    if executor is not None:
        parts = executor.map_ordered(run_batch, tasks)
    else:
        from cnplan.explore.runner import executor as open_executor

        with open_executor(workers, scheduler) as ex:
            parts = ex.map_ordered(run_batch, tasks)
    return {
        c: np.concatenate([p[c] for p in parts]).astype(float, copy=False).reshape(n, scenarios)
        for c in columns
    }

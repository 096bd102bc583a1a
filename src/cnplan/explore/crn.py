"""Evaluate many input rows on the *same* scenarios (common random numbers), in one batch.

:func:`cnplan.explore.evaluate` gives row ``i`` the random draws of scenario ``first_row + i``.
Comparing candidate plans (optimisation) or design points (sensitivity) needs the opposite:
every candidate faced with the same ``N`` futures, so that differences come from the levers,
not from luck, and so that a candidate's figures are exactly those ``cnplan run -n N --seed S``
gives for its plan. This adapter builds the (rows x N) table, draws scenarios ``0..N-1`` once,
tiles them, and runs the engine in batches; it runs through the exploration engine's own
:func:`cnplan.explore.evaluate.run_rows`, so both paths apply input rows identically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnplan.explore.evaluate import check_columns, prepare, run_rows
from cnplan.explore.experiment import Experiment
from cnplan.explore.outcomes import outcome_columns
from cnplan.model.simulate import Draws, draw


def evaluate_on_scenarios(
    experiment: Experiment,
    rows: pd.DataFrame,
    scenarios: int,
    seed: int | None = None,
    batch: int = 8192,
    per_scenario: pd.DataFrame | None = None,
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

    Returns
    -------
    dict of outcome column -> (len(rows), scenarios) array.
    """
    if scenarios < 1:
        raise ValueError(f"scenarios: must be >= 1, got {scenarios}")
    prep = prepare(experiment)
    check_columns(prep, list(rows.columns))
    seed = experiment.seed if seed is None else seed
    inputs = prep.inputs
    base = draw(prep.paramset, seed, 0, scenarios, len(inputs.years), len(inputs.zones))
    arrays = {c: rows[c].to_numpy(dtype=float) for c in rows.columns}
    shared: dict[str, np.ndarray] = {}
    if per_scenario is not None:
        if len(per_scenario) != scenarios:
            raise ValueError(
                f"per_scenario: needs one row per scenario ({scenarios}), got {len(per_scenario)}"
            )
        check_columns(prep, list(per_scenario.columns))
        shared = {c: per_scenario[c].to_numpy(dtype=float) for c in per_scenario.columns}
    for c, a in arrays.items():
        if not np.isfinite(a).all():
            i = int(np.flatnonzero(~np.isfinite(a))[0])
            raise ValueError(f"rows[{rows.index[i]!r}].{c}: must be a finite number")
    total = len(rows) * scenarios
    columns = outcome_columns(experiment)
    out = {c: np.empty(total) for c in columns}
    per = max(1, batch // scenarios) * scenarios  # whole rows per engine call
    for a in range(0, total, per):
        b = min(a + per, total)
        cand = np.arange(a, b) // scenarios
        scen = np.arange(a, b) % scenarios
        d = Draws(base.params[scen], base.planting[scen], base.price[scen], base.structural[scen])
        values = {c: v[cand] for c, v in arrays.items()}
        values.update({c: v[scen] for c, v in shared.items()})
        got = run_rows(prep, d, values)
        for c in columns:
            out[c][a:b] = got[c]
    return {c: v.reshape(len(rows), scenarios) for c, v in out.items()}

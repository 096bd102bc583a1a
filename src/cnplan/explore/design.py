"""Samplers: an experiment's design turned into a table of input rows.

Every sampler first draws points in the unit hypercube (one column per varied input), then
maps each column onto its range (uniform) or its list of choices (equal shares). The draw is
seeded from the experiment's seed alone, so the same experiment always gives the same rows.

- ``monte_carlo``: independent uniform draws (numpy ``Generator.random``);
- ``latin_hypercube``: ``scipy.stats.qmc.LatinHypercube`` (one point per stratum and column);
- ``sobol``: a scrambled Sobol sequence (``scipy.stats.qmc.Sobol``); best with n a power of 2;
- ``full_factorial``: every combination of ``levels`` evenly spaced values per range (ends
  included) and of every choice; ``n`` is ignored.
"""

from __future__ import annotations

import itertools
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cnplan.explore.experiment import Experiment, LeverVariation, Uncertainty

DESIGN_STREAM = 0x5EED
"""Spawn key of the design's random stream (kept apart from the scenarios' own streams)."""


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))


def unit_sample(method: str, n: int, k: int, seed: int) -> np.ndarray:
    """(n, k) points in [0, 1) from a design method (not full factorial)."""
    from scipy.stats import qmc

    if method == "monte_carlo":
        return _rng(seed).random((n, k))
    if method == "latin_hypercube":
        return qmc.LatinHypercube(d=k, rng=_rng(seed)).random(n)
    if method == "sobol":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # n not a power of 2: still valid
            return qmc.Sobol(d=k, scramble=True, rng=_rng(seed)).random(n)
    raise ValueError(f"design.method: unknown method {method!r}")


def values(v: Uncertainty | LeverVariation, u: np.ndarray) -> np.ndarray:
    """Points ``u`` in [0, 1) mapped onto a variable's range (uniform) or choices (equal shares)."""
    lo_hi, choices = v.range_and_choices()
    if choices is not None:
        idx = np.minimum((u * len(choices)).astype(int), len(choices) - 1)
        return np.asarray(choices, dtype=float)[idx]
    lo, hi = lo_hi
    return lo + (hi - lo) * u


def _grid(v: Uncertainty | LeverVariation, levels: int) -> list[float]:
    lo_hi, choices = v.range_and_choices()
    if choices is not None:
        return list(choices)
    return list(np.linspace(lo_hi[0], lo_hi[1], levels))


def n_rows(exp: Experiment) -> int:
    """Number of rows the experiment's design gives (``Experiment.n_rows``)."""
    return exp.n_rows


def sample(exp: Experiment) -> pd.DataFrame:
    """The experiment's input rows: one column per varied input, index = scenario (row) number."""
    cols = exp.input_columns
    if exp.design.method == "full_factorial":
        grids = [_grid(v, exp.design.levels) for v in exp.variables]
        table = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, len(cols))
    else:
        u = unit_sample(exp.design.method, exp.design.n, len(cols), exp.seed)
        table = np.column_stack([values(v, u[:, j]) for j, v in enumerate(exp.variables)])
    frame = pd.DataFrame(table, columns=cols)
    frame.index = pd.RangeIndex(len(frame), name="scenario")
    return frame

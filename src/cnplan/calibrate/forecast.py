"""Forecasts from a fit: the model's paths, anchored at the last observation, with structural error.

The calibrated model does not reproduce the observations exactly: its deterministic path misses
each year by a residual ``r_t = log(observed_t / simulated_t)``. Those residuals are persistent
(a model that is 10% high one year is high the next), so a forecast made at a cut-off treats
them as a random walk in log space:

- it starts from the residual of the last observed year (the forecast is anchored at the last
  observation, as a run that starts from the data is), and
- adds a yearly innovation of standard deviation ``sigma``, estimated from the training residuals'
  year-on-year changes together with a stated prior (below), so that the forecast bands carry
  the model's own structural error, not only its parameter uncertainty and yearly shocks.
  ``STRUCTURAL_SD_PRIOR`` lives in :mod:`cnplan.model.structural`, which applies the fitted
  ``sigma`` to the ensembles of ``cnplan run`` as well.

Only observations up to the cut-off enter ``sigma``; the test years are never looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnplan.model.structural import STRUCTURAL_SD_PRIOR

STRUCTURAL_PRIOR_DOF = 4.0
"""Weight of that prior, in pseudo-observations of a yearly residual change (assumption): a
short training window (e.g. 2005-2008, three changes) is dominated by the prior, a long one
by its own residuals."""


@dataclass(frozen=True)
class StructuralError:
    """The residual random walk estimated on the training years."""

    sigma: float  # yearly innovation sd, log units
    sigma_data: float  # the training residuals' own estimate (NaN if fewer than two years)
    n_changes: int  # year-on-year residual changes it rests on (per particle)
    last_year: int  # the last observed training year, where forecasts are anchored

    def describe(self) -> str:
        own = "none" if np.isnan(self.sigma_data) else f"{self.sigma_data:.3f}"
        return (
            f"structural error: random walk of log(observed/simulated), yearly sd {self.sigma:.3f} "
            f"(training residuals: {own} from {self.n_changes} changes; prior "
            f"{STRUCTURAL_SD_PRIOR} with weight {STRUCTURAL_PRIOR_DOF:g}); anchored at "
            f"{self.last_year}"
        )


def structural_error(
    years: np.ndarray, observed: np.ndarray, simulated: np.ndarray
) -> StructuralError:
    """Estimate the residual random walk from deterministic paths ``simulated`` (M, T) and the
    training ``observed`` (T,) values (NaN where missing or after the cut-off).

    The innovation variance pools the squared year-on-year residual changes of every posterior
    path (a gap of g years counts as g yearly steps) with the prior:
    ``sigma^2 = (dof * prior^2 + sum(dr^2 / g) / M) / (dof + n)``.
    """
    ok = ~np.isnan(observed)
    if not ok.any():
        raise ValueError("structural error: no observation in the training years")
    idx = np.flatnonzero(ok)
    resid = np.log(observed[idx][None, :] / simulated[:, idx])
    gaps = np.diff(years[idx]).astype(float)
    n = len(gaps)
    if n:
        ss = float(((np.diff(resid, axis=1) ** 2) / gaps[None, :]).sum(axis=1).mean())
        sigma_data = float(np.sqrt(ss / n))
    else:
        ss, sigma_data = 0.0, float("nan")
    sigma = float(
        np.sqrt((STRUCTURAL_PRIOR_DOF * STRUCTURAL_SD_PRIOR**2 + ss) / (STRUCTURAL_PRIOR_DOF + n))
    )
    return StructuralError(sigma, sigma_data, n, int(years[idx[-1]]))


def anchored_forecast(
    years: np.ndarray,
    observed: np.ndarray,
    paths: np.ndarray,
    error: StructuralError,
    rng: np.random.Generator,
) -> np.ndarray:
    """Forecast paths (M, T') for the years after ``error.last_year``.

    Each simulated path ``paths`` (M, T), with its yearly shocks, is scaled to pass through the
    last training observation, then multiplied by the exponential of a random walk with yearly
    sd ``error.sigma`` (one draw per path and year, from ``rng``).
    """
    anchor = int(np.searchsorted(years, error.last_year))
    ahead = years > error.last_year
    level = np.log(observed[anchor] / paths[:, anchor])
    steps = error.sigma * rng.standard_normal((paths.shape[0], int(ahead.sum())))
    return paths[:, ahead] * np.exp(level[:, None] + np.cumsum(steps, axis=1))

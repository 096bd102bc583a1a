"""Scoring rules and probabilistic baselines for out-of-sample forecasts of coca area.

Every forecast is scored as a distribution, not a point: the continuous ranked probability
score (CRPS, Gneiting & Raftery 2007 [Gneiting2007]) of its ensemble, in hectares (lower is
better), with the median's absolute percentage error and the coverage of its 50% and 90%
central intervals beside it. The baselines are proper probabilistic forecasts too, fitted to
the training years only (the same window the model is fitted to):

- ``random walk``: log area is a random walk (persistence); the yearly sd is the root mean
  square of the training years' yearly log changes (a gap of g years counts as g steps), and
  the spread widens with sqrt(horizon);
- ``random walk with drift``: the same with the mean yearly log change as drift; its variance
  adds the drift's own estimation error (h^2 sigma^2 / span);
- ``linear trend``: least squares of log area on the year over the last ``TREND_YEARS``
  training observations, with its Student-t prediction interval (n - 2 degrees of freedom).

Their ensembles are quantile grids (``BASELINE_MEMBERS`` equally spaced probabilities), so the
baselines' scores carry no Monte Carlo noise.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

TREND_YEARS = 5
"""Training observations the linear trend is fitted to (the most recent ones)."""
BASELINE_MEMBERS = 1000
BASELINES = ("random_walk", "random_walk_drift", "linear_trend")
BASELINE_LABELS = {
    "random_walk": "random walk (log area)",
    "random_walk_drift": "random walk with drift",
    "linear_trend": "linear trend (log, last 5 obs.)",
}


def crps_ensemble(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of an ensemble ``samples`` (M, T) for each of the ``observed`` (T,) values.

    ``E|X - y| - E|X - X'| / 2`` with the expectation over the ensemble's members (the
    "fair"-free, plain ensemble estimator), computed from the sorted members in O(M log M).
    """
    first = np.abs(samples - observed[None, :]).mean(axis=0)
    sorted_ = np.sort(samples, axis=0)
    m = samples.shape[0]
    i = np.arange(1, m + 1)[:, None]
    second = ((2 * i - m - 1) * sorted_).sum(axis=0) / (m * m)
    return first - second


def crps_normal(mu: float, sigma: float, y: np.ndarray) -> np.ndarray:
    """Closed-form CRPS of a normal N(mu, sigma^2) (Gneiting & Raftery 2007, eq. 21)."""
    z = (np.asarray(y, float) - mu) / sigma
    return sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))


def _grid(members: int = BASELINE_MEMBERS) -> np.ndarray:
    return (np.arange(members) + 0.5) / members


def _yearly_changes(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logs = np.log(values)
    return np.diff(logs), np.diff(years).astype(float)


def baseline_ensembles(
    years: np.ndarray, values: np.ndarray, ahead: np.ndarray
) -> dict[str, np.ndarray]:
    """Ensembles (M, H) of the three baselines for the years ``ahead``, from the training
    observations ``values`` at ``years`` (no missing values, at least three).
    """
    if len(values) < 3:
        raise ValueError("baselines need at least three training observations")
    last_year, last = float(years[-1]), float(np.log(values[-1]))
    h = ahead.astype(float) - last_year
    d, g = _yearly_changes(years, values)
    z = stats.norm.ppf(_grid())[:, None]
    sigma_rw = float(np.sqrt(np.mean(d**2 / g)))
    out = {"random_walk": np.exp(last + z * sigma_rw * np.sqrt(h)[None, :])}
    span = float(g.sum())
    drift = float(d.sum() / span)
    resid = (d - drift * g) ** 2 / g
    sigma_dr = float(np.sqrt(resid.sum() / max(len(d) - 1, 1)))
    sd = sigma_dr * np.sqrt(h + h**2 / span)
    out["random_walk_drift"] = np.exp(last + drift * h[None, :] + z * sd[None, :])
    x, y = years[-TREND_YEARS:].astype(float), np.log(values[-TREND_YEARS:])
    n = len(x)
    slope, intercept = np.polyfit(x, y, 1)
    s = float(np.sqrt(((y - intercept - slope * x) ** 2).sum() / max(n - 2, 1)))
    sxx = float(((x - x.mean()) ** 2).sum())
    se = s * np.sqrt(1 + 1 / n + (ahead - x.mean()) ** 2 / sxx)
    t = stats.t.ppf(_grid(), df=max(n - 2, 1))[:, None]
    out["linear_trend"] = np.exp(intercept + slope * ahead[None, :] + t * se[None, :])
    return out


def interval_hits(samples: np.ndarray, observed: np.ndarray, level: float) -> np.ndarray:
    """Whether each observation lies inside the ensemble's central ``level`` interval."""
    lo, hi = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return (observed >= lo) & (observed <= hi)

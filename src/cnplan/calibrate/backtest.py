"""Out-of-sample backtests: fit up to a cut-off, forecast the rest, compare with naive forecasts.

The forecast is driven by the eradication actually done after the cut-off (the question is how
well the model turns a known eradication path into area, not how well it guesses policy). It is
anchored at the last observed year and carries parameter uncertainty (the posterior), the
model's yearly shocks and its structural error estimated on the training years
(:mod:`cnplan.calibrate.forecast`). It is scored
against two naive forecasts: persistence (the last observed value) and a linear trend (least
squares over the last ``TREND_YEARS`` observed years up to the cut-off).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cnplan.calibrate.fit import _sim, calibrate, mape
from cnplan.calibrate.forecast import StructuralError, anchored_forecast, structural_error
from cnplan.calibrate.history import history_inputs
from cnplan.calibrate.scores import crps_ensemble
from cnplan.data import Dataset

__all__ = ["Backtest", "backtest", "crps_ensemble"]

TREND_YEARS = 5


@dataclass
class Backtest:
    """One cut-off: per-year table and error metrics of the model and the naive forecasts."""

    cutoff: int
    table: pd.DataFrame  # year, observed, median, p05, p95, persistence, trend
    metrics: dict[str, float]
    fit_mape: float
    error: StructuralError | None = None


def backtest(
    data: Dataset,
    cutoff: int,
    test_until: int | None = None,
    horizon: int = 8,
    start_year: int = 2005,
    particles: int = 1000,
    generations: int = 10,
    seed: int = 0,
) -> Backtest:
    """Fit on ``start_year``..``cutoff``; forecast up to ``horizon`` years after it."""
    national = data.national("coca_ha")
    last = int(national.dropna().index.max())
    end = min(test_until or last, cutoff + horizon)
    if end <= cutoff:
        raise ValueError(f"test years: need observations after the cut-off {cutoff}")
    fit = calibrate(
        data,
        start_year,
        end_year=end,
        until=cutoff,
        particles=particles,
        generations=generations,
        seed=seed,
    )
    inputs, _ = history_inputs(data, start_year, end, until=cutoff)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, cutoff)))
    theta = fit.parameter_set.samples
    coca, _, _ = _sim(inputs, theta, rng)
    years = inputs.years
    test = years > cutoff
    every = national.reindex(years).to_numpy(float)
    observed = every[test]
    train = np.where(years <= cutoff, every, np.nan)
    error = structural_error(years, train, _sim(inputs, theta)[0])
    ahead = anchored_forecast(years, train, coca, error, rng)
    forecast = ahead[:, years[years > error.last_year] > cutoff]
    median = np.median(forecast, axis=0)
    p05, p95 = np.quantile(forecast, [0.05, 0.95], axis=0)

    train = national.dropna()
    train = train[(train.index <= cutoff) & (train.index >= start_year)]
    persistence = np.full(test.sum(), float(train.iloc[-1]))
    recent = train.iloc[-TREND_YEARS:]
    slope, intercept = np.polyfit(recent.index.to_numpy(float), recent.to_numpy(float), 1)
    trend = intercept + slope * years[test]

    ok = ~np.isnan(observed)
    inside = (observed[ok] >= p05[ok]) & (observed[ok] <= p95[ok])
    metrics = {
        "model_mape": mape(median, observed),
        "persistence_mape": mape(persistence, observed),
        "trend_mape": mape(trend, observed),
        "coverage_90": float(inside.mean()),
        "model_crps": float(crps_ensemble(forecast[:, ok], observed[ok]).mean()),
        "persistence_crps": float(np.abs(persistence[ok] - observed[ok]).mean()),
        "trend_crps": float(np.abs(trend[ok] - observed[ok]).mean()),
        "test_years": int(ok.sum()),
    }
    table = pd.DataFrame(
        {
            "year": years[test],
            "observed": observed,
            "median": median,
            "p05": p05,
            "p95": p95,
            "persistence": persistence,
            "trend": trend,
        }
    )
    return Backtest(cutoff, table, metrics, fit.in_sample_mape, error)

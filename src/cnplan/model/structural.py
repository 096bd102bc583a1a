"""The model's structural error in ensembles: a random walk in log reported coca area.

The calibrated model misses the observed national area by a residual that persists from year to
year (``docs/validation.md``); backtests show that bands without it are too narrow. A run's
ensemble therefore multiplies each scenario's coca areas (every zone by the same factor, so the
national total is still the sum of the zones) by ``exp(w_t)``, where ``w`` is a random walk that
starts at 0 in the year before the run (the run starts from the data) and moves by a yearly
normal step of standard deviation ``sigma``: the model's forecast error estimated by the
calibration (``process_sd_national`` in a fitted parameter set's provenance: the national part
of the yearly model error whose one-year-ahead forecasts of the training years' surveys were
most likely, by the state filter of :mod:`cnplan.calibrate.filter`; ``process_sd``, the whole
of it, in sets fitted before that was recorded), else the sd of the fitted paths' residuals
(``structural_error_sd``, which is smaller than forecast errors: the rolling backtests of
``docs/validation.md`` held too few observations inside its bands), else the prior below.
The error is on the *reported* area (what a survey would measure against what the model
simulates): the model's internal dynamics (prices, planting, eradication) are not changed
by it, and the goals are judged on the reported area.
"""

from __future__ import annotations

import numpy as np

from cnplan.model.paramset import ParameterSet

STRUCTURAL_SD_PRIOR = 0.10
"""Prior guess of the yearly structural error of national area, in log units (assumption,
informed by [UNODC2004WDR]: Andean national areas moved by 10-17% a year on average in
the 1990s, e.g. Peru 129.1 kha in 1992 to 38.7 kha in 1999, Colombia 40.1 to 163.3 kha in
1990-2000; data from before any fitted year)."""


def fitted_sd(paramset: ParameterSet, key: str) -> float | None:
    """The sd ``key`` recorded in ``paramset``'s provenance by its calibration, if there is a
    usable one (finite, above 0).
    """
    value = paramset.provenance.get(key)
    return float(value) if value is not None and np.isfinite(value) and value > 0 else None


def structural_sd(paramset: ParameterSet) -> tuple[float, str]:
    """The yearly sd of the structural random walk for ``paramset``, and where it comes from."""
    national = fitted_sd(paramset, "process_sd_national")
    forecast = fitted_sd(paramset, "process_sd")
    if national is not None and forecast is not None:
        return national, (
            f"structural error: yearly sd {national:.3f} of a random walk in log coca "
            f"area, the national part of the model error (sd {forecast:.3f}, half common "
            f"to the country, half by zone) whose one-year-ahead forecasts of the observations "
            f"of {paramset.name} were most likely (maximum likelihood of the state filter); "
            "applied to reported coca areas and the goals, from 0 in the year before the start"
        )
    if forecast is not None:
        return forecast, (
            f"structural error: yearly sd {forecast:.3f} of a random walk in log coca "
            f"area, the model error whose one-year-ahead forecasts of the observations of "
            f"{paramset.name} were most likely (maximum likelihood of the state filter); "
            "applied to reported coca areas and the goals, from 0 in the year before the start"
        )
    value = paramset.provenance.get("structural_error_sd")
    if value is None or not np.isfinite(value) or value < 0:
        return STRUCTURAL_SD_PRIOR, (
            f"structural error: yearly sd {STRUCTURAL_SD_PRIOR:.3f} of a random walk in log coca "
            f"area (prior, assumption: parameter set {paramset.name} has no fitted estimate)"
        )
    return float(value), (
        f"structural error: yearly sd {float(value):.3f} of a random walk in log coca area, "
        f"estimated by the calibration of {paramset.name} from its residuals (with a prior of "
        f"{STRUCTURAL_SD_PRIOR}); applied to reported coca areas and the goals, from 0 in the "
        "year before the start"
    )


def random_walk(sigma: float, normals: np.ndarray) -> np.ndarray:
    """Log multiplicative error paths (S, T) from standard normals (S, T): cumulative sums of
    ``sigma`` times the yearly steps, so year 0 already carries one step.
    """
    return sigma * np.cumsum(normals, axis=1)

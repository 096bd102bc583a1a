"""Structural error and anchored forecasts (cnplan.calibrate.forecast)."""

import numpy as np
import pytest

from cnplan.calibrate.forecast import (
    STRUCTURAL_PRIOR_DOF,
    STRUCTURAL_SD_PRIOR,
    anchored_forecast,
    structural_error,
)


def test_residual_random_walk_sd_is_recovered_from_a_long_window():
    # Observations = model path x exp(random walk with sd 0.2): with 400 yearly changes the
    # prior (0.10, weight 4) hardly matters and the estimate is close to 0.2.
    rng = np.random.default_rng(3)
    years = np.arange(1600, 2001)
    path = np.linspace(1000.0, 2000.0, years.size)[None, :]
    observed = path[0] * np.exp(np.cumsum(0.2 * rng.standard_normal(years.size)))
    error = structural_error(years, observed, path)
    assert error.sigma_data == pytest.approx(0.2, rel=0.1)
    assert error.sigma == pytest.approx(0.2, rel=0.1)
    assert error.last_year == 2000


def test_short_window_leans_on_the_stated_prior_and_gaps_count_as_years():
    years = np.arange(2005, 2010)
    path = np.full((2, years.size), 100.0)
    observed = np.array([100.0, np.nan, 100.0 * np.exp(0.2), np.nan, np.nan])  # one 2-year change
    error = structural_error(years, observed, path)
    assert error.n_changes == 1 and error.last_year == 2007
    assert error.sigma_data == pytest.approx(0.2 / np.sqrt(2.0))
    expected = np.sqrt((STRUCTURAL_PRIOR_DOF * STRUCTURAL_SD_PRIOR**2 + 0.04 / 2) / 5)
    assert error.sigma == pytest.approx(expected)


def test_forecast_is_anchored_at_the_last_observation_and_spreads_with_the_horizon():
    years = np.arange(2010, 2021)
    growth = np.linspace(1.0, 2.0, years.size)
    paths = np.vstack([1000.0 * growth, 3000.0 * growth])  # two parameter rows, same shape
    observed = np.where(years <= 2014, 2000.0 * growth, np.nan)
    error = structural_error(years, observed, paths)
    rng = np.random.default_rng(0)
    out = anchored_forecast(years, observed, np.repeat(paths, 2000, axis=0), error, rng)
    assert out.shape == (4000, 6)
    # Without structural error the anchored paths would be the observation's level times the
    # model's growth: the median follows it, the spread grows with the horizon.
    anchor = 2000.0 * growth[years > 2014]
    np.testing.assert_allclose(np.median(out, axis=0), anchor, rtol=0.05)
    spread = np.log(out).std(axis=0)
    np.testing.assert_allclose(spread, error.sigma * np.sqrt(np.arange(1, 7)), rtol=0.1)


def test_no_training_observation_is_refused():
    with pytest.raises(ValueError, match="no observation"):
        structural_error(np.arange(3), np.full(3, np.nan), np.ones((1, 3)))

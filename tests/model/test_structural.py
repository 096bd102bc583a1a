"""The structural error in ensembles: a per-scenario random walk on reported coca area.

Backtests (docs/validation.md) show that bands made of parameter uncertainty and yearly shocks
alone are too narrow; a run's ensemble therefore carries the calibration's structural error
(``structural_error_sd``). These tests pin how: drawn after each block's other draws (so every
other number of a scenario is unchanged), the same factor for every zone, a random walk from
the start, identical whatever the chunking, and applied to the goals.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cnplan.data import load_dataset
from cnplan.model import ParameterSet, default_parameter_set, provisional, simulate
from cnplan.model.simulate import draw
from cnplan.model.structural import STRUCTURAL_SD_PRIOR, structural_sd

N = 200
UNTIL = 2012


def _with_sd(sd: float | None) -> ParameterSet:
    base = default_parameter_set("peru")
    provenance = dict(base.provenance)
    provenance.pop("process_sd", None)  # they take precedence over the residual sd
    provenance.pop("process_sd_national", None)
    if sd is None:
        provenance.pop("structural_error_sd", None)
    else:
        provenance["structural_error_sd"] = sd
    return replace(base, provenance=provenance)


@pytest.fixture(scope="module")
def runs():
    return {
        sd: simulate("lima-2005", n=N, seed=3, until=UNTIL, parameter_set=_with_sd(sd))
        for sd in (0.0, 0.1)
    }


def test_shipped_set_carries_the_national_part_of_the_fitted_forecast_error():
    # Half the filter's process noise is common to the country, half by zone: the national
    # area carries sd * sqrt(1/2 + 1/2 sum of squared zone shares), between sd/sqrt(2) (many
    # equal zones) and sd (one zone).
    pset = default_parameter_set("peru")
    sigma, note = structural_sd(pset)
    sd = pset.provenance["process_sd"]
    assert sigma == pset.provenance["process_sd_national"]
    assert sd / np.sqrt(2.0) < sigma < sd
    assert "national part of the model error" in note and "most likely" in note
    older = {k: v for k, v in pset.provenance.items() if k != "process_sd_national"}
    assert structural_sd(ParameterSet("older", pset.samples, older))[0] == sd
    # ... while the filter perturbs the zones with the whole of it
    from cnplan.calibrate.filter import filter_history

    assert filter_history(load_dataset("peru"), pset, until=2010, particles=40).process_sd == sd


def test_the_national_part_of_the_noise_follows_the_zone_shares():
    from cnplan.calibrate.filter import national_sd

    one = np.array([[100.0, 0.0, 0.0, 0.0]])
    four = np.array([[25.0, 25.0, 25.0, 25.0]])
    assert national_sd(0.2, one) == pytest.approx(0.2)
    assert national_sd(0.2, four) == pytest.approx(0.2 * np.sqrt(0.5 + 0.5 / 4))


def test_a_set_with_only_residuals_uses_their_sd():
    pset = default_parameter_set("peru")
    provenance = {k: v for k, v in pset.provenance.items()
                  if k not in ("process_sd", "process_sd_national")}
    sigma, note = structural_sd(ParameterSet("residuals-only", pset.samples, provenance))
    assert sigma == provenance["structural_error_sd"] > 0.0
    assert "estimated by the calibration" in note


def test_a_set_without_a_fit_uses_the_stated_prior():
    sigma, note = structural_sd(provisional())
    assert sigma == STRUCTURAL_SD_PRIOR
    assert "prior" in note and "assumption" in note


def test_other_draws_are_unchanged_and_zones_share_one_factor(runs):
    calm, noisy = runs[0.0], runs[0.1]
    # Parameters, eradication, prices: the structural draws come after them in each block.
    np.testing.assert_array_equal(calm.parameters.values, noisy.parameters.values)
    np.testing.assert_array_equal(calm.leaf_price.values, noisy.leaf_price.values)
    np.testing.assert_array_equal(
        calm.forced_eradication_ha.values, noisy.forced_eradication_ha.values
    )
    # Reported area = simulated area x exp(walk): the same factor in every zone.
    national = (noisy.national_ha.sel(crop="coca") / calm.national_ha.sel(crop="coca")).values
    zones = calm.coca_ha.values.astype(float)
    np.testing.assert_allclose(
        noisy.coca_ha.values, zones * national[:, :, None], rtol=1e-5, atol=1e-3
    )
    assert np.std(np.log(national[:, -1])) > 0.1  # eight years of yearly steps of sd 0.1


def test_the_factor_is_the_drawn_random_walk(runs):
    calm, noisy = runs[0.0], runs[0.1]
    years, zones = len(calm.year), len(calm.zone)
    # simulate draws for the plan's years plus the counterfactual branches' extra years.
    extra = 5
    d = draw(_with_sd(0.1), 3, 0, N, years + extra, zones)
    ratio = (noisy.national_ha.sel(crop="coca") / calm.national_ha.sel(crop="coca")).values
    np.testing.assert_allclose(np.log(ratio), d.structural[:, :years], atol=1e-5)
    steps = np.diff(np.concatenate([np.zeros((N, 1)), d.structural], axis=1), axis=1)
    # Yearly steps of sd 0.1, independent across years: check the size of the walk.
    assert np.std(steps) == pytest.approx(0.1, rel=0.1)
    assert abs(np.corrcoef(steps[:, 0], steps[:, 1])[0, 1]) < 0.2


def test_same_seed_same_numbers_whatever_the_chunking():
    pset = _with_sd(0.1)
    a = simulate("lima-2005", n=70, seed=5, until=2009, parameter_set=pset, chunk_size=70)
    b = simulate("lima-2005", n=70, seed=5, until=2009, parameter_set=pset, chunk_size=16)
    np.testing.assert_array_equal(a.coca_ha.values, b.coca_ha.values)
    for goal in ("hold_the_line", "marginal_producer", "stability_point"):
        np.testing.assert_array_equal(a[f"{goal}_reached"].values, b[f"{goal}_reached"].values)
        np.testing.assert_array_equal(a[f"{goal}_year"].values, b[f"{goal}_year"].values)


def test_goals_are_judged_on_the_reported_area(runs):
    # Hold the line and marginal producer recomputed from the reported national area equal the
    # run's goal outcomes, and the error changes some verdicts (else it would not reach them).
    from cnplan.data import load_dataset
    from cnplan.model import goals as g
    from cnplan.model.simulate import goal_config
    from cnplan.plans import load_plan

    calm, noisy = runs[0.0], runs[0.1]
    cfg = goal_config(load_plan("lima-2005"), load_dataset("peru"))
    years = noisy.year.values
    coca = noisy.national_ha.sel(crop="coca").values.astype(float)
    poppy = noisy.national_ha.sel(crop="poppy").values.astype(float)
    poppy0 = noisy.parameters.sel(parameter="poppy_initial_ha").values
    reached, year = g.hold_the_line(coca, poppy, poppy0, years, cfg)
    np.testing.assert_array_equal(reached, noisy.hold_the_line_reached.values)
    np.testing.assert_array_equal(year, noisy.hold_the_line_year.values)
    reached, year = g.marginal_producer(coca, poppy, years, cfg)
    np.testing.assert_array_equal(year, noisy.marginal_producer_year.values)
    changed = noisy.hold_the_line_year.values != calm.hold_the_line_year.values
    assert changed.any()


def test_the_error_is_stated_in_the_run_notes(runs):
    assert "structural error: yearly sd 0.100" in runs[0.1].attrs["notes"]
    assert "structural error: yearly sd 0.000" in runs[0.0].attrs["notes"]

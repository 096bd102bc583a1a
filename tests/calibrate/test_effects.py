"""Eradication's effect measured by a controlled experiment in the model, and the pooling layout."""

import numpy as np
import pytest

from cnplan.calibrate.abc import EVIDENCE_WEIGHT, FITTED, POOLED, Layout, evidence_penalty
from cnplan.calibrate.effects import EVIDENCE, _one_zone_more, eradication_effects, spillover_effect
from cnplan.calibrate.fit import _target
from cnplan.calibrate.history import history_inputs
from cnplan.data import load_dataset
from cnplan.model import default_parameter_set
from cnplan.model.engine import P, initial_state, step
from cnplan.model.parameters import PARAM_INDEX, bounds, defaults


@pytest.fixture(scope="module")
def peru_inputs():
    inputs, _ = history_inputs(load_dataset("peru"), 2005, 2024)
    return inputs


def _row(**values) -> np.ndarray:
    theta = defaults()[None, :].copy()
    for name, value in values.items():
        theta[0, PARAM_INDEX[name]] = value
    return theta


@pytest.mark.parametrize("same_year", [0.0, 0.5, 1.0])
def test_same_year_effect_is_one_minus_the_replanting_done_within_the_year(peru_inputs, same_year):
    # Nothing else responds within the year: one more hectare eradicated removes 1 ha, of which
    # replant_share x replant_same_year_share comes back before the survey.
    theta = _row(replant_share=0.6, replant_share_hard_core=0.6, presence_replant_cut=0.0,
                 replant_same_year_share=same_year)
    e = eradication_effects(peru_inputs, theta, year=2012)
    assert e.same_year[0] == pytest.approx(1.0 - 0.6 * same_year, abs=0.01)
    assert e.replant_expansion[0] == pytest.approx(0.6)


def test_effects_with_shocks_use_common_random_numbers(peru_inputs):
    theta = np.repeat(_row(), 3, axis=0)
    rng = np.random.default_rng(0)
    e = eradication_effects(peru_inputs, theta, year=2012, rng=rng)
    assert np.all(np.abs(e.same_year - e.same_year.mean()) < 0.05)  # same row, any shocks


def test_evidence_penalty_is_zero_inside_and_positive_outside(peru_inputs):
    target, _, _ = _target(load_dataset("peru"), 2005, 2024, 2024)
    inside = _row(replant_share=0.6, replant_share_hard_core=0.8, presence_replant_cut=0.0,
                  replant_same_year_share=1.0, displacement_share=1.0, risk_deterrence=0.0)
    outside = _row(replant_same_year_share=0.0)  # nothing replanted within the year: effect 1
    e = eradication_effects(target.inputs, inside, year=target.effect_year)
    assert EVIDENCE["same_year"].inside(e.same_year[0]), e.same_year
    assert evidence_penalty(target, outside)[0] > 0.5


def test_spillover_experiment_adds_eradication_in_one_zone_only(peru_inputs):
    # The extra goes to the chosen zone; every other zone takes what it took without it (rows
    # where the zone is at its eradication cap are the exception the measurement leaves out).
    theta = default_parameter_set("peru").samples[:50]
    p, i = P(theta), int(np.searchsorted(peru_inputs.years, 2013))
    calm = (np.zeros((50, len(peru_inputs.zones))), np.zeros(50))
    state = initial_state(peru_inputs, p)
    for t in range(i):
        state, _ = step(state, t, peru_inputs, p, *calm)
    done = step(state, i, peru_inputs, p, *calm)[1].forced_eradication
    zone = list(peru_inputs.zones).index("vraem")
    more, extra = _one_zone_more(peru_inputs, state, i, zone, done, 0.1)
    got = step(state, i, more, p, *calm)[1].forced_eradication
    np.testing.assert_allclose(got[:, zone] - done[:, zone], extra, rtol=1e-6)
    others = np.delete(got - done, zone, axis=1)
    np.testing.assert_allclose(others, 0.0, atol=1e-6 * extra.max())


def test_spillover_nets_out_the_far_zones_and_uses_borders(peru_inputs):
    theta = default_parameter_set("peru").samples[:50]
    e = spillover_effect(peru_inputs, theta, year=2013)
    assert e.year == 2013 and "border" in e.neighbours and "vraem" in e.zones
    np.testing.assert_allclose(e.direct, e.own - e.far, atol=1e-12)
    np.testing.assert_allclose(e.indirect, e.others - e.far, atol=1e-12)


def test_evidence_penalty_keeps_replanting_inside_its_band_where_the_prior_is_wider():
    # replant_share's prior reaches 0.95, the published band 0.67 (Colombia, [InSightCrime2019]):
    # the penalty, not the prior, holds the fit to the band.
    target, _, _ = _target(load_dataset("peru"), 2005, 2024, 2024)
    above = _row(replant_share=0.9, presence_replant_cut=0.0)
    band = EVIDENCE["replant_expansion"]
    assert bounds()[1][PARAM_INDEX["replant_share"]] > 0.9 > band.high
    assert evidence_penalty(target, above)[0] >= EVIDENCE_WEIGHT * (0.9 - band.high) - 1e-9


def test_pooled_layout_shares_mechanisms_and_keeps_levels_apart():
    layout = Layout(2)
    z = layout.prior(4, np.random.default_rng(0))
    s, d, _ = layout.blocks()
    z[:, s : s + d] = 0.0  # no deviations: both countries take the shared mechanism values
    a, b = layout.params(z, np.random.default_rng(1))
    low, high = bounds()
    assert np.all((a >= low) & (a <= high))
    pooled = [PARAM_INDEX[n] for n in POOLED]
    local = [PARAM_INDEX[n] for n in FITTED if n not in POOLED]
    np.testing.assert_allclose(a[:, pooled], b[:, pooled])
    assert not np.allclose(a[:, local], b[:, local])
    assert Layout(1).blocks()[1] == 0  # one country: no deviation block


def test_cli_pooled_calibration_writes_one_set_per_country(tmp_path):
    from typer.testing import CliRunner

    from cnplan.cli import app
    from cnplan.model import ParameterSet

    res = CliRunner().invoke(app, ["calibrate", "--data", "peru,colombia", "--particles", "40",
                                   "--generations", "2", "--out", str(tmp_path)],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    sets = {n: ParameterSet.load(tmp_path / f"{n}.json") for n in ("peru", "colombia")}
    for name, pset in sets.items():
        assert pset.provenance["pooled_with"] == [n for n in sets if n != name]
        assert "eradication_effects" in pset.provenance

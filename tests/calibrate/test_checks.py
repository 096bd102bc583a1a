"""Literature and natural-experiment checks can fail, and their bands come from the data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cnplan.calibrate.checks import (
    EXPERIMENTS,
    NO_EXPERIMENT,
    SPILLOVER_NAME,
    experiment_band,
    literature_checks,
    natural_experiments,
    spillover_check,
)
from cnplan.calibrate.effects import EVIDENCE, SPILLOVER, spillover_effect
from cnplan.calibrate.history import history_inputs
from cnplan.data import load_dataset
from cnplan.model import ParameterSet, default_parameter_set
from cnplan.model.parameters import PARAM_INDEX, SPECS


@pytest.fixture(scope="module")
def peru():
    return load_dataset("peru")


def _wrong(changes: dict[str, float], rows: int = 200) -> np.ndarray:
    theta = default_parameter_set("peru").samples[:rows].copy()
    for name, value in changes.items():
        theta[:, PARAM_INDEX[name]] = value
    return theta


def test_bands_are_set_from_the_observations_alone(peru):
    surge = next(e for e in EXPERIMENTS if e.name.startswith("2013"))
    obs, lo, hi = experiment_band(peru, surge)
    assert obs == pytest.approx(40300 / 60400 - 1)  # peru S17/S18, S22
    assert lo < obs < hi and lo == pytest.approx(np.expm1(np.log(40300 / 60400) - 0.2326),
                                                  abs=1e-3)


def test_replanting_check_fails_on_a_wrong_parameter_set(peru):
    # Presence at its highest cutting replanting by its most: the emergent share drops below
    # the published 30% although replant_share itself is inside its prior range.
    theta = _wrong({"presence_replant_cut": 0.8, "presence_base": 0.3, "replant_share": 0.3})
    verdicts = {c.name: c.passed for c in literature_checks(peru, ParameterSet("x", theta, {}))}
    assert verdicts["replanting share after forced eradication"] is False


@pytest.mark.parametrize(("check", "changes"), [
    ("replanting share after forced eradication", {"replant_share": 0.9}),
    ("replanting share, hard-core zones", {"replant_share_hard_core": 0.99}),
])
def test_replanting_checks_fail_above_their_published_bands(peru, check, changes):
    # Replanting that presence does not cut, at a share the prior allows but the evidence does
    # not (Peru 30-60%, Colombia 50-67%; VRAEM 92%): the prior is wider than the published band,
    # so the check's upper bound can fail.
    for name, value in changes.items():
        assert SPECS[name].low <= value <= SPECS[name].high
    theta = _wrong({**changes, "presence_replant_cut": 0.0})
    result = {c.name: c for c in literature_checks(peru, ParameterSet("x", theta, {}))}[check]
    assert result.passed is False
    assert float(result.model.split()[0]) > float(result.published.split("–")[1].split(":")[0])


def test_published_replanting_bands_are_narrower_than_the_priors():
    # A check whose band is the prior range can never fail; the evidence penalty keeps the fit
    # inside the band instead (cnplan.calibrate.abc.evidence_penalty).
    for key, name in (("replant_expansion", "replant_share"),
                      ("replant_hard_core", "replant_share_hard_core")):
        band, spec = EVIDENCE[key], SPECS[name]
        assert spec.low < band.low and band.high < spec.high, (key, spec, band)


@pytest.fixture(scope="module")
def peru_history(peru):
    inputs, _ = history_inputs(peru, 2005, 2024)
    return inputs


def test_spillover_check_fails_when_eradicated_coca_moves_next_door(peru_history):
    # Every hectare removed for good planted anew, part of it in the zone (its displacement
    # links include itself), part next door: new coca rises where eradication was done and
    # around it, the balloon effect Davalos & Morales do not find.
    check = spillover_check(peru_history, _wrong({"displacement_share": 1.0}))
    assert check.name == SPILLOVER_NAME and check.passed is False
    assert "a balloon effect" in check.model
    e = spillover_effect(peru_history, _wrong({"displacement_share": 1.0}))
    assert np.nanmedian(e.direct) > 0 and np.nanmedian(e.indirect) > 0


def test_spillover_check_passes_when_eradication_deters_and_displaces_nothing(peru_history):
    # Strong deterrence, no displacement: the zone's new coca falls and its neighbours move
    # only as the far zones do (through the national price), a ratio of 0: the band's edge.
    theta = _wrong({"displacement_share": 0.0, "risk_deterrence": 4.0})
    e = spillover_effect(peru_history, theta)
    assert np.nanmedian(e.direct) < -0.01
    # (Neighbours and far zones answer the same price a little differently: at most 0.2%,
    # against the 3-7% the studies find next door.)
    assert abs(np.nanmedian(e.indirect)) < 1e-9 and np.nanmax(np.abs(e.indirect)) < 2e-3
    assert spillover_check(peru_history, theta).passed is True


def test_spillover_band_comes_from_the_publications_not_the_priors():
    # 8% and 3% (2001-2010), 9% and 7% (2001-2015): neighbours fall by 0.375-0.78 of the
    # sprayed municipality's fall; the band must hold both estimates.
    assert SPILLOVER.low <= 3 / 8 and 7 / 9 <= SPILLOVER.high
    assert "[Davalos2019]" in SPILLOVER.source and "[Davalos2023]" in SPILLOVER.source


def test_natural_experiment_fails_when_eradication_does_nothing(peru):
    # Every eradicated field replanted the same year and all displaced: the surge of 2013-2015
    # cannot bring the area down, as it did (-33%).
    theta = _wrong({"replant_same_year_share": 1.0, "replant_share": 0.67,
                    "replant_share_hard_core": 0.92, "displacement_share": 1.0})
    checks = natural_experiments(peru, theta=theta)
    assert [c.name for c in checks] == [
        "natural experiment: 2013–2015 eradication surge",
        "natural experiment: 2020–2021 eradication pause",
    ]
    assert checks[0].passed is False


def test_a_country_without_declared_experiments_is_skipped_with_the_reason():
    colombia = load_dataset("colombia")
    assert {e.name for e in EXPERIMENTS if e.country == "Colombia"} == {
        "end of aerial spraying (Oct 2015), rise to 2017",
        "voluntary substitution (PNIS) from 2017",
    }
    assert experiment_band(colombia, EXPERIMENTS[2])[0] == pytest.approx(171000 / 69132 - 1)
    other = replace(colombia, zones=colombia.zones.assign(country="Elsewhere"))
    (check,) = natural_experiments(other)
    assert check.passed is None and NO_EXPERIMENT in check.model

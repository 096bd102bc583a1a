"""Rolling-origin evaluation: scores, baselines, cut-offs, no test-year leakage, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.calibrate.rolling import (
    cutoffs,
    evaluate_cutoff,
    status_quo_eradication,
    summarize,
)
from cnplan.calibrate.scores import baseline_ensembles, crps_ensemble, crps_normal
from cnplan.cli import app
from cnplan.data import load_dataset

runner = CliRunner()


def synthetic_country(folder: Path, country: str, zone: str, slope: float = 900.0) -> Path:
    """A SYNTHETIC one-zone country (not real figures): coca 2004-2013, some eradication."""
    folder.mkdir()
    pd.DataFrame([{"zone_id": zone, "name": country, "country": country,
                   "kind": "hard_core", "lat": "0", "lon": "0", "departments": "",
                   "note": "synthetic"}]).to_csv(folder / "zones.csv", index=False)
    rows = [("coca_ha", y, 20000 + slope * (y - 2005) - (2500 if y == 2010 else 0))
            for y in range(2004, 2014)]
    rows += [("eradication_ha", y, 3000.0 + 500 * (y % 3)) for y in range(2005, 2014)
             if y not in (2009, 2010)]  # a gap: bridged towards 2011 only once 2011 is known
    obs = pd.DataFrame([{"country": country, "zone": zone, "year": y, "period": "year",
                         "variable": v, "value": val, "unit": "ha", "source_id": "X1",
                         "quality": "other", "note": "synthetic"} for v, y, val in rows])
    obs.to_csv(folder / "observations.csv", index=False)
    return folder


@pytest.fixture
def smallland(tmp_path: Path) -> Path:
    return synthetic_country(tmp_path / "smallland", "Smallland", "SL-ALL")


def test_pooled_cut_offs_learn_nothing_from_a_partners_later_years(smallland, tmp_path):
    # Rolling fits are pooled as the shipped sets are (cnplan calibrate --data a,b): at a
    # cut-off the partner country is cut at the same year, so its later surveys cannot move
    # the forecast; and pooling does change the fit.
    from dataclasses import replace

    twin = load_dataset(synthetic_country(tmp_path / "twinland", "Twinland", "TL-ALL", -600.0))
    obs = twin.observations.copy()
    later = (obs["year"] > 2010) & (obs["variable"] == "coca_ha")
    obs.loc[later, "value"] = obs.loc[later, "value"] * 3.0
    changed = replace(twin, observations=obs)
    small = load_dataset(smallland)
    kw = {"horizon": 2, "particles": 30, "generations": 2}
    a = pd.DataFrame(evaluate_cutoff(small, 2010, partners=(twin,), **kw).rows)
    b = pd.DataFrame(evaluate_cutoff(small, 2010, partners=(changed,), **kw).rows)
    pd.testing.assert_frame_equal(a, b)
    alone = pd.DataFrame(evaluate_cutoff(small, 2010, **kw).rows)
    cond = a["forecaster"] == "conditional"
    assert not np.allclose(a.loc[cond, "median"], alone.loc[cond, "median"])


def test_sample_crps_matches_the_closed_form_for_a_normal():
    rng = np.random.default_rng(3)
    samples = rng.normal(10.0, 2.0, size=(20000, 1))
    for y in (10.0, 7.0, 15.5):
        got = crps_ensemble(samples, np.array([y]))[0]
        assert got == pytest.approx(crps_normal(10.0, 2.0, np.array([y]))[0], rel=0.02)
    # a point mass scores its absolute error
    assert crps_ensemble(np.full((5, 1), 3.0), np.array([5.0]))[0] == pytest.approx(2.0)


def test_random_walk_is_centred_on_the_last_value_and_widens_with_sqrt_horizon():
    years = np.arange(2005, 2011)
    values = np.array([100.0, 110.0, 99.0, 120.0, 108.0, 115.0])
    ens = baseline_ensembles(years, values, np.array([2011, 2014]))
    rw = np.log(ens["random_walk"])
    assert np.median(rw[:, 0]) == pytest.approx(np.log(115.0), abs=1e-6)
    ratio = rw[:, 1].std() / rw[:, 0].std()
    assert ratio == pytest.approx(2.0, rel=1e-6)  # horizon 4 vs 1
    d = np.diff(np.log(values))
    assert rw[:, 0].std() == pytest.approx(np.sqrt(np.mean(d**2)), rel=0.01)
    trend = ens["linear_trend"]
    assert trend[:, 1].std() > trend[:, 0].std()


def test_cutoffs_run_from_the_fifth_observed_year_to_the_second_to_last():
    peru = load_dataset("peru")
    assert cutoffs(peru) == list(range(2009, 2024))
    colombia = load_dataset("colombia")
    assert cutoffs(colombia) == list(range(2010, 2023))  # 2005, 2007-2010: 2006 is missing


def test_status_quo_uses_only_data_up_to_the_cut_off():
    peru = load_dataset("peru")
    value, note = status_quo_eradication(peru, 2016)
    assert value == pytest.approx(30151.0) and "held at 2016" in note
    value, _ = status_quo_eradication(peru, 2018)  # 2018: only a part-year figure (S63)
    assert value == pytest.approx(19193.48)


def test_a_cut_off_learns_nothing_from_its_test_years(smallland, tmp_path):
    data = load_dataset(smallland)
    first = evaluate_cutoff(data, 2010, horizon=3, particles=30, generations=2)
    obs = pd.read_csv(smallland / "observations.csv")
    later = obs["year"] > 2010  # every later observation: coca and eradication
    obs.loc[later, "value"] = obs.loc[later, "value"] * 3
    obs.to_csv(smallland / "observations.csv", index=False)
    second = evaluate_cutoff(load_dataset(smallland), 2010, horizon=3, particles=30,
                             generations=2)
    a, b = pd.DataFrame(first.rows), pd.DataFrame(second.rows)
    assert set(a["forecaster"]) == {"conditional", "unconditional", "conditional_anchored",
                                    "random_walk", "random_walk_drift", "linear_trend"}
    # the unconditional forecast and the baselines use nothing after the cut-off; the
    # conditional one takes the (changed) observed eradication of the test years as input
    keep = ~a["forecaster"].str.startswith("conditional")
    assert np.allclose(a.loc[keep, "median"], b.loc[keep, "median"])  # identical ...
    assert not np.allclose(a["crps"], b["crps"])  # ... only the scores see the test years
    summary = summarize(a, 3)
    assert {"1-3", "1", "2", "3"} <= set(summary["horizon"])
    assert summary["coverage_90"].between(0, 1).all()


@pytest.mark.parametrize(("country", "cutoff"), [("peru", 2010), ("colombia", 2012)])
def test_a_cut_off_learns_nothing_from_later_zone_observations(country, cutoff):
    # Zones reported only inside 2004's 'Elsewhere' are split by their shares in the first
    # year they are observed apart (Peru 2018, Colombia 2017); a cut-off before that year must
    # not know those shares, through the fit, the filter or the forecasts' inputs. Every later
    # zone observation is changed (each zone by its own factor, so the shares move too): no
    # forecast may move.
    from dataclasses import replace

    from cnplan.calibrate.history import history_inputs
    from cnplan.calibrate.rolling import forecast_from
    from cnplan.model import default_parameter_set

    data = load_dataset(country)
    theta = default_parameter_set(country).samples[:100]
    obs = data.observations.copy()
    later = (obs["year"] > cutoff) & (obs["variable"] == "coca_ha") & (obs["zone"] != "national")
    factor = obs["zone"].map({z: 1.0 + 0.7 * i for i, z in enumerate(obs["zone"].unique())})
    obs.loc[later, "value"] = obs.loc[later, "value"] * factor[later]
    changed = replace(data, observations=obs)
    a = forecast_from(data, cutoff, cutoff + 4, theta=theta)
    b = forecast_from(changed, cutoff, cutoff + 4, theta=theta)
    assert set(a.ensembles) == {"conditional", "unconditional", "conditional_anchored"}
    for kind, ens in a.ensembles.items():
        np.testing.assert_array_equal(ens, b.ensembles[kind], err_msg=kind)
    inputs, _ = history_inputs(data, 2005, cutoff + 4, until=cutoff)
    assert any("split over" in n and "equally" in n for n in inputs.notes), inputs.notes
    other, _ = history_inputs(changed, 2005, cutoff + 4, until=cutoff)
    np.testing.assert_array_equal(inputs.area0, other.area0)
    np.testing.assert_array_equal(inputs.area_cap, other.area_cap)
    full, _ = history_inputs(data, 2005, cutoff + 4)  # without a cut-off: the later shares
    assert not np.allclose(full.area0, inputs.area0)


def test_rolling_cli_json(smallland, tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(tmp_path / "userdata"))
    result = runner.invoke(app, ["backtest", "--rolling", "--data", str(smallland),
                                 "--horizon", "2", "--particles", "30", "--generations", "2",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [c["cutoff"] for c in doc["cutoffs"]] == [2009, 2010, 2011, 2012]
    groups = {(s["forecaster"], s["horizon"]) for s in doc["summary"]}
    assert ("conditional", "1-3") in groups and ("unconditional", "2") in groups
    assert all(-10 < s["skill_random_walk"] < 1 for s in doc["summary"])
    assert doc["fit"]["pooled_with"] == []  # one dataset: nothing to pool with


def test_rolling_cli_pools_several_datasets_unless_told_to_fit_them_apart(smallland, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(tmp_path / "userdata"))
    twin = synthetic_country(tmp_path / "twinland", "Twinland", "TL-ALL", -600.0)
    args = ["backtest", "--rolling", "--data", f"{smallland},{twin}", "--horizon", "1",
            "--particles", "20", "--generations", "1", "--format", "json"]
    for flag, expected in (([], [["twinland"], ["smallland"]]), (["--separate"], [[], []])):
        result = runner.invoke(app, args + flag)
        assert result.exit_code == 0, result.output
        assert [d["fit"]["pooled_with"] for d in json.loads(result.output)] == expected


def test_combination_weights_learn_only_from_years_already_observed():
    from cnplan.calibrate.rolling import CutoffResult, add_combination

    rng = np.random.default_rng(0)

    def cut(c: int, truth: float, model_centre: float) -> CutoffResult:
        years = np.arange(c + 1, c + 6)
        model = rng.normal(model_centre, 1.0, size=(400, 5))
        rw = np.sort(rng.normal(truth + 30.0, 1.0, size=(400, 5)), axis=0)  # a poor RW
        ens = {"conditional": model, "unconditional": model, "random_walk": rw}
        return CutoffResult(c, [], 0.0, "", years, np.full(5, truth), ens)

    def weights(results: list[CutoffResult], group: str) -> list[float]:
        return [r.weights["conditional"][group]["weight"] for r in results]

    results = [cut(c, 100.0, 100.0) for c in range(2000, 2010)]
    add_combination(results)
    short, long = weights(results, "1-3"), weights(results, "4-8")
    assert short[:2] == [0.5, 0.5]  # nothing scored yet: the stated prior
    assert short[-1] == 1.0  # the model has been right, the random walk far off
    # 4-8 years ahead: too little to learn from until three forecasts that far ahead are
    # observed, meanwhile the group takes the 1-3 group's values; then its own.
    first = results[0].weights["conditional"]
    assert first["4-8"]["from"] == "prior" and first["4-8"]["pairs"] == 0
    at_2004 = results[4].weights["conditional"]["4-8"]
    assert at_2004["from"] == "1-3" and at_2004["pairs"] == 1  # 2000's forecast of 2004
    at_2005 = results[5].weights["conditional"]["4-8"]  # and of 2005, 2001's of 2005
    assert at_2005["from"] == "4-8" and at_2005["pairs"] == 3
    assert long[-1] == 1.0
    # A later cut-off's test years cannot move an earlier weight.
    again = [cut(c, 100.0, 100.0) for c in range(2000, 2010)]
    again[-1].observed[:] = 1e6
    add_combination(again)
    assert weights(again, "1-3") == short and weights(again, "4-8") == long
    frame = pd.DataFrame([row for r in results for row in r.rows])
    assert {"combined_conditional", "combined_unconditional"} <= set(frame["forecaster"])


def test_status_quo_adds_kinds_as_the_history_input_does():
    from cnplan.calibrate.history import AERIAL_EQUIVALENT

    colombia = load_dataset("colombia")
    value, note = status_quo_eradication(colombia, 2012)  # forced 30,486 + aerial 100,549
    assert value == pytest.approx(30486.0 + AERIAL_EQUIVALENT * 100549.0)
    assert "aerial: gap: held at 2012" in note


def test_rolling_cli_table_names_the_bar(smallland):
    result = runner.invoke(app, ["backtest", "--rolling", "--data", str(smallland),
                                 "--horizon", "2", "--particles", "30", "--generations", "2"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("Rolling-origin evaluation", "Each year ahead", "skill vs random walk > 0",
                 "combined_conditional"):
        assert text in result.output, text


def test_rolling_fits_are_the_size_of_a_shipped_calibration():
    import inspect

    from cnplan.calibrate import calibrate
    from cnplan.calibrate.rolling import ROLLING_GENERATIONS, ROLLING_PARTICLES

    defaults = inspect.signature(calibrate).parameters
    assert ROLLING_PARTICLES == defaults["particles"].default
    assert ROLLING_GENERATIONS == defaults["generations"].default

"""State estimation: the particle filter through the observed years, and runs that start from it."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cnplan.calibrate.filter import (
    NATIONAL_OBS_SD,
    PROCESS_SD_GRID,
    ROW_PARTICLES,
    estimate_process_sd,
    filter_history,
    forecast_from,
    resample_within_rows,
    run_start,
    step_forward,
)
from cnplan.cli import app
from cnplan.data import load_dataset
from cnplan.model import ParameterSet, default_parameter_set, simulate
from cnplan.plans.status_quo import status_quo_plan


@pytest.fixture(scope="module")
def peru():
    return load_dataset("peru")


@pytest.fixture(scope="module")
def pset():
    return default_parameter_set("peru")


def test_resampling_keeps_each_particle_in_proportion_to_its_weight_within_its_row():
    w = np.array([[0.5, 0.25, 0.125, 0.125], [0.0, 0.0, 0.0, 1.0], [0.25] * 4])
    keep = resample_within_rows(w, np.random.default_rng(0)).reshape(3, 4)
    counts = np.bincount(keep[0], minlength=4) / 4
    np.testing.assert_allclose(counts, w[0], atol=0.25)
    assert (keep[1] == 7).all()  # row 1's only weighted particle, never another row's
    assert sorted(keep[2]) == [8, 9, 10, 11]  # equal weights: each particle once
    assert ((keep // 4) == np.arange(3)[:, None]).all()


def test_filtered_paths_follow_the_observations_the_unfiltered_ones_miss(peru, pset):
    f = filter_history(peru, pset, until=2016, particles=400, seed=0)
    national = peru.national("coca_ha")
    years = [y for y in f.years if not np.isnan(national.get(y, np.nan))]
    at = np.searchsorted(f.years, years)
    obs = national[years].to_numpy(float)
    err = np.abs(np.log(np.median(f.national[:, at], axis=0) / obs))
    # Every filtered year within a few observation sds (the prior paths miss by ~15%, MAPE).
    assert err.max() < 4 * NATIONAL_OBS_SD, dict(zip(years, err.round(3), strict=True))
    assert f.year == 2016 and f.params.shape == (400, pset.samples.shape[1])
    assert f.state.area.shape == (400, len(peru.zone_ids))


def test_the_filter_reads_no_observation_after_the_cut_off(peru, pset, tmp_path):
    # Change every national area after 2012: the state filtered to 2012 must not move. (Zone
    # rows are left alone: the 2004 'Elsewhere' split by later zone shares is build_inputs'
    # stated assumption, the same for every cut-off.)
    import shutil

    import pandas as pd

    from cnplan.data.load import shipped_path

    a = filter_history(peru, pset, until=2012, particles=200, seed=3)
    folder = tmp_path / "peru-late"
    shutil.copytree(shipped_path("peru"), folder)
    obs = pd.read_csv(folder / "observations.csv", dtype=str)
    late = (obs["variable"] == "coca_ha") & (obs["year"].astype(int) > 2012)
    late &= obs["zone"] == "national"
    obs.loc[late & obs["value"].str.fullmatch(r"[0-9.]+"), "value"] = "1000"
    obs.to_csv(folder / "observations.csv", index=False)
    b = filter_history(load_dataset(folder), pset, until=2012, particles=200, seed=3)
    np.testing.assert_allclose(a.state.area, b.state.area)


def test_conditional_forecast_starts_from_the_filtered_state(peru, pset):
    f = filter_history(peru, pset, until=2019, particles=300, seed=0)
    years, paths = forecast_from(f, peru, 2022, np.random.default_rng(0))
    assert list(years) == [2020, 2021, 2022] and paths.shape == (300, 3)
    last = np.median(f.state.area.sum(axis=1))
    assert abs(np.log(np.median(paths[:, 0]) / last)) < 0.3  # one year on, not a jump


def test_a_run_starting_after_the_data_starts_from_the_filtered_state(peru, pset):
    plan = status_quo_plan(peru)  # starts the year after the last observation
    start = run_start(plan, peru, pset, particles=300)
    assert start is not None and "particle filter" in start.note
    ds = simulate(plan, peru, n=64, seed=0, parameter_set=pset, start=start)
    assert "particle filter" in ds.attrs["notes"]
    # Each scenario's parameters are its particle's: the rows pair parameters with states.
    params = ds["parameters"].values
    assert all((start.parameter_set.samples == row).all(axis=1).any() for row in params)
    assert run_start(plan, peru, ParameterSet("priors"), particles=10) is None  # not fitted


def test_cli_run_records_its_initial_state(tmp_path):
    res = CliRunner().invoke(app, ["run", "status-quo", "--data", "peru", "-n", "32", "--out",
                                   str(tmp_path / "run"), "--no-report"])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert "particle filter" in meta["initial_state"]
    # The run states the model's out-of-sample record on this dataset (docs/validation.md).
    assert meta["forecast_record"]["evaluated"] and "Out-of-sample record" in res.output


def test_drift_carries_the_models_recent_miss_forward(peru, pset):
    from dataclasses import replace

    from cnplan.calibrate.history import history_inputs

    f = filter_history(peru, pset, until=2019, particles=200, seed=0)
    assert np.isfinite(f.drift)
    up = replace(f, drift=0.1)
    inputs, _ = history_inputs(peru, 2005, 2022, 2019)
    _, plain = step_forward(up, inputs, np.random.default_rng(0))
    _, drifted = step_forward(up, inputs, np.random.default_rng(0), drift=True)
    assert np.median(drifted[:, -1]) > np.median(plain[:, -1]) * 1.15  # three years of +0.1


def test_the_filter_keeps_every_parameter_row_it_starts_with(peru, pset):
    # Rows are not weighted against each other (the posterior already conditions on the data):
    # a run started from the filter keeps its parameter uncertainty. Weighting all particles
    # together left 1-3 rows of 200 for peru-baseline (docs/engine-change.md).
    f = filter_history(peru, pset, until=2024, particles=2000, seed=1)
    groups = f.params.reshape(2000 // ROW_PARTICLES, ROW_PARTICLES, -1)
    assert (groups == groups[:, :1]).all()  # a row's particles stay with their row
    # 100 rows drawn from a posterior of 500 samples (about 190 distinct: ABC repeats rows).
    assert len(np.unique(f.params, axis=0)) > 30
    assert f.ess.min() > 1.0  # each row's particles share the weight, not one of them


def test_noisier_observations_give_a_larger_estimated_model_error(peru, pset, tmp_path):
    import shutil

    import pandas as pd

    from cnplan.data.load import shipped_path

    folder = tmp_path / "peru-noisy"
    shutil.copytree(shipped_path("peru"), folder)
    obs = pd.read_csv(folder / "observations.csv", dtype=str)
    rows = (obs["variable"] == "coca_ha") & obs["value"].str.fullmatch(r"[0-9.]+")
    shocks = np.exp(np.random.default_rng(5).normal(0.0, 0.4, rows.sum()))
    obs.loc[rows, "value"] = (obs.loc[rows, "value"].astype(float) * shocks).round().astype(str)
    obs.to_csv(folder / "observations.csv", index=False)
    calm = estimate_process_sd(peru, pset, until=2020, particles=300)
    noisy = estimate_process_sd(load_dataset(folder), pset, until=2020, particles=300)
    assert PROCESS_SD_GRID[0] <= calm < noisy <= PROCESS_SD_GRID[-1]

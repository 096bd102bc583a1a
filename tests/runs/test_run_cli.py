"""`cnplan run` end to end: the run folder, reproducibility, --until, --by zone, errors; and the
shape of what ``cnplan.simulate`` returns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.model import provisional, simulate
from cnplan.plans import plan_text

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["run", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "a"
    result = _run("-n", "200", "--seed", "3", "--out", str(out), "--no-report")
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_the_folder(first_run):
    assert {p.name for p in first_run.iterdir()} >= {"ensemble.nc", "outcomes.parquet", "run.json"}
    outcomes = pd.read_parquet(first_run / "outcomes.parquet")
    assert len(outcomes) == 200
    assert outcomes["scenario"].tolist() == list(range(200))
    meta = json.loads((first_run / "run.json").read_text())
    assert meta["plan_text"] == plan_text("lima-2005")[0]
    assert meta["seed"] == 3
    assert meta["scenarios"] == 200
    assert meta["parameter_set"]
    assert meta["data"] == "peru" and meta["data_version"]
    assert meta["code_version"]
    with xr.open_dataset(first_run / "ensemble.nc", engine="h5netcdf") as ds:
        assert ds.sizes["scenario"] == 200
        assert ds.attrs["seed"] == 3


def test_same_seed_same_outcomes_in_another_folder(first_run, tmp_path):
    result = _run("-n", "200", "--seed", "3", "--out", str(tmp_path / "b"), "--no-report")
    assert result.exit_code == 0, result.output
    a = pd.read_parquet(first_run / "outcomes.parquet")
    b = pd.read_parquet(tmp_path / "b" / "outcomes.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_another_seed_other_outcomes(first_run, tmp_path):
    result = _run("-n", "200", "--seed", "4", "--out", str(tmp_path / "c"), "--no-report")
    assert result.exit_code == 0, result.output
    a = pd.read_parquet(first_run / "outcomes.parquet")
    c = pd.read_parquet(tmp_path / "c" / "outcomes.parquet")
    assert not a["coca_ha_2010"].equals(c["coca_ha_2010"])


def test_until_limits_the_years(tmp_path):
    result = _run("-n", "20", "--until", "2010", "--out", str(tmp_path / "u"), "--no-report")
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "u" / "run.json").read_text())
    assert meta["years"] == [2005, 2010]
    outcomes = pd.read_parquet(tmp_path / "u" / "outcomes.parquet")
    assert "coca_ha_2010" in outcomes and "coca_ha_2011" not in outcomes


def test_by_zone_prints_one_year_by_zone_table_per_variable(tmp_path):
    result = runner.invoke(app, ["run", "-n", "20", "--by", "zone", "--out",
                                 str(tmp_path / "z"), "--no-report"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("median of 20 futures by zone") == 2  # coca, forced eradication
    header = next(line for line in result.output.splitlines() if "vraem" in line)
    for zone in ("vraem", "huallaga", "central", "la_convencion", "north"):
        assert zone in header  # the zones are columns of one table, not 16 tall tables
    assert "— vraem" not in result.output


def test_run_folder_holds_yearly_csv_and_xlsx(first_run):
    from openpyxl import load_workbook

    csv = pd.read_csv(first_run / "yearly.csv")
    assert list(csv.columns) == ["variable", "zone", "year", "unit", "p10", "median", "p90",
                                 "observed"]
    assert {"national", "vraem", "huallaga"} <= set(csv["zone"])
    coca = csv[(csv.variable == "coca") & (csv.zone == "national")]
    assert coca["year"].tolist() == list(range(2005, 2016))
    assert (coca["p10"] <= coca["median"]).all() and (coca["median"] <= coca["p90"]).all()
    assert set(csv.loc[csv.variable == "leaf price", "unit"]) == {"USD/kg"}
    book = load_workbook(first_run / "yearly.xlsx", read_only=True)
    rows = list(book["yearly"].values)
    assert list(rows[0]) == list(csv.columns)
    assert len(rows) == len(csv) + 1
    assert rows[1][5] == pytest.approx(csv.iloc[0]["median"])
    about = dict(book["about"].values)
    assert about["seed"] == 3 and about["futures"] == 200


def test_bad_plan_gives_exit_1_and_a_located_message(tmp_path):
    text = plan_text("lima-2005")[0].replace("central: {2005: 3500}", "central: {2005: -3500}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    result = _run(str(bad), "-n", "5", "--out", str(tmp_path / "x"), "--no-report")
    assert result.exit_code == 1
    assert "levers.forced_eradication.central[2005]" in result.output
    assert "bad.yaml" in result.output
    assert not (tmp_path / "x").exists()


def test_missing_plan_file_gives_exit_1(tmp_path):
    result = _run(str(tmp_path / "nothere.yaml"), "-n", "5", "--no-report")
    assert result.exit_code == 1
    assert "nothere.yaml" in result.output and "not found" in result.output


def test_simulate_returns_named_dims():
    ds = simulate("lima-2005", n=30, seed=1, parameter_set=provisional())
    assert ds.coca_ha.dims == ("scenario", "year", "zone")
    assert ds.leaf_price.dims == ("scenario", "year")
    assert ds.national_ha.dims == ("scenario", "year", "crop")
    assert list(ds.crop.values) == ["coca", "poppy"]
    assert ds.sizes["scenario"] == 30
    assert int(ds.year[0]) == 2005 and int(ds.year[-1]) == 2015
    xr.testing.assert_allclose(
        ds.national_ha.sel(crop="coca", drop=True), ds.coca_ha.sum("zone"), rtol=1e-5
    )


def test_cnplan_home_puts_runs_where_the_web_app_lists_them(tmp_path, monkeypatch):
    from cnplan.web.catalog import list_runs

    home = tmp_path / "home"
    monkeypatch.setenv("CNPLAN_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    result = _run("-n", "10", "--no-report", "--set", "ad_funding.vraem=2x")
    assert result.exit_code == 0, result.output
    runs = list_runs(home / "runs")
    assert len(runs) == 1 and runs[0]["id"].startswith("lima-2005-variant-")
    assert not (tmp_path / "runs").exists()

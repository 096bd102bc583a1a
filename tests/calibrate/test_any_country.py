"""Any valid dataset runs, calibrates, backtests and checks without a hand-written plan.

Colombia (shipped) and a one-zone SYNTHETIC country generated here; small particle counts keep
these fast (they test that the paths work, not the quality of a fit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.calibrate import calibrate
from cnplan.calibrate.backtest import backtest
from cnplan.calibrate.checks import PERU_ONLY, literature_checks
from cnplan.calibrate.history import AERIAL_EQUIVALENT, eradication_input
from cnplan.cli import app
from cnplan.data import load_dataset
from cnplan.plans import load_plan
from cnplan.plans.status_quo import status_quo_plan

runner = CliRunner()


@pytest.fixture
def oneland(tmp_path: Path) -> Path:
    """A SYNTHETIC one-zone country (not real figures): coca 2000-2016, some eradication."""
    folder = tmp_path / "oneland"
    folder.mkdir()
    pd.DataFrame([{"zone_id": "ON-ALL", "name": "Oneland", "country": "Oneland",
                   "kind": "hard_core", "lat": "0", "lon": "0", "departments": "",
                   "note": "synthetic"}]).to_csv(folder / "zones.csv", index=False)
    rows = [("coca_ha", y, 20000 + 800 * (y - 2000) - (3000 if y in (2009, 2010) else 0))
            for y in range(2000, 2017)]
    rows += [("eradication_forced_ha", y, 4000.0) for y in (2004, 2006, 2008, 2012)]
    rows += [("eradication_aerial_ha", 2009, 9000.0)]
    obs = pd.DataFrame([{"country": "Oneland", "zone": "ON-ALL", "year": y, "period": "year",
                         "variable": v, "value": val, "unit": "ha", "source_id": "X1",
                         "quality": "other", "note": "synthetic"} for v, y, val in rows])
    obs.to_csv(folder / "observations.csv", index=False)
    return folder


def test_status_quo_plan_holds_the_latest_levels_by_kind():
    ds = load_dataset("colombia")
    plan = status_quo_plan(ds)
    assert plan.start_year == 2024 and plan.country == "Colombia"  # coca data end 2023 (C18)
    forced = sum(v[2024] for v in plan.levers["forced_eradication"].values())
    # the latest full-year forced manual figure, 2022 = 68,893 ha (C45; 2023-2024 only part-year)
    # + aerial spraying 0 after October 2015 (C34)
    assert forced == pytest.approx(68893, abs=1)
    assert set(plan.levers["forced_eradication"]) == set(ds.zone_ids)


def test_history_feeds_both_forced_kinds():
    ds = load_dataset("colombia")
    bridged = {b.year: b for b in eradication_input(ds, np.arange(2004, 2013))}
    # 2008: aerial 133,496 ha (C04), worth AERIAL_EQUIVALENT ha of manual each, + manual
    # 96,115 ha (C04)
    assert bridged[2008].value == pytest.approx(AERIAL_EQUIVALENT * 133496 + 96115)
    assert "x aerial" in bridged[2008].rule


def test_run_and_plan_new_from_data(tmp_path):
    out = tmp_path / "plan.yaml"
    result = runner.invoke(app, ["plan", "new", str(out), "--from-data", "colombia"])
    assert result.exit_code == 0, result.output
    assert load_plan(out).data == "colombia"
    result = runner.invoke(app, ["run", "--data", "colombia", "-n", "64", "--out",
                                 str(tmp_path / "run"), "--no-report"])
    assert result.exit_code == 0, result.output
    assert "status quo" in result.output
    assert (tmp_path / "run" / "run.json").exists()


def test_colombia_calibrate_backtest_and_checks():
    ds = load_dataset("colombia")
    fit = calibrate(ds, 2005, particles=40, generations=2, seed=1)
    assert fit.parameter_set.samples.shape[0] == 40
    result = backtest(ds, 2012, None, 8, 2005, 30, 2, seed=1)
    assert result.cutoff == 2012 and len(result.table)
    checks = literature_checks(ds, fit.parameter_set, 2005)
    skipped = [c for c in checks if c.passed is None]
    assert skipped and all(PERU_ONLY in c.model for c in skipped)
    assert any(c.passed is not None for c in checks)  # the Colombian-evidence checks ran


def test_one_zone_country_everything_runs(oneland, tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(tmp_path / "userdata"))
    result = runner.invoke(app, ["data", "validate", str(oneland)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["data", "import", str(oneland), "--name", "oneland"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["run", "--data", "oneland", "-n", "32", "--out",
                                 str(tmp_path / "run"), "--no-report"])
    assert result.exit_code == 0, result.output
    for args in (["calibrate", "--data", "oneland"],
                 ["backtest", "--data", "oneland", "--train-until", "2008,2012"],
                 ["calibrate", "--check", "--data", "oneland"]):
        result = runner.invoke(app, [*args, "--particles", "30", "--generations", "2"])
        assert result.exit_code == 0, (args, result.output)
    assert "skipped" in result.output

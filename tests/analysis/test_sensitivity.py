"""Sobol and Morris: Ishigami's published indices, the engine path, saved tables, bad options."""

import numpy as np
import pandas as pd
import pytest

from cnplan.analysis.sensitivity import SensitivityError, SensitivityResult, sensitivity

ISHIGAMI = {"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_matches_ishigami_published_values():
    # Analytic values for a=7, b=0.1: Ishigami & Homma (1990); Saltelli et al. (2008),
    # "Global Sensitivity Analysis: The Primer", section 4.
    result = sensitivity(ishigami, ISHIGAMI, n=2**14, outcome="ishigami", num_resamples=50)
    table = result.table.set_index("input")
    np.testing.assert_allclose(
        table.loc[["x1", "x2", "x3"], "S1"], [0.3139, 0.4424, 0.0], atol=0.02
    )
    np.testing.assert_allclose(
        table.loc[["x1", "x2", "x3"], "ST"], [0.5576, 0.4424, 0.2437], atol=0.02
    )
    assert list(result.table.input) == ["x1", "x2", "x3"]  # ranked by total index
    assert (table.S1_conf > 0).all() and (table.S1_conf < 0.05).all()
    assert result.evaluations == 2**14 * 5


def test_morris_screens_out_an_inert_input():
    problem = {"names": ["a", "b", "inert"], "bounds": [[0, 1]] * 3}
    result = sensitivity(lambda x: 3 * x[:, 0] + x[:, 1] ** 2, problem, method="morris", n=40)
    table = result.table.set_index("input")
    assert table.loc["inert", "mu_star"] == 0.0
    assert table.loc["a", "mu_star"] == pytest.approx(3.0)
    assert list(result.table.input[:2]) == ["a", "b"]


def test_engine_experiment_ranks_and_saves(tmp_path):
    from cnplan.explore.experiment import load_experiment

    exp = load_experiment(
        """
name: sens-small
plan: lima-2005
seed: 3
uncertainties:
  - param: price_elasticity
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - lever: police_graduates
    level: [0, 800]
outcomes: [coca_ha: [2011], cost_musd_total]
design: {method: latin_hypercube, n: 8}
"""
    )
    result = sensitivity(exp, outcome="coca_ha_2011", n=16, scenarios=2, num_resamples=20)
    assert set(result.table.input) == set(exp.input_columns)
    assert result.evaluations == 16 * 5 * 2
    units = result.table.set_index("input").unit
    assert units["lever:police_graduates"] == "persons/yr"
    path = result.save(tmp_path / "analysis" / "sobol-coca_ha_2011.parquet")
    back = SensitivityResult.load(path)
    pd.testing.assert_frame_equal(back.table, result.table)
    assert back.outcome == "coca_ha_2011" and back.settings["scenarios"] == 2
    # same seed, same numbers
    again = sensitivity(exp, outcome="coca_ha_2011", n=16, scenarios=2, num_resamples=20)
    pd.testing.assert_frame_equal(again.table, result.table)
    with pytest.raises(ValueError, match="available outcomes are"):
        sensitivity(exp, outcome="coca_2011", n=16)


def test_bad_options():
    with pytest.raises(SensitivityError, match="power of 2"):
        sensitivity(ishigami, ISHIGAMI, n=1000)
    with pytest.raises(SensitivityError, match="method"):
        sensitivity(ishigami, ISHIGAMI, method="fast")
    with pytest.raises(SensitivityError, match="one value per row"):
        sensitivity(lambda x: x, ISHIGAMI, n=8)
    with pytest.raises(SensitivityError, match="not finite"):
        sensitivity(lambda x: np.full(len(x), np.nan), ISHIGAMI, n=8)


def test_sensitivity_cli_and_bars(tmp_path):
    from matplotlib.figure import Figure
    from typer.testing import CliRunner

    from cnplan.analysis import plots
    from cnplan.cli import app

    exp = tmp_path / "exp.yaml"
    exp.write_text(
        """
name: sens-cli
plan: lima-2005
uncertainties:
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - lever: police_graduates
    level: [0, 800]
outcomes: [coca_ha: [2011]]
design: {method: latin_hypercube, n: 8}
"""
    )
    runner = CliRunner()
    got = runner.invoke(
        app,
        ["sensitivity", str(exp), "--outcome", "coca_ha_2011", "-n", "16", "--out", str(tmp_path)],
        env={"COLUMNS": "160"},
    )
    assert got.exit_code == 0, got.output
    assert "driver:price_shock" in got.output and "Sobol indices" in got.output
    # the lever's evidence label sits next to it (issue 15)
    assert "evidence for its effect" in got.output and "presence_half_police" in got.output
    result = SensitivityResult.load(tmp_path / "analysis" / "sobol-coca_ha_2011.parquet")
    assert (tmp_path / "analysis" / "sobol-coca_ha_2011.png").is_file()
    ax = Figure().add_subplot()
    assert plots.sensitivity_bars(result, ax=ax) is ax
    got = runner.invoke(
        app, ["sensitivity", str(exp), "--outcome", "coca_ha_2099", "--out", str(tmp_path)]
    )
    assert got.exit_code == 1 and "available outcomes are coca_ha_2011" in got.output


def test_sensitivity_results_land_in_the_exploration_folder(tmp_path, monkeypatch):
    """Without --out, the results go to explorations/<name>/analysis, where cnplan explore
    put the exploration, so `cnplan report` on that folder shows the Sobol chart."""
    from typer.testing import CliRunner

    from cnplan.cli import app

    monkeypatch.chdir(tmp_path)
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        """
name: sens-home
plan: lima-2005
levers:
  - lever: police_graduates
    level: [0, 800]
  - lever: outreach_campaigns
    level: [0, 3]
outcomes: [coca_ha: [2011]]
design: {method: latin_hypercube, n: 4}
"""
    )
    runner = CliRunner()
    got = runner.invoke(app, ["explore", str(exp)], env={"COLUMNS": "160"})
    assert got.exit_code == 0, got.output
    folder = tmp_path / "explorations" / "sens-home"
    got = runner.invoke(app, ["sensitivity", str(exp), "--outcome", "coca_ha_2011", "-n", "8"],
                        env={"COLUMNS": "160"})
    assert got.exit_code == 0, got.output
    assert (folder / "analysis" / "sobol-coca_ha_2011.parquet").is_file()
    got = runner.invoke(app, ["report", str(folder)], env={"COLUMNS": "160"})
    assert got.exit_code == 0, got.output
    html = next(folder.glob("*.html")).read_text()
    assert "sobol_coca_ha_2011" in html

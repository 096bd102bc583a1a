"""Analyses that would print meaningless numbers say so instead: an outcome with no variance
(sensitivity) and a goal no candidate reaches (optimize)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from cnplan.analysis.optimize import Objective, ParetoResult
from cnplan.analysis.sensitivity import SensitivityResult, continuous_outcome, sensitivity
from cnplan.cli import app

PROBLEM = {"names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}


def test_a_constant_outcome_gives_no_indices_and_says_why(tmp_path) -> None:
    result = sensitivity(lambda x: np.zeros(len(x)), PROBLEM, outcome="goal_reached", n=8)
    assert not result.varies
    assert result.table[["S1", "ST"]].isna().all().all()  # never 0.000 ± 0.000
    message = result.no_variance_message()
    assert message.startswith("goal_reached has no variance: it is 0 in all 32 model runs")
    assert "such as coca_ha_2011" in message
    again = SensitivityResult.load(result.save(tmp_path / "s.parquet"))
    assert not again.varies and again.no_variance_message() == message
    varied = sensitivity(lambda x: x[:, 0] + 0.1 * x[:, 1], PROBLEM, n=8)
    assert varied.varies


def test_the_suggested_outcome_is_a_continuous_column() -> None:
    columns = ["hold_the_line_reached", "hold_the_line_year", "cost_musd_total", "coca_ha_2011"]
    assert continuous_outcome(columns) == "coca_ha_2011"
    assert continuous_outcome(columns[:3]) == "cost_musd_total"
    assert continuous_outcome(columns[:2]) is None


def test_cli_sensitivity_of_a_flag_that_never_varies_warns_and_draws_nothing(tmp_path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text("""
name: flat
plan: lima-2005
uncertainties:
  - driver: price_shock
    range: [-0.1, 0.1]
levers:
  - lever: police_graduates
    level: [0, 10]
outcomes: [stability_point, coca_ha: [2011]]
design: {method: latin_hypercube, n: 4}
""")
    got = CliRunner().invoke(app, ["sensitivity", str(exp), "--outcome",
                                   "stability_point_reached", "-n", "2", "--out", str(tmp_path)],
                             env={"COLUMNS": "300"})
    assert got.exit_code == 0, got.output
    text = " ".join(got.output.split())
    assert "stability_point_reached has no variance" in text and "such as coca_ha_2011" in text
    assert "S1" not in text  # no table of undefined indices
    assert not list((tmp_path / "analysis").glob("*.png"))  # no empty chart


def _pareto(goal_values: list[float]) -> ParetoResult:
    objectives = [Objective("marginal_producer_reached", "max"), Objective("cost_musd_total",
                                                                           "min")]
    table = pd.DataFrame({"ad_funding": [0.0, 0.5], "mean(marginal_producer_reached)":
                          goal_values, "mean(cost_musd_total)": [10.0, 20.0]})
    return ParetoResult(table, objectives, ["ad_funding"], 100, 0,
                        pd.DataFrame({"generation": [0], "evaluations": [2], "seconds": [0.1]}))


def test_a_goal_no_candidate_reaches_is_named(tmp_path) -> None:
    flat = _pareto([0.0, 0.0])
    assert [o.outcome for o in flat.unreached()] == ["marginal_producer_reached"]
    message = flat.unreached_message()
    assert message.startswith("No candidate plan reaches marginal_producer_reached in any of "
                              "the 100 futures")
    assert ParetoResult.load(flat.save(tmp_path / "p.parquet")).unreached_message() == message
    assert _pareto([0.0, 0.02]).unreached_message() is None

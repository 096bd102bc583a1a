"""Plans side by side: the difference and its Monte Carlo error, pairing, levers, cost, CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.runs.compare import compare_folders, difference

runner = CliRunner()


def _cli(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cmp")
    out = {"base": root / "base", "variant": root / "variant", "other_seed": root / "seed9"}
    for args, folder in ((["--seed", "1"], out["base"]),
                         (["--seed", "1", "--set", "forced_eradication=2x",
                           "--set", "ad_funding.vraem=3x"], out["variant"]),
                         (["--seed", "9"], out["other_seed"])):
        result = _cli("run", "-n", "120", "--no-report", "--out", str(folder), *args)
        assert result.exit_code == 0, result.output
    return out


def test_difference_independent_is_the_se_of_two_proportions():
    a = np.array([1, 0, 0, 0])  # 0.25
    b = np.array([1, 1, 0, 0, 1, 1, 0, 0])  # 0.5
    diff, se = difference(a, b, paired=False)
    assert diff == pytest.approx(0.25)
    assert se == pytest.approx(math.sqrt(0.25 * 0.75 / 4 + 0.5 * 0.5 / 8))


def test_difference_paired_uses_the_per_future_differences():
    a = np.array([0, 0, 1, 1, 0])
    b = np.array([1, 0, 1, 1, 1])  # differs in futures 0 and 4
    diff, se = difference(a, b, paired=True)
    assert diff == pytest.approx(0.4)
    assert se == pytest.approx(np.std([1, 0, 0, 0, 1], ddof=1) / math.sqrt(5))
    # the same outcomes in every future: no difference and no error
    assert difference(a, a, paired=True) == (0.0, 0.0)


def test_same_seed_runs_are_paired_and_the_error_is_smaller(runs):
    c = compare_folders([runs["base"], runs["variant"]])
    assert c.paired
    assert c.labels == ["lima-2005", "lima-2005 variant"]
    row = c.goals[(c.goals.goal == "hold_the_line") & (c.goals.run == "lima-2005 variant")].iloc[0]
    base = c.sides[0].ds["hold_the_line_reached"].to_numpy()
    var = c.sides[1].ds["hold_the_line_reached"].to_numpy()
    assert row.difference == pytest.approx(var.mean() - base.mean())
    assert row.difference != 0  # doubling eradication from 2005 changes hold-the-line
    _, independent = difference(base, var, paired=False)
    assert 0 < row.se < independent
    assert row.low == pytest.approx(row.difference - 1.959964 * row.se)


def test_levers_that_differ_and_cost(runs):
    c = compare_folders([runs["base"], runs["variant"]])
    keys = set(zip(c.levers["lever"], c.levers["key"], strict=True))
    assert ("ad_funding", "vraem") in keys and ("forced_eradication", "huallaga") in keys
    assert not any(lever == "outside_assistance" for lever, _ in keys)
    row = c.levers[(c.levers.lever == "ad_funding") & (c.levers.key == "vraem")].iloc[0]
    assert row["lima-2005"] == "2005: 0, 2007: 5"
    assert row["lima-2005 variant"] == "2005: 0, 2007: 15"
    cost = c.cost.set_index("run")["median"]
    assert cost["lima-2005 variant"] > cost["lima-2005"] > 0


def test_other_seed_is_not_paired_and_same_plan_labels_are_folders(runs):
    c = compare_folders([runs["base"], runs["other_seed"]])
    assert not c.paired
    assert c.labels == ["base", "seed9"]
    assert c.levers.empty


def test_cli_compares_runs_and_writes_the_report(runs, tmp_path):
    result = _cli("compare", str(runs["base"]), str(runs["variant"]), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Same futures (common random numbers)" in result.output
    assert "pts ±" in result.output and "Levers that differ" in result.output
    html = (tmp_path / "compare.html").read_text()
    assert 'data-lever="ad_funding"' in html and 'id="goal-table"' in html
    assert "data:image/svg+xml;base64," in html
    assert "common random numbers" in html


def test_cli_runs_two_plans_with_the_same_seed(tmp_path):
    result = _cli("compare", "lima-2005", "peru-baseline", "-n", "30", "--seed", "4",
                  "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "1-lima-2005" / "run.json").is_file()
    assert (tmp_path / "2-peru-baseline" / "yearly.xlsx").is_file()
    assert "Different futures" in result.output  # their years differ, so no pairing
    assert (tmp_path / "compare.html").is_file()


def test_cli_refuses_one_item_and_names_a_bad_plan(tmp_path):
    assert _cli("compare", "lima-2005").exit_code == 1
    result = _cli("compare", "lima-2005", "no-such-plan", "-n", "5", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no-such-plan" in result.output


def test_compare_report_in_spanish_leaves_no_english(runs, tmp_path):
    from cnplan.i18n import use_language
    from cnplan.i18n_audit import english_left
    from cnplan.report.compare_report import write_compare_report

    with use_language("es"):
        path = write_compare_report(compare_folders([runs["base"], runs["variant"]]),
                                    tmp_path / "compare.html")
    html = path.read_text()
    assert '<html lang="es">' in html and "Planes lado a lado" in html
    assert english_left(html, "es") == []

"""Exploration report: goal headlines, distributions, inputs, analyses; offline in Chromium.

One small exploration (256 futures of ``lima-2005``) with a PRIM, a CART, a Sobol, a Morris
and a tiny optimisation result beside it is built once for the module; a copy without the
``analysis/`` folder checks that absent analyses say how to make them.
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import numpy as np
import pytest
import typer
from tests.report.browser import SCREENSHOTS, needs_chromium, open_offline, wait_rendered
from typer.testing import CliRunner

EXPERIMENT = """
name: report-test
plan: lima-2005
seed: 11
chunk_size: 128
uncertainties:
  - param: price_elasticity
  - driver: election_will
    range: [0.6, 0.9]
levers:
  - lever: forced_eradication
    zone: vraem
    scale: [0.5, 3.0]
  - lever: ad_funding
    scale: [0.6, 1.7]
outcomes:
  - hold_the_line
  - marginal_producer
  - stability_point
  - coca_ha: [2011]
  - cost_musd_total
  - resistance_max
design:
  method: latin_hypercube
  n: 256
"""
FAILURE = "hold_the_line_reached == False"


@pytest.fixture(scope="module")
def experiment():
    from cnplan.explore import load_experiment

    return load_experiment(EXPERIMENT)


@pytest.fixture(scope="module")
def exploration(experiment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An exploration folder with every kind of analysis result in ``analysis/``."""
    from cnplan.analysis.discover import analysis_path, discover, save_discovery
    from cnplan.analysis.optimize import optimize
    from cnplan.analysis.prim import quasi_p_values
    from cnplan.analysis.sensitivity import sensitivity
    from cnplan.explore import run_exploration

    folder = tmp_path_factory.mktemp("explorations") / "small"
    run_exploration(experiment, folder, progress=False)
    prim = discover(folder, FAILURE)
    quasi_p_values(prim, prim.default_box)  # as `cnplan discover` does before saving
    save_discovery(folder, prim)
    save_discovery(folder, discover(folder, "coca_ha_2011 > 40000", method="cart"))
    for method, n in (("sobol", 32), ("morris", 6)):
        result = sensitivity(experiment, outcome="coca_ha_2011", method=method, n=n,
                             num_resamples=50)
        result.save(analysis_path(folder, method, "coca_ha_2011", ".parquet"))
    pareto = optimize(experiment, ["min coca_ha_2011", "min cost_musd_total"], scenarios=8,
                      pop_size=10, generations=3)
    pareto.save(folder / "analysis" / "pareto.parquet")
    return folder


@pytest.fixture(scope="module")
def bare(exploration: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same exploration without any analysis."""
    folder = tmp_path_factory.mktemp("bare") / "small"
    shutil.copytree(exploration, folder, ignore=shutil.ignore_patterns("analysis", "*.html"))
    return folder


@pytest.fixture(scope="module")
def report(exploration: Path) -> Path:
    from cnplan.report import write_exploration_report

    return write_exploration_report(exploration)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ---------------------------------------------------------------- chart functions


def test_share_bars_draw_each_outcome_share_on_the_given_axes(exploration: Path) -> None:
    from cnplan.explore import open_results
    from cnplan.report import share_bars
    from cnplan.report.charts import new_axes

    frame = open_results(exploration).frame()
    columns = ["hold_the_line_reached", "marginal_producer_reached"]
    ax = new_axes()
    assert share_bars(frame, columns, ax=ax) is ax
    blue = [p.get_width() for p in ax.patches][len(columns):]  # grey backgrounds first
    assert blue == pytest.approx([frame[c].mean() for c in columns])
    assert "(%)" in ax.get_xlabel()
    assert f"{len(frame):,} futures" in ax.get_title(loc="left")


def test_outcome_histogram_counts_every_defined_future(exploration: Path) -> None:
    from cnplan.explore import open_results
    from cnplan.report import outcome_histogram

    frame = open_results(exploration).frame()
    ax = outcome_histogram(frame["coca_ha_2011"], "ha")
    assert sum(p.get_height() for p in ax.containers[0]) == len(frame)
    assert ax.get_xlabel() == "coca ha 2011 (ha)"
    assert ax.get_ylabel() == "futures (count)"
    years = frame["hold_the_line_year"]
    ax = outcome_histogram(years)
    assert sum(p.get_height() for p in ax.containers[0]) == years.notna().sum()
    assert f"{years.isna().sum():,} of {len(years):,} never reach it" in ax.get_title(loc="left")


def test_exploration_charts_cover_outcomes_and_every_analysis(exploration: Path) -> None:
    from cnplan.report import exploration_charts

    charts = {c.id: c for c in exploration_charts(exploration)}
    expected = {
        "outcome_shares", "outcome_coca_ha_2011", "outcome_cost_musd_total",
        "outcome_resistance_max", "prim_tradeoff_hold_the_line_reached-eq-False",
        "prim_box_hold_the_line_reached-eq-False", "cart_box_coca_ha_2011-gt-40000",
        "sobol_coca_ha_2011", "morris_coca_ha_2011", "pareto_pareto",
    }
    assert expected <= set(charts)
    for chart in charts.values():
        assert len(chart.alt) > 40, chart.id
        ax = chart.figure.axes[0]
        assert ax.get_title(loc="left") or chart.figure.get_suptitle(), chart.id
        assert ax.get_xlabel(), chart.id


# ---------------------------------------------------------------- the HTML


def test_report_headlines_state_the_share_of_futures_per_goal(exploration: Path,
                                                               report: Path) -> None:
    from cnplan.explore import open_results
    from cnplan.runs import percent

    assert report == exploration / "report.html"
    frame = open_results(exploration).frame()
    text = _text(report.read_text(encoding="utf-8"))
    hold = frame["hold_the_line_reached"].mean()
    assert (f"In {percent(hold)} of the 256 futures explored, the plan holds the line"
            in text)
    mp = frame["marginal_producer_reached"].mean()
    assert (f"In {percent(mp)} of the 256 futures explored, the plan makes Peru a marginal "
            "producer (at most 15,000 ha of coca and 300 ha of opium poppy) by 2011") in text
    assert "the plan reaches the stability point" in text
    assert f"{round(hold * 256):,} of 256 futures reach it" in text


def test_report_header_and_inputs_come_from_the_manifest(exploration: Path,
                                                        report: Path) -> None:
    manifest = json.loads((exploration / "manifest.json").read_text())
    text = _text(report.read_text(encoding="utf-8"))
    for value in ("report-test", "lima-2005", "latin hypercube", "seed 11",
                  manifest["parameter_set"], manifest["data_version"], manifest["code_version"]):
        assert value in text, value
    # inputs table: unit, designed range and how sampled
    assert re.search(r"lever:forced_eradication\.vraem lever x plan 0\.5 – 3 ", text)
    assert re.search(r"driver:election_will uncertainty \(driver\) index 0-1 0\.6 – 0\.9 ", text)
    assert "uniform over the range (latin hypercube)" in text
    # the parameter's range is its declared plausible range
    from cnplan.model.parameters import SPECS

    spec = SPECS["price_elasticity"]
    assert f"param:price_elasticity uncertainty (model parameter) {spec.unit}" in text
    assert f"{spec.low:.3g} – {spec.high:.3g}" in text


def test_report_shows_each_analysis_with_its_numbers(exploration: Path, report: Path) -> None:
    from cnplan.analysis.optimize import ParetoResult
    from cnplan.analysis.prim import PrimResult
    from cnplan.analysis.sensitivity import SensitivityResult

    html = report.read_text(encoding="utf-8")
    text = _text(html)
    analysis = exploration / "analysis"
    prim = PrimResult.load(analysis / "prim-hold_the_line_reached-eq-False.json")
    k = prim.default_box
    row = prim.trajectory.iloc[k]
    assert (f"Box {k} holds {row.mass:.0%} of the futures ({int(row.n):,}); in it, "
            f"“{FAILURE}” happens in {row.density:.0%} of futures") in text
    for name, (p_lo, p_hi) in prim.quasi_p[k].items():
        assert name in text
        for p in (p_lo, p_hi):
            if np.isfinite(p):
                assert (f"{p:.3f}" if p >= 0.001 else "< 0.001") in text
    sobol = SensitivityResult.load(analysis / "sobol-coca_ha_2011.parquet")
    top = sobol.table.iloc[0]
    assert f"{top['ST']:.3f} ± {top['ST_conf']:.3f}" in text
    assert "cart-coca_ha_2011-gt-40000.json" in text
    pareto = ParetoResult.load(analysis / "pareto.parquet")
    table = re.search(r'<table class="pareto-table">.*?</table>', html, re.S).group(0)
    assert table.count("<tr>") == len(pareto.table) + 1
    assert "mean(cost_musd_total) (min; million USD)" in _text(table)
    assert not re.search(r'id="(prim|cart|sobol|morris|pareto)-absent"', html)


def test_report_is_self_contained_and_small(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert report.stat().st_size < 10e6
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="(?!data:|#)', html)
    assert "@import" not in html and "url(http" not in html
    assert html.count('<img src="data:image/svg+xml;base64,') >= 10


def test_absent_analyses_say_which_command_makes_them(bare: Path) -> None:
    from cnplan.report import write_exploration_report

    html = write_exploration_report(bare).read_text(encoding="utf-8")
    for section in ("prim", "cart", "sobol", "morris", "pareto"):
        assert f'id="{section}-absent"' in html, section
        assert f'id="chart-{section}' not in html, section
    text = _text(html)
    assert f'cnplan discover {bare} --outcome "marginal_producer_reached == False"' in text
    assert "cnplan sensitivity EXPERIMENT.yaml --outcome coca_ha_2011" in text
    assert f"--out {bare}/analysis/pareto.parquet" in text
    assert 'id="chart-outcome_shares"' in html


def test_a_prim_run_that_finds_no_box_says_so_without_empty_charts(bare: Path,
                                                                   tmp_path: Path) -> None:
    from cnplan.analysis.discover import discover, save_discovery
    from cnplan.explore import open_results
    from cnplan.report import write_exploration_report

    folder = tmp_path / "nobox"
    shutil.copytree(bare, folder, ignore=shutil.ignore_patterns("*.html"))
    always = "coca_ha_2011 > 0"
    assert open_results(folder).frame()["coca_ha_2011"].gt(0).all()
    save_discovery(folder, discover(folder, always))
    html = write_exploration_report(folder).read_text(encoding="utf-8")
    assert "PRIM found no box narrower than the whole range of the inputs" in _text(html)
    assert 'id="chart-prim_' not in html and "prim-limits" not in html


def test_an_unfinished_exploration_says_so_and_counts_finished_rows(bare: Path,
                                                                  tmp_path: Path) -> None:
    from cnplan.report import write_exploration_report

    folder = tmp_path / "half"
    shutil.copytree(bare, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["finished_chunks"] = [0]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = _text(write_exploration_report(folder).read_text(encoding="utf-8"))
    assert "This exploration is unfinished: 128 of 256 futures are done" in text
    assert "of the 128 futures explored" in text


# ---------------------------------------------------------------- errors and the CLI


def test_an_exploration_without_finished_rows_is_refused(bare: Path, tmp_path: Path) -> None:
    from cnplan.report import write_exploration_report
    from cnplan.report.exploration_report import ExplorationReportError

    folder = tmp_path / "empty"
    shutil.copytree(bare, folder, ignore=shutil.ignore_patterns("*.html"))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["finished_chunks"] = []
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExplorationReportError, match="no finished rows yet"):
        write_exploration_report(folder)
    assert not (folder / "report.html").exists()


def _app() -> typer.Typer:
    from cnplan.cli import report as report_cli

    app = typer.Typer()
    report_cli.register(app)

    @app.callback()
    def _main() -> None:
        pass

    return app


def test_cli_report_of_an_exploration_exports_every_chart(exploration: Path,
                                                          tmp_path: Path) -> None:
    from cnplan.report import exploration_charts

    out = tmp_path / "x.html"
    result = CliRunner().invoke(
        _app(), ["report", str(exploration), "--png", str(tmp_path / "png"), "--svg",
                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "<h2 id=\"prim-h\">" in out.read_text(encoding="utf-8")
    ids = {c.id for c in exploration_charts(exploration)}
    assert {p.stem for p in (tmp_path / "png").glob("*.png")} == ids
    assert {p.stem for p in (tmp_path / "png").glob("*.svg")} == ids


def test_a_damaged_chunk_is_a_clean_error(bare: Path, tmp_path: Path) -> None:
    folder = tmp_path / "damaged"
    shutil.copytree(bare, folder, ignore=shutil.ignore_patterns("*.html"))
    (folder / "results" / "chunk-000001.parquet").write_bytes(b"PAR1 broken")
    result = CliRunner().invoke(_app(), ["report", str(folder)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert f"{folder}: cannot read the finished chunks in results/" in message
    assert not (folder / "report.html").exists()


def test_cli_report_refuses_a_manifest_of_another_kind(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "something"}))
    result = CliRunner().invoke(_app(), ["report", str(tmp_path)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert str(tmp_path) in message
    assert "kind is not 'exploration'" in message


def test_a_corrupt_analysis_file_is_named_and_nothing_is_written(bare: Path,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "corrupt"
    shutil.copytree(bare, folder, ignore=shutil.ignore_patterns("*.html"))
    bad = folder / "analysis" / "sobol-coca_ha_2011.parquet"
    bad.parent.mkdir()
    bad.write_text("not parquet")
    before = sorted(p.name for p in folder.iterdir())  # the explore lock file included
    result = CliRunner().invoke(_app(), ["report", str(folder)])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert str(bad) in message and "cannot read this analysis file" in message
    assert sorted(p.name for p in folder.iterdir()) == before
    assert {"analysis", "manifest.json", "results"} <= set(before)


# ---------------------------------------------------------------- in a browser


@needs_chromium
def test_exploration_report_renders_offline_without_errors(
    report: Path, tmp_path: Path
) -> None:
    pytest.importorskip("playwright.sync_api")
    alone = tmp_path / "report.html"  # the file must not need its folder
    shutil.copy(report, alone)
    with open_offline(alone) as seen:
        page = seen.page
        wait_rendered(page)
        headline = page.locator("#headline")
        assert "futures explored, the plan makes Peru a marginal producer" in (
            headline.inner_text())
        assert page.locator("#headline .goal").count() == 3
        charts = page.locator("figure.chart img")
        assert charts.count() >= 10
        for chart in ("outcome_shares", "outcome_coca_ha_2011",
                      "prim_tradeoff_hold_the_line_reached-eq-False",
                      "prim_box_hold_the_line_reached-eq-False",
                      "cart_box_coca_ha_2011-gt-40000", "sobol_coca_ha_2011",
                      "morris_coca_ha_2011", "pareto_pareto"):
            img = page.locator(f"[id='chart-{chart}'] img")
            assert img.count() == 1, chart
            assert len(img.get_attribute("alt") or "") > 40, chart
            assert img.evaluate("i => i.naturalWidth") > 100, chart
            assert img.evaluate("i => i.getBoundingClientRect().width") > 200, chart
        for table in ("#outcome-table", "#input-table", ".prim-limits", ".cart-leaves",
                      ".sobol-table", ".morris-table", ".pareto-table",
                      "#provenance-table"):
            assert page.locator(f"{table} tbody tr").count() > 0, table
        page.screenshot(path=str(SCREENSHOTS / "exploration_report_full.png"),
                        full_page=True)
        page.locator("#goals").screenshot(
            path=str(SCREENSHOTS / "exploration_report_goals.png"))
        page.locator("#prim").screenshot(path=str(SCREENSHOTS / "exploration_report_prim.png"))
        page.locator("#sobol").screenshot(
            path=str(SCREENSHOTS / "exploration_report_sobol.png"))
        page.locator("#pareto").screenshot(
            path=str(SCREENSHOTS / "exploration_report_pareto.png"))
    outside = [u for u in seen.requests if not u.startswith(("file://", "data:"))]
    assert outside == [], f"seen.requests left the machine: {outside}"
    assert seen.errors == [], f"browser console seen.errors: {seen.errors}"


def test_flat_analyses_say_so_without_empty_charts(bare: Path, tmp_path: Path) -> None:
    import pandas as pd

    from cnplan.analysis.optimize import Objective, ParetoResult
    from cnplan.analysis.sensitivity import sensitivity
    from cnplan.report import write_exploration_report

    folder = tmp_path / "flat"
    shutil.copytree(bare, folder, ignore=shutil.ignore_patterns("*.html"))
    (folder / "analysis").mkdir()
    flat = sensitivity(lambda x: np.ones(len(x)), {"names": ["a"], "bounds": [[0, 1]]},
                       outcome="stability_point_reached", n=4)
    flat.save(folder / "analysis" / "sobol-stability_point_reached.parquet")
    objectives = [Objective("marginal_producer_reached", "max"),
                  Objective("cost_musd_total", "min")]
    ParetoResult(pd.DataFrame({"ad_funding": [0.6], "mean(marginal_producer_reached)": [0.0],
                               "mean(cost_musd_total)": [12.0]}), objectives, ["ad_funding"],
                 16, 0, pd.DataFrame({"generation": [0], "evaluations": [8], "seconds": [0.1]})
                 ).save(folder / "analysis" / "pareto.parquet")
    html = write_exploration_report(folder).read_text(encoding="utf-8")
    text = _text(html)
    assert "stability_point_reached has no variance: it is 1 in all 12 model runs" in text
    assert 'id="chart-sobol_' not in html and "sobol-table" not in html
    assert "No candidate plan reaches marginal_producer_reached in any of the 16 futures" in text
    assert 'id="chart-pareto_' not in html


def test_headline_states_the_median_coca_and_years_only_from_enough_futures(
        exploration: Path, report: Path) -> None:
    from cnplan.explore import open_results
    from cnplan.report.exploration_report import headlines, load_exploration

    text = _text(report.read_text(encoding="utf-8"))
    frame = open_results(exploration).frame()
    median = frame["coca_ha_2011"].median()
    got = re.search(r"the median coca area in 2011 is about ([\d,]+) ha \(10–90%: ([\d,]+)–"
                    r"([\d,]+) ha\)", text)
    assert got and abs(int(got.group(1).replace(",", "")) - median) <= 0.01 * median
    inputs = load_exploration(exploration)
    for h in headlines(inputs):
        reached = int(frame[f"{h['goal']}_year"].notna().sum())
        if 0 < reached < 10:
            assert "too few to say when" in h["detail"] and "first in" not in h["detail"]
        elif reached:
            assert "first in" in h["detail"]
    inputs.frame = inputs.frame.assign(stability_point_year=[2010.0] + [np.nan] * (
        len(inputs.frame) - 1))
    one = {h["goal"]: h["detail"] for h in headlines(inputs)}["stability_point"]
    assert one.endswith("in 1 future: too few to say when.") and "2010" not in one

"""Run report and charts: the same functions draw on a given Axes; the HTML is self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def inputs(run_folder: Path):
    from cnplan.report.run_report import load_inputs

    return load_inputs(run_folder)


def test_charts_draw_on_the_axes_they_are_given(inputs) -> None:
    from matplotlib.figure import Figure

    from cnplan.report import charts, zone_map

    fig = Figure()
    ax = fig.add_subplot()
    out = charts.fan_chart(inputs.ds, "coca", observed=inputs.observed["coca"],
                           thresholds={"marginal": 15000}, ax=ax)
    assert out is ax
    assert ax.get_ylabel() == "national coca area (ha)"
    assert "marginal: 15,000" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert charts.goal_curves(inputs.ds, inputs.plan, ax=fig.add_subplot(2, 1, 1)) is not None
    ax = Figure().add_subplot()
    assert zone_map(inputs.ds, inputs.data.zones, 2010, ax=ax) is ax
    with pytest.raises(ValueError, match="not in the run"):
        zone_map(inputs.ds, inputs.data.zones, 1990)
    axes = charts.zone_multiples(inputs.ds, inputs.zone_observed)
    assert len(axes) == len(inputs.zone_ids)


def test_fan_chart_bands_match_the_ensemble(inputs) -> None:
    import numpy as np

    from cnplan.report.charts import national_values, quantile_bands

    values, _, unit = national_values(inputs.ds, "coca")
    bands = quantile_bands(values)
    direct = np.median(inputs.ds["national_ha"].sel(crop="coca").to_numpy(), axis=0)
    np.testing.assert_allclose(bands["p50"].to_numpy(), direct, rtol=1e-6)
    assert (bands["p05"] <= bands["p25"]).all() and (bands["p75"] <= bands["p95"]).all()
    assert unit == "ha"


def test_report_is_self_contained(run_folder: Path) -> None:
    from cnplan.report import write_run_report

    path = write_run_report(run_folder)
    assert path == run_folder / "report.html"
    html = path.read_text(encoding="utf-8")
    assert "chance of making Peru a marginal producer" in html
    # next to the goals, the model's out-of-sample record on the run's data (run.json)
    from cnplan.calibrate.record import forecast_record

    skill = forecast_record("peru")["horizons"]["1-3"]["skill_random_walk"]
    record = re.search(r'<p id="forecast-record">([^<]*)</p>', html)
    assert record and f"{skill:+.2f} at 1-3 years" in record[1]
    # nothing to fetch: no external scripts, styles, images or fonts
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "@import" not in html and "url(http" not in html
    assert html.count('<img src="data:image/svg+xml;base64,') >= 8
    assert path.stat().st_size < 10_000_000


def test_outline_is_natural_earth_peru() -> None:
    from cnplan.report.zonemap import load_outlines

    outlines = load_outlines()
    assert "Natural Earth" in outlines["source"]
    (ring,) = outlines["countries"]["PER"]["rings"]
    lons, lats = zip(*ring, strict=True)
    assert -81.5 < min(lons) < -81 and -69 < max(lons) < -68.5
    assert -18.5 < min(lats) < -18 and -0.1 < max(lats) < 0


def test_percent_words() -> None:
    from cnplan.runs import percent

    assert percent(0.0) == "0%"
    assert percent(0.001) == "less than 1%"
    assert percent(0.07) == "7%"
    assert percent(0.999) == "more than 99%"
    assert percent(1.0) == "100%"
    assert (percent(0.002, short=True), percent(0.998, short=True)) == ("<1%", ">99%")


def _app() -> typer.Typer:
    from cnplan.cli import report as report_cli

    app = typer.Typer()
    report_cli.register(app)

    @app.callback()
    def _main() -> None:
        pass

    return app


def test_cli_report_writes_html_png_and_svg(run_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        _app(), ["report", str(run_folder), "--png", str(tmp_path / "png"), "--svg",
                 "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()
    pngs = {p.stem for p in (tmp_path / "png").glob("*.png")}
    assert {"fan_coca", "fan_poppy", "zone_map", "zone_multiples", "lever_timeline"} <= pngs
    assert {p.stem for p in (tmp_path / "png").glob("*.svg")} == pngs


def test_cli_report_refuses_a_folder_without_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a run folder" in " ".join(result.output.split())

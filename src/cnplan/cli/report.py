"""`cnplan report`: rebuild the HTML report of a run or an exploration; export its charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cnplan import progress
from cnplan.cli.errors import fail
from cnplan.files import write_text_atomic
from cnplan.i18n import gettext as _

console = Console()


def _export(charts: list, folder: Path, formats: tuple[str, ...]) -> None:
    task = _("saving charts")
    for i, chart in enumerate(charts):
        progress.step(task, i, len(charts))
        for path in chart.save(folder, formats):
            console.print(f"chart: {path}")
    progress.step(task, len(charts), len(charts))


def _run_report(folder: Path, maps: bool = False) -> tuple[list, Callable[[], str]]:
    """A run folder's charts, and how to render its HTML from them."""
    from cnplan.data import DataError
    from cnplan.plans import PlanError
    from cnplan.report.run_report import load_inputs, render_run_report, run_charts
    from cnplan.runs import RunError

    try:
        inputs = load_inputs(folder)
    except (RunError, DataError, PlanError, OSError, KeyError) as exc:
        raise fail(exc) from None
    # exporting charts: every year's map too (zone bubbles and choropleth), one file each
    years = [int(y) for y in inputs.ds["year"].to_numpy()] if maps else None
    charts = run_charts(inputs, map_years=years)
    return charts, lambda: render_run_report(inputs, charts)


def _exploration_report(folder: Path) -> tuple[list, Callable[[], str]]:
    """An exploration folder's charts, and how to render its HTML from them."""
    from cnplan.report.exploration_report import (
        ExplorationReportError,
        exploration_charts,
        load_exploration,
        render_exploration_report,
    )

    try:
        inputs = load_exploration(folder)
    except (ExplorationReportError, OSError) as exc:
        raise fail(exc) from None
    charts = exploration_charts(inputs)
    return charts, lambda: render_exploration_report(inputs, charts)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the main app."""

    @app.command()
    def report(
        folder: Annotated[
            Path,
            typer.Argument(help="Run folder (`cnplan run`) or exploration folder "
                           "(`cnplan explore`).", metavar="DIR"),
        ],
        png: Annotated[
            Path | None, typer.Option("--png", help="Also save each chart as PNG in this folder.")
        ] = None,
        svg: Annotated[
            bool,
            typer.Option("--svg", help="Also save each chart as SVG (in --png's folder, "
                         "else DIR/charts)."),
        ] = False,
        out: Annotated[
            Path | None, typer.Option(help="Report file (default DIR/report.html).")
        ] = None,
        no_html: Annotated[
            bool, typer.Option("--no-html", help="Only export charts; do not write the HTML.")
        ] = False,
    ) -> None:
        """Write DIR/report.html (one file, opens offline) and optionally each chart as PNG/SVG.

        DIR is a run folder (fan charts, zone map, levers) or an exploration folder (goal
        shares, outcome distributions, and the PRIM, CART, Sobol, Morris and Pareto results
        found in DIR/analysis/).
        """
        from cnplan.report.exploration_report import is_exploration
        from cnplan.runs.folder import RUN_JSON

        formats = (("png",) if png else ()) + (("svg",) if svg else ())
        if not is_exploration(folder) and not (folder / RUN_JSON).is_file():
            what = "does not exist" if not folder.exists() else (
                "has a manifest.json whose kind is not 'exploration'"
                if (folder / "manifest.json").is_file() else "has neither")
            raise fail(ValueError(
                f"{folder}: not a run folder (expected {RUN_JSON} and ensemble.nc, written by "
                "cnplan run) nor an exploration folder (expected manifest.json with \"kind\": "
                f"\"exploration\", written by cnplan explore); the folder {what}"))
        phase = _("report: read, draw the charts, write")
        with progress.shown():
            progress.step(phase, 0, 3)
            if is_exploration(folder):
                charts, render = _exploration_report(folder)
            else:
                charts, render = _run_report(folder, maps=bool(formats))
            progress.step(phase, 2, 3)
            if formats:
                _export(charts, png or folder / "charts", formats)
            if not no_html:
                path = out or folder / "report.html"
                html = render()
                write_text_atomic(path, html)
            progress.step(phase, 3, 3)
        if not no_html:
            console.print(f"report: {path} ({len(html.encode()) / 1e6:.1f} MB)")

"""`cnplan report`: rebuild a run's self-contained HTML report and export its charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cnplan.cli.errors import fail

console = Console()


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the main app."""

    @app.command()
    def report(
        run_dir: Annotated[Path, typer.Argument(help="Run folder written by `cnplan run`.")],
        png: Annotated[
            Path | None, typer.Option("--png", help="Also save each chart as PNG in this folder.")
        ] = None,
        svg: Annotated[
            bool,
            typer.Option("--svg", help="Also save each chart as SVG (in --png's folder, "
                         "else RUN_DIR/charts)."),
        ] = False,
        out: Annotated[
            Path | None, typer.Option(help="Report file (default RUN_DIR/report.html).")
        ] = None,
        no_html: Annotated[
            bool, typer.Option("--no-html", help="Only export charts; do not write the HTML.")
        ] = False,
    ) -> None:
        """Write RUN_DIR/report.html (opens offline) and optionally each chart as PNG/SVG."""
        from cnplan.data import DataError
        from cnplan.plans import PlanError
        from cnplan.report.run_report import load_inputs, render_run_report, run_charts
        from cnplan.runs import RunError

        try:
            inputs = load_inputs(run_dir)
        except (RunError, DataError, PlanError, OSError, KeyError) as exc:
            raise fail(exc) from None
        charts = run_charts(inputs)
        formats = (("png",) if png else ()) + (("svg",) if svg else ())
        if formats:
            folder = png or run_dir / "charts"
            for chart in charts:
                for path in chart.save(folder, formats):
                    console.print(f"chart: {path}")
        if not no_html:
            path = out or run_dir / "report.html"
            html = render_run_report(inputs, charts)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(html, encoding="utf-8")
            tmp.replace(path)
            console.print(f"report: {path} ({len(html.encode()) / 1e6:.1f} MB)")

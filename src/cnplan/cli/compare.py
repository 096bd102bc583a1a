"""`cnplan compare`: runs or plans side by side, printed and written as ``compare.html``."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnplan import format as fmt
from cnplan import terms
from cnplan.cli.errors import fail
from cnplan.files import output_root
from cnplan.i18n import N_
from cnplan.i18n import gettext as _

console = Console()
GOAL_NAMES = {"hold_the_line": N_("Hold the line"), "marginal_producer": N_("Marginal producer"),
              "stability_point": N_("Stability point")}


def _is_run(item: str) -> bool:
    return (Path(item) / "run.json").is_file()


def _points(value: float) -> str:
    if math.isnan(value):
        return ""
    return ("+" if value >= 0 else "−") + fmt.number(abs(100 * value), 1)


def _goal_table(comparison) -> Table:
    from cnplan.runs import percent

    table = Table(title=_("Goals: probability of reaching each, by run"), title_justify="left")
    table.add_column(_("goal"))
    for label in comparison.labels:
        table.add_column(label, justify="right")
    for goal, part in comparison.goals.groupby("goal", sort=False):
        cells = []
        for r in part.itertuples(index=False):
            cell = percent(r.probability, short=True)
            if math.isnan(r.difference):
                pass
            elif r.se == 0 and r.difference == 0:
                cell += "\n" + _("no difference in any future")
            else:
                cell += "\n" + _("%(diff)s pts ± %(se)s") % {
                    "diff": _points(r.difference), "se": fmt.number(100 * r.se, 1)}
            cells.append(cell)
        by = part["by_year"].iloc[0]
        table.add_row(f"{_(GOAL_NAMES.get(goal, goal))} ({by})", *cells)
    return table


def _lever_table(comparison) -> Table:
    table = Table(title=_("Levers that differ"), title_justify="left")
    for col in (_("lever"), _("zone or scope"), _("unit"), *comparison.labels):
        table.add_column(col, overflow="fold")
    for r in comparison.levers.to_dict("records"):
        table.add_row(r["lever"], r["key"], terms.unit(r["unit"]),
                      *(r[label] for label in comparison.labels))
    return table


def _cost_table(comparison) -> Table:
    table = Table(title=_("Programme cost over the run's years, million USD"),
                  title_justify="left")
    for col in (_("run"), _("median"), "10–90%"):
        table.add_column(col, justify="right")
    for r in comparison.cost.itertuples(index=False):
        band = "–" if math.isnan(r.p10) else f"{r.p10:,.0f} – {r.p90:,.0f}"
        table.add_row(r.run, "–" if math.isnan(r.median) else f"{r.median:,.0f}", band)
    return table


def print_comparison(comparison) -> None:
    """The comparison in the terminal: runs, pairing, goals, levers, cost."""
    for i, side in enumerate(comparison.sides):
        console.print(f"{i + 1}. [bold]{side.label}[/bold]: {side.plan.title or side.plan.name}"
                      + (f" — {side.folder}" if side.folder else ""), highlight=False)
    console.print(_("Same futures (common random numbers): differences are paired.")
                  if comparison.paired else
                  _("Different futures: differences combine two independent estimates; run "
                    "with the same seed and number of futures for a sharper comparison."))
    console.print(_goal_table(comparison))
    console.print(_("Differences are against %(base)s, in percentage points ± one Monte Carlo "
                    "standard error.") % {"base": comparison.labels[0]}, highlight=False)
    if len(comparison.levers):
        console.print(_lever_table(comparison))
    else:
        console.print(_("The runs set every lever the same way."))
    console.print(_cost_table(comparison))


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to the main app."""

    @app.command()
    def compare(
        items: Annotated[list[str], typer.Argument(
            help="Two or more run folders, or plans (built-in names or YAML files) to run "
                 "with the same seed and number of futures (common random numbers).")],
        scenarios: Annotated[int, typer.Option(
            "--scenarios", "-n", help="Futures per plan (plans only).")] = 500,
        seed: Annotated[int, typer.Option(help="Seed shared by the plans run.")] = 0,
        out: Annotated[Path | None, typer.Option(
            help="Folder for compare.html and the runs of plans (default "
                 "runs/compare-<time>).")] = None,
    ) -> None:
        """Compare runs or plans side by side: goals with the difference and its uncertainty,
        yearly bands on one chart, levers that differ and cost; writes compare.html.
        """
        from cnplan.cli.run import _plan_and_data, make_run
        from cnplan.data import DataError
        from cnplan.errors import LocatedError
        from cnplan.model import ModelInputError
        from cnplan.report.compare_report import COMPARE_FILE, write_compare_report
        from cnplan.runs import RunError
        from cnplan.runs.compare import compare_folders

        if len(items) < 2:
            raise fail(ValueError(_("compare: give at least two runs or plans, got %(n)s")
                                  % {"n": len(items)}))
        folder = out or output_root("runs") / (
            "compare-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
        try:
            for item in items:  # every plan is checked before any is run
                if not _is_run(item):
                    _plan_and_data(item, None)
            runs = []
            for i, item in enumerate(items):
                if _is_run(item):
                    runs.append(Path(item))
                    continue
                stem = Path(item).stem if item.endswith((".yaml", ".yml")) else item
                made = make_run(item, scenarios=scenarios, seed=seed,
                                out=folder / f"{i + 1}-{stem}")
                runs.append(made.folder)
            comparison = compare_folders(runs)
            path = write_compare_report(comparison, folder / COMPARE_FILE)
        except (LocatedError, DataError, ModelInputError, RunError, ValueError) as exc:
            raise fail(exc) from None
        print_comparison(comparison)
        console.print(_("report: %(path)s") % {"path": path}, highlight=False)

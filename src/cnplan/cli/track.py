"""`cnplan track` commands: init, record, status, history, import, export and report-html.

``record`` was called ``report``, easily confused with ``report-html``; ``report`` still works
as a hidden alias so scripts written for it keep running.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from cnplan import format as display
from cnplan import terms
from cnplan.i18n import gettext as _

app = typer.Typer(no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///file, postgresql+psycopg://...) or SQLite path; "
        "default $CNPLAN_TRACK_DB or tracker.sqlite in the user data directory.",
    ),
]


def _errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Print TrackError and PlanError to stderr without a traceback and exit 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from cnplan.plans import PlanError
        from cnplan.track import TrackError

        try:
            return func(*args, **kwargs)
        except (TrackError, PlanError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper


@app.command()
@_errors
def init(
    plan: Annotated[str, typer.Option(help="Built-in plan name or plan file.")] = "lima-2005",
    db: DbOption = None,
    no_prefill: Annotated[
        bool, typer.Option("--no-prefill", help="Do not record the shipped data's actuals.")
    ] = False,
) -> None:
    """Create (or upgrade) the tracker database from a plan's indicators and targets."""
    from cnplan.plans import load_plan
    from cnplan.track import init_db, resolve_url
    from cnplan.track.db import safe_url

    lines = init_db(load_plan(plan), db, prefill=not no_prefill)
    for line in lines:
        typer.echo(line)
    typer.echo(f"tracker database ready: {safe_url(resolve_url(db))}")


@_errors
def record_cmd(
    indicator: Annotated[str, typer.Argument(help="Indicator id (see `cnplan track status`).")],
    period: Annotated[str, typer.Option(help="Year the value is for.")],
    value: Annotated[str, typer.Option(help="The value, in the indicator's unit.")],
    by: Annotated[str, typer.Option("--by", help="Who reports it.")],
    source: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
    comment: Annotated[str, typer.Option(help="Any remark.")] = "",
    unit: Annotated[
        str | None, typer.Option(help="Unit of the value; must be the indicator's unit.")
    ] = None,
    reported_at: Annotated[
        str | None, typer.Option(help="When it was reported (ISO date); default now.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record an actual; it supersedes any earlier one for the indicator and period."""
    from cnplan.track import report
    from cnplan.track.service import format_value

    entry = report(
        indicator,
        period,
        value,
        by,
        source=source,
        comment=comment,
        unit=unit,
        reported_at=reported_at,
        url=db,
    )
    extra = (_(", supersedes #%(id)s") % {"id": entry.supersedes}) if entry.supersedes else ""
    typer.echo(
        _("recorded #%(id)s: %(indicator)s %(period)s = %(value)s %(unit)s") % {
            "id": entry.id, "indicator": entry.indicator, "period": entry.period,
            "value": format_value(entry.value), "unit": terms.unit(entry.unit)} + extra
    )


app.command("record")(record_cmd)
app.command("report", hidden=True, help="Old name of `record` (kept as an alias).")(record_cmd)


def _last(row: Any) -> str:
    """The latest actual before the view's period, with its year ("9,500 (2006)"), or "-"."""
    if row.last_period is None or row.actual is not None:
        return "-"
    return f"{display.number(row.last_actual)} ({display.year(row.last_period)})"


@app.command("status")
@_errors
def status_cmd(
    db: DbOption = None,
    period: Annotated[
        int | None, typer.Option(help="Year to show (default: the latest year with an actual).")
    ] = None,
) -> None:
    """Show each objective's indicators in one period: target, actual, percent, status, trend."""
    from rich.console import Console
    from rich.table import Table

    from cnplan.track import status

    colour = {"on track": "green", "at risk": "yellow", "off track": "red"}
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 120))
    groups = status(db, period=period)
    if groups:
        console.print(_("Period: %(period)s (the same year for every indicator; --period to "
                        "choose another)") % {"period": groups[0].period or "-"})
    for group in groups:
        counts = ", ".join(f"{n} {terms.status(s)}" for s, n in sorted(group.counts.items()))
        table = Table(title=group.title, caption=counts, title_justify="left")
        table.add_column(_("indicator"), no_wrap=True)
        table.add_column(_("unit"))
        table.add_column(_("better"), justify="center")
        for col in [_("target"), _("actual"), _("% of target")]:
            table.add_column(col, justify="right")
        table.add_column(_("status"), no_wrap=True)
        table.add_column(_("trend"))
        table.add_column(_("last reported"), justify="right")
        for row in group.rows:
            table.add_row(
                row.indicator,
                terms.unit(row.unit),
                terms.direction("lower" if row.direction == "lower" else "higher"),
                display.number(row.target),
                display.number(row.actual),
                f"{row.percent:.0f}%" if row.percent is not None else "-",
                f"[{colour.get(row.status, 'dim')}]{terms.status(row.status)}[/]",
                terms.trend(row.trend),
                _last(row),
            )
        console.print(table)
    console.print(_("%% of target: actual / target where higher is better, target / actual "
                    "where lower is better (coca area), so 100%% or more always means the "
                    "target is met.") % {}, highlight=False)


@app.command("report-html")
@_errors
def report_html_cmd(
    out: Annotated[
        Path, typer.Option("--out", help="HTML file to write (opens offline).")
    ] = Path("tracker-report.html"),
    png: Annotated[
        Path | None, typer.Option("--png", help="Also save each chart as PNG in this folder.")
    ] = None,
    svg: Annotated[
        bool, typer.Option("--svg", help="With --png: also save each chart as SVG.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Write the tracker report: status table with colours, target-vs-actual charts."""
    from cnplan.report.tracker_report import tracker_charts, write_tracker_report

    path = write_tracker_report(db, out)
    typer.echo(_("report: %(path)s") % {"path": path} + f" ({path.stat().st_size / 1e6:.1f} MB)")
    if png is not None:
        formats = ("png", "svg") if svg else ("png",)
        for chart in tracker_charts(db)[1]:
            for saved in chart.save(png, formats):
                typer.echo(_("chart: %(path)s") % {"path": saved})


@app.command("history")
@_errors
def history_cmd(
    indicator: Annotated[str, typer.Argument(help="Indicator id.")], db: DbOption = None
) -> None:
    """Every actual reported for an indicator, oldest first, and which are in force."""
    from rich.console import Console
    from rich.table import Table

    from cnplan.track import history
    from cnplan.track.service import format_time, format_value

    rows = history(indicator, db)
    table = Table(title=_("History of %(indicator)s") % {"indicator": indicator},
                  title_justify="left")
    for col in ["#", _("period"), _("value"), _("reported by"), _("reported at"), _("source"),
                _("comment"), _("state")]:
        table.add_column(col)
    for e in rows:
        state = _("in force") if e.in_force else _("superseded")
        if e.supersedes:
            state += " " + _("(replaces #%(id)s)") % {"id": e.supersedes}
        table.add_row(
            str(e.id),
            str(e.period),
            format_value(e.value),
            e.reported_by,
            format_time(e.reported_at),
            e.source,
            e.comment,
            state,
        )
    if not rows:
        typer.echo(_("no actuals reported for %(indicator)s") % {"indicator": indicator})
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 160))
    console.print(table)


@app.command("import")
@_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file in the export layout.")],
    db: DbOption = None,
) -> None:
    """Import actuals from CSV or Excel: all rows or none (every bad row is listed)."""
    from cnplan.track import import_file

    result = import_file(file, db)
    typer.echo(
        f"{file.name}: " + _("%(rows)s row(s), %(added)s added, %(unchanged)s already recorded")
        % {"rows": result.rows, "added": result.added, "unchanged": result.unchanged}
    )


@app.command("export")
@_errors
def export_cmd(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="A .csv or .xlsx file; default stdout CSV."),
    ] = None,
    all_entries: Annotated[
        bool, typer.Option("--history", help="Every entry, superseded ones too, in report order.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Export actuals as CSV (standard output by default) or Excel, indicator id first."""
    from cnplan.track import export

    if output is None:
        export(sys.stdout, db, history=all_entries)
    else:
        export(output, db, history=all_entries)
        typer.echo(_("wrote %(path)s") % {"path": output}, err=True)

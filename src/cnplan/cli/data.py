"""`cnplan data` commands: list, show, plot, validate and import monitoring datasets."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cnplan import terms
from cnplan.cli.errors import fail
from cnplan.data import DataError, available_names, import_dataset, load_dataset, validate
from cnplan.data.importer import migrate_dataset
from cnplan.i18n import N_, ngettext
from cnplan.i18n import gettext as _

app = typer.Typer(no_args_is_help=True)

DatasetArg = Annotated[str, typer.Argument(help="Dataset: 'peru', an imported name, or a path.")]
SHOW_COLUMNS = ["zone", "year", "period", "variable", "value", "unit", "source_id", "quality",
                "note"]


class Format(StrEnum):
    """Output formats of ``cnplan data show``."""

    table = "table"
    csv = "csv"
    json = "json"


@app.command("list")
def list_cmd() -> None:
    """List the datasets available: shipped and imported."""
    table = Table(title=_("cnplan datasets"))
    for col in (N_("name"), N_("country"), N_("years"), N_("zones"), N_("variables"),
                N_("sources"), N_("rows"), N_("version")):
        table.add_column(_(col), justify="right" if col in {"zones", "variables", "sources",
                                                            "rows"} else "left")
    for name in available_names():
        try:
            s = load_dataset(name).summary()
        except DataError as exc:
            table.add_row(name, "[red]" + ngettext(
                "invalid: %(num)s problem", "invalid: %(num)s problems", len(exc.problems)) % {
                "num": len(exc.problems)} + "[/red]",
                          *[""] * 6)
            continue
        table.add_row(*(str(s[k]) for k in ("name", "country", "years", "zones", "variables",
                                            "sources", "rows", "version")))
    Console().print(table)


@app.command()
def show(
    dataset: DatasetArg = "peru",
    zone: Annotated[str | None, typer.Option(help="Zone name as in the source, 'national', "
                                             "or a model zone id (e.g. vraem).")] = None,
    variable: Annotated[str | None, typer.Option(help="Variable, e.g. coca_ha.")] = None,
    source: Annotated[str | None, typer.Option(help="Series (unodc, us), publisher kind "
                                               "(unodc_devida) or source id (S30).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    wide: Annotated[bool, typer.Option(
        "--wide", help="One row per year, one column per model zone (and national), for "
                       "one variable (default coca_ha).")] = False,
) -> None:
    """Show observations, filtered by zone, variable and source."""
    try:
        ds = load_dataset(dataset)
        if variable is not None:
            ds.unit(variable)  # an unknown variable is an error (did you mean), not 0 rows
        if wide:
            _show_wide(ds, variable or "coca_ha", source, fmt)
            return
        rows = ds.series(variable=variable, zone=zone, source=source)
    except DataError as exc:
        raise fail(exc) from None
    rows = rows.sort_values(["variable", "year", "zone", "period"], kind="stable")[SHOW_COLUMNS]
    if fmt is Format.csv:
        typer.echo(rows.to_csv(index=False, lineterminator="\n"), nl=False)
        return
    if fmt is Format.json:
        records = json.loads(rows.to_json(orient="records", force_ascii=False))
        typer.echo(json.dumps({"dataset": ds.name, "version": ds.version, "rows": records},
                              ensure_ascii=False, indent=1))
        return
    title = _("%(name)s (%(country)s, version %(version)s)") % {
        "name": ds.name, "country": terms.country(ds.country), "version": ds.version} + ": " + (
        ngettext("%(num)s row", "%(num)s rows", len(rows)) % {"num": len(rows)})
    table = Table(title=title, show_lines=False)
    cols = [N_("year"), N_("zone"), N_("variable"), N_("value"), N_("unit"), N_("source"),
            N_("quality"), N_("period"), N_("note")]
    if variable is not None:
        cols.remove("variable")  # named in the title instead
        table.title = f"{title}, " + _("variable %(name)s") % {"name": variable}
    for col in cols:
        table.add_column(_(col), justify="right" if col in {"year", "value"} else "left",
                         overflow="fold", max_width=48 if col == "note" else None)
    for r in rows.itertuples(index=False):
        value = "" if r.value != r.value else f"{r.value:,.10g}"
        cells = {"year": r.year, "zone": r.zone, "variable": r.variable, "value": value,
                 "unit": r.unit, "source": r.source_id, "quality": r.quality, "period": r.period,
                 "note": r.note}
        table.add_row(*(escape(str(cells[c])) for c in cols))
    Console().print(table)


def wide_table(ds, variable: str, source: str | None = None):
    """Year x zone values of a variable (full-year, summed to model zones), with the national
    series as the last column where the data has one.
    """
    table = ds.by_zone(variable, source=source).copy()
    try:
        national = ds.national(variable, source=source or "auto")
    except DataError:
        national = None
    if national is not None and national.notna().any():
        table = table.join(national.rename("national"), how="outer")
    table.index.name = "year"
    table.columns.name = None
    return table.dropna(how="all")


def _show_wide(ds, variable: str, source: str | None, fmt: Format) -> None:
    table = wide_table(ds, variable, source)
    if fmt is Format.csv:
        typer.echo(table.to_csv(lineterminator="\n"), nl=False)
        return
    if fmt is Format.json:
        records = json.loads(table.reset_index().to_json(orient="records", force_ascii=False))
        typer.echo(json.dumps({"dataset": ds.name, "variable": variable,
                               "unit": ds.unit(variable), "rows": records},
                              ensure_ascii=False, indent=1))
        return
    from cnplan import format as fmt_

    out = Table(title=f"{variable} ({terms.unit(ds.unit(variable))}): " + _(
        "by year and zone, dataset %(name)s") % {"name": ds.name})
    out.add_column(_("year"), justify="right")
    for col in table.columns:
        out.add_column(str(col), justify="right", min_width=len(str(col)))
    for year, row in table.iterrows():
        out.add_row(fmt_.year(year), *(fmt_.number(v) for v in row))
    Console().print(out)


@app.command()
def plot(
    dataset: DatasetArg = "peru",
    variable: Annotated[str, typer.Option(help="Variable to plot.")] = "coca_ha",
    by: Annotated[str | None, typer.Option(help="'zone' for one line per model zone.")] = None,
    source: Annotated[str, typer.Option(help="Series/source: 'auto' (unodc if several), "
                                        "unodc, us, a publisher kind or a source id.")] = "auto",
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file (.png, .svg).")]
    = Path("coca.png"),
) -> None:
    """Plot a variable as observed (national or by model zone) to an image file."""
    from cnplan.data.plot import plot_observed, save_plot

    try:
        ds = load_dataset(dataset)
        ax = plot_observed(ds, variable=variable, by=by, source=source)
        save_plot(ax, str(output))
    except (DataError, ValueError) as exc:
        raise fail(exc) from None
    Console().print(_("wrote %(path)s") % {"path": output})


@app.command("validate")
def validate_cmd(path: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx file.")]
                 ) -> None:
    """Check a dataset and print every problem (file, row, column); exit 1 if there are any."""
    problems = validate(path)
    if problems:
        err = Console(stderr=True)
        table = Table(title=ngettext("%(num)s problem in %(path)s", "%(num)s problems in %(path)s",
                                     len(problems)) % {"num": len(problems), "path": path})
        for col in (N_("file"), N_("row"), N_("column"), N_("problem")):
            table.add_column(_(col), overflow="fold")
        for p in problems:
            table.add_row(escape(p.file), "" if p.row is None else str(p.row),
                          escape(p.column or ""), escape(p.message))
        Console(width=160).print(table)
        err.print("[red]" + _("invalid:") + "[/red] " + ngettext(
            "%(num)s problem", "%(num)s problems", len(problems)) % {"num": len(problems)})
        raise typer.Exit(1)
    ds = load_dataset(path)
    s = ds.summary()
    Console().print(f"[green]OK[/green] {escape(str(path))}: " + _(
        "%(rows)s observations, %(zones)s zones, %(variables)s variables, years %(years)s, "
        "version %(version)s") % {k: s[k] for k in ("rows", "zones", "variables", "years",
                                                     "version")})


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx workbook.")],
    name: Annotated[str, typer.Option(help="Name to install the dataset under.")],
    force: Annotated[bool, typer.Option(help="Replace an existing dataset.")] = False,
) -> None:
    """Validate and install a dataset so `load_dataset(NAME)` and the other commands find it."""
    try:
        dest = import_dataset(path, name, force=force)
    except DataError as exc:
        raise fail(exc) from None
    Console().print("[green]" + _("imported") + f"[/green] {name} -> {dest}")


@app.command("migrate")
def migrate_cmd(
    path: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx workbook.")],
    out: Annotated[Path | None, typer.Option(help="Write here instead of in place.")] = None,
) -> None:
    """Rewrite a valid dataset in the current format version (docs/data-format.md)."""
    try:
        dest = migrate_dataset(path, out)
    except DataError as exc:
        raise fail(exc) from None
    Console().print("[green]" + _("migrated") + f"[/green] {escape(str(path))} -> "
                    f"{escape(str(dest))} " + _("(format version 2)"))

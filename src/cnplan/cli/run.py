"""`cnplan run`: simulate a plan over an ensemble of futures and report its goals."""

from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

import cnplan
from cnplan import terms
from cnplan.cli.errors import fail
from cnplan.format import probability as percent
from cnplan.i18n import gettext as _
from cnplan.i18n import use_language

console = Console()
err = Console(stderr=True)


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in {"USD/kg"}:
        return f"{value:,.2f}"
    if unit == "share":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def _goal_table(goals) -> Table:
    from cnplan.runs import goal_columns_note, years_text

    table = Table(title=_("Goals"), title_justify="left", caption=goal_columns_note(),
                  caption_justify="left")
    table.add_column(_("goal"))
    table.add_column(_("by"), justify="right")
    table.add_column(_("P(reached)"), justify="right")
    table.add_column(_("first year reached: median [10–90%]"), justify="right")
    table.add_column(_("reached at some time"), justify="right")
    for row in goals.itertuples(index=False):
        years = years_text(row)
        table.add_row(
            row.description,
            str(row.by_year),
            percent(row.probability, short=True),
            years,
            percent(row.reached_in_horizon, short=True),
        )
    return table


def _eradication_table(summary: dict, scenarios: int) -> Table:
    """Forced eradication planned, delivered and not delivered by year, with the causes."""
    from cnplan.format import hectares
    from cnplan.runs.eradication import LABELS, shown_causes

    causes = shown_causes(summary)
    title = _("Forced eradication (ha/yr, mean of %(n)s futures): not delivered, by cause") % {
        "n": f"{scenarios:,}"}
    table = Table(title=title, title_justify="left")
    for col in [_("year"), _("planned"), _("delivered"), _("not delivered")]:
        table.add_column(col, justify="right")
    for cause in causes:
        table.add_column(_(LABELS[cause]), justify="right")
    for row in summary["years"]:
        table.add_row(str(row["year"]), hectares(row["planned"]), hectares(row["delivered"]),
                      hectares(row["undelivered"]),
                      *(hectares(row["by_cause"][c]) for c in causes))
    return table


def _print_eradication(summary: dict | None, scenarios: int) -> None:
    """The eradication gap: a sentence with the main cause, and the table when anything is asked."""
    from cnplan.runs.eradication import gap_sentence

    console.print(gap_sentence(summary), highlight=False)
    if summary and summary["planned_total"] > 0:
        console.print(_eradication_table(summary, scenarios))


def _yearly_tables(yearly) -> list[Table]:
    tables = []
    for (zone, variable), part in yearly.groupby(["zone", "variable"], sort=False):
        unit = part["unit"].iloc[0]
        title = f"{terms.variable(variable)} ({terms.unit(unit)})" + (
            "" if zone == "national" else f" — {zone}")
        table = Table(title=title, title_justify="left")
        for col in (_("year"), _("median"), "10–90%", _("observed")):
            table.add_column(col, justify="right")
        for row in part.itertuples(index=False):
            table.add_row(
                str(row.year),
                _fmt(row.median, unit),
                f"{_fmt(row.p10, unit)} – {_fmt(row.p90, unit)}",
                _fmt(row.observed, unit),
            )
        tables.append(table)
    return tables


def _zone_tables(yearly, scenarios: int) -> list[Table]:
    """One year x zone table of medians per variable (bands are in yearly.csv/xlsx)."""
    from cnplan.runs.sheets import wide_by_zone

    tables = []
    units = dict(zip(yearly["variable"], yearly["unit"], strict=False))
    for variable, wide in wide_by_zone(yearly).items():
        unit = units[variable]
        title = f"{terms.variable(variable)} ({terms.unit(unit)}): " + _(
            "median of %(n)s futures by zone") % {"n": f"{scenarios:,}"}
        table = Table(title=title, title_justify="left")
        table.add_column(_("year"), justify="right")
        for zone in wide.columns:
            table.add_column(str(zone), justify="right", min_width=len(str(zone)))
        for year, row in wide.iterrows():
            table.add_row(str(year), *(_fmt(v, unit) for v in row))
        tables.append(table)
    return tables


def _plan_and_data(plan: str | None, data: str | None):
    """The plan (with its text and label) and the dataset a run uses.

    Without a plan, ``lima-2005`` runs on its own data; with ``--data`` naming another dataset
    the generated ``status-quo`` plan of that dataset runs (a Peru plan has no meaning there).
    """
    from cnplan.data import load_dataset
    from cnplan.plans import DEFAULT_PLAN, load_plan, plan_text
    from cnplan.plans.status_quo import NAME, status_quo_plan, status_quo_text

    if plan is None:
        default = load_plan(DEFAULT_PLAN)
        plan = DEFAULT_PLAN if data is None or data == default.data else NAME
    if plan == NAME:
        dataset = load_dataset(data or "peru")
        return (status_quo_plan(dataset), status_quo_text(dataset),
                f"{NAME} (generated from {dataset.name})", dataset)
    the_plan = load_plan(plan)
    text, label = plan_text(plan)
    return the_plan, text, label, load_dataset(data or the_plan.data)


@dataclass
class MadeRun:
    """A run simulated and saved by :func:`make_run`."""

    folder: Path
    plan: Any
    ds: Any
    dataset: Any
    pset: Any
    variant: list[dict] = field(default_factory=list)
    from_actuals: list[str] = field(default_factory=list)
    forecast_record: dict = field(default_factory=dict)  # as run.json keeps it


def make_run(plan: str | None, *, data: str | None = None, scenarios: int = 1000,
             seed: int = 0, until: int | None = None, params: Path | None = None,
             with_actuals: bool = False, db: str | None = None,
             changes: list[str] | None = None, out: Path | None = None) -> MadeRun:
    """Simulate a plan (with any ``--set`` changes) and write its run folder.

    Shared by ``cnplan run`` and ``cnplan compare`` so a plan compared is run exactly as the
    run command runs it. Raises the library's errors (plan, data, model, run).
    """
    from cnplan.model import ParameterSet, default_parameter_set, simulate
    from cnplan.runs import central_trajectory, goal_summary, write_run
    from cnplan.runs.eradication import eradication_summary
    from cnplan.runs.folder import default_folder
    from cnplan.runs.sheets import yearly_bands
    from cnplan.runs.summary import spatial_goal_summary

    the_plan, text, label, dataset = _plan_and_data(plan, data)
    variant_changes: list[dict] = []
    if changes:
        from cnplan.plans.variant import variant

        the_plan, applied = variant(the_plan, changes, dataset)
        variant_changes = [c.as_dict() for c in applied]
    from_actuals: list[str] = []
    if with_actuals:
        from cnplan.track import apply_actuals

        the_plan, from_actuals = apply_actuals(the_plan, db)
    pset = ParameterSet.load(params) if params else default_parameter_set(dataset.name)
    from cnplan.calibrate.filter import run_start

    start = run_start(the_plan, dataset, pset, seed=seed)
    with console.status(_("simulating %(plan)s: %(n)s futures") % {
            "plan": the_plan.name, "n": f"{scenarios:,}"}):
        ds = simulate(the_plan, dataset, n=scenarios, seed=seed, until=until, parameter_set=pset,
                      start=start)
    from cnplan.calibrate.evidence import plan_evidence
    from cnplan.calibrate.record import forecast_record

    with use_language("en"):  # run.json keeps English words; pages translate them
        stored_goals = goal_summary(ds, the_plan)
        lever_evidence = plan_evidence(list(the_plan.levers))
    record = forecast_record(dataset.name)
    folder = out or default_folder(the_plan.name + ("-variant" if variant_changes else ""))
    meta = {
        "plan": the_plan.name,
        "plan_source": label,
        "plan_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "plan_text": text,
        "plan_effective": json.loads(the_plan.model_dump_json()),
        "levers_from_actuals": from_actuals,
        "variant": variant_changes,
        "seed": seed,
        "scenarios": scenarios,
        "until": until,
        "years": [int(ds.year[0]), int(ds.year[-1])],
        "parameter_set": pset.name,
        "parameter_set_provenance": pset.provenance,
        "initial_state": start.note if start else "the data's values in the year before the "
        "start (no filtering: the plan starts where the fitted history starts, or the "
        "parameters are not fitted)",
        "parameter_set_file": str(params) if params else None,
        "data": dataset.name,
        "data_version": dataset.version,
        "code_version": cnplan.code_version(),
        "python": sys.version.split()[0],
        "assumptions": ds.attrs.get("notes", "").splitlines(),
        "goals": json.loads(stored_goals.to_json(orient="records")),
        "spatial_goals": spatial_goal_summary(ds, the_plan),
        "central_trajectory": central_trajectory(ds),
        "eradication": eradication_summary(ds),
        "lever_evidence": lever_evidence,
        "forecast_record": record,
        "command": " ".join(sys.argv),
    }
    folder = write_run(ds, folder, meta, yearly=yearly_bands(ds, dataset))
    return MadeRun(folder, the_plan, ds, dataset, pset, variant_changes, from_actuals, record)


def _print_spatial_goals(ds, plan) -> None:
    """The plan's spatial goals with their chances (the cell layer is modelled)."""
    from cnplan.runs import percent
    from cnplan.runs.summary import spatial_goal_summary

    rows = spatial_goal_summary(ds, plan)
    if not rows:
        return
    table = Table(title=_("Spatial goals (cell layer, modelled)"), title_justify="left")
    for column in (_("goal"), _("outcome"), _("target"), _("by"), _("chance"), _("source")):
        table.add_column(column)
    for r in rows:
        bound = _("at least") if r["bound"] == "at_least" else _("at most")
        target = _("its value at the start") if r["target"] == "start" else f"{r['target']:,}"
        table.add_row(r["id"], r["outcome"], f"{bound} {target}", str(r["by_year"]),
                      percent(r["probability"], short=True), r["source"])
    console.print(table)


def _evidence_table(plan) -> Table:
    """What the effect of each of the plan's levers rests on (fitted, published, assumption)."""
    from cnplan.calibrate.evidence import lever_label
    from cnplan.plans.levers import LEVER_EVIDENCE

    table = Table(title=_("What the evidence says about each lever"), title_justify="left",
                  caption=_("[Key]: docs/references.md"))
    table.add_column(_("lever"))
    table.add_column(_("evidence for its effect"))
    for lever in LEVER_EVIDENCE:
        if lever in plan.levers:
            table.add_row(terms.lever_name(lever), lever_label(lever))
    return table


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the main app."""

    @app.command()
    def run(
        plan: Annotated[
            str | None,
            typer.Argument(
                help="Built-in plan name, plan YAML file, or 'status-quo' (generated from the "
                "data). Default: lima-2005, or status-quo when --data names another country."
            ),
        ] = None,
        scenarios: Annotated[
            int, typer.Option("--scenarios", "-n", help="Number of futures.")
        ] = 1000,
        seed: Annotated[int, typer.Option(help="Random seed; same seed, same numbers.")] = 0,
        until: Annotated[int | None, typer.Option(help="Last year to simulate.")] = None,
        data: Annotated[
            str | None, typer.Option(help="Dataset name (default: the plan's).")
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Run folder (default runs/<plan>-<time>).")
        ] = None,
        by: Annotated[
            str, typer.Option(help="'national' or 'zone' for the yearly table.")
        ] = "national",
        params: Annotated[
            Path | None, typer.Option(help="Parameter set JSON (default: shipped).")
        ] = None,
        with_actuals: Annotated[
            bool, typer.Option("--with-actuals", help="Use reported actuals from the tracker.")
        ] = False,
        db: Annotated[
            str | None, typer.Option(help="Tracker database URL (--with-actuals).")
        ] = None,
        report: Annotated[bool, typer.Option(help="Write report.html in the run folder.")] = True,
        changes: Annotated[
            list[str] | None,
            typer.Option(
                "--set",
                help="Run a variant without writing a plan file: LEVER[.ZONE][[YEAR]]=VALUE, "
                "a factor (2x, +20%) or a level; e.g. --set ad_funding.vraem=2x --set "
                "'forced_eradication.huallaga[2008]=5000'. Repeatable; recorded in run.json.",
            ),
        ] = None,
    ) -> None:
        """Simulate a plan over many futures; print goals and yearly bands, save the run."""
        from cnplan.data import DataError
        from cnplan.errors import LocatedError
        from cnplan.model import ModelInputError
        from cnplan.plans import PlanError
        from cnplan.runs import (
            RunError,
            central_trajectory,
            goal_summary,
            trajectory_sentence,
            yearly_table,
        )

        if by not in {"national", "zone"}:
            err.print(_("--by: must be 'national' or 'zone', got %(value)r") % {"value": by})
            raise typer.Exit(2)
        try:
            made = make_run(plan, data=data, scenarios=scenarios, seed=seed, until=until,
                            params=params, with_actuals=with_actuals, db=db, changes=changes,
                            out=out)
        except (PlanError, LocatedError, DataError, ModelInputError, RunError,
                ValueError) as exc:
            raise fail(exc) from None
        except Exception as exc:  # the tracker's errors, without importing it eagerly
            if type(exc).__name__ == "TrackError":
                raise fail(exc) from None
            raise

        the_plan, ds, dataset, pset, folder = (made.plan, made.ds, made.dataset, made.pset,
                                               made.folder)
        variant_changes, from_actuals = made.variant, made.from_actuals
        goals = goal_summary(ds, the_plan)
        yearly = yearly_table(ds, dataset, by=by)
        console.print(
            f"[bold]{the_plan.title or the_plan.name}[/bold] — " + _(
                "%(n)s futures, seed %(seed)s, parameters: %(params)s, data: %(data)s "
                "(%(version)s)") % {"n": f"{scenarios:,}", "seed": seed, "params": pset.name,
                                   "data": dataset.name, "version": dataset.version}
        )
        for change in variant_changes:
            console.print(_("  variant: --set %(change)s") % {"change": change["text"]},
                          highlight=False)
        for line in from_actuals:
            console.print(_("  from actuals: %(line)s") % {"line": line})
        console.print(trajectory_sentence(central_trajectory(ds)))
        console.print(_goal_table(goals))
        from cnplan.calibrate.record import record_sentence

        console.print(record_sentence(made.forecast_record), highlight=False)
        _print_spatial_goals(ds, the_plan)
        from cnplan.runs.eradication import eradication_summary

        _print_eradication(eradication_summary(ds), scenarios)
        tables = _zone_tables(yearly, scenarios) if by == "zone" else _yearly_tables(yearly)
        for table in tables:
            console.print(table)
        if by == "zone":
            console.print(_("10–90%% bands of every zone and variable: %(path)s") % {
                "path": folder / "yearly.xlsx"}, highlight=False)
        console.print(_evidence_table(the_plan))
        for note in ds.attrs.get("notes", "").splitlines():
            console.print("[dim]" + _("assumption: %(note)s") % {"note": note} + "[/dim]",
                          highlight=False)
        if report:
            try:
                from cnplan.report import write_run_report
            except ImportError:
                write_run_report = None
            if write_run_report is not None:
                path = write_run_report(folder)
                console.print(_("report: %(path)s") % {"path": path})
        console.print(_("run saved in %(folder)s") % {"folder": folder})

"""`cnplan plan` commands: list the built-in plans, show, validate and start a plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NamedTuple

import typer
from rich.console import Console
from rich.table import Table

from cnplan.cli.errors import fail
from cnplan.plans import Plan, PlanError, builtin_plans, load_plan, plan_text
from cnplan.plans.render import plan_view
from cnplan.plans.schema import zone_problems
from cnplan.plans.template import new_plan_text
from cnplan.yamlio import YamlError, load_yaml

app = typer.Typer(no_args_is_help=True)

PlanArg = Annotated[
    str,
    typer.Argument(
        help="A built-in plan name (see `cnplan plan list`) or a path to a plan YAML file."
    ),
]


def _out() -> Console:
    return Console()


def _err() -> Console:
    return Console(stderr=True)



class ZoneCheck(NamedTuple):
    """Zone ids of a plan's dataset, or why they are missing.

    ``problem`` is set when the data layer is there but refuses the plan's dataset (a fault
    of the plan); ``note`` when the data layer itself is missing or broken (not the plan's).
    """

    zone_ids: list[str] | None
    note: str | None = None
    problem: str | None = None


def dataset_zone_ids(data: str) -> ZoneCheck:
    """The zone ids of dataset ``data`` via ``cnplan.data.load_dataset``, when it is available.

    ``cnplan.data`` is developed alongside the plans; when its loader is missing, the plan
    commands still work and say that zones were not checked, rather than failing.
    """
    try:
        from cnplan.data import load_dataset
    except ImportError:
        return ZoneCheck(None, note="zones not checked: cnplan.data.load_dataset is not available")
    try:
        return ZoneCheck(list(load_dataset(data).zone_ids))
    except Exception as exc:  # any refusal of the data layer is reported, never raised
        return ZoneCheck(None, problem=f"data: dataset {data!r} could not be loaded: {exc}")


def zone_check(raw: dict) -> tuple[list[str], str | None]:
    """Zone problems of a plan mapping against its dataset, and a note if none were checked."""
    data = raw.get("data")
    if not isinstance(data, str):
        return [], None  # the schema reports a missing or malformed `data`
    check = dataset_zone_ids(data)
    if check.zone_ids is None:
        return ([check.problem] if check.problem else []), check.note
    return zone_problems(raw, check.zone_ids), None


def _raw(plan: str) -> dict:
    """The plan's YAML as a mapping, or an empty one if it cannot be read (reported elsewhere)."""
    try:
        raw = load_yaml(plan_text(plan)[0])
    except (PlanError, YamlError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _report(source: str, problems: list[str]) -> typer.Exit:
    err = _err()
    err.print(f"[red]plan {source}: {len(problems)} problem(s)[/red]", highlight=False)
    for problem in problems:
        err.print(f"  {source}, {problem}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


@app.command("list")
def list_plans() -> None:
    """List the built-in plans with their titles and years."""
    table = Table(title="Built-in plans", title_justify="left")
    for col in ("name", "title", "country", "years", "phases"):
        table.add_column(col, overflow="fold")
    for name in builtin_plans():
        try:
            plan = load_plan(name)
        except PlanError as exc:
            table.add_row(name, f"[red]invalid: {len(exc.problems)} problem(s)[/red]", "", "", "")
            continue
        table.add_row(
            name,
            plan.title,
            plan.country,
            f"{plan.start_year}–{plan.end_year}",
            str(len(plan.phases)),
        )
    _out().print(table)


@app.command()
def show(plan: PlanArg) -> None:
    """Print a plan: header, phases, levers by zone and year, goals and indicators."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        raise fail(exc) from None
    _out().print(plan_view(loaded))
    problems, note = zone_check(loaded.model_dump())
    for problem in problems:
        _err().print(f"[yellow]warning:[/yellow] {problem}", highlight=False, soft_wrap=True)
    if note:
        _err().print(f"[dim]{note}[/dim]", highlight=False, soft_wrap=True)


@app.command()
def validate(plan: PlanArg) -> None:
    """Check a plan and print every problem with its location; exit 1 if there are any.

    Zones are checked against the plan's dataset in the same pass, so one run lists all that
    needs fixing.
    """
    try:
        loaded: Plan | None = load_plan(plan)
        problems: list[str] = []
        source = plan
    except PlanError as exc:
        loaded, problems, source = None, list(exc.problems), exc.source
    zones, note = zone_check(loaded.model_dump() if loaded is not None else _raw(plan))
    problems += [p for p in zones if p not in problems]
    if note:
        _err().print(f"[dim]{note}[/dim]", highlight=False, soft_wrap=True)
    if problems or loaded is None:
        raise _report(source, problems)
    _out().print(
        f"[green]ok[/green] plan {loaded.name} ({plan}): {len(loaded.levers)} levers, "
        f"{len(loaded.phases)} phases, {len(loaded.indicators)} indicators",
        highlight=False,
    )


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the new plan (a .yaml file).")],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from", help="Start from this built-in plan or plan file instead of the template."
        ),
    ] = None,
    from_data: Annotated[
        str | None,
        typer.Option(
            "--from-data",
            help="Write the status-quo plan generated from this dataset (latest levels held).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented plan file to edit: the template, a copy of a plan, or the status quo."""
    if path.exists() and not force:
        raise fail(FileExistsError(f"{path} exists; use --force to overwrite it"))
    if from_ and from_data:
        raise fail(ValueError("give --from or --from-data, not both"))
    try:
        if from_data:
            from cnplan.data import DataError, load_dataset
            from cnplan.plans.status_quo import status_quo_text

            try:
                text = status_quo_text(load_dataset(from_data))
            except DataError as exc:
                raise fail(exc) from None
        else:
            text = new_plan_text(path.stem, from_)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except (PlanError, OSError) as exc:
        raise fail(exc) from None
    _out().print(f"wrote {path}; check it with `cnplan plan validate {path}`", highlight=False)

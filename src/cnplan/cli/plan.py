"""`cnplan plan` commands: list the built-in plans, show, validate and start a plan file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnplan.plans import Plan, PlanError, builtin_plans, load_plan
from cnplan.plans.render import plan_view
from cnplan.plans.template import new_plan_text

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


def _fail(exc: Exception) -> typer.Exit:
    """Print a library error without a traceback; the caller raises the returned Exit(1)."""
    _err().print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def dataset_zone_ids(data: str) -> tuple[list[str] | None, str | None]:
    """The zone ids of dataset ``data``, or ``None`` and the reason the zones cannot be checked.

    ``cnplan.data`` is developed alongside the plans; when its loader is missing or fails, the
    plan commands still work and say that zones were not checked, rather than failing.
    """
    try:
        from cnplan.data import load_dataset
    except ImportError:
        return None, "zones not checked: cnplan.data.load_dataset is not available"
    try:
        return list(load_dataset(data).zone_ids), None
    except Exception as exc:  # any failure of the data layer only skips the zone check
        return None, f"zones not checked: dataset {data!r} could not be loaded ({exc})"


def zone_problems(plan: Plan) -> tuple[list[str], str | None]:
    """Zone problems of ``plan`` against its dataset, and a note if zones were not checked."""
    zone_ids, note = dataset_zone_ids(plan.data)
    if zone_ids is None:
        return [], note
    try:
        plan.check_zones(zone_ids)
    except PlanError as exc:
        return exc.problems, None
    return [], None


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
        raise _fail(exc) from None
    out = _out()
    out.print(plan_view(loaded))
    problems, note = zone_problems(loaded)
    for problem in problems:
        _err().print(f"[yellow]warning:[/yellow] {problem}", highlight=False, soft_wrap=True)
    if note:
        _err().print(f"[dim]{note}[/dim]", highlight=False, soft_wrap=True)


@app.command()
def validate(plan: PlanArg) -> None:
    """Check a plan and print every problem with its location; exit 1 if there are any."""
    try:
        loaded = load_plan(plan)
    except PlanError as exc:
        err = _err()
        err.print(f"[red]plan {exc.source}: {len(exc.problems)} problem(s)[/red]", highlight=False)
        for problem in exc.problems:
            err.print(f"  {exc.source}, {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    problems, note = zone_problems(loaded)
    if note:
        _err().print(f"[dim]{note}[/dim]", highlight=False, soft_wrap=True)
    if problems:
        err = _err()
        err.print(f"[red]plan {plan}: {len(problems)} problem(s)[/red]", highlight=False)
        for problem in problems:
            err.print(f"  {plan}, {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
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
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented plan file to edit: the template, or a copy of an existing plan."""
    if path.exists() and not force:
        raise _fail(FileExistsError(f"{path} exists; use --force to overwrite it"))
    try:
        text = new_plan_text(path.stem, from_)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except (PlanError, OSError) as exc:
        raise _fail(exc) from None
    _out().print(f"wrote {path}; check it with `cnplan plan validate {path}`", highlight=False)

"""`cnplan explore` and `cnplan results`: run an experiment's futures in chunks; look at them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnplan import format as display
from cnplan.cli.errors import fail
from cnplan.cli.options import SchedulerOption, WorkersOption

console = Console()
err = Console(stderr=True)


def _errors() -> tuple[type[Exception], ...]:
    from cnplan.data import DataError
    from cnplan.explore import ExperimentError
    from cnplan.explore.store import ResultsError
    from cnplan.model import ModelInputError
    from cnplan.plans import PlanError

    return (ExperimentError, ResultsError, PlanError, DataError, ModelInputError, ValueError)


def _summary_tables(s: dict) -> list[Table]:
    inputs = Table(title="Inputs (sampled ranges)", title_justify="left")
    for col in ("input", "min", "max", "distinct values"):
        inputs.add_column(col, justify="left" if col == "input" else "right")
    for row in s["inputs"]:
        low, high = display.number(row["min"]), display.number(row["max"])
        inputs.add_row(row["column"], low, high, str(row["distinct"]))
    outcomes = Table(title="Outcomes", title_justify="left")
    for col in ("outcome", "unit", "share true", "median", "5–95%", "missing"):
        outcomes.add_column(col, justify="left" if col in {"outcome", "unit"} else "right")
    for row in s["outcomes"]:
        if "share_true" in row:
            share = row["share_true"]
            outcomes.add_row(
                row["column"], row["unit"], "–" if share is None else f"{share:.1%}", "", "", ""
            )
        else:
            fmt = display.year if row["column"].endswith("display.year") else display.number
            band = f"{fmt(row.get('p05'))} – {fmt(row.get('p95'))}" if row.get("count") else "–"
            outcomes.add_row(
                row["column"],
                row["unit"],
                "",
                fmt(row.get("median")),
                band,
                str(row.get("missing", 0)),
            )
    return [inputs, outcomes]


def register(app: typer.Typer) -> None:
    """Add the ``explore`` and ``results`` commands to the main app."""

    @app.command()
    def explore(
        experiment: Annotated[
            Path | None, typer.Argument(help="Experiment YAML file (not with --resume).")
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Exploration folder (default explorations/<name>).")
        ] = None,
        workers: WorkersOption = None,
        scheduler: SchedulerOption = None,
        chunk_size: Annotated[
            int | None, typer.Option(help="Scenarios per chunk (default: the experiment's).")
        ] = None,
        resume_dir: Annotated[
            Path | None,
            typer.Option("--resume", help="Finish an interrupted exploration folder."),
        ] = None,
        progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    ) -> None:
        """Run an experiment's futures in chunks into a Parquet results folder (resumable)."""
        from cnplan.explore import load_experiment, open_results, resume, run_exploration

        if (experiment is None) == (resume_dir is None):
            err.print("give an EXPERIMENT file, or --resume DIR (not both)")
            raise typer.Exit(2)
        if workers is not None and workers < 1:
            err.print(f"--workers: must be >= 1, got {workers}")
            raise typer.Exit(2)
        try:
            if resume_dir is not None:
                if chunk_size is not None:
                    err.print("--chunk-size: chunks are fixed by the manifest; not with --resume")
                    raise typer.Exit(2)
                folder = resume(resume_dir, workers=workers, scheduler=scheduler, progress=progress)
            else:
                from cnplan.files import output_root

                exp = load_experiment(experiment)
                folder = out or output_root("explorations") / exp.name
                folder = run_exploration(
                    exp,
                    folder,
                    workers=workers,
                    scheduler=scheduler,
                    chunk_size=chunk_size,
                    progress=progress,
                )
            results = open_results(folder)
        except _errors() as exc:
            raise fail(exc) from None
        except KeyboardInterrupt:
            target = resume_dir or out or "DIR"
            err.print(
                f"interrupted: finished chunks are kept; finish with "
                f"cnplan explore --resume {target}"
            )
            raise typer.Exit(130) from None
        m = results.manifest
        console.print(
            f"{m['experiment']}: {m['n_rows']:,} futures of plan {m['plan']} "
            f"({m['design']['method']}, seed {m['seed']}, parameters {m['parameter_set']}, "
            f"data {m['data']} {m['data_version']}) in {m['chunks_total']} chunks"
        )
        console.print(f"results in {folder}; summarise with: cnplan results {folder}")

    @app.command()
    def results(
        folder: Annotated[Path, typer.Argument(help="Exploration folder.")],
        sql: Annotated[
            str | None, typer.Option(help="DuckDB query over the table 'results'.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    ) -> None:
        """Summarise an exploration (rows, input ranges, outcome distributions) or query it."""
        from cnplan.explore import open_results

        if fmt not in {"table", "csv", "json"}:
            err.print(f"--format: must be table, csv or json, got {fmt!r}")
            raise typer.Exit(2)
        try:
            res = open_results(folder)
            if sql is not None:
                frame = res.sql(sql)
            else:
                summary = res.summary()
        except _errors() as exc:
            raise fail(exc) from None
        if sql is not None:
            if fmt == "csv":
                frame.to_csv(sys.stdout, index=False)
            elif fmt == "json":
                sys.stdout.write(frame.to_json(orient="records") + "\n")
            else:
                table = Table()
                for col in frame.columns:
                    table.add_column(str(col), justify="right")
                for row in frame.head(200).itertuples(index=False):
                    table.add_row(*(display.number(v) if isinstance(v, float) else str(v)
                                    for v in row))
                console.print(table)
                if len(frame) > 200:
                    console.print(f"({len(frame):,} rows; first 200 shown; use --format csv)")
            return
        if fmt == "json":
            sys.stdout.write(json.dumps(summary, indent=1) + "\n")
            return
        if fmt == "csv":
            import pandas as pd

            rows = [{"kind": "input", **r} for r in summary["inputs"]]
            rows += [{"kind": "outcome", **r} for r in summary["outcomes"]]
            pd.DataFrame(rows).to_csv(sys.stdout, index=False)
            return
        state = (
            "complete"
            if summary["chunks_finished"] == summary["chunks_total"]
            else f"INCOMPLETE: {summary['chunks_finished']}/{summary['chunks_total']} chunks; "
            f"finish with cnplan explore --resume {folder}"
        )
        console.print(
            f"[bold]{summary['experiment']}[/bold] (plan {summary['plan']}, design "
            f"{summary['design']['method']}): {summary['rows']:,} of {summary['rows_total']:,} "
            f"rows, {state}"
        )
        for table in _summary_tables(summary):
            console.print(table)
        console.print(
            "[dim]goal years are NaN (counted as missing) where the goal is not "
            "reached within the horizon[/dim]"
        )

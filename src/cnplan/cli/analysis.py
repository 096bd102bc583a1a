"""`cnplan discover`, `cnplan sensitivity`, `cnplan optimize`: answers from many futures."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cnplan import format as display
from cnplan.cli.errors import fail
from cnplan.cli.options import SchedulerOption, WorkersOption
from cnplan.files import write_atomic

console = Console()


def _errors() -> tuple[type[Exception], ...]:
    """Library errors that become a one-line CLI error (imported lazily)."""
    from cnplan.data import DataError
    from cnplan.explore.experiment import ExperimentError
    from cnplan.explore.store import ResultsError
    from cnplan.model import ModelInputError
    from cnplan.plans import PlanError

    return (
        ValueError,
        ExperimentError,
        ResultsError,
        PlanError,
        DataError,
        ModelInputError,
        OSError,
    )


def _p(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.2g}" if value >= 1e-3 else f"{value:.1e}"


def _save_figure(fig, path: Path) -> Path:
    return write_atomic(path, lambda p: fig.savefig(p, dpi=130, format=path.suffix[1:]))


def _boxes_table(boxes, title: str, id_column: str) -> Table:
    """Coverage, density, mass, scenarios and restricted inputs of each box (PRIM's peeling
    trajectory or CART's leaves); ``id_column`` names the box number in ``boxes``.
    """
    table = Table(title=title, title_justify="left")
    for col in ("box", "coverage", "density", "mass", "scenarios", "restricted inputs"):
        table.add_column(col, justify="right")
    for row in boxes.itertuples(index=False):
        table.add_row(
            str(getattr(row, id_column)),
            f"{row.coverage:.3f}",
            f"{row.density:.3f}",
            f"{row.mass:.3f}",
            f"{row.n:,}",
            str(row.res_dim),
        )
    return table


def _limits_table(limits, title: str, with_qp: bool) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("input", no_wrap=True)
    for col in ("lower", "upper", "unit", "full range"):
        table.add_column(col, justify="left" if col == "unit" else "right")
    if with_qp:
        table.add_column("qp lower", justify="right")
        table.add_column("qp upper", justify="right")
    for row in limits.itertuples(index=False):
        if row.categories is not None and not isinstance(row.categories, float):
            cells = [row.input, "{" + ", ".join(map(str, row.categories)) + "}", "", row.unit, ""]
        else:
            cells = [
                row.input,
                display.number(row.lower),
                display.number(row.upper),
                row.unit,
                f"{display.number(row.minimum)} – {display.number(row.maximum)}",
            ]
        if with_qp:
            cells += [_p(row.qp_lower), _p(row.qp_upper)]
        table.add_row(*cells)
    return table


def exploration_folder(experiment: Path) -> Path:
    """Where ``cnplan explore`` puts an experiment's exploration by default
    (``explorations/<name>``, under ``$CNPLAN_HOME`` if set): analyses go there too, so
    ``cnplan report`` on that folder shows them beside the exploration.
    """
    from cnplan.explore.experiment import load_experiment
    from cnplan.files import output_root

    return output_root("explorations") / load_experiment(experiment).name


def register(app: typer.Typer) -> None:
    """Add ``discover``, ``sensitivity`` and ``optimize`` to the main app."""

    @app.command()
    def discover(
        folder: Annotated[Path, typer.Argument(help="Exploration folder (cnplan explore --out).")],
        outcome: Annotated[
            str,
            typer.Option(help="Condition per future, e.g. 'marginal_producer_reached == False'."),
        ],
        method: Annotated[str, typer.Option(help="'prim' or 'cart'.")] = "prim",
        box: Annotated[
            int | None, typer.Option("--box", help="Box to show (default: by the rule in "
                                     "docs/analysis.md: dense, every limit significant, fewest "
                                     "restricted inputs).")
        ] = None,
        inputs: Annotated[
            str | None, typer.Option(help="Comma-separated input columns (default: all).")
        ] = None,
        mass_min: Annotated[float, typer.Option(help="Smallest share of futures in a box.")] = 0.05,
        peel_alpha: Annotated[float, typer.Option(help="PRIM: share peeled per step.")] = 0.05,
        chart: Annotated[
            Path | None,
            typer.Option(help="PNG (default FOLDER/analysis/<method>-<outcome>.png)."),
        ] = None,
    ) -> None:
        """Scenario discovery: the input conditions under which OUTCOME holds (PRIM or CART)."""
        from matplotlib.figure import Figure

        from cnplan.analysis import plots
        from cnplan.analysis.discover import analysis_path, save_discovery
        from cnplan.analysis.discover import discover as run_discover
        from cnplan.analysis.prim import PrimResult, box_rule, quasi_p_values

        try:
            result = run_discover(
                folder,
                outcome,
                method=method,
                mass_min=mass_min,
                peel_alpha=peel_alpha,
                inputs=[c.strip() for c in inputs.split(",")] if inputs else None,
            )
            if isinstance(result, PrimResult):
                k = result.default_box if box is None else box
                if not 0 <= k < len(result.trajectory):
                    raise ValueError(
                        f"--box: must be between 0 and {len(result.trajectory) - 1}, got {k}"
                    )
                quasi_p_values(result, k)
                result.chosen = k
            else:
                k = 0 if box is None else box
                result.box(k)
            saved = save_discovery(folder, result)
        except _errors() as exc:
            raise fail(exc) from None
        if isinstance(result, PrimResult):
            console.print(
                _boxes_table(result.trajectory, f"PRIM peeling trajectory: {result.outcome}", "id")
            )
            row = result.trajectory.iloc[k]
            console.print(
                f"box {k}: coverage {row.coverage:.3f}, density {row.density:.3f}, "
                f"mass {row.mass:.3f} ({int(row.n):,} of {result.n_total:,} futures; "
                f"{result.k_total:,} cases of interest)"
            )
            console.print(box_rule(result), highlight=False)
            console.print(_limits_table(result.box(k), f"Box {k} limits", with_qp=True))
            console.print(
                "[dim]qp: quasi-p-value of each limit, one-sided binomial test (Bryant & Lempert "
                "2010); small means the limit matters.[/dim]"
            )
            fig = Figure(figsize=(12, 4.6), layout="constrained")
            left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
            plots.tradeoff(result, ax=left, box=k)
            plots.box_limits(result, box=k, ax=right)
        else:
            console.print(_boxes_table(result.boxes, f"CART leaves: {result.outcome}", "box"))
            console.print(_limits_table(result.box(k), f"Box {k} limits", with_qp=False))
            fig = Figure(figsize=(7, 4), layout="constrained")
            plots.box_limits(result, box=k, ax=fig.add_subplot())
        path = _save_figure(fig, chart or analysis_path(folder, method, outcome, ".png"))
        console.print(f"saved: {saved}\nchart: {path}")

    @app.command()
    def sensitivity(
        experiment: Annotated[Path, typer.Argument(help="Experiment YAML.")],
        outcome: Annotated[str, typer.Option(help="Outcome column or expression.")],
        method: Annotated[str, typer.Option(help="'sobol' or 'morris'.")] = "sobol",
        n: Annotated[
            int, typer.Option("-n", help="Sobol base sample (power of 2) or Morris trajectories.")
        ] = 1024,
        scenarios: Annotated[
            int, typer.Option(help="Futures each design point is run on (averaged).")
        ] = 1,
        seed: Annotated[int, typer.Option(help="Design seed.")] = 0,
        out: Annotated[
            Path | None, typer.Option(help="Folder for analysis/<method>-<outcome>.parquet and "
                                           ".png (default: the experiment's exploration folder, "
                                           "explorations/<name>, so cnplan report shows it).")
        ] = None,
        workers: WorkersOption = None,
        scheduler: SchedulerOption = None,
    ) -> None:
        """Global sensitivity: rank the experiment's inputs by Sobol indices or Morris mu*."""
        from matplotlib.figure import Figure

        from cnplan.analysis import plots
        from cnplan.analysis.discover import analysis_path
        from cnplan.analysis.sensitivity import sensitivity as run_sensitivity

        try:
            result = run_sensitivity(
                experiment,
                outcome=outcome,
                method=method,
                n=n,
                scenarios=scenarios,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
            )
            out = out or exploration_folder(experiment)
            saved = result.save(analysis_path(out, method, outcome, ".parquet"))
        except _errors() as exc:
            raise fail(exc) from None
        if not result.varies:  # no table of NaN, no empty chart: say why and what to try
            console.print("[yellow]" + result.no_variance_message() + "[/yellow]",
                          highlight=False)
            console.print(f"saved: {saved}")
            return
        table = Table(
            title=f"{method.capitalize()} indices: {outcome} ({result.evaluations:,} model runs, "
            f"{result.evaluations / max(result.seconds, 1e-9):,.0f}/s)",
            title_justify="left",
        )
        cols = (
            ["S1", "S1_conf", "ST", "ST_conf"]
            if method == "sobol"
            else ["mu_star", "mu_star_conf", "sigma"]
        )
        from cnplan.calibrate.evidence import input_label

        table.add_column("rank", justify="right")
        table.add_column("input")
        table.add_column("unit")
        for col in cols:
            table.add_column(col.replace("_conf", " ±95%"), justify="right")
        table.add_column("evidence for its effect")
        for i, row in enumerate(result.table.itertuples(index=False)):
            cells = [display.number(getattr(row, c), significant=3) for c in cols]
            table.add_row(str(i + 1), row.input, row.unit, *cells, input_label(row.input))
        console.print(table)
        fig = Figure(figsize=(7, 0.4 * len(result.table) + 1.6), layout="constrained")
        plots.sensitivity_bars(result, ax=fig.add_subplot())
        path = _save_figure(fig, analysis_path(out, method, outcome, ".png"))
        console.print(f"saved: {saved}\nchart: {path}")

    @app.command()
    def optimize(
        experiment: Annotated[Path, typer.Argument(help="Experiment YAML (its levers vary).")],
        objective: Annotated[
            list[str] | None,
            typer.Option(
                help="'max OUTCOME' or 'min OUTCOME', repeatable (default: max "
                "marginal_producer_reached, min cost_musd_total, min resistance_max)."
            ),
        ] = None,
        metric: Annotated[
            str, typer.Option(help="Robustness: mean, percentile, regret or satisficing.")
        ] = "mean",
        q: Annotated[float, typer.Option(help="Percentile metric: the q-th worst value.")] = 10.0,
        threshold: Annotated[
            list[str] | None,
            typer.Option(help="Satisficing: OUTCOME=VALUE (met if >= for max, <= for min)."),
        ] = None,
        scenarios: Annotated[int, typer.Option("-n", "--scenarios", help="Futures.")] = 100,
        seed: Annotated[
            int | None, typer.Option(help="Futures' seed (default: the experiment's).")
        ] = None,
        pop_size: Annotated[int, typer.Option(help="Candidates per generation.")] = 40,
        generations: Annotated[int, typer.Option(help="Generations.")] = 20,
        algorithm: Annotated[str, typer.Option(help="nsga2 or nsga3.")] = "nsga2",
        out: Annotated[
            Path | None, typer.Option(help="Pareto set Parquet, a .png chart beside it (default "
                                           "explorations/<name>/analysis/pareto.parquet, so "
                                           "cnplan report on the exploration shows it).")
        ] = None,
        emit_plan: Annotated[
            tuple[int, Path] | None,
            typer.Option(
                help="Write Pareto member K as a plan YAML at PATH (cnplan run takes it)."
            ),
        ] = None,
        workers: WorkersOption = None,
        scheduler: SchedulerOption = None,
    ) -> None:
        """Robust multi-objective search over the experiment's levers (pymoo NSGA-II/III)."""
        from matplotlib.figure import Figure

        from cnplan.analysis import plots
        from cnplan.analysis.optimize import emit_plan as write_plan
        from cnplan.analysis.optimize import optimize as run_optimize
        from cnplan.analysis.optimize import parse_objectives
        from cnplan.explore.experiment import load_experiment

        try:
            exp = load_experiment(experiment)
            limits: dict[str, float] = {}
            for t in threshold or []:
                name, _, value = t.partition("=")
                try:
                    limits[name.strip()] = float(value)
                except ValueError:
                    raise ValueError(f"--threshold: expected OUTCOME=VALUE, got {t!r}") from None
            objs = [
                replace(o, metric=metric, threshold=limits.get(o.outcome))
                for o in parse_objectives(objective or None, "mean", q)
            ]
            with console.status("optimising") as status:
                result = run_optimize(
                    exp,
                    objs,
                    scenarios=scenarios,
                    seed=seed,
                    pop_size=pop_size,
                    generations=generations,
                    algorithm=algorithm,
                    metric=metric,
                    q=q,
                    workers=workers,
                    scheduler=scheduler,
                    callback=lambda g, s, c: status.update(
                        f"generation {g + 1}/{generations}: {c} candidates x {scenarios} "
                        f"futures in {s:.2f} s"
                    ),
                )
            out = out or exploration_folder(experiment) / "analysis" / "pareto.parquet"
            saved = result.save(out)
            plan_path = None
            if emit_plan is not None:
                plan_path = write_plan(exp, result, emit_plan[0], emit_plan[1])
        except _errors() as exc:
            raise fail(exc) from None
        table = Table(
            title=f"Pareto set: {len(result.table)} plans, each run on the same {scenarios:,} "
            f"futures (seed {result.seed})",
            title_justify="left",
        )
        table.add_column("K", justify="right")
        for col in result.table.columns:
            table.add_column(col, justify="right")
        for i, row in result.table.iterrows():
            table.add_row(str(i), *[display.number(v) for v in row.to_numpy(dtype=float)])
        console.print(table)
        _print_lever_evidence(result.levers)
        gens = result.generations
        console.print(
            f"{len(gens)} generations; one batched evaluation each, median "
            f"{gens.seconds.median():.2f} s for {int(gens.evaluations.median())} candidates x "
            f"{scenarios:,} futures"
        )
        warning = result.unreached_message()
        if warning:
            console.print("[yellow]" + warning + "[/yellow]", highlight=False)
        elif len(result.objectives) >= 2:
            fig = Figure(figsize=(6, 4.5), layout="constrained")
            plots.pareto_scatter(result, ax=fig.add_subplot())
            console.print(f"chart: {_save_figure(fig, out.with_suffix('.png'))}")
        console.print(f"saved: {saved}")
        if plan_path is not None:
            console.print(
                f"plan: {plan_path} (check it: cnplan run {plan_path} -n {scenarios} "
                f"--seed {result.seed})"
            )
            sampled = result.settings.get("sampled_uncertainties") or []
            if sampled:
                console.print(
                    f"[dim]note: the optimiser sampled {', '.join(sampled)} per future; "
                    "cnplan run uses the plan's own values, so its figures will differ.[/dim]"
                )


def _print_lever_evidence(columns: list[str]) -> None:
    """What each searched lever's effect rests on, so no plan is ranked on assumptions unawares."""
    from cnplan.calibrate.evidence import input_label

    table = Table(title="What the evidence says about each lever searched", title_justify="left",
                  caption="[Key]: docs/references.md")
    table.add_column("lever")
    table.add_column("evidence for its effect")
    for col in columns:
        table.add_row(col, input_label(col) or "–")
    console.print(table)

"""`cnplan backtest --rolling`: run the rolling-origin evaluation and print or dump it."""

from __future__ import annotations

import json
import time

from rich.console import Console
from rich.table import Table

from cnplan import progress
from cnplan.calibrate.scores import BASELINES
from cnplan.cli.errors import fail

console = Console()

BAR = (
    "bar (issue 15, conditional forecasts): CRPS skill against the random walk > 0 at 1-3 and "
    "4-8 years; 90% coverage 80-97%; 50% coverage 35-65%"
)


def rolling_json(result, wall: float) -> dict:
    """The JSON form of one dataset's rolling evaluation (every scored row included)."""
    frame = result.frame()
    return {
        "data": result.data,
        "country": result.country,
        "horizon": result.horizon,
        "fit": {"particles": result.particles, "generations": result.generations,
                "pooled_with": result.pooled_with},
        "cutoffs": [
            {"cutoff": c.cutoff, "in_sample_mape": c.in_sample_mape,
             "status_quo_eradication": c.status_quo, "combination_weights": c.weights}
            for c in result.cutoffs
        ],
        "summary": json.loads(result.summary().to_json(orient="records")),
        "devida": result.devida(),
        "rows": json.loads(frame.to_json(orient="records")),
        "wall_seconds": wall,
    }


def meets_bar(summary, forecaster: str = "conditional") -> dict[str, bool]:
    """Whether ``forecaster`` (default the model's conditional one) meets each of the bars."""
    cond = summary[summary["forecaster"] == forecaster].set_index("horizon")
    out = {}
    for group in ("1-3", "4-8"):
        if group in cond.index:
            row = cond.loc[group]
            out[f"skill vs random walk > 0 ({group})"] = bool(row["skill_random_walk"] > 0)
            out[f"90% coverage 80-97% ({group})"] = bool(0.80 <= row["coverage_90"] <= 0.97)
            out[f"50% coverage 35-65% ({group})"] = bool(0.35 <= row["coverage_50"] <= 0.65)
    return out


def print_rolling(result, wall: float) -> None:
    """Tables: model forecasts by horizon with skill, baselines, cut-offs, DEVIDA."""
    summary = result.summary()
    title = (f"Rolling-origin evaluation, {result.data}: {len(result.cutoffs)} cut-offs "
             f"({result.cutoffs[0].cutoff}-{result.cutoffs[-1].cutoff}), horizon "
             f"{result.horizon}, fits of {result.particles} particles x {result.generations} "
             f"generations"
             + (f", pooled with {', '.join(result.pooled_with)}" if result.pooled_with else ""))
    table = Table(title=title, title_justify="left")
    for col in ("forecast", "horizon", "n", "CRPS (ha)", "skill vs RW", "vs RW+drift",
                "vs trend", "MAPE", "90% cov.", "50% cov."):
        table.add_column(col, justify="right")
    for row in summary[~summary["horizon"].str.isdigit()].itertuples(index=False):
        model = row.forecaster not in BASELINES
        table.add_row(
            row.forecaster, row.horizon, str(row.n), f"{row.crps:,.0f}",
            f"{row.skill_random_walk:+.2f}" if model else "",
            f"{row.skill_random_walk_drift:+.2f}" if model else "",
            f"{row.skill_linear_trend:+.2f}" if model else "",
            f"{row.mape:.1%}", f"{row.coverage_90:.0%}", f"{row.coverage_50:.0%}",
        )
    console.print(table)
    console.print(_by_year(summary))
    cuts = ", ".join(f"{c.cutoff} ({c.in_sample_mape:.1%})" for c in result.cutoffs)
    console.print(f"cut-offs (in-sample national MAPE): {cuts}", highlight=False)
    for d in result.devida():
        sign = "over " if d["devida_sign"] == ">" else ""
        console.print(
            f"{d['year']}: observed {d['observed']:,.0f} ha; DEVIDA projected {sign}"
            f"{d['devida']:,.0f} ha (error {d['devida_ape']:.1%}; {d['source']}); "
            f"unconditional model from {d['cutoff']}: {d['model_median']:,.0f} ha "
            f"[{d['model_p05']:,.0f}-{d['model_p95']:,.0f}] (error {d['model_ape']:.1%})",
            highlight=False,
        )
    console.print(BAR, highlight=False)
    for name, ok in meets_bar(summary).items():
        mark = "[green]met[/green]" if ok else "[red]not met[/red]"
        console.print(f"  {name}: {mark}")
    console.print(f"[dim]{wall:.0f} s[/dim]")


def _by_year(summary) -> Table:
    """CRPS skill against the random walk and coverage of the model forecasts, each year."""
    table = Table(title="Each year ahead: CRPS skill vs random walk (90% / 50% coverage)",
                  title_justify="left")
    table.add_column("years ahead", justify="right")
    kinds = [k for k in dict.fromkeys(summary["forecaster"]) if k not in BASELINES]
    for kind in kinds:
        table.add_column(kind, justify="right")
    years = summary[summary["horizon"].str.isdigit()]
    for h in sorted({int(x) for x in years["horizon"]}):
        part = years[years["horizon"] == str(h)].set_index("forecaster")
        table.add_row(str(h), *[
            f"{part.loc[k, 'skill_random_walk']:+.2f} ({part.loc[k, 'coverage_90']:.0%} / "
            f"{part.loc[k, 'coverage_50']:.0%})" for k in kinds])
    return table


def run_rolling(data: str, horizon: int, start: int, particles: int | None,
                generations: int | None, seed: int, fmt: str, workers: int,
                pooled: bool = True) -> None:
    """Evaluate each named dataset (its fits pooled with the others' when ``pooled``); print
    tables or one JSON document.
    """
    from cnplan.calibrate.rolling import ROLLING_GENERATIONS, ROLLING_PARTICLES, rolling_backtest
    from cnplan.data import DataError, load_dataset
    from cnplan.model import ModelInputError

    docs = []
    try:
        datasets = [load_dataset(x.strip()) for x in data.split(",") if x.strip()]
    except DataError as exc:
        raise fail(exc) from None
    for dataset in datasets:
        t0 = time.perf_counter()
        partners = tuple(d for d in datasets if d is not dataset) if pooled else ()
        try:
            with progress.shown():
                result = rolling_backtest(
                    dataset, horizon, start, particles or ROLLING_PARTICLES,
                    generations or ROLLING_GENERATIONS, seed, workers, partners,
                )
        except (DataError, ModelInputError, ValueError) as exc:
            raise fail(exc) from None
        wall = time.perf_counter() - t0
        if fmt == "json":
            docs.append(rolling_json(result, wall))
        else:
            print_rolling(result, wall)
    if fmt == "json":
        print(json.dumps(docs if len(docs) > 1 else docs[0], indent=2))

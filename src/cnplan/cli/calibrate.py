"""`cnplan calibrate` and `cnplan backtest`: fit the model to the data and test it out of sample."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from cnplan import progress
from cnplan.cli.errors import fail
from cnplan.i18n import gettext as _

console = Console()


def register(app: typer.Typer) -> None:
    """Add the ``calibrate`` and ``backtest`` commands to the main app."""

    @app.command()
    def calibrate(
        data: Annotated[
            str, typer.Option(help="Dataset name or folder; several, comma-separated, are "
                              "fitted together (partial pooling).")
        ] = "peru",
        until: Annotated[int | None, typer.Option(help="Last year of data to fit.")] = None,
        start: Annotated[int, typer.Option(help="First simulated year.")] = 2005,
        out: Annotated[
            Path | None, typer.Option(help="Write the parameter set JSON here (pooled: a "
                                      "folder, one <dataset>.json each).")
        ] = None,
        particles: Annotated[int, typer.Option(help="ABC-SMC population size.")] = 500,
        generations: Annotated[int, typer.Option(help="ABC-SMC generations.")] = 14,
        seed: Annotated[int, typer.Option()] = 0,
        check: Annotated[
            bool, typer.Option("--check", help="Compare with the literature.")
        ] = False,
        params: Annotated[
            Path | None, typer.Option(help="With --check: a saved parameter set to check.")
        ] = None,
    ) -> None:
        """Fit the model's uncertain parameters to the observations (ABC-SMC)."""
        from cnplan.calibrate import calibrate as fit_model
        from cnplan.calibrate.checks import (
            SURVEY_ERROR_SD,
            literature_checks,
            natural_experiments,
        )
        from cnplan.calibrate.fit import calibrate_pooled
        from cnplan.data import DataError, load_dataset
        from cnplan.model import ModelInputError, ParameterSet, default_parameter_set

        try:
            names = [x.strip() for x in data.split(",") if x.strip()]
            if len(names) > 1:
                if check:
                    raise ValueError("--check: one dataset at a time")
                datasets = [load_dataset(x) for x in names]
                t0 = time.perf_counter()
                with progress.shown():
                    fits = calibrate_pooled(datasets, start, until, particles, generations, seed)
                wall = time.perf_counter() - t0
                for fit in fits.values():
                    _show_fit(fit, wall)
                if out:
                    out.mkdir(parents=True, exist_ok=True)
                    for name, fit in fits.items():
                        fit.parameter_set.save(out / f"{name}.json")
                        console.print(_("parameter set written to %(path)s")
                                      % {"path": out / f"{name}.json"})
                return
            dataset = load_dataset(data)
            if check:
                pset = ParameterSet.load(params) if params else default_parameter_set(data)
                if pset.samples is None:
                    console.print(
                        f"no fitted parameter set for {dataset.name}: fitting one first "
                        f"({particles} particles, {generations} generations)", highlight=False
                    )
                    with progress.shown():
                        pset = fit_model(
                            dataset, start, until=until, particles=particles,
                            generations=generations, seed=seed,
                        ).parameter_set
                with progress.shown():
                    checks = literature_checks(dataset, pset, start)
                    checks += natural_experiments(dataset, start, seed=seed)
                table = Table(
                    title=_("Literature checks — parameter set %(name)s") % {"name": pset.name},
                    caption=_("[Key]: docs/references.md; S01, S30...: the dataset's SOURCES.md"),
                )
                for col in (_("check"), _("published"), _("source"),
                            _("model (median [90%])"), _("result")):
                    table.add_column(col)
                for c in checks:
                    table.add_row(
                        c.name,
                        c.published,
                        c.source,
                        c.model,
                        _("skipped")
                        if c.passed is None
                        else f"[green]{_('pass')}[/green]"
                        if c.passed
                        else f"[red]{_('fail')}[/red]",
                    )
                console.print(table)
                console.print(
                    "natural experiments: conditional forecasts refitted to the year before each "
                    "event; bands from the observations and a survey error of "
                    f"{SURVEY_ERROR_SD:g} (log sd per survey, assumption), set before the "
                    "model runs",
                    highlight=False,
                )
                return
            t0 = time.perf_counter()
            with progress.shown():
                fit = fit_model(dataset, start, until=until, particles=particles,
                                generations=generations, seed=seed)
            wall = time.perf_counter() - t0
        except (DataError, ModelInputError, ValueError) as exc:
            raise fail(exc) from None
        _show_fit(fit, wall)
        if out:
            fit.parameter_set.save(out)
            console.print(_("parameter set written to %(path)s") % {"path": out})


    @app.command()
    def backtest(
        train_until: Annotated[
            str | None, typer.Option(help="Cut-off year(s), comma-separated.")
        ] = None,
        data: Annotated[str, typer.Option(help="Dataset name(s) or folder(s), comma-separated "
                                                "with --rolling.")] = "peru",
        test_until: Annotated[int | None, typer.Option(help="Last test year.")] = None,
        horizon: Annotated[int, typer.Option(help="Years forecast after the cut-off.")] = 8,
        start: Annotated[int, typer.Option(help="First simulated year.")] = 2005,
        particles: Annotated[
            int | None, typer.Option(help="ABC-SMC population size (default 1000; 500 rolling).")
        ] = None,
        generations: Annotated[
            int | None, typer.Option(help="ABC-SMC generations (default 10; 14 rolling).")
        ] = None,
        seed: Annotated[int, typer.Option()] = 0,
        format: Annotated[str, typer.Option(help="table or json.")] = "table",
        rolling: Annotated[bool, typer.Option(
            "--rolling", help="Fit at every cut-off and score by horizon against baselines.")
        ] = False,
        workers: Annotated[int, typer.Option(help="Processes for --rolling.")] = 1,
        pooled: Annotated[bool, typer.Option(
            "--pooled/--separate", help="With --rolling and several datasets: fit them together "
            "at each cut-off, as `cnplan calibrate --data a,b` does (default), or each alone.")
        ] = True,
    ) -> None:
        """Fit up to a cut-off, forecast the rest with the observed eradication as input."""
        if format not in {"table", "json"}:
            raise fail(ValueError(f"--format: must be table or json, got {format!r}"))
        if rolling:
            from cnplan.cli.backtest_view import run_rolling

            run_rolling(data, horizon, start, particles, generations, seed, format, workers,
                        pooled)
            return
        if train_until is None:
            raise fail(ValueError("--train-until: give cut-off year(s), or use --rolling"))
        particles = particles or 1000
        generations = generations or 10
        from cnplan.calibrate.backtest import backtest as run_backtest
        from cnplan.data import DataError, load_dataset
        from cnplan.model import ModelInputError

        try:
            cutoffs = [int(x) for x in train_until.split(",") if x.strip()]
        except ValueError:
            raise fail(
                ValueError(f"--train-until: expected years like 2008,2012, got {train_until!r}")
            ) from None
        try:
            dataset = load_dataset(data)
            results = []
            task = _("backtest cut-offs (%(data)s)") % {"data": dataset.name}
            with progress.shown():
                for c in cutoffs:
                    progress.step(task, len(results), len(cutoffs))
                    results.append(run_backtest(dataset, c, test_until, horizon, start,
                                                particles, generations, seed=seed))
        except (DataError, ModelInputError, ValueError) as exc:
            raise fail(exc) from None
        if format == "json":
            print(
                json.dumps(
                    [
                        {
                            "cutoff": r.cutoff,
                            **r.metrics,
                            "in_sample_mape": r.fit_mape,
                            "structural_error_sd": r.error.sigma if r.error else None,
                            "years": json.loads(r.table.to_json(orient="records")),
                        }
                        for r in results
                    ],
                    indent=2,
                )
            )
            return
        for r in results:
            table = Table(title=f"Backtest: trained to {r.cutoff}", title_justify="left")
            for col in ("year", "observed", "median", "90% interval", "persistence", "trend"):
                table.add_column(col, justify="right")
            for row in r.table.itertuples(index=False):
                obs = "–" if np.isnan(row.observed) else f"{row.observed:,.0f}"
                table.add_row(
                    str(row.year),
                    obs,
                    f"{row.median:,.0f}",
                    f"{row.p05:,.0f} – {row.p95:,.0f}",
                    f"{row.persistence:,.0f}",
                    f"{row.trend:,.0f}",
                )
            console.print(table)
        summary = Table(title="Backtest metrics (national coca area)", title_justify="left")
        for col in (
            "cut-off",
            "model MAPE",
            "persistence MAPE",
            "trend MAPE",
            "90% coverage",
            "model CRPS",
            "persistence CRPS",
            "trend CRPS",
            "beats both on MAPE",
        ):
            summary.add_column(col, justify="right")
        for r in results:
            m = r.metrics
            beats = m["model_mape"] < min(m["persistence_mape"], m["trend_mape"])
            summary.add_row(
                str(r.cutoff),
                f"{m['model_mape']:.1%}",
                f"{m['persistence_mape']:.1%}",
                f"{m['trend_mape']:.1%}",
                f"{m['coverage_90']:.0%}",
                f"{m['model_crps']:,.0f}",
                f"{m['persistence_crps']:,.0f}",
                f"{m['trend_crps']:,.0f}",
                "yes" if beats else "no",
            )
        console.print(summary)
        for r in results:
            if r.error is not None:
                console.print(f"[dim]{r.cutoff}: {r.error.describe()}[/dim]", highlight=False)


def _show_fit(fit, wall: float) -> None:
    """Print a fit's posterior table, its in-sample error and its eradication-input rules."""
    from cnplan.calibrate import FITTED
    from cnplan.model.parameters import PARAM_INDEX, SPECS

    samples = fit.parameter_set.samples
    table = Table(title=_("Posterior — %(name)s") % {"name": fit.parameter_set.name})
    for col in (_("parameter"), _("unit"), _("prior range"), _("posterior median"),
                _("90% interval")):
        table.add_column(col)
    for name in FITTED:
        spec, x = SPECS[name], samples[:, PARAM_INDEX[name]]
        lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95])
        table.add_row(
            name,
            spec.unit,
            f"{spec.low:g} – {spec.high:g}",
            f"{med:.3g}",
            f"{lo:.3g} – {hi:.3g}",
        )
    console.print(table)
    console.print(_(
        "fit: national coca MAPE %(mape)s (posterior median path, %(y0)s–%(y1)s); "
        "tolerances %(eps)s; %(n)s simulated histories in %(wall)s s") % {
        "mape": f"{fit.in_sample_mape:.1%}", "y0": fit.years[0], "y1": fit.until,
        "eps": ", ".join(f"{e:.3f}" for e in fit.epsilons),
        "n": f"{fit.simulations:,}", "wall": f"{wall:.1f}"})
    for b in fit.bridged:
        if b.rule != "full-year figure":
            console.print(
                f"[dim]eradication {b.year}: {b.value:,.0f} ha — {b.rule}[/dim]",
                highlight=False,
            )

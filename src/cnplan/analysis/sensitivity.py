"""Global sensitivity: Sobol indices (with confidence intervals) and Morris screening via SALib.

Which uncertainties and levers matter most for an outcome? Sobol first-order indices (S1) give
the share of the outcome's variance each input explains alone, total indices (ST) the share it
explains with all its interactions (Saltelli et al. 2008, *Global Sensitivity Analysis: The
Primer*). The design is SALib's Saltelli/Sobol sample (N x (k + 2) rows), evaluated in one
batched pass; Morris elementary effects (mu*, sigma) are the cheap screening alternative.

The model is either a plain function from an (n, k) array to n values (the SALib contract) or an
exploration experiment: then every design row is run on the same ``scenarios`` futures (common
random numbers) and the outcome averaged over them, so the indices describe the outcome
expected over the model's remaining randomness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnplan.errors import CnplanError
from cnplan.explore.store import read_table, write_table

Model = Callable[[np.ndarray], np.ndarray]


class SensitivityError(CnplanError, ValueError):
    """Sensitivity analysis cannot run with the given model or options."""


@dataclass
class SensitivityResult:
    """Indices per input, ranked, with what produced them.

    Attributes
    ----------
    method : ``"sobol"`` or ``"morris"``.
    outcome : the outcome analysed.
    table : one row per input, most influential first. Sobol: ``input``, ``S1``, ``S1_conf``,
        ``ST``, ``ST_conf`` (half-widths of the ``conf_level`` interval, bootstrap). Morris:
        ``input``, ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``.
    n : base sample size (Sobol N, Morris trajectories).
    evaluations : model evaluations made (rows x scenarios for an experiment).
    seconds : wall time of the model evaluations.
    settings : the options used.
    """

    method: str
    outcome: str
    table: pd.DataFrame
    n: int
    evaluations: int
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def varies(self) -> bool:
        """False when the outcome took one value in every model run: no index is defined."""
        return "constant" not in self.settings

    def no_variance_message(self) -> str:
        """Why there are no indices, in words, with an outcome to try instead (for CLI/report)."""
        from cnplan import format as display
        from cnplan.i18n import gettext as _

        suggestion = self.settings.get("suggested_outcome") or "coca_ha_2011"
        return _("%(outcome)s has no variance: it is %(value)s in all %(runs)s model runs, so "
                 "there is nothing for the inputs to explain and every index is undefined. A "
                 "goal that no future (or every future) reaches looks like this. Analyse a "
                 "continuous outcome instead, such as %(suggestion)s.") % {
            "outcome": self.outcome, "value": display.number(self.settings["constant"]),
            "runs": display.number(self.evaluations // max(self.settings.get("scenarios", 1), 1)),
            "suggestion": suggestion}

    def save(self, path: str | Path) -> Path:
        """Write the table as Parquet with the other fields in its metadata (temp + rename)."""
        meta = {
            "method": self.method,
            "outcome": self.outcome,
            "n": self.n,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "settings": self.settings,
        }
        return write_table(path, self.table, meta)

    @classmethod
    def load(cls, path: str | Path) -> SensitivityResult:
        """Read a result written by :meth:`save`."""
        table, meta = read_table(path)
        return cls(table=table, **meta)


def _problem_from_experiment(experiment: Any) -> tuple[dict[str, Any], Callable]:
    """SALib problem over the experiment's varied inputs in the unit cube, and the map back.

    The design is drawn on [0, 1] per input and mapped onto each input's range or choices
    exactly as the exploration's own samplers do.
    """
    from cnplan.explore import design

    variables = experiment.variables
    if not variables:
        raise SensitivityError(
            f"experiment {experiment.name}: varies no uncertainty or lever; nothing to analyse"
        )
    names = experiment.input_columns
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}

    def to_rows(u: np.ndarray) -> pd.DataFrame:
        cols = {
            name: design.values(v, u[:, j])
            for j, (name, v) in enumerate(zip(names, variables, strict=True))
        }
        return pd.DataFrame(cols)

    return problem, to_rows


def _experiment_model(
    experiment: Any, outcome: str, scenarios: int, seed: int | None, executor: Any = None
) -> Model:
    from cnplan.explore.crn import evaluate_on_scenarios
    from cnplan.explore.expr import numeric_outcome, parse_outcome
    from cnplan.explore.outcomes import outcome_columns

    parse_outcome(outcome, outcome_columns(experiment))  # fail before any model run
    _, to_rows = _problem_from_experiment(experiment)

    def model(u: np.ndarray) -> np.ndarray:
        got = evaluate_on_scenarios(experiment, to_rows(u), scenarios, seed=seed, executor=executor)
        values = np.stack(
            [
                numeric_outcome(outcome, pd.DataFrame({c: v[:, s] for c, v in got.items()}))
                for s in range(scenarios)
            ],
            axis=1,
        )
        return values.mean(axis=1)

    return model


def sensitivity(
    model: Model | Any,
    problem: dict[str, Any] | None = None,
    *,
    outcome: str = "y",
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    scenarios: int = 1,
    conf_level: float = 0.95,
    num_resamples: int = 200,
    morris_levels: int = 4,
    workers: int | None = None,
    scheduler: Any = None,
) -> SensitivityResult:
    """Sobol indices or Morris screening of ``outcome`` with respect to the varied inputs.

    Parameters
    ----------
    model : a function from an (n, k) array of inputs to n outcome values, or an
        :class:`~cnplan.explore.experiment.Experiment` (or a path to one).
    problem : for a function, SALib's problem: ``{"names": [...], "bounds": [[lo, hi], ...]}``.
        For an experiment it is built from its uncertainties and levers.
    outcome : for an experiment, an outcome column or expression (see
        :mod:`cnplan.explore.expr`); for a function, a label.
    method : ``"sobol"`` (Saltelli/Sobol design, S1 and ST with confidence intervals) or
        ``"morris"`` (elementary effects).
    n : Sobol base sample size (a power of 2; rows = n x (k + 2)) or Morris trajectories.
    seed : seed of the design (and of the bootstrap of the confidence intervals).
    scenarios : for an experiment, futures each design row is run on (averaged).
    conf_level : confidence level of the intervals.
    num_resamples : bootstrap resamples for the intervals.
    morris_levels : grid levels of the Morris design.
    workers : for an experiment, local worker processes that run the design's batches (None or
        1: this process).
    scheduler : for an experiment, a Dask scheduler address, ``"local"`` (a LocalCluster of
        ``workers`` processes) or a ``distributed.Client``. Whatever the executor, the indices
        and the outcomes behind them are bit-identical (the batches are cut the same way and
        each redraws its scenarios from the seed).

    Returns
    -------
    SensitivityResult
        Ranked table of indices (by ST for Sobol, mu* for Morris).
    """
    import time
    from contextlib import nullcontext

    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in {"sobol", "morris"}:
        raise SensitivityError(f"method: must be 'sobol' or 'morris', got {method!r}")
    if n < 2:
        raise SensitivityError(f"n: must be >= 2, got {n}")
    if method == "sobol" and n & (n - 1):
        raise SensitivityError(f"n: Sobol designs need a power of 2 (e.g. 1024), got {n}")
    if not 0 < conf_level < 1:
        raise SensitivityError(f"conf_level: must be between 0 and 1, got {conf_level}")
    if scenarios < 1:
        raise SensitivityError(f"scenarios: must be >= 1, got {scenarios}")
    if workers is not None and workers < 1:
        raise SensitivityError(f"workers: must be >= 1, got {workers}")
    pool: Any = nullcontext(None)
    if not callable(model):
        from cnplan.explore.experiment import Experiment

        experiment = model
        if not isinstance(experiment, Experiment):
            from cnplan.explore.experiment import load_experiment

            experiment = load_experiment(experiment)
        problem, _ = _problem_from_experiment(experiment)
        func = _experiment_model(experiment, outcome, scenarios, None)  # checks the outcome
        units = _experiment_units(experiment)
        from cnplan.explore.runner import executor

        pool = executor(workers, scheduler)
    else:
        if workers not in (None, 1) or scheduler is not None:
            raise SensitivityError(
                "workers, scheduler: only for an experiment; a function is called in this "
                "process (parallelise inside it if needed)"
            )
        if problem is None or "names" not in problem or "bounds" not in problem:
            raise SensitivityError("problem: a function needs {'names': [...], 'bounds': [...]}")
        problem = {"num_vars": len(problem["names"]), **problem}
        func, units, scenarios = model, {}, 1
    names = list(problem["names"])
    if method == "sobol":
        x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        x = morris_sample.sample(problem, n, num_levels=morris_levels, seed=seed)
    with pool as ex:
        if ex is not None:
            func = _experiment_model(experiment, outcome, scenarios, None, ex)
        start = time.perf_counter()
        y = np.asarray(func(x), dtype=float)
        seconds = time.perf_counter() - start
    if y.shape != (len(x),):
        raise SensitivityError(f"model: must return one value per row ({len(x)}), got {y.shape}")
    if not np.isfinite(y).all():
        raise SensitivityError(
            f"outcome {outcome!r}: {int((~np.isfinite(y)).sum())} of {len(y)} values are not "
            "finite (e.g. a goal year never reached); analyse a quantity defined in every future"
        )
    settings = {
        "seed": seed,
        "scenarios": scenarios,
        "conf_level": conf_level,
        "num_resamples": num_resamples,
        "design": "saltelli/sobol" if method == "sobol" else f"morris ({morris_levels} levels)",
    }
    if np.ptp(y) == 0:  # one value everywhere: SALib would divide by a zero variance
        columns = (["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol"
                   else ["mu_star", "mu_star_conf", "sigma", "mu"])
        table = pd.DataFrame({"input": names, **{c: np.nan for c in columns}})
        table.insert(1, "unit", [units.get(name, "") for name in names])
        settings["constant"] = float(y[0])
        if not callable(model):
            settings["suggested_outcome"] = continuous_outcome(experiment.outcome_columns)
        return SensitivityResult(method=method, outcome=outcome, table=table, n=n,
                                 evaluations=len(x) * scenarios, seconds=seconds,
                                 settings=settings)
    # SALib treats seed 0 as "no seed" (global state); derive a non-zero seed from ours.
    boot_seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    if method == "sobol":
        si = sobol_analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            conf_level=conf_level,
            num_resamples=num_resamples,
            seed=boot_seed,
        )
        table = pd.DataFrame(
            {
                "input": names,
                "S1": si["S1"],
                "S1_conf": si["S1_conf"],
                "ST": si["ST"],
                "ST_conf": si["ST_conf"],
            }
        ).sort_values("ST", ascending=False, kind="stable")
    else:
        si = morris_analyze.analyze(
            problem,
            x,
            y,
            conf_level=conf_level,
            num_resamples=num_resamples,
            num_levels=morris_levels,
            seed=boot_seed,
        )
        table = pd.DataFrame(
            {
                "input": names,
                "mu_star": si["mu_star"],
                "mu_star_conf": si["mu_star_conf"],
                "sigma": si["sigma"],
                "mu": si["mu"],
            }
        ).sort_values("mu_star", ascending=False, kind="stable")
    table.insert(1, "unit", [units.get(name, "") for name in table["input"]])
    return SensitivityResult(
        method=method,
        outcome=outcome,
        table=table.reset_index(drop=True),
        n=n,
        evaluations=len(x) * scenarios,
        seconds=seconds,
        settings=settings,
    )


def continuous_outcome(columns: list[str]) -> str | None:
    """An outcome column that varies continuously (an area, a cost), to suggest in place of a
    goal flag: coca area first, then anything not a goal's ``_reached`` flag or ``_year``.
    """
    plain = [c for c in columns if not c.endswith(("_reached", "_year"))]
    coca = [c for c in plain if c.startswith("coca_ha")]
    return (coca or plain or [None])[0]


def _experiment_units(experiment: Any) -> dict[str, str]:
    from cnplan.explore.units import input_units

    return input_units(experiment.input_columns, experiment)

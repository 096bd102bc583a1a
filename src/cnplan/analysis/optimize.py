"""Robust multi-objective search over a plan's levers with pymoo (NSGA-II / NSGA-III).

A candidate is a set of lever values (the experiment's ``levers``, in their ranges). Each
generation, the whole population is run on the same ``scenarios`` futures in one batched engine
pass (population x scenarios rows; common random numbers, so candidates differ by their levers,
not by luck). Each objective is an outcome column or expression reduced over the scenarios by a
robustness metric:

- ``mean``: expected value (a yes/no outcome gives a probability);
- ``percentile``: the ``q``-th worst value (q = 10: the value 90% of futures do at least as
  well as);
- ``regret``: largest shortfall, over the scenarios, against the best candidate of the same
  generation in that scenario (Savage's minimax regret, as in Rhodium/EMA Workbench);
- ``satisficing``: share of futures that meet the objective's ``threshold``.

The Pareto set comes back as a table of lever values and robust objective values; any member
can be written as a plan YAML with every touched lever as an explicit yearly series, which
``cnplan run`` accepts and, with the same scenarios and seed, reproduces.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnplan.errors import CnplanError
from cnplan.explore.store import read_table, write_table
from cnplan.files import write_text_atomic

METRICS = ("mean", "percentile", "regret", "satisficing")


class OptimizeError(CnplanError, ValueError):
    """The optimisation cannot run with the given experiment, objectives or options."""


@dataclass(frozen=True)
class Objective:
    """One objective: an outcome, whether more or less is better, and how it is made robust."""

    outcome: str
    sense: str = "max"
    metric: str = "mean"
    q: float = 10.0
    threshold: float | None = None

    @property
    def label(self) -> str:
        extra = {
            "mean": "",
            "percentile": f" p{self.q:g}",
            "regret": " max regret",
            "satisficing": f" share {'>=' if self.sense == 'max' else '<='} {self.threshold:g}"
            if self.threshold is not None
            else "",
        }[self.metric]
        return (
            f"{self.metric}({self.outcome}){extra}"
            if self.metric != "mean"
            else (f"mean({self.outcome})")
        )

    def check(self, where: str) -> None:
        if self.sense not in {"max", "min"}:
            raise OptimizeError(f"{where}.sense: must be 'max' or 'min', got {self.sense!r}")
        if self.metric not in METRICS:
            raise OptimizeError(
                f"{where}.metric: must be one of {', '.join(METRICS)}, got {self.metric!r}"
            )
        if self.metric == "percentile" and not 0 < self.q < 100:
            raise OptimizeError(f"{where}.q: must be between 0 and 100, got {self.q}")
        if self.metric == "satisficing" and self.threshold is None:
            raise OptimizeError(f"{where}.threshold: satisficing needs a threshold")

    def robust(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(candidates, scenarios) values -> (robust value as reported, value to minimise)."""
        sign = -1.0 if self.sense == "max" else 1.0
        if self.metric == "mean":
            r = values.mean(axis=1)
            return r, sign * r
        if self.metric == "percentile":
            q = self.q if self.sense == "max" else 100 - self.q
            r = np.percentile(values, q, axis=1)
            return r, sign * r
        if self.metric == "regret":
            best = values.max(axis=0) if self.sense == "max" else values.min(axis=0)
            r = np.abs(best[None, :] - values).max(axis=1)
            return r, r
        ok = values >= self.threshold if self.sense == "max" else values <= self.threshold
        r = ok.mean(axis=1)
        return r, -r


def parse_objectives(items: list[Any] | None, metric: str = "mean", q: float = 10.0) -> list:
    """Objectives from strings like ``"max marginal_producer_reached"`` or mappings."""
    if not items:
        items = [
            "max marginal_producer_reached",
            "min cost_musd_total",
            "min resistance_max",
        ]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Objective):
            obj = item
        elif isinstance(item, str):
            sense, _, outcome = item.strip().partition(" ")
            if sense not in {"max", "min"} or not outcome.strip():
                raise OptimizeError(
                    f"objectives[{i}]: write 'max OUTCOME' or 'min OUTCOME', got {item!r}"
                )
            obj = Objective(outcome.strip(), sense, metric, q)
        elif isinstance(item, dict):
            try:
                obj = Objective(**{"metric": metric, "q": q, **item})
            except TypeError as exc:
                raise OptimizeError(f"objectives[{i}]: {exc}") from None
        else:
            raise OptimizeError(f"objectives[{i}]: expected text or a mapping, got {item!r}")
        obj.check(f"objectives[{i}]")
        out.append(obj)
    return out


@dataclass
class ParetoResult:
    """The non-dominated candidates found, with their levers and robust objective values.

    Attributes
    ----------
    table : one row per Pareto member: lever columns (in their units, or "x plan" for scaled
        levers) then one column per objective (its ``label``), best first on the first one.
    objectives : the objectives, in column order.
    levers : lever column names.
    scenarios, seed : the futures every candidate faced.
    generations : per generation: ``generation``, ``evaluations``, ``seconds`` (the batched
        evaluation's wall time).
    experiment : the experiment's name (the plan YAML needs the experiment itself).
    """

    table: pd.DataFrame
    objectives: list[Objective]
    levers: list[str]
    scenarios: int
    seed: int
    generations: pd.DataFrame
    experiment: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    def unreached(self) -> list[Objective]:
        """Goal objectives (``max <goal>_reached``) that no candidate reached in any future.

        The candidate best on an objective is always in the Pareto set, so a zero at the best
        member means every candidate evaluated scored zero: the "front" then only trades cost
        against nothing, and its x = 0 end is no recommendation.
        """
        return [o for o in self.objectives
                if o.sense == "max" and o.outcome.endswith("_reached")
                and o.metric in {"mean", "percentile", "satisficing"}
                and o.label in self.table and not (self.table[o.label] > 0).any()]

    def unreached_message(self) -> str | None:
        """What :meth:`unreached` means for the reader, or None when every goal is reached."""
        from cnplan.i18n import gettext as _

        missed = self.unreached()
        if not missed:
            return None
        return _("No candidate plan reaches %(goals)s in any of the %(k)s futures: the Pareto "
                 "set only trades the other objectives against nothing, so its plans (often "
                 "levers at their lowest) are not recommendations. Widen the levers' ranges, "
                 "or optimise a continuous outcome such as coca_ha_2011 (min).") % {
            "goals": ", ".join(o.outcome for o in missed), "k": f"{self.scenarios:,}"}

    def save(self, path: str | Path) -> Path:
        """Write the Pareto table as Parquet with the rest in its metadata (temp + rename)."""
        meta = {
            "objectives": [o.__dict__ for o in self.objectives],
            "levers": self.levers,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "generations": self.generations.to_dict(orient="list"),
            "experiment": self.experiment,
            "settings": self.settings,
        }
        return write_table(path, self.table, meta)

    @classmethod
    def load(cls, path: str | Path) -> ParetoResult:
        """Read a result written by :meth:`save`."""
        table, meta = read_table(path)
        return cls(
            table=table,
            objectives=[Objective(**o) for o in meta["objectives"]],
            levers=meta["levers"],
            scenarios=meta["scenarios"],
            seed=meta["seed"],
            generations=pd.DataFrame(meta["generations"]),
            experiment=meta["experiment"],
            settings=meta["settings"],
        )


def _algorithm(name: str, pop_size: int, n_obj: int, seed: int):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.util.ref_dirs import get_reference_directions

    if name == "nsga2":
        return NSGA2(pop_size=pop_size)
    if name == "nsga3":
        partitions = max(1, {1: pop_size, 2: pop_size - 1}.get(n_obj, 12 if n_obj == 3 else 6))
        ref = get_reference_directions("das-dennis", n_obj, n_partitions=partitions)
        return NSGA3(ref_dirs=ref, pop_size=max(pop_size, len(ref)))
    raise OptimizeError(f"algorithm: must be 'nsga2' or 'nsga3', got {name!r}")


def minimize(
    func: Callable[[np.ndarray], np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    n_obj: int,
    *,
    algorithm: str = "nsga2",
    pop_size: int = 100,
    generations: int = 50,
    seed: int = 0,
    callback: Callable[[int, float, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Minimise a batched vector function with pymoo; return Pareto X, F and per-generation times.

    ``func`` gets the whole population as a (pop, k) array and returns (pop, n_obj): one call per
    generation, which is the contract that makes a generation one batched engine pass.
    """
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize as pymoo_minimize

    timings: list[dict[str, float]] = []

    class _Batched(Problem):
        def _evaluate(self, x, out, *args, **kwargs):
            start = time.perf_counter()
            out["F"] = np.asarray(func(x), dtype=float)
            seconds = time.perf_counter() - start
            timings.append({"generation": len(timings), "evaluations": len(x), "seconds": seconds})
            if callback is not None:
                callback(len(timings) - 1, seconds, len(x))

    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    problem = _Batched(n_var=len(lower), n_obj=n_obj, xl=lower, xu=upper)
    res = pymoo_minimize(
        problem,
        _algorithm(algorithm, pop_size, n_obj, seed),
        ("n_gen", generations),
        seed=seed,
        verbose=False,
    )
    x, f = np.atleast_2d(res.X), np.atleast_2d(res.F)
    return x, f, pd.DataFrame(timings)


def optimize(
    experiment: Any,
    objectives: list[Any] | None = None,
    *,
    scenarios: int = 100,
    seed: int | None = None,
    pop_size: int = 40,
    generations: int = 20,
    algorithm: str = "nsga2",
    metric: str = "mean",
    q: float = 10.0,
    callback: Callable[[int, float, int], None] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
) -> ParetoResult:
    """Search the experiment's levers for plans that do well across its futures.

    Parameters
    ----------
    experiment : an :class:`~cnplan.explore.experiment.Experiment` or a path to one. Its
        ``levers`` are the decision variables (within their ``scale`` or ``level`` ranges); its
        ``uncertainties``, if any, are sampled once (``scenarios`` rows, the experiment's design
        method) and faced alike by every candidate.
    objectives : e.g. ``["max marginal_producer_reached", "min cost_musd_total"]`` or mappings
        with ``outcome``, ``sense``, ``metric``, ``q``, ``threshold`` (default: maximise the
        chance of the marginal-producer goal, minimise cost, minimise peak resistance).
    scenarios : futures each candidate is run on.
    seed : the futures' seed (default: the experiment's); also seeds the search.
    pop_size, generations : population per generation and number of generations.
    algorithm : ``"nsga2"`` or ``"nsga3"`` (reference directions; for 3+ objectives).
    metric, q : default robustness metric (and percentile) for objectives given as text.
    callback : called as ``callback(generation, seconds, candidates)`` after each generation.
    workers : local worker processes that run each generation's batches (None or 1: this
        process); one pool serves every generation.
    scheduler : a Dask scheduler address, ``"local"`` (a LocalCluster of ``workers`` processes)
        or a ``distributed.Client``. Whatever the executor, every generation's objective values
        and so the Pareto set are bit-identical.

    Returns
    -------
    ParetoResult
    """
    from cnplan.explore.crn import evaluate_on_scenarios
    from cnplan.explore.experiment import Experiment, load_experiment
    from cnplan.explore.expr import numeric_outcome, parse_outcome
    from cnplan.explore.outcomes import outcome_columns
    from cnplan.explore.runner import executor

    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    objs = parse_objectives(objectives, metric, q)
    columns = outcome_columns(experiment)
    for obj in objs:
        parse_outcome(obj.outcome, columns)  # errors list the available outcomes
    if not experiment.levers:
        raise OptimizeError(
            f"experiment {experiment.name}: has no levers to optimise; add a 'levers' list"
        )
    if scenarios < 1 or pop_size < 2 or generations < 1:
        raise OptimizeError(
            "scenarios, pop_size, generations: must be >= 1, >= 2, >= 1; got "
            f"{scenarios}, {pop_size}, {generations}"
        )
    if workers is not None and workers < 1:
        raise OptimizeError(f"workers: must be >= 1, got {workers}")
    seed = experiment.seed if seed is None else seed
    levers = [lv.column for lv in experiment.levers]
    lower, upper = _lever_bounds(experiment)
    per_scenario = _scenario_rows(experiment, scenarios, seed)

    with executor(workers, scheduler) as ex:  # one pool for every generation

        def outcomes_of(x: np.ndarray) -> list[np.ndarray]:
            rows = pd.DataFrame(x, columns=levers)
            got = evaluate_on_scenarios(
                experiment, rows, scenarios, seed, per_scenario=per_scenario, executor=ex
            )
            flat = pd.DataFrame({c: v.ravel() for c, v in got.items()})
            return [numeric_outcome(o.outcome, flat).reshape(len(x), scenarios) for o in objs]

        def func(x: np.ndarray) -> np.ndarray:
            return np.column_stack(
                [o.robust(v)[1] for o, v in zip(objs, outcomes_of(x), strict=True)]
            )

        x, _, timings = minimize(
            func,
            lower,
            upper,
            len(objs),
            algorithm=algorithm,
            pop_size=pop_size,
            generations=generations,
            seed=seed,
            callback=callback,
        )
        # Report values re-evaluated on the final set (regret is relative to this set).
        values = outcomes_of(x)
    table = pd.DataFrame(x, columns=levers)
    for o, v in zip(objs, values, strict=True):
        table[o.label] = o.robust(v)[0]
    first = objs[0]
    ascending = first.sense == "min" or first.metric == "regret"
    table = table.sort_values(objs[0].label, ascending=ascending, kind="stable")
    return ParetoResult(
        table=table.reset_index(drop=True),
        objectives=objs,
        levers=levers,
        scenarios=scenarios,
        seed=seed,
        generations=timings,
        experiment=experiment.name,
        settings={
            "algorithm": algorithm,
            "pop_size": pop_size,
            "generations": generations,
            "sampled_uncertainties": [u.column for u in experiment.uncertainties],
        },
    )


def _lever_bounds(experiment: Any) -> tuple[np.ndarray, np.ndarray]:
    lower, upper = [], []
    for lv in experiment.levers:
        if lv.choices is not None:
            lower.append(min(lv.choices))
            upper.append(max(lv.choices))
        else:
            lo, hi = lv.bounds
            lower.append(lo)
            upper.append(hi)
    return np.array(lower, float), np.array(upper, float)


def _scenario_rows(experiment: Any, scenarios: int, seed: int) -> pd.DataFrame | None:
    """The uncertainties' values per scenario (shared by all candidates), or None."""
    if not experiment.uncertainties:
        return None
    from cnplan.explore import design

    method = experiment.design.method
    method = "latin_hypercube" if method == "full_factorial" else method
    u = design.unit_sample(method, scenarios, len(experiment.uncertainties), seed)
    return pd.DataFrame(
        {v.column: design.values(v, u[:, j]) for j, v in enumerate(experiment.uncertainties)}
    )


def plan_for(experiment: Any, levers: dict[str, float]) -> dict[str, Any]:
    """The experiment's base plan with the given lever values applied, as a plan mapping.

    Every lever the values touch is written as an explicit series (every year, every zone of
    the data for zone levers), computed exactly as the exploration engine applies scale and
    level values, so the plan needs no knowledge of the experiment to be run.
    """
    from cnplan.explore.evaluate import prepare
    from cnplan.plans import LEVERS, NATIONAL

    prep = prepare(experiment)
    plan, zones = prep.plan, list(prep.inputs.zones)
    years = plan.years
    by_column = {lv.column: lv for lv in experiment.levers}
    arrays: dict[str, np.ndarray] = {}
    for col, value in levers.items():
        if col not in by_column:
            raise OptimizeError(f"lever {col!r}: not a lever of experiment {experiment.name}")
        lv = by_column[col]
        spec = LEVERS[lv.lever]
        if lv.lever not in arrays:
            arrays[lv.lever] = np.array(plan.lever_array(lv.lever, zones, years), float)
        arr = arrays[lv.lever]
        mask = years >= (lv.from_year if lv.from_year is not None else years[0])
        target = arr[:, zones.index(lv.zone)] if lv.zone is not None else arr
        if lv.mode == "scale":
            new = target * value
            if spec.maximum is not None:
                new = np.minimum(new, spec.maximum)
        else:
            new = np.full_like(target, value)
        target[mask] = new[mask]
    raw = json.loads(plan.model_dump_json())
    for lever, arr in arrays.items():
        keys = [NATIONAL] if arr.ndim == 1 else zones
        arr2 = arr[:, None] if arr.ndim == 1 else arr
        raw["levers"][lever] = {
            key: {int(y): _num(arr2[t, j]) for t, y in enumerate(years)}
            for j, key in enumerate(keys)
        }
    return raw


def _num(v: float) -> float | int:
    v = float(v)
    return int(v) if v.is_integer() else round(v, 6)


def emit_plan(
    experiment: Any, result: ParetoResult, k: int, path: str | Path, name: str | None = None
) -> Path:
    """Write Pareto member ``k`` as a plan YAML that ``cnplan run`` accepts (temp + rename)."""
    import yaml

    from cnplan.explore.experiment import Experiment, load_experiment
    from cnplan.plans import parse_plan

    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if not 0 <= k < len(result.table):
        raise OptimizeError(
            f"--emit-plan: K must be between 0 and {len(result.table) - 1}, got {k}"
        )
    row = result.table.iloc[k]
    raw = plan_for(experiment, {c: float(row[c]) for c in result.levers})
    base = raw["name"]
    raw["name"] = name or f"{base}-pareto-{k}"
    figures = ", ".join(f"{o.label} = {row[o.label]:.4g}" for o in result.objectives)
    # Its own title: the base plan's title would present the optimiser's levers as the
    # programme's own plan in every run report and comparison.
    raw["title"] = (f"Optimised from {base}: Pareto member {k} of experiment "
                    f"{result.experiment}")
    raw["description"] = (
        f"Written by cnplan optimize (not a programme's own plan): Pareto member {k} of an "
        f"optimisation of experiment {result.experiment} over the levers "
        f"{', '.join(result.levers)} ({result.scenarios} scenarios, seed {result.seed}): "
        f"{figures}. The rest is plan {base}: " + (raw.get("description") or "")
    ).strip()
    parse_plan(raw, str(path))  # never write a plan that would not load
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Emitted by cnplan optimize from experiment {result.experiment}, Pareto member {k}.\n"
        f"# Reproduce its figures: cnplan run {path.name} -n {result.scenarios} "
        f"--seed {result.seed}\n"
    )
    sampled = result.settings.get("sampled_uncertainties") or []
    if sampled:
        note = (
            f"(The optimiser also sampled {', '.join(sampled)} per future; cnplan run uses "
            "the plan's and parameter set's own values for those, so its figures will differ.)"
        )
        header += "".join(f"# {line}\n" for line in textwrap.wrap(note, 96))
    return write_text_atomic(
        path, header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    )

"""Experiment files: the pydantic schema, located checks, and what an experiment's columns mean.

An experiment says which futures to explore around a base plan: uncertainties (model parameters
and exogenous drivers), levers to vary, outcomes to keep and a sampling design. Like plans,
structural problems come from pydantic and semantic ones (unknown names, bad ranges) are
collected here; every problem is reported at once with its location, e.g.
``experiment x.yaml, levers[1].lever: unknown lever 'forced_erad' (did you mean ...); valid ...``.

Column names (decision 2 of the exploration issue): ``lever:<lever>`` or
``lever:<lever>.<zone>``, ``param:<name>``, ``driver:<name>``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from cnplan.errors import LocatedError, did_you_mean
from cnplan.explore.outcomes import outcome_columns, outcome_problems
from cnplan.limits import memory_problem, number_problems, short_repr
from cnplan.model.parameters import PARAM_NAMES, SPECS
from cnplan.plans import LEVERS, NATIONAL, Plan, PlanError, load_plan
from cnplan.plans.levers import LeverSpec
from cnplan.plans.schema import Strict
from cnplan.yamlio import YamlError, load_yaml, read_text

DRIVERS: dict[str, tuple[str, float, float, str]] = {
    # name: (unit, lowest allowed, highest allowed, meaning)
    "election_will": (
        "index 0-1",
        0.0,
        1.0,
        "political will after the election: the will of the plan's second phase; later phases "
        "keep their difference to it (clipped to 0-1)",
    ),
    "gdp_growth": (
        "1/yr",
        -0.10,
        0.15,
        "yearly growth of the economy, and so of the state's own budget and of licit income "
        "(the gdp_growth parameter)",
    ),
    "price_shock": (
        "relative change",
        -0.9,
        3.0,
        "a lasting coca-leaf price level shock: every year's price is multiplied by 1 + shock",
    ),
}
"""Exogenous drivers an experiment can vary."""

DESIGNS = ("monte_carlo", "latin_hypercube", "sobol", "full_factorial")


class ExperimentError(LocatedError):
    """An experiment could not be read; ``problems`` lists every located problem."""

    kind = "experiment"


class Uncertainty(Strict):
    """A model parameter (``param``) or exogenous driver (``driver``) varied over a range.

    A parameter's range defaults to its declared plausible range. ``choices`` lists discrete
    values instead of a range.
    """

    param: str | None = None
    driver: str | None = None
    range: tuple[float, float] | None = None
    choices: list[float] | None = None

    @property
    def column(self) -> str:
        return f"param:{self.param}" if self.param is not None else f"driver:{self.driver}"

    def range_and_choices(self) -> tuple[tuple[float, float] | None, list[float] | None]:
        """``(range, None)`` or ``(None, choices)``; a parameter's range defaults to its own."""
        if self.choices is not None:
            return None, list(self.choices)
        if self.range is not None:
            return self.range, None
        spec = SPECS[self.param]
        return (spec.low, spec.high), None


class LeverVariation(Strict):
    """A plan lever varied across futures.

    ``scale: [lo, hi]`` multiplies the plan's own series (every year from ``from_year``);
    ``level: [lo, hi]`` replaces it with a constant level in the lever's unit from ``from_year``;
    ``choices: [...]`` lists discrete values, read as levels unless ``kind: scale``. A zone
    lever without ``zone`` is varied in all zones together (scale only).
    """

    lever: str
    zone: str | None = None
    scale: tuple[float, float] | None = None
    level: tuple[float, float] | None = None
    choices: list[float] | None = None
    kind: Literal["level", "scale"] | None = None
    from_year: int | None = None

    @property
    def column(self) -> str:
        return f"lever:{self.lever}" + (f".{self.zone}" if self.zone else "")

    @property
    def mode(self) -> str:
        if self.scale is not None:
            return "scale"
        if self.level is not None:
            return "level"
        return self.kind or "level"

    @property
    def bounds(self) -> tuple[float, float] | None:
        return self.scale if self.scale is not None else self.level

    def range_and_choices(self) -> tuple[tuple[float, float] | None, list[float] | None]:
        """``(range, None)`` or ``(None, choices)``, as for an uncertainty."""
        return (self.bounds, None) if self.choices is None else (None, list(self.choices))


class Design(Strict):
    """How rows are sampled: method, number of rows, levels per variable (full factorial)."""

    method: Literal["monte_carlo", "latin_hypercube", "sobol", "full_factorial"]
    n: int | None = Field(None, ge=1, le=100_000_000)
    levels: int = Field(5, ge=2, le=1000, description="Full factorial: values per range.")


class Experiment(Strict):
    """An exploration around a base plan."""

    name: str = Field(
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$",
        description="Names the default folder explorations/<name>: letters, digits, '_', '-' "
        "and inner dots only, so it can never point outside explorations/.",
    )
    description: str = ""
    plan: str = Field(description="Built-in plan name or plan file (relative to the experiment).")
    data: str | None = None
    parameter_set: str | None = Field(
        None, description="Parameter set JSON (relative to the experiment); default: shipped."
    )
    seed: int = Field(0, ge=0)
    until: int | None = None
    chunk_size: int = Field(10_000, ge=1, le=1_000_000)
    uncertainties: list[Uncertainty] = Field(default_factory=list)
    levers: list[LeverVariation] = Field(default_factory=list)
    outcomes: list[str | dict[str, list[int]]] = Field(min_length=1)
    design: Design
    # Set by load_experiment (not part of the file):
    source_text: str = Field("", exclude=True)
    base_dir: str = Field(".", exclude=True)

    @property
    def variables(self) -> list[Uncertainty | LeverVariation]:
        """Sampled variables in column order: uncertainties, then levers."""
        return [*self.uncertainties, *self.levers]

    @property
    def input_columns(self) -> list[str]:
        return [v.column for v in self.variables]

    def resolve_plan(self) -> Plan:
        """The base plan (a built-in name or a file next to the experiment)."""
        path = Path(self.base_dir) / self.plan
        return load_plan(path if path.suffix in {".yaml", ".yml"} and path.is_file() else self.plan)

    @property
    def outcome_columns(self) -> list[str]:
        return outcome_columns(self)

    @property
    def n_rows(self) -> int:
        """Number of rows the design gives (full factorial: the product of the grid sizes)."""
        if self.design.method != "full_factorial":
            return int(self.design.n)
        return math.prod(
            len(choices) if choices is not None else self.design.levels
            for _, choices in (v.range_and_choices() for v in self.variables)
        )


def _range_problems(where: str, lo_hi: tuple[float, float]) -> list[str]:
    lo, hi = lo_hi
    return [] if lo <= hi else [f"{where}: low must be <= high, got [{lo:g}, {hi:g}]"]


def _uncertainty_problems(i: int, u: Uncertainty) -> list[str]:
    where = f"uncertainties[{i}]"
    problems: list[str] = []
    if (u.param is None) == (u.driver is None):
        return [f"{where}: give exactly one of 'param' or 'driver'"]
    if u.range is not None and u.choices is not None:
        problems.append(f"{where}: give 'range' or 'choices', not both")
    if u.param is not None:
        if u.param not in SPECS:
            return [
                f"{where}.param: unknown parameter {u.param!r}{did_you_mean(u.param, list(SPECS))}"
                f"; valid parameters are {', '.join(PARAM_NAMES)}"
            ]
        spec = SPECS[u.param]
        lo, hi, unit = spec.low, spec.high, spec.unit
    else:
        if u.driver not in DRIVERS:
            return [
                f"{where}.driver: unknown driver {u.driver!r}"
                f"{did_you_mean(u.driver, list(DRIVERS))}; valid drivers are {', '.join(DRIVERS)}"
            ]
        unit, lo, hi, _ = DRIVERS[u.driver]
        if u.range is None and u.choices is None:
            problems.append(f"{where}: a driver needs a 'range' or 'choices'")
    values = list(u.range or ()) + list(u.choices or ())
    if u.range is not None:
        problems += _range_problems(f"{where}.range", u.range)
    for v in values:
        if not lo <= v <= hi:
            key = "range" if u.range is not None and v in u.range else "choices"
            problems.append(f"{where}.{key}: must be within [{lo:g}, {hi:g}] {unit}, got {v:g}")
    if u.choices is not None and not u.choices:
        problems.append(f"{where}.choices: must list at least one value")
    return problems


def _lever_problems(i: int, lv: LeverVariation, plan: Plan | None, zones: list[str]) -> list[str]:
    where = f"levers[{i}]"
    spec: LeverSpec | None = LEVERS.get(lv.lever)
    if spec is None:
        return [
            f"{where}.lever: unknown lever {lv.lever!r}{did_you_mean(lv.lever, list(LEVERS))}; "
            f"valid levers are {', '.join(LEVERS)}"
        ]
    problems: list[str] = []
    given = [k for k in ("scale", "level", "choices") if getattr(lv, k) is not None]
    if len(given) != 1:
        problems.append(f"{where}: give exactly one of 'scale', 'level' or 'choices', got {given}")
    if lv.kind is not None and lv.choices is None:
        problems.append(f"{where}.kind: only used with 'choices'")
    if lv.zone is not None:
        if spec.scope == "national":
            problems.append(f"{where}.zone: {lv.lever} is a national lever; leave 'zone' out")
        elif zones and lv.zone not in zones:
            problems.append(
                f"{where}.zone: unknown zone {lv.zone!r}; the plan's data has {', '.join(zones)}"
            )
    elif spec.scope == "zone" and lv.mode == "level":
        problems.append(
            f"{where}: a level for the zone lever {lv.lever} needs a 'zone' "
            f"(one of {', '.join(zones)}); without a zone use 'scale'"
        )
    if lv.bounds is not None:
        problems += _range_problems(f"{where}.{lv.mode}", lv.bounds)
    values = list(lv.bounds or ()) + list(lv.choices or ())
    key = lv.mode if lv.choices is None else "choices"
    for v in values:
        if lv.mode == "scale" and v < 0:
            problems.append(f"{where}.{key}: a scale must be >= 0, got {v:g}")
        elif lv.mode == "level" and v < spec.minimum:
            problems.append(f"{where}.{key}: must be >= {spec.minimum:g} {spec.unit}, got {v:g}")
        elif lv.mode == "level" and spec.maximum is not None and v > spec.maximum:
            problems.append(f"{where}.{key}: must be <= {spec.maximum:g} {spec.unit}, got {v:g}")
    if lv.choices is not None and not lv.choices:
        problems.append(f"{where}.choices: must list at least one value")
    if plan is not None and lv.from_year is not None:
        if not plan.start_year <= lv.from_year <= plan.end_year:
            problems.append(
                f"{where}.from_year: must be within {plan.start_year}-{plan.end_year}, "
                f"got {lv.from_year}"
            )
    return problems


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for e in exc.errors():
        parts = [p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        where = ""
        for p in parts:
            if isinstance(p, int):
                where += f"[{p}]"
            elif p in {"str", "dict[str,list[int]]"}:
                where += f"<{p}>"
            else:
                where += ("." if where else "") + str(p)
        msg = e["msg"]
        msg = msg[0].lower() + msg[1:] if msg else msg
        got = f", got {short_repr(e['input'])}" if e["type"] != "missing" else ""
        problems.append(f"{where or '(top level)'}: {msg}{got}")
    return problems


def _semantic_problems(exp: Experiment, source: str) -> list[str]:
    problems: list[str] = []
    plan: Plan | None = None
    zones: list[str] = []
    try:
        plan = exp.resolve_plan()
    except PlanError as err:
        problems += [f"plan: {p}" for p in err.problems]
    except (FileNotFoundError, KeyError, ValueError) as err:
        problems.append(f"plan: cannot load {exp.plan!r}: {err}")
    if plan is not None:
        from cnplan.data import load_dataset

        try:
            zones = list(load_dataset(exp.data or plan.data).zone_ids)
        except Exception as err:  # DataError or unknown name: report it, located
            problems.append(f"data: cannot load {exp.data or plan.data!r}: {err}")
        if exp.until is not None and exp.until < plan.start_year:
            problems.append(
                f"until: must be >= the plan's start year {plan.start_year}, got {exp.until}"
            )
    if exp.parameter_set:
        from cnplan.model.paramset import ParameterSet

        path = Path(exp.base_dir) / exp.parameter_set
        try:
            ParameterSet.load(path)
        except FileNotFoundError:
            problems.append(f"parameter_set: file not found: {path}")
        except (ValueError, KeyError, TypeError) as err:
            problems.append(f"parameter_set: cannot read {path}: {err}")
    for i, u in enumerate(exp.uncertainties):
        problems += _uncertainty_problems(i, u)
    for i, lv in enumerate(exp.levers):
        problems += _lever_problems(i, lv, plan, zones)
    seen: dict[str, str] = {}
    locs = [f"uncertainties[{i}]" for i in range(len(exp.uncertainties))]
    locs += [f"levers[{i}]" for i in range(len(exp.levers))]
    for loc, v in zip(locs, exp.variables, strict=True):
        if v.column in seen:
            problems.append(f"{loc}: {v.column} is already varied by {seen[v.column]}")
        seen.setdefault(v.column, loc)
    if "param:gdp_growth" in seen and "driver:gdp_growth" in seen:
        problems.append(
            f"{seen['driver:gdp_growth']}: driver gdp_growth is the parameter gdp_growth, "
            f"already varied by {seen['param:gdp_growth']}"
        )
    d = exp.design
    if d.method != "full_factorial" and d.n is None:
        problems.append(f"design.n: the {d.method} design needs the number of rows n")
    if not exp.variables:
        problems.append("uncertainties, levers: nothing to vary; list at least one")
    if plan is not None:
        until = exp.until if exp.until is not None else plan.end_year
        problems += outcome_problems(exp.outcomes, plan.start_year, until)
    if d.method == "full_factorial" and not problems and exp.n_rows > 100_000_000:
        problems.append(f"design: the full factorial has {exp.n_rows:,} rows; at most 1e8")
    elif not problems:
        problems += _size_problems(exp)
    return problems


def _size_problems(exp: Experiment) -> list[str]:
    """The table of rows and outcomes must fit in memory: each row holds its inputs and its
    outcomes as float64, about three times over (the sample, the chunks, the joined table).
    """
    columns = len(exp.variables) + len(exp.outcome_columns) + 1
    need = exp.n_rows * columns * 8 * 3
    where = "design.levels" if exp.design.method == "full_factorial" else "design.n"
    problem = memory_problem(need, f"{exp.n_rows:,} rows of {columns} columns")
    return [f"{where}: {problem}"] if problem else []


def parse_experiment(
    raw: Any, source: str = "<experiment>", base_dir: str = ".", text: str = ""
) -> Experiment:
    """Validate an experiment mapping; raise ExperimentError listing every located problem."""
    if not isinstance(raw, dict):
        got = type(raw).__name__
        raise ExperimentError(source, [f"(top level): the file must hold a mapping, got {got}"])
    numbers = number_problems(raw)
    if numbers:  # reported alone: inf or a year 10^9 would only confuse the checks below
        raise ExperimentError(source, numbers)
    try:
        exp = Experiment.model_validate({**raw, "base_dir": base_dir, "source_text": text})
    except ValidationError as exc:
        raise ExperimentError(source, _pydantic_problems(exc)) from None
    numbers = number_problems(exp.model_dump(exclude={"source_text", "base_dir"}))
    if numbers:  # e.g. ``1e300``, a string to YAML, that pydantic read as a number
        raise ExperimentError(source, numbers)
    problems = _semantic_problems(exp, source)
    if problems:
        raise ExperimentError(source, problems)
    return exp


def load_experiment(path_or_text: str | Path, base_dir: str | Path | None = None) -> Experiment:
    """Read and validate an experiment from a YAML file or YAML text.

    A plan or parameter-set path in the experiment is read relative to the experiment file
    (or ``base_dir`` for text). The experiment keeps its own text (``source_text``), which an
    exploration folder records so that ``resume`` needs nothing else.
    """
    text: str
    source: str
    is_path = isinstance(path_or_text, Path) or (
        "\n" not in str(path_or_text) and Path(str(path_or_text)).suffix in {".yaml", ".yml"}
    )
    if is_path:
        path = Path(path_or_text)
        if not path.is_file():
            raise ExperimentError(str(path), ["file not found"])
        source = str(path)
        try:
            text = read_text(path)
        except YamlError as exc:
            raise ExperimentError(source, [str(exc)]) from None
        base = str(base_dir if base_dir is not None else path.resolve().parent)
    else:
        text = str(path_or_text)
        source = "<text>"
        base = str(base_dir or ".")
    try:
        raw = load_yaml(text)
    except YamlError as exc:
        raise ExperimentError(source, [str(exc)]) from None
    return parse_experiment(raw, source, base, text)


__all__ = [
    "DESIGNS",
    "DRIVERS",
    "NATIONAL",
    "Design",
    "Experiment",
    "ExperimentError",
    "LeverVariation",
    "Uncertainty",
    "load_experiment",
    "parse_experiment",
]

"""Plan files: the pydantic schema, semantic checks with located messages, and lever arrays.

A plan is what a programme office intends to do: levers by year and zone, the political phases
that constrain them, the goals it is judged by and the indicators it reports on. Structural
problems (wrong types, missing fields) come from pydantic; semantic ones (unknown lever, value
out of bounds, year outside the plan) are collected here, and every problem is reported at once
with its location, e.g. ``levers.forced_eradication.vraem[2007]: must be >= 0 ha/yr, got -500``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cnplan.plans.levers import LEVERS, NATIONAL


class PlanError(Exception):
    """A plan could not be read; ``problems`` lists every located problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  plan {source}, {p}" for p in problems)
        super().__init__(f"plan {source} has {len(problems)} problem(s):\n{lines}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Phase(_Strict):
    """A political period that changes what is feasible (e.g. before/after the 2006 election)."""

    name: str
    start: int
    end: int
    political_will: float = Field(
        ge=0.0,
        le=1.0,
        description="Share of planned forced eradication the government is willing to carry out.",
    )
    hard_core_eradication: bool = Field(
        description="Whether forced eradication is attempted in hard-core (no-go) zones."
    )
    voluntary_in_hard_core: bool = Field(
        default=False, description="Whether voluntary eradication is feasible in hard-core zones."
    )
    note: str = ""


class HoldTheLine(_Strict):
    """No net expansion of coca (and poppy) against the base year, by ``by_year``."""

    base_year: int
    by_year: int


class MarginalProducer(_Strict):
    """Coca at or below ``coca_ha`` and poppy at or below ``poppy_ha``, by ``by_year``."""

    coca_ha: float = Field(15000.0, gt=0)
    poppy_ha: float = Field(300.0, gt=0)
    by_year: int


class StabilityPoint(_Strict):
    """Cultivation falling or marginal, and it stays marginal if outside assistance stops."""

    by_year: int
    years_without_assistance: int = Field(
        5, ge=1, le=20, description="Years the no-assistance branch must stay marginal."
    )


class Goals(_Strict):
    hold_the_line: HoldTheLine
    marginal_producer: MarginalProducer
    stability_point: StabilityPoint


class Indicator(_Strict):
    """A programme indicator with targets by period; ``lever`` names the model lever it feeds."""

    id: str
    name: str
    unit: str
    lever: str | None = None
    zone: str | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    targets: dict[int, float] = Field(default_factory=dict)
    source: str = ""
    note: str = ""


class Plan(_Strict):
    """A counter-narcotics plan: levers by year and zone, phases, goals and indicators."""

    name: str
    title: str = ""
    description: str = ""
    country: str
    data: str = Field(description="Name of the dataset the plan is written for (e.g. 'peru').")
    start_year: int = Field(ge=1950, le=2100)
    end_year: int = Field(ge=1950, le=2100)
    phases: list[Phase] = Field(min_length=1)
    levers: dict[str, dict[str, dict[int, float]]] = Field(default_factory=dict)
    goals: Goals
    indicators: list[Indicator] = Field(default_factory=list)

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.start_year, self.end_year + 1)

    def lever_array(self, lever: str, zones: Sequence[str], years: Iterable[int]) -> np.ndarray:
        """Values of a lever as a (year, zone) array; a national lever gives a (year,) array.

        A value holds from the year it is given until the next given year (a plan states
        changes, not every year); before the first given year the lever is 0.
        """
        spec = LEVERS[lever]
        years = np.asarray(list(years))
        keys = [NATIONAL] if spec.scope == "national" else list(zones)
        out = np.zeros((len(years), len(keys)))
        by_key = self.levers.get(lever, {})
        for j, key in enumerate(keys):
            schedule = by_key.get(key, {})
            for year in sorted(schedule):
                out[years >= year, j] = schedule[year]
        return out[:, 0] if spec.scope == "national" else out

    def phase_of(self, year: int) -> Phase:
        """The phase in force in ``year`` (the last phase holds beyond its end)."""
        for phase in self.phases:
            if phase.start <= year <= phase.end:
                return phase
        return self.phases[-1] if year > self.phases[-1].end else self.phases[0]

    def check_zones(self, zone_ids: Iterable[str], source: str | None = None) -> None:
        """Refuse lever or indicator zones that the dataset does not have, listing them all."""
        zone_ids = list(zone_ids)
        problems = []
        for lever, by_zone in self.levers.items():
            if lever in LEVERS and LEVERS[lever].scope == "zone":
                for zone in by_zone:
                    if zone not in zone_ids:
                        problems.append(
                            f"levers.{lever}.{zone}: unknown zone; the data has {', '.join(zone_ids)}"
                        )
        for i, ind in enumerate(self.indicators):
            if ind.zone is not None and ind.zone not in zone_ids:
                problems.append(f"indicators[{i}].zone: unknown zone {ind.zone!r}")
        if problems:
            raise PlanError(source or self.name, problems)


def _loc(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _semantic_problems(plan: Plan) -> list[str]:
    problems: list[str] = []
    if plan.end_year < plan.start_year:
        problems.append(f"end_year: must be >= start_year ({plan.start_year}), got {plan.end_year}")
    for lever, by_key in plan.levers.items():
        spec = LEVERS.get(lever)
        if spec is None:
            problems.append(f"levers.{lever}: unknown lever; valid levers are {', '.join(LEVERS)}")
            continue
        for key, schedule in by_key.items():
            if spec.scope == "national" and key != NATIONAL:
                problems.append(
                    f"levers.{lever}.{key}: {lever} is a national lever; use the key '{NATIONAL}'"
                )
            for year, value in schedule.items():
                where = f"levers.{lever}.{key}[{year}]"
                if not plan.start_year <= year <= plan.end_year:
                    problems.append(
                        f"{where}: year must be within {plan.start_year}-{plan.end_year}, got {year}"
                    )
                if not np.isfinite(value):
                    problems.append(f"{where}: must be a finite number, got {value}")
                elif value < spec.minimum:
                    problems.append(f"{where}: must be >= {spec.minimum:g} {spec.unit}, got {value:g}")
                elif spec.maximum is not None and value > spec.maximum:
                    problems.append(f"{where}: must be <= {spec.maximum:g} {spec.unit}, got {value:g}")
    for i, phase in enumerate(plan.phases):
        if phase.end < phase.start:
            problems.append(f"phases[{i}].end: must be >= start ({phase.start}), got {phase.end}")
        if i and phase.start != plan.phases[i - 1].end + 1:
            problems.append(
                f"phases[{i}].start: phases must follow each other; expected "
                f"{plan.phases[i - 1].end + 1}, got {phase.start}"
            )
    if plan.phases and plan.phases[0].start > plan.start_year:
        problems.append(
            f"phases[0].start: the first phase must start by start_year {plan.start_year}, "
            f"got {plan.phases[0].start}"
        )
    goals = plan.goals
    for name, year in [
        ("hold_the_line.by_year", goals.hold_the_line.by_year),
        ("marginal_producer.by_year", goals.marginal_producer.by_year),
        ("stability_point.by_year", goals.stability_point.by_year),
    ]:
        if not plan.start_year <= year <= plan.end_year:
            problems.append(
                f"goals.{name}: must be within {plan.start_year}-{plan.end_year}, got {year}"
            )
    seen: set[str] = set()
    for i, ind in enumerate(plan.indicators):
        if ind.id in seen:
            problems.append(f"indicators[{i}].id: duplicate indicator id {ind.id!r}")
        seen.add(ind.id)
        if ind.lever is not None and ind.lever not in LEVERS:
            problems.append(
                f"indicators[{i}].lever: unknown lever {ind.lever!r}; valid levers are "
                f"{', '.join(LEVERS)}"
            )
    return problems


def parse_plan(raw: Any, source: str = "<plan>") -> Plan:
    """Validate a plan given as a dict (e.g. parsed YAML); raise PlanError listing every problem."""
    if not isinstance(raw, dict):
        raise PlanError(source, [f"the file must hold a mapping, got {type(raw).__name__}"])
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{_loc(e['loc']) or '(top level)'}: {e['msg'].lower()}"
            + (f", got {e['input']!r}" if e["type"] != "missing" else "")
            for e in exc.errors()
        ]
        raise PlanError(source, problems) from None
    problems = _semantic_problems(plan)
    if problems:
        raise PlanError(source, problems)
    return plan

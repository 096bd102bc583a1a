"""Plan files: the pydantic schema, semantic checks with located messages, and lever arrays.

A plan is what a programme office intends to do: levers by year and zone, the political phases
that constrain them, the goals it is judged by and the indicators it reports on. Structural
problems (wrong types, missing fields) come from pydantic; semantic ones (unknown lever, value
out of bounds, year outside the plan) are collected here, and every problem is reported at once
with its location, e.g. ``levers.forced_eradication.vraem[2007]: must be >= 0 ha/yr, got -500``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cnplan.errors import LocatedError, did_you_mean
from cnplan.limits import number_problems, short_repr
from cnplan.plans.levers import LEVERS, NATIONAL


class PlanError(LocatedError):
    """A plan could not be read; ``problems`` lists every located problem."""

    kind = "plan"


class Strict(BaseModel):
    """A schema model that refuses unknown keys (a misspelt key is an error, not ignored)."""

    model_config = ConfigDict(extra="forbid")


class Phase(Strict):
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


class HoldTheLine(Strict):
    """No net expansion of coca (and poppy) against the base year, by ``by_year``."""

    base_year: int
    by_year: int


class MarginalProducer(Strict):
    """Coca at or below ``coca_ha`` and poppy at or below ``poppy_ha``, by ``by_year``."""

    coca_ha: float = Field(15000.0, gt=0)
    poppy_ha: float = Field(300.0, gt=0)
    by_year: int


class StabilityPoint(Strict):
    """Cultivation falling or marginal, and it stays marginal if outside assistance stops."""

    by_year: int
    years_without_assistance: int = Field(
        5, ge=1, le=20, description="Years the no-assistance branch must stay marginal."
    )


SPATIAL_OUTCOMES = (  # the outcomes of cnplan.model.spatial.SPATIAL (a test keeps them equal)
    "noose_share",
    "expansion_cleared",
    "coca_free_km2",
    "coca_free_communities",
    "frontier_new_cells",
    "frontier_km",
    "nogo_units",
)


class SpatialGoal(Strict):
    """A target on a spatial outcome (docs/model.md, *Space*): the outcome is at least
    ``at_least`` (or at most ``at_most``) in ``by_year``; ``"start"`` stands for the outcome's
    value in the year before the plan starts.
    """

    id: str
    outcome: Literal[SPATIAL_OUTCOMES]  # type: ignore[valid-type]
    at_least: float | Literal["start"] | None = None
    at_most: float | Literal["start"] | None = None
    by_year: int
    source: str = ""
    note: str = ""


class SpatialThresholds(Strict):
    """Levels the spatial outcomes are judged with (defaults: assumptions, docs/model.md)."""

    cleared_ha: float = Field(100.0, ge=0)
    nogo_presence: float = Field(0.3, ge=0, le=1)
    nogo_coca_ha: float = Field(1000.0, ge=0)


class Goals(Strict):
    hold_the_line: HoldTheLine
    marginal_producer: MarginalProducer
    stability_point: StabilityPoint
    spatial: list[SpatialGoal] = Field(default_factory=list)
    spatial_thresholds: SpatialThresholds = Field(default_factory=SpatialThresholds)


class Indicator(Strict):
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


class Plan(Strict):
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

    def check_zones(
        self,
        zone_ids: Iterable[str],
        source: str | None = None,
        groups: Iterable[str] = (),
        countries: Iterable[str] = (),
    ) -> None:
        """Refuse lever keys or indicator zones that the dataset does not have, listing them
        all (see :func:`zone_problems`).
        """
        problems = zone_problems(self.model_dump(), zone_ids, groups, countries)
        if problems:
            raise PlanError(source or self.name, problems)


def zone_problems(
    raw: dict,
    zone_ids: Iterable[str],
    groups: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> list[str]:
    """Zone-lever keys and indicator zones of a plan mapping that the data does not have.

    A zone lever may be keyed by a unit (zone) id, a group name, a country name or
    ``national`` (every unit): a target for several units goes where the coca is
    (docs/model.md §8). Works on the raw mapping as well as on a valid plan, so a file with
    other problems still gets its zones checked in the same report.
    """
    valid = [*zone_ids, *groups, *countries]
    problems = []
    for lever, by_zone in _dict(raw.get("levers")).items():
        if lever in LEVERS and LEVERS[lever].scope == "zone":
            for zone in _dict(by_zone):
                if zone != NATIONAL and zone not in valid:
                    problems.append(
                        f"levers.{lever}.{zone}: unknown zone, group or country; the data has "
                        f"{', '.join(valid)}"
                    )
    for i, ind in enumerate(_list(raw.get("indicators"))):
        zone = _dict(ind).get("zone")
        if zone is not None and zone not in zone_ids:
            problems.append(f"indicators[{i}].zone: unknown zone {zone!r}")
    return problems


def _loc(parts: Sequence[Any]) -> str:
    """Format a pydantic location as ``levers.forced_eradication.vraem[2007]``.

    List indices and year keys (the fourth part under ``levers``, the third under an
    indicator's ``targets``) are shown in brackets, as users write them in messages.
    """
    parts = [p for p in parts if p != "[key]"]
    out = ""
    for i, part in enumerate(parts):
        year_key = (parts[0] == "levers" and i == 3) or (
            parts[0] == "indicators" and i == 3 and parts[2] == "targets"
        )
        if isinstance(part, int) or year_key:
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _int(value: Any) -> int | None:
    """``value`` as an int if it is one (or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _num(value: Any) -> float | None:
    """``value`` as a float if it is a number (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _lever_problems(levers: dict, start: int | None, end: int | None) -> list[str]:
    problems: list[str] = []
    for lever, by_key in levers.items():
        spec = LEVERS.get(lever)
        if spec is None:
            problems.append(
                f"levers.{lever}: unknown lever{did_you_mean(lever, LEVERS)}; valid levers "
                f"are {', '.join(LEVERS)}"
            )
            continue
        for key, schedule in _dict(by_key).items():
            if spec.scope == "national" and key != NATIONAL:
                problems.append(
                    f"levers.{lever}.{key}: {lever} is a national lever; use the key '{NATIONAL}'"
                )
            for year_raw, value_raw in _dict(schedule).items():
                year, value = _int(year_raw), _num(value_raw)
                where = f"levers.{lever}.{key}[{year_raw}]"
                if year is not None and start is not None and end is not None:
                    if not start <= year <= end:
                        problems.append(f"{where}: year must be within {start}-{end}, got {year}")
                if value is None:
                    continue  # pydantic reports values that are not numbers
                if not np.isfinite(value):
                    problems.append(f"{where}: must be a finite number, got {value}")
                elif value < spec.minimum:
                    problems.append(
                        f"{where}: must be >= {spec.minimum:g} {spec.unit}, got {value:g}"
                    )
                elif spec.maximum is not None and value > spec.maximum:
                    problems.append(
                        f"{where}: must be <= {spec.maximum:g} {spec.unit}, got {value:g}"
                    )
    return problems


def _phase_problems(phases: list, start: int | None) -> list[str]:
    problems: list[str] = []
    spans = [(_int(_dict(p).get("start")), _int(_dict(p).get("end"))) for p in phases]
    for i, (p_start, p_end) in enumerate(spans):
        if p_start is not None and p_end is not None and p_end < p_start:
            problems.append(f"phases[{i}].end: must be >= start ({p_start}), got {p_end}")
        if i == 0 or p_start is None or spans[i - 1][1] is None:
            continue
        prev_end = spans[i - 1][1]
        if p_start <= prev_end:
            problems.append(
                f"phases[{i}].start: overlaps phases[{i - 1}], which ends in {prev_end}; "
                f"expected {prev_end + 1}, got {p_start}"
            )
        elif p_start > prev_end + 1:
            problems.append(
                f"phases[{i}].start: leaves a gap after phases[{i - 1}], which ends in "
                f"{prev_end}; expected {prev_end + 1}, got {p_start}"
            )
    if spans and spans[0][0] is not None and start is not None and spans[0][0] > start:
        problems.append(
            f"phases[0].start: the first phase must start by start_year {start}, got {spans[0][0]}"
        )
    return problems


def _spatial_goal_problems(goals: dict, start: int | None, end: int | None) -> list[str]:
    """Each spatial goal has one bound and a year within the plan; ids are unique."""
    problems, seen = [], set()
    raw = goals.get("spatial")
    for i, goal in enumerate(raw if isinstance(raw, list) else []):
        goal = _dict(goal)
        where = f"goals.spatial[{i}]"
        if (goal.get("at_least") is None) == (goal.get("at_most") is None):
            problems.append(f"{where}: give exactly one of at_least or at_most")
        year = _int(goal.get("by_year"))
        if year is not None and start is not None and end is not None and not start <= year <= end:
            problems.append(f"{where}.by_year: must be within {start}-{end}, got {year}")
        if goal.get("id") in seen:
            problems.append(f"{where}.id: duplicate spatial goal id {goal.get('id')!r}")
        seen.add(goal.get("id"))
    return problems


def _goal_and_indicator_problems(raw: dict, start: int | None, end: int | None) -> list[str]:
    problems: list[str] = []
    goals = _dict(raw.get("goals"))
    for goal in ("hold_the_line", "marginal_producer", "stability_point"):
        year = _int(_dict(goals.get(goal)).get("by_year"))
        if year is not None and start is not None and end is not None:
            if not start <= year <= end:
                problems.append(f"goals.{goal}.by_year: must be within {start}-{end}, got {year}")
    problems += _spatial_goal_problems(goals, start, end)
    base = _int(_dict(goals.get("hold_the_line")).get("base_year"))
    by = _int(_dict(goals.get("hold_the_line")).get("by_year"))
    if base is not None and by is not None and base >= by:
        problems.append(f"goals.hold_the_line.base_year: must be before by_year ({by}), got {base}")
    seen: set[str] = set()
    for i, ind in enumerate(_list(raw.get("indicators"))):
        ind = _dict(ind)
        ind_id = ind.get("id")
        if isinstance(ind_id, str):
            if ind_id in seen:
                problems.append(f"indicators[{i}].id: duplicate indicator id {ind_id!r}")
            seen.add(ind_id)
        lever = ind.get("lever")
        if isinstance(lever, str) and lever not in LEVERS:
            problems.append(
                f"indicators[{i}].lever: unknown lever {lever!r}{did_you_mean(lever, LEVERS)}; "
                "valid levers are "
                f"{', '.join(LEVERS)}"
            )
        for year_raw in _dict(ind.get("targets")):
            year = _int(year_raw)
            if year is not None and start is not None and end is not None:
                if not start <= year <= end:
                    problems.append(
                        f"indicators[{i}].targets[{year_raw}]: year must be within "
                        f"{start}-{end}, got {year}"
                    )
    return problems


def _semantic_problems(raw: dict) -> list[str]:
    """Problems pydantic cannot see, found on the raw mapping.

    Working on the mapping rather than the validated model lets these be reported together
    with structural ones; parts that are structurally broken are skipped, not guessed.
    """
    start, end = _int(raw.get("start_year")), _int(raw.get("end_year"))
    problems: list[str] = []
    if start is not None and end is not None and end < start:
        problems.append(f"end_year: must be >= start_year ({start}), got {end}")
        start = end = None  # year-range checks would only repeat this problem
    problems += _lever_problems(_dict(raw.get("levers")), start, end)
    problems += _phase_problems(_list(raw.get("phases")), start)
    problems += _goal_and_indicator_problems(raw, start, end)
    return problems


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for e in exc.errors():
        where = _loc(e["loc"]) or "(top level)"
        msg = e["msg"]
        msg = msg[0].lower() + msg[1:] if msg else msg
        if "[key]" in e["loc"]:
            msg = "year must be a whole number"
        got = f", got {short_repr(e['input'])}" if e["type"] not in {"missing"} else ""
        problems.append(f"{where}: {msg}{got}")
    return problems


def parse_plan(raw: Any, source: str = "<plan>") -> Plan:
    """Validate a plan given as a dict (e.g. parsed YAML); raise PlanError listing every problem.

    Structural problems (pydantic) and semantic ones (bounds, years, phases, unknown levers)
    are collected in one pass, so a user fixes a file in one round rather than one error at a
    time.
    """
    if not isinstance(raw, dict):
        got = type(raw).__name__
        raise PlanError(source, [f"(top level): the file must hold a mapping, got {got}"])
    problems: list[str] = number_problems(raw)
    located = {p.split(":", 1)[0] for p in problems}
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        problems += [p for p in _pydantic_problems(exc) if p.split(":", 1)[0] not in located]
    checked = plan.model_dump() if plan is not None else raw
    if plan is not None:  # numbers pydantic read from strings (YAML takes 1e300 as text)
        problems += [p for p in number_problems(checked) if p.split(":", 1)[0] not in located]
        located = {p.split(":", 1)[0] for p in problems}
    for problem in _semantic_problems(checked):
        if problem not in problems and problem.split(":", 1)[0] not in located:
            problems.append(problem)
    if problems or plan is None:
        raise PlanError(source, problems)
    return plan

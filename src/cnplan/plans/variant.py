"""What-if variants of a plan: ``--set LEVER[.WHERE][[YEARS]]=VALUE`` changes, parsed and applied.

An adviser asks "what if we double AD in the VRAEM?" long before anyone writes a plan file, so
a variant is a list of changes applied to a plan in memory (nothing is written) and recorded
in the run's ``run.json``. The syntax mirrors the locations of plan errors:

- ``ad_funding.vraem=2x``: scale (``2x``, ``0.5x``, ``+20%``, ``-20%``) every year;
- ``forced_eradication.huallaga[2008]=5000``: a level from 2008 to the plan's end;
- ``forced_eradication.huallaga[2008-2010]=5000``: a level in those years only (the plan's
  own values hold again from 2011);
- ``ad_funding=2x``: scale every zone's schedule of a lever;
- ``ad_funding.hard_core=20``: a level for a group, country or ``national``. An index lever
  (0-1) takes the value in every zone of the scope; an amount becomes the scope's total (the
  zones' own values there are set to 0, and the model spreads the total where the coca is).

Every problem of every change is reported at once, located by the change as typed, with a
did-you-mean for misspelt levers and zones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from cnplan.data import Dataset
from cnplan.errors import LocatedError, did_you_mean
from cnplan.plans.levers import LEVERS, NATIONAL
from cnplan.plans.schema import Plan, PlanError, parse_plan

Op = Literal["scale", "level"]

_SYNTAX = re.compile(
    r"^\s*(?P<lever>[A-Za-z_][\w]*)(?:\.(?P<key>[A-Za-z_][\w-]*))?"
    r"(?:\[(?P<first>[^\]\-]+)(?:-(?P<last>[^\]]+))?\])?\s*=\s*(?P<value>.+?)\s*$"
)
EXAMPLE = "ad_funding.vraem=2x or forced_eradication.huallaga[2008]=5000"


class VariantError(LocatedError):
    """One or more ``--set`` changes are wrong; each problem names the change as typed."""

    kind = "--set"

    def __init__(self, problems: list[str]):
        self.source = "--set"
        self.problems = problems
        lines = "\n".join(f"  --set {p}" for p in problems)
        Exception.__init__(self, f"--set has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Change:
    """One change to a plan's lever: ``op`` (scale or level) by ``value`` for ``key`` (a zone,
    group, country, ``national``, or None for every key) over ``years`` (first, last).
    """

    text: str
    lever: str
    key: str | None
    years: tuple[int, int]
    op: Op
    value: float

    def as_dict(self) -> dict:
        """The change as ``run.json`` records it."""
        out = asdict(self)
        out["years"] = list(self.years)
        return out


def scopes_of(data: Dataset) -> dict[str, list[str]]:
    """Every name a zone lever may be keyed by, with the zones it covers: each zone, each
    group (zone kind), each country and ``national``.
    """
    zones = data.zones
    ids = [str(z) for z in zones["zone_id"]]
    out: dict[str, list[str]] = {z: [z] for z in ids}
    for column in ("kind", "country"):
        if column in zones:
            for name in dict.fromkeys(str(v) for v in zones[column]):
                out.setdefault(name, [z for z, v in zip(ids, zones[column], strict=True)
                                      if str(v) == name])
    out[NATIONAL] = ids
    return out


def _number(text: str) -> float | None:
    """A number as people type it: ``5000``, ``5,000``, ``5_000``, ``0.5``."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _value(text: str) -> tuple[Op, float] | None:
    """``2x`` / ``x2`` / ``+20%`` / ``-20%`` (scale) or a number (level); None if neither."""
    text = text.strip().lower()
    if text.endswith("%") and text[:1] in "+-":
        pct = _number(text[:-1])
        return None if pct is None else ("scale", 1.0 + pct / 100.0)
    if text.endswith("x") or text.startswith("x"):
        factor = _number(text.strip("x"))
        return None if factor is None else ("scale", factor)
    level = _number(text)
    return None if level is None else ("level", level)


def _years(m: re.Match, plan: Plan, where: str, problems: list[str]) -> tuple[int, int]:
    first_raw, last_raw = m["first"], m["last"]
    if first_raw is None:
        return plan.start_year, plan.end_year
    first, last = _number(first_raw), _number(last_raw) if last_raw else None
    if first is None or first != int(first) or (last_raw and (last is None or last != int(last))):
        problems.append(f"{where}: years: expected [YEAR] or [FIRST-LAST], got "
                        f"[{first_raw}{'-' + last_raw if last_raw else ''}]")
        return plan.start_year, plan.end_year
    first_y = int(first)
    last_y = int(last) if last is not None else plan.end_year
    outside = [y for y in dict.fromkeys((first_y, last_y))
               if not plan.start_year <= y <= plan.end_year]
    for year in outside:
        problems.append(f"{where}: year must be within {plan.start_year}-{plan.end_year} "
                        f"(the plan's years), got {year}")
    if not outside and last_y < first_y:
        problems.append(f"{where}: the last year must be >= the first ({first_y}), got {last_y}")
    return first_y, last_y


def _key_problem(lever: str, key: str | None, op: Op, plan: Plan,
                 scopes: Mapping[str, Sequence[str]]) -> str | None:
    spec = LEVERS[lever]
    if spec.scope == "national" and key not in (None, NATIONAL):
        return f"{lever} is a national lever; leave out the zone or use '{NATIONAL}'"
    if spec.scope == "zone" and key is None and op == "level":
        return (f"a level of a zone lever needs a zone, group, country or '{NATIONAL}', "
                f"e.g. {lever}.{next(iter(scopes))}=...")
    if key is not None and key not in scopes:
        return (f"unknown zone, group or country {key!r}{did_you_mean(key, scopes)}; the data "
                f"has {', '.join(scopes)}")
    if op == "scale" and not _scaled_keys(plan, lever, key, scopes):
        where = f" for {key}" if key else ""
        return (f"the plan gives no {lever}{where}, so a factor has nothing to scale; "
                f"give a level instead (e.g. {lever}.{key or NATIONAL}=...)")
    return None


def parse_change(text: str, plan: Plan, scopes: Mapping[str, Sequence[str]]) -> Change:
    """Parse one ``--set`` text against a plan and the data's zones; raise VariantError."""
    changes = parse_changes([text], plan, scopes)
    return changes[0]


def parse_changes(texts: Sequence[str], plan: Plan,
                  scopes: Mapping[str, Sequence[str]]) -> list[Change]:
    """Parse every ``--set`` text; raise one VariantError listing every problem of every text."""
    problems: list[str] = []
    changes: list[Change] = []
    for text in texts:
        where = text.strip()
        m = _SYNTAX.match(text)
        if m is None:
            problems.append(f"{where}: expected LEVER[.ZONE][[YEAR]]=VALUE, e.g. {EXAMPLE}")
            continue
        lever, key = m["lever"], m["key"]
        before = len(problems)
        if lever not in LEVERS:
            problems.append(f"{where}: unknown lever {lever!r}{did_you_mean(lever, LEVERS)}; valid "
                            f"levers are {', '.join(LEVERS)}")
        parsed = _value(m["value"])
        if parsed is None:
            problems.append(f"{where}: value: expected a number (a level, e.g. 5000) or a factor "
                            f"(2x, 0.5x, +20%, -20%), got {m['value']!r}")
        years = _years(m, plan, where, problems)
        if len(problems) > before:
            continue
        op, value = parsed
        problem = _key_problem(lever, key, op, plan, scopes)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if value < 0:
            problems.append(f"{where}: value: must be >= 0, got {value:g}")
            continue
        changes.append(Change(where, lever, key, years, op, value))
    if problems:
        raise VariantError(problems)
    return changes


def _dense(schedule: Mapping[int, float], years: np.ndarray) -> np.ndarray:
    out = np.zeros(len(years))
    for year in sorted(schedule):
        out[years >= int(year)] = schedule[year]
    return out


def _sparse(values: np.ndarray, years: np.ndarray) -> dict[int, float]:
    """The schedule a plan writes: the first year and every year the value changes."""
    out: dict[int, float] = {}
    for i, (year, value) in enumerate(zip(years, values, strict=True)):
        if i == 0 or value != values[i - 1]:
            out[int(year)] = float(value)
    return out


def _scaled_keys(plan: Plan, lever: str, key: str | None,
                 scopes: Mapping[str, Sequence[str]]) -> list[str]:
    """The plan's keys of ``lever`` that a factor for ``key`` scales: every key (None), the key
    itself, and the zones inside the scope.
    """
    keys = list(plan.levers.get(lever, {}))
    if key is None:
        return keys
    inside = set(scopes.get(key, ())) | {key}
    return [k for k in keys if k in inside]


def _apply_one(levers: dict[str, dict[str, np.ndarray]], change: Change, plan: Plan,
               scopes: Mapping[str, Sequence[str]]) -> None:
    """Apply a change to the dense (key -> values by year) schedules of its lever, in place."""
    years = plan.years
    mask = (years >= change.years[0]) & (years <= change.years[1])
    by_key = levers.setdefault(change.lever, {})
    zeros = np.zeros(len(years))
    if change.op == "scale":
        for key in _scaled_keys(plan, change.lever, change.key, scopes):
            values = by_key.get(key, zeros).copy()
            values[mask] *= change.value
            by_key[key] = values
        return
    key = change.key or NATIONAL
    spec = LEVERS[change.lever]
    if spec.scope == "national" or scopes.get(key) == [key]:
        targets = [key]
    elif spec.maximum == 1.0:  # an index: every zone of the scope takes the value
        targets = list(scopes[key])
    else:  # an amount: the scope's total; its zones' own values give way to it
        targets = [key]
        for zone in scopes[key]:
            if zone in by_key:
                by_key[zone] = np.where(mask, 0.0, by_key[zone])
    for target in targets:
        values = by_key.get(target, zeros).copy()
        values[mask] = change.value
        by_key[target] = values


def apply_changes(plan: Plan, changes: Sequence[Change],
                  scopes: Mapping[str, Sequence[str]]) -> Plan:
    """The plan with the changes applied, in order, titled as a variant; nothing is written.

    The result is validated like a plan file; a value out of a lever's bounds (e.g. an index
    scaled above 1) is reported against the change that caused it.
    """
    if not changes:
        return plan
    years = plan.years
    dense = {lever: {k: _dense(s, years) for k, s in by_key.items()}
             for lever, by_key in plan.levers.items()}
    for change in changes:
        _apply_one(dense, change, plan, scopes)
    raw = plan.model_dump()
    raw["levers"] = {lever: {k: _sparse(v, years) for k, v in by_key.items()}
                     for lever, by_key in dense.items()}
    listed = "; ".join(c.text for c in changes)
    raw["title"] = f"{plan.title or plan.name} — variant: {listed}"
    raw["description"] = (f"Variant of {plan.name} with --set {listed}. "
                          + (plan.description or "")).strip()
    try:
        return parse_plan(raw, source=f"{plan.name} with --set")
    except PlanError as exc:
        raise VariantError([_blame(p, changes) for p in exc.problems]) from None


def _blame(problem: str, changes: Sequence[Change]) -> str:
    """Prefix a plan problem with the change to its lever (the last one that touched it)."""
    for change in reversed(changes):
        if problem.startswith(f"levers.{change.lever}."):
            return f"{change.text}: {problem}"
    return problem


def variant(plan: Plan, texts: Sequence[str], data: Dataset) -> tuple[Plan, list[Change]]:
    """Parse ``--set`` texts against the plan and the data's zones and apply them."""
    scopes = scopes_of(data)
    changes = parse_changes(texts, plan, scopes)
    return apply_changes(plan, changes, scopes), changes

"""Realised levers: a plan whose lever schedules use the reported actuals where there are any.

For every plan indicator that feeds a lever, the tracker's actual in force for a year replaces
the planned value of that lever in that year. A national lever takes the actual under the key
``national``; a zone lever takes a zone indicator's actual in its zone. A national total for a
zone lever (indicator without a zone) is split across the zones in proportion to the plan's
planned values for that year, after any zone indicators' actuals for the same year are
subtracted. The year after an actual keeps the plan's own value, so an actual never carries
forward into years that have none.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from cnplan.plans import Plan
from cnplan.plans.levers import LEVERS, NATIONAL
from cnplan.track import db
from cnplan.track.models import Framework
from cnplan.track.service import entries, format_value


def effective(schedule: dict[int, float], year: int) -> float:
    """The value a schedule gives in ``year``: the last given value up to it, else 0."""
    given = [y for y in schedule if y <= year]
    return schedule[max(given)] if given else 0.0


def _split(total: float, planned: dict[str, float], zones: list[str]) -> dict[str, float]:
    """Split ``total`` over ``zones`` in proportion to ``planned`` (equally if all are 0)."""
    weights = {z: max(planned.get(z, 0.0), 0.0) for z in zones}
    whole = sum(weights.values())
    if whole <= 0:
        return {z: total / len(zones) for z in zones}
    return {z: total * w / whole for z, w in weights.items()}


def realised_levers(
    plan: Plan, actuals: dict[str, dict[int, float]]
) -> tuple[dict[str, dict[str, dict[int, float]]], list[str]]:
    """Lever schedules with actuals substituted, and a line per lever and year saying how.

    Parameters
    ----------
    plan
        The plan; its indicators say which lever and zone each actual feeds.
    actuals
        Indicator id -> {year: value} of the actuals in force.
    """
    original = plan.levers
    levers = {lever: {k: dict(s) for k, s in by_key.items()} for lever, by_key in original.items()}
    lines: list[str] = []
    # (lever, year) -> zone -> (value, indicator); national totals for zone levers apart.
    zone_values: dict[tuple[str, int], dict[str, tuple[float, str]]] = defaultdict(dict)
    totals: dict[tuple[str, int], tuple[float, str]] = {}
    shares: dict[tuple[str, int], dict[str, tuple[float, str]]] = defaultdict(dict)
    for ind in plan.indicators:
        if ind.lever is None or ind.lever not in LEVERS or ind.id not in actuals:
            continue
        scope = LEVERS[ind.lever].scope
        for year, value in actuals[ind.id].items():
            if not plan.start_year <= year <= plan.end_year:
                continue
            if scope == "national":
                zone_values[(ind.lever, year)][NATIONAL] = (value, ind.id)
            elif ind.zone in (None, NATIONAL):
                totals[(ind.lever, year)] = (value, ind.id)
            else:
                zone_values[(ind.lever, year)][ind.zone] = (value, ind.id)
    unit = {lever: LEVERS[lever].unit for lever in LEVERS}
    for (lever, year), (total, ind_id) in sorted(totals.items()):
        by_key = original.get(lever, {})
        fixed = zone_values[(lever, year)]
        planned = {z: effective(s, year) for z, s in by_key.items()}
        rest = [z for z in by_key if z not in fixed]
        if not by_key:
            lines.append(
                f"{lever} {year}: national actual {format_value(total)} ({ind_id}) not used; "
                "the plan sets this lever in no zone"
            )
            continue
        if not rest:
            lines.append(
                f"{lever} {year}: national actual {format_value(total)} ({ind_id}) not used; "
                "every zone has its own actual"
            )
            continue
        remainder = max(total - sum(v for v, _ in fixed.values()), 0.0)
        for zone, value in _split(remainder, planned, rest).items():
            shares[(lever, year)][zone] = (value, ind_id)
        basis = "planned values" if sum(planned.get(z, 0.0) for z in rest) > 0 else "equal shares"
        lines.append(
            f"{lever} {year}: national actual {format_value(total)} {unit[lever]} ({ind_id}) "
            f"split across {', '.join(rest)} in proportion to the plan's {basis} for {year}"
        )
    for (lever, year), by_zone in sorted(zone_values.items()):
        for zone, (value, ind_id) in sorted(by_zone.items()):
            levers.setdefault(lever, {}).setdefault(zone, {})[year] = value
            planned = effective(original.get(lever, {}).get(zone, {}), year)
            where = "" if zone == NATIONAL else f".{zone}"
            lines.append(
                f"{lever}{where} {year}: actual {format_value(value)} {unit[lever]} "
                f"({ind_id}) instead of planned {format_value(planned)}"
            )
    for (lever, year), by_zone in shares.items():
        for zone, (value, _) in by_zone.items():
            levers.setdefault(lever, {}).setdefault(zone, {})[year] = value
            zone_values[(lever, year)][zone] = (value, "")
    # Keep the plan's own value in the year after each actual.
    for lever, by_key in levers.items():
        for zone, schedule in by_key.items():
            planned_schedule = original.get(lever, {}).get(zone, {})
            actual_years = {y for y in schedule if zone in zone_values.get((lever, y), {})}
            for year in sorted(actual_years):
                nxt = year + 1
                if nxt <= plan.end_year and nxt not in actual_years and nxt not in planned_schedule:
                    schedule[nxt] = effective(planned_schedule, nxt)
    levers = {
        lever: {key: dict(sorted(schedule.items())) for key, schedule in by_key.items()}
        for lever, by_key in levers.items()
    }
    return levers, lines


def apply_actuals(plan: Plan, db_url: str | None = None) -> tuple[Plan, list[str]]:
    """A copy of ``plan`` with lever schedules replaced by the tracker's reported actuals.

    Parameters
    ----------
    plan
        The plan to run; its indicators with a ``lever`` (and ``zone``) say what each actual
        feeds. Indicators are matched to the tracker by id.
    db_url
        Tracker database URL or SQLite path; default ``$CNPLAN_TRACK_DB`` or the user data
        directory.

    Returns
    -------
    tuple of (Plan, list of str)
        The realised plan (the input is not changed) and one human-readable line per lever and
        year taken from actuals (how national totals were split across zones included).

    Raises
    ------
    TrackError
        If there is no tracker database or its schema is out of date.
    """
    engine = db.open_engine(db_url)
    try:
        with db.session_scope(engine, write=False) as session:
            framework = session.scalar(select(Framework))
            by_indicator: dict[str, dict[int, float]] = defaultdict(dict)
            for e in entries(session, history=False):
                by_indicator[e.indicator][e.period] = e.value
    finally:
        engine.dispose()
    levers, lines = realised_levers(plan, dict(by_indicator))
    if framework is not None and framework.plan_name != plan.name:
        lines.insert(
            0,
            f"note: the tracker database was made for plan {framework.plan_name}; "
            f"actuals matched to {plan.name} by indicator id",
        )
    realised = plan.model_copy(deep=True)
    realised.levers = levers
    if lines:
        realised.description = (
            f"{plan.description}\n\nLevers realised from reported actuals: " + "; ".join(lines)
        ).strip()
    return realised, lines

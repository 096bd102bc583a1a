"""The results framework derived from a plan: objectives, programmes, indicators and targets.

Plans list indicators without an objective, so the tracker groups them by the lever they feed,
following the cable's programme families (see ``docs/tracker.md``). Indicators that feed no
lever measure the plan's goals (coca and poppy area, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnplan.plans import Plan
from cnplan.plans.schema import Indicator as PlanIndicator
from cnplan.track import db
from cnplan.track.errors import TrackError
from cnplan.track.models import AuditEntry, Framework, Indicator, Objective, Programme, Target
from cnplan.track.prefill import prefill_shipped

OBJECTIVES: list[tuple[str, str]] = [
    ("goals", "Reach the plan's goals: hold the line, marginal producer, stability point"),
    ("eradication", "Reduce coca by forced eradication where it expands"),
    ("alternative_development", "Voluntary eradication and alternative development"),
    ("interdiction", "Interdiction at the source, on roads, at ports and of precursors"),
    ("police_capacity", "Police capacity and state presence"),
    ("intelligence", "Intelligence on opium poppy"),
    ("outreach", "Public outreach on cultivation, trafficking and domestic use"),
    ("assistance", "Outside assistance"),
    ("other", "Other indicators"),
]
"""Objectives in display order: (id, title)."""

PROGRAMMES: dict[str, tuple[str, str]] = {
    "forced_eradication": ("eradication", "Forced eradication (CORAH)"),
    "eradication_security": ("eradication", "Eradication security (escort police)"),
    "voluntary_eradication": ("alternative_development", "Voluntary eradication"),
    "ad_funding": ("alternative_development", "Alternative-development support"),
    "source_interdiction": ("interdiction", "Source-zone interdiction"),
    "forward_base_police": ("interdiction", "Forward operating bases"),
    "road_interdiction_groups": ("interdiction", "Road interdiction"),
    "port_inspection_teams": ("interdiction", "Port and airport inspection"),
    "precursor_control": ("interdiction", "Precursor-chemical control"),
    "police_graduates": ("police_capacity", "Police training and assignment"),
    "police_in_training": ("police_capacity", "Police training and assignment"),
    "poppy_intelligence": ("intelligence", "Opium poppy intelligence"),
    "outreach_campaigns": ("outreach", "Media and public-relations campaigns"),
    "outside_assistance": ("assistance", "Outside assistance"),
}
"""Lever -> (objective id, programme title). Programme ids are slugs of the titles."""

LOWER_IS_BETTER_WORDS = ("coca", "poppy", "cultivation", "price", "replant")
"""Words that mark a goal indicator (no lever) as lower-is-better when it has no baseline."""

@dataclass(frozen=True)
class Placement:
    """Where an indicator sits in the framework and which way is better."""

    objective_id: str
    programme_id: str
    programme_title: str
    direction: str


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "_" for c in text)
    return "_".join(part for part in out.split("_") if part)


def place(indicator: PlanIndicator) -> Placement:
    """The objective, programme and direction of a plan indicator (the documented mapping).

    Indicators that feed a lever measure delivery (higher is better). Goal indicators (no
    lever) are lower-is-better when their last target is below the baseline, or, without a
    baseline, when their id or name speaks of cultivation, coca, poppy or prices.
    """
    if indicator.lever is not None:
        objective_id, title = PROGRAMMES.get(indicator.lever, ("other", "Other programmes"))
        return Placement(objective_id, _slug(title), title, "higher")
    text_ = f"{indicator.id} {indicator.name}".lower()
    if indicator.baseline is not None and indicator.targets:
        last = indicator.targets[max(indicator.targets)]
        direction = "lower" if last < indicator.baseline else "higher"
    else:
        direction = "lower" if any(w in text_ for w in LOWER_IS_BETTER_WORDS) else "higher"
    if "poppy" in text_:
        title = "Opium poppy cultivation"
    elif "coca" in text_:
        title = "Coca cultivation"
    else:
        title = "Outcomes"
    return Placement("goals", _slug(title), title, direction)


def _audit(
    session: Session, actor: str, action: str, entity: str, entity_id: str, **detail
) -> None:
    session.add(
        AuditEntry(
            at=db.now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=json.dumps(detail, default=str, sort_keys=True),
        )
    )


def _sync(session: Session, plan: Plan, actor: str) -> list[str]:
    """Bring objectives, programmes, indicators and targets in line with the plan."""
    notes: list[str] = []
    stamp = db.now()
    framework = session.scalar(select(Framework))
    if framework is None:
        session.add(
            Framework(
                id=1,
                plan_name=plan.name,
                title=plan.title,
                country=plan.country,
                start_year=plan.start_year,
                end_year=plan.end_year,
                created_at=stamp,
            )
        )
        _audit(session, actor, "create", "framework", 1, plan=plan.name)
        notes.append(f"created the results framework of plan {plan.name}")
    elif framework.plan_name != plan.name:
        raise TrackError(
            f"this tracker database holds plan {framework.plan_name!r}, not {plan.name!r}; "
            "use another database (--db or CNPLAN_TRACK_DB) for another plan"
        )
    else:
        for field in ("title", "country", "start_year", "end_year"):
            old, new = getattr(framework, field), getattr(plan, field)
            if old != new:
                setattr(framework, field, new)
                _audit(session, actor, "update", "framework", 1, field=field, old=old, new=new)
                notes.append(f"framework {field}: {old} -> {new}")
    for position, (objective_id, title) in enumerate(OBJECTIVES):
        if session.get(Objective, objective_id) is None:
            session.add(Objective(id=objective_id, title=title, position=position))
    session.flush()
    for position, ind in enumerate(plan.indicators):
        where = place(ind)
        if session.get(Programme, where.programme_id) is None:
            session.add(
                Programme(
                    id=where.programme_id,
                    objective_id=where.objective_id,
                    title=where.programme_title,
                )
            )
            session.flush()
        fields = {
            "programme_id": where.programme_id,
            "name": ind.name,
            "unit": ind.unit,
            "lever": ind.lever,
            "zone": ind.zone,
            "baseline": ind.baseline,
            "baseline_year": ind.baseline_year,
            "direction": where.direction,
            "source": ind.source,
            "note": ind.note,
            "position": position,
        }
        row = session.get(Indicator, ind.id)
        if row is None:
            session.add(Indicator(id=ind.id, **fields))
            _audit(session, actor, "create", "indicator", ind.id, **fields)
            notes.append(f"indicator {ind.id}: added")
        else:
            for field, new in fields.items():
                old = getattr(row, field)
                if old != new:
                    setattr(row, field, new)
                    if field != "position":
                        _audit(
                            session,
                            actor,
                            "update",
                            "indicator",
                            ind.id,
                            field=field,
                            old=old,
                            new=new,
                        )
                        notes.append(f"indicator {ind.id}: {field} {old!r} -> {new!r}")
        session.flush()
        current = current_targets(session, ind.id)
        for period, value in sorted(ind.targets.items()):
            if current.get(period) != value:
                session.add(
                    Target(
                        indicator_id=ind.id, period=period, value=value, set_by=actor, set_at=stamp
                    )
                )
                _audit(
                    session,
                    actor,
                    "set",
                    "target",
                    ind.id,
                    period=period,
                    old=current.get(period),
                    new=value,
                )
                if period in current:
                    notes.append(
                        f"indicator {ind.id}: target {period} {current[period]:g} -> {value:g}"
                    )
    return notes


def current_targets(session: Session, indicator_id: str) -> dict[int, float]:
    """The targets in force for an indicator: the newest row per period."""
    rows = session.scalars(
        select(Target).where(Target.indicator_id == indicator_id).order_by(Target.id)
    )
    return {row.period: row.value for row in rows}


def init_db(
    plan: Plan, url: str | None = None, actor: str = "cnplan track init", prefill: bool = True
) -> list[str]:
    """Create or upgrade the tracker database and fill it with the plan's framework.

    Parameters
    ----------
    plan
        The plan whose indicators and targets make up the framework.
    url
        Database URL or SQLite path; default ``$CNPLAN_TRACK_DB`` or the user data directory.
    actor
        Name recorded in the audit log.
    prefill
        Also record the actuals the shipped data already holds (see ``cnplan.track.prefill``).

    Returns
    -------
    list of str
        What was done, one line each.
    """
    url = db.resolve_url(url)
    path = db.sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        lines = []
        if before is None:
            lines.append(f"created the tracker schema (revision {db.HEAD})")
        elif before != db.HEAD:
            lines.append(f"upgraded the tracker schema from revision {before} to {db.HEAD}")
        with db.session_scope(engine) as session:
            lines += _sync(session, plan, actor)
        if prefill:
            lines += prefill_shipped(engine, plan)
        return lines
    finally:
        engine.dispose()

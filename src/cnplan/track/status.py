"""Status of each indicator against its target (on track, at risk, off track) and roll-ups.

The rule (documented in ``docs/tracker.md``): the latest period with an actual is compared with
the target for that period. Targets between dated targets (or between the baseline and the
first target) are interpolated linearly; after the last target it holds. In the current year a
per-year lever indicator's target is pro-rated by the share of the year gone. Achievement is
actual / target when higher is better and target / actual when lower is better; on track from
90 %, at risk from 60 %, off track below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnplan.plans.levers import LEVERS
from cnplan.track import db
from cnplan.track.framework import current_targets
from cnplan.track.models import Indicator, Objective, Programme
from cnplan.track.service import Entry, entries

ON_TRACK = 0.9
"""Achievement from which an indicator is on track."""
AT_RISK = 0.6
"""Achievement from which an indicator is at risk (below: off track)."""
STEADY = 0.01
"""A change smaller than this share of the previous actual counts as steady."""


@dataclass(frozen=True)
class IndicatorStatus:
    """One row of the status table."""

    indicator: str
    name: str
    unit: str
    direction: str
    period: int | None
    target: float | None
    actual: float | None
    percent: float | None
    status: str
    trend: str


@dataclass
class ObjectiveStatus:
    """An objective with its indicators' status and counts per status."""

    id: str
    title: str
    rows: list[IndicatorStatus] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))


def target_for(
    period: int,
    targets: dict[int, float],
    baseline: float | None = None,
    baseline_year: int | None = None,
) -> float | None:
    """The target for ``period``: as given, interpolated, or held after the last target."""
    if period in targets:
        return targets[period]
    points = dict(targets)
    if baseline is not None and baseline_year is not None and baseline_year not in points:
        points[baseline_year] = baseline
    before = [y for y in points if y < period]
    after = [y for y in targets if y > period]
    if before and after:
        y0, y1 = max(before), min(after)
        return points[y0] + (points[y1] - points[y0]) * (period - y0) / (y1 - y0)
    earlier_targets = [y for y in targets if y < period]
    if earlier_targets:
        return targets[max(earlier_targets)]
    return None


def year_share(today: datetime) -> float:
    """Share of the calendar year gone by ``today``."""
    start = datetime(today.year, 1, 1)
    end = datetime(today.year + 1, 1, 1)
    return (today - start) / (end - start)


def achievement(actual: float, target: float, direction: str) -> float:
    """How far the actual meets the target, 1.0 = exactly (direction-aware)."""
    if direction == "lower":
        if actual <= 0:
            return float("inf") if target >= 0 else 0.0
        return target / actual
    if target <= 0:
        return float("inf") if actual >= target else 0.0
    return actual / target


def classify(score: float) -> str:
    """Status from an achievement score."""
    if score >= ON_TRACK:
        return "on track"
    if score >= AT_RISK:
        return "at risk"
    return "off track"


def trend(values: list[float], direction: str) -> str:
    """Improving, worsening or steady from the last two actuals; '-' with fewer than two."""
    if len(values) < 2:
        return "-"
    previous, latest = values[-2], values[-1]
    change = latest - previous
    if abs(change) <= STEADY * max(abs(previous), 1e-9):
        return "steady"
    better = change > 0 if direction == "higher" else change < 0
    return "improving" if better else "worsening"


def indicator_status(
    ind: Indicator, targets: dict[int, float], actuals: dict[int, float], today: datetime
) -> IndicatorStatus:
    """The status row of one indicator from its targets and in-force actuals by period."""
    values = [actuals[p] for p in sorted(actuals)]
    if not actuals:
        upcoming = [p for p in sorted(targets) if p >= today.year] or sorted(targets)[-1:]
        period = upcoming[0] if upcoming else None
        target = targets.get(period) if period is not None else None
        return IndicatorStatus(
            ind.id, ind.name, ind.unit, ind.direction, period, target, None, None, "no data", "-"
        )
    period = max(actuals)
    actual = actuals[period]
    target = target_for(period, targets, ind.baseline, ind.baseline_year)
    spec = LEVERS.get(ind.lever) if ind.lever else None
    if target is not None and period == today.year and spec is not None and "/yr" in spec.unit:
        target *= year_share(today)
    if target is None:
        status, percent = "no target", None
    else:
        status = classify(achievement(actual, target, ind.direction))
        percent = 100.0 * actual / target if target else None
    return IndicatorStatus(
        ind.id,
        ind.name,
        ind.unit,
        ind.direction,
        period,
        target,
        actual,
        percent,
        status,
        trend(values, ind.direction),
    )


@dataclass(frozen=True)
class IndicatorSeries:
    """An indicator's targets and in-force actuals by period.

    What a target-vs-actual chart needs; the status table shows only the current period.
    """

    indicator: str
    name: str
    unit: str
    direction: str
    baseline: float | None
    baseline_year: int | None
    targets: dict[int, float]
    actuals: dict[int, float]


def _indicators(
    session: Session, in_force: list[Entry]
) -> Iterator[tuple[Indicator, Objective, dict[int, float], dict[int, float]]]:
    """Indicators in framework order with their objective, targets and in-force actuals."""
    by_indicator: dict[str, dict[int, float]] = {}
    for e in in_force:
        by_indicator.setdefault(e.indicator, {})[e.period] = e.value
    query = (
        select(Indicator, Objective)
        .join(Programme, Indicator.programme_id == Programme.id)
        .join(Objective, Programme.objective_id == Objective.id)
        .order_by(Objective.position, Indicator.position)
    )
    for ind, objective in session.execute(query):
        yield ind, objective, current_targets(session, ind.id), by_indicator.get(ind.id, {})


def series(url: str | None = None) -> list[IndicatorSeries]:
    """Every indicator's targets and in-force actuals by period, in framework order."""
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine, write=False) as session:
            rows = _indicators(session, entries(session, history=False))
            return [
                IndicatorSeries(
                    ind.id, ind.name, ind.unit, ind.direction, ind.baseline, ind.baseline_year,
                    targets, actuals,
                )
                for ind, _, targets, actuals in rows
            ]
    finally:
        engine.dispose()


def status(url: str | None = None, today: datetime | None = None) -> list[ObjectiveStatus]:
    """Status of every indicator, grouped by objective (objectives without indicators omitted)."""
    today = today or db.now()
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine, write=False) as session:
            out: dict[str, ObjectiveStatus] = {}
            rows = _indicators(session, entries(session, history=False))
            for ind, objective, targets, actuals in rows:
                group = out.setdefault(objective.id, ObjectiveStatus(objective.id, objective.title))
                group.rows.append(indicator_status(ind, targets, actuals, today))
            return list(out.values())
    finally:
        engine.dispose()

"""Status of each indicator against its target (on track, at risk, off track) and roll-ups.

The rule (documented in ``docs/tracker.md``): the latest period with an actual is compared with
the target for that period. Targets between dated targets (or between the baseline and the
first target) are interpolated linearly; after the last target it holds. In the current year a
per-year lever indicator's target is pro-rated by the share of the year gone. Achievement is
actual / target when higher is better and target / actual when lower is better; on track from
90 %, at risk from 60 %, off track below. "% of target" is the same achievement in percent.
A view (table, page, report) shows one period for every indicator: the latest year with any
actual (:func:`view_period`), so rows never mix years.
"""

from __future__ import annotations

import math
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
    last_period: int | None = None
    last_actual: float | None = None


@dataclass
class ObjectiveStatus:
    """An objective with its indicators' status and counts per status."""

    id: str
    title: str
    rows: list[IndicatorStatus] = field(default_factory=list)
    period: int | None = None

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


def view_period(actuals: list[dict[int, float]], targets: list[dict[int, float]],
                today: datetime) -> int | None:
    """The one period a status view shows for every indicator (never a mix of years).

    The latest year, up to the current one, in which any indicator has an actual; with no
    actuals at all, the first target year from the current year on (else the last target year).
    """
    reported = [p for a in actuals for p in a if p <= today.year]
    if reported:
        return max(reported)
    years = sorted({p for t in targets for p in t})
    upcoming = [p for p in years if p >= today.year]
    return upcoming[0] if upcoming else (years[-1] if years else None)


def percent_of_target(actual: float, target: float, direction: str) -> float | None:
    """How much of the target is achieved, in percent, the way the indicator is read.

    Higher is better: actual / target. Lower is better (coca area): target / actual, so 50,000
    ha against a target of 40,000 is 80%, and beating the target gives more than 100%. None
    where it has no finite value (a zero actual of a lower-is-better indicator).
    """
    score = achievement(actual, target, direction)
    return 100.0 * score if math.isfinite(score) else None


def indicator_status(
    ind: Indicator, targets: dict[int, float], actuals: dict[int, float], today: datetime,
    period: int | None = None,
) -> IndicatorStatus:
    """The status row of one indicator in the view's ``period`` (default: its latest actual).

    Without an actual for ``period`` the row says "no data" and carries the latest earlier
    actual in ``last_period``/``last_actual``; actuals after ``period`` are not looked at.
    """
    if period is None:
        period = view_period([actuals], [targets], today)
    known = {p: v for p, v in actuals.items() if period is None or p <= period}
    values = [known[p] for p in sorted(known)]
    target = target_for(period, targets, ind.baseline, ind.baseline_year) if period else None
    spec = LEVERS.get(ind.lever) if ind.lever else None
    if target is not None and period == today.year and spec is not None and "/yr" in spec.unit:
        target *= year_share(today)
    last = max((p for p in known if p != period), default=None)
    last_values = (last, known[last]) if last is not None else (None, None)
    if period not in known:
        return IndicatorStatus(ind.id, ind.name, ind.unit, ind.direction, period, target, None,
                               None, "no data", trend(values, ind.direction), *last_values)
    actual = known[period]
    if target is None:
        status, percent = "no target", None
    else:
        status = classify(achievement(actual, target, ind.direction))
        percent = percent_of_target(actual, target, ind.direction)
    return IndicatorStatus(ind.id, ind.name, ind.unit, ind.direction, period, target, actual,
                           percent, status, trend(values, ind.direction), *last_values)


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


def status(url: str | None = None, today: datetime | None = None,
           period: int | None = None) -> list[ObjectiveStatus]:
    """Status of every indicator in one period, grouped by objective (empty objectives omitted).

    ``period`` defaults to :func:`view_period` over all indicators, so every row of the view is
    the same year; an indicator without an actual for it says "no data".
    """
    today = today or db.now()
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine, write=False) as session:
            rows = list(_indicators(session, entries(session, history=False)))
    finally:
        engine.dispose()
    if period is None:
        period = view_period([a for *_, a in rows], [t for _, _, t, _ in rows], today)
    out: dict[str, ObjectiveStatus] = {}
    for ind, objective, targets, actuals in rows:
        group = out.setdefault(objective.id,
                               ObjectiveStatus(objective.id, objective.title, period=period))
        group.rows.append(indicator_status(ind, targets, actuals, today, period))
    return list(out.values())

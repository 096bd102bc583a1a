"""Pre-fill a framework with the actuals the shipped monitoring data already holds.

Only full-year national or zone values (``period == "year"``) inside the plan's years and not
after the current year are used. Each is recorded as reported by ``cnplan shipped data`` with
the observation's ``source_id`` as source, once: running ``track init`` again adds nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select

from cnplan.plans import Plan
from cnplan.plans.schema import Indicator as PlanIndicator
from cnplan.track import db
from cnplan.track.models import Actual
from cnplan.track.service import _lock, _record, format_value

SHIPPED_DATA = "cnplan shipped data"
"""``reported_by`` of actuals pre-filled from the data shipped with cnplan."""

LEVER_VARIABLES: dict[str, list[str]] = {
    "forced_eradication": ["eradication_forced_ha"],
    "voluntary_eradication": ["eradication_voluntary_ha"],
}
"""Lever -> dataset variables that measure it, best first."""

NOT_SPLIT: dict[str, str] = {"forced_eradication": "eradication_ha"}
"""Lever -> a dataset total that also counts something else. ``eradication_ha`` is forced plus
voluntary eradication: recorded as a forced-eradication actual it would overstate what the
police teams did (and feed that into ``run --with-actuals``), so it is never used for it; where
only the total exists, ``track init`` says so instead."""

GOAL_VARIABLES: list[tuple[str, str]] = [("poppy", "poppy_ha"), ("coca", "coca_ha")]
"""Words in a goal indicator's id -> the dataset variable it reports (first match wins)."""

QUALITY_RANK = {"official": 0, "press": 1, "weak": 2}
SERIES_WORDS = ("unodc", "us", "police")


def observations(dataset: str) -> pd.DataFrame:
    """The tidy observations of a shipped dataset, through ``cnplan.data.load_dataset``.

    Falls back to reading the package's ``observations.csv`` while the data API is not there.
    """
    try:
        from cnplan.data import load_dataset
    except ImportError:
        from pathlib import Path

        return pd.read_csv(Path(__file__).parents[1] / "data" / dataset / "observations.csv")
    return load_dataset(dataset).observations


def variable_for(indicator: PlanIndicator, available: set[str]) -> str | None:
    """The dataset variable that measures an indicator, or None (the documented mapping)."""
    if indicator.lever is not None:
        for name in LEVER_VARIABLES.get(indicator.lever, []):
            if name in available:
                return name
        return None
    if indicator.id in available:
        return indicator.id
    text = indicator.id.lower()
    for word, name in GOAL_VARIABLES:
        if word in text and name in available:
            return name
    return None


def _series(row: pd.Series) -> str:
    if "series" in row.index and isinstance(row["series"], str):
        return row["series"]
    match = re.match(r"\s*\[series: ([^\]]+)\]", str(row.get("note", "")))
    return match.group(1) if match else ""


def pick(rows: pd.DataFrame, indicator: PlanIndicator) -> tuple[pd.Series, list[str]]:
    """The observation to use for one year, and notes on the others.

    Preference: a series the indicator names (e.g. UNODC), then quality (official, press,
    weak), then file order.
    """
    text = f"{indicator.name} {indicator.source}".lower()
    named = [w for w in SERIES_WORDS if re.search(rf"\b{w}\b", text)]
    ranked = sorted(
        ((0 if _series(r) in named else 1, QUALITY_RANK.get(str(r["quality"]), 3), i), i)
        for i, r in rows.iterrows()
    )
    best = rows.loc[ranked[0][1]]
    others = [
        f"{format_value(rows.loc[i, 'value'])} ({rows.loc[i, 'source_id']})" for _, i in ranked[1:]
    ]
    return best, others


def prefill_shipped(engine: Engine, plan: Plan, today: datetime | None = None) -> list[str]:
    """Record the shipped data's full-year actuals for the plan's indicators (idempotent)."""
    today = today or db.now()
    obs = observations(plan.data)
    obs = obs[(obs["period"] == "year") & (obs["year"] >= plan.start_year)]
    obs = obs[obs["value"].notna()]  # a censored or ranged value is a bound, not an actual
    obs = obs[(obs["year"] <= min(plan.end_year, today.year))]
    available = set(obs["variable"])
    lines = []
    with db.session_scope(engine) as session:
        for ind in plan.indicators:
            variable = variable_for(ind, available)
            if variable is None:
                total = NOT_SPLIT.get(ind.lever or "")
                if total in available:
                    lines.append(
                        f"indicator {ind.id}: not pre-filled; the data's {total} counts forced "
                        "and voluntary eradication together (no split in the source)")
                continue
            zone = ind.zone or "national"
            rows = obs[(obs["variable"] == variable) & (obs["zone"] == zone)]
            if rows.empty:
                continue
            _lock(session, [ind.id])
            shipped = {
                a.period
                for a in session.scalars(
                    select(Actual).where(
                        Actual.indicator_id == ind.id, Actual.reported_by == SHIPPED_DATA
                    )
                )
            }
            added = []
            for year, group in rows.groupby("year"):
                if int(year) in shipped:
                    continue
                best, others = pick(group, ind)
                comment = f"{variable}, {best['quality']}, {plan.data} dataset"
                if others:
                    comment += "; other values for the year: " + ", ".join(others)
                fields = {
                    "indicator_id": ind.id,
                    "period": int(year),
                    "value": float(best["value"]),
                    "reported_by": SHIPPED_DATA,
                    "reported_at": today,
                    "source": str(best["source_id"]),
                    "comment": comment,
                }
                _record(session, fields, SHIPPED_DATA, "prefill")
                added.append(int(year))
            if added:
                lines.append(
                    f"indicator {ind.id}: pre-filled {len(added)} actual(s) from {variable} "
                    f"({', '.join(map(str, added))})"
                )
    return lines

"""Summaries of an ensemble that a user reads: goal probabilities and yearly bands vs observed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan import format as display
from cnplan.data import Dataset
from cnplan.i18n import N_, ngettext
from cnplan.i18n import gettext as _
from cnplan.plans import Plan

GOAL_TEXT = {
    "hold_the_line": N_("Hold the line: no net expansion of coca or poppy against {base} "
                        "through {by}"),
    "marginal_producer": N_("Marginal producer: coca <= {coca:,.0f} ha and poppy <= "
                            "{poppy:,.0f} ha by {by}"),
    "stability_point": N_("Stability point: cultivation falling or marginal and staying "
                          "marginal {k} years without outside assistance, by {by}"),
}
"""What each goal means, in English; shown through ``_()`` in the current language."""

# (label, dataset variable of the ensemble, observed variable in the data, unit)
NATIONAL_ROWS = (
    ("coca", "coca_national", "coca_ha", "ha"),
    ("poppy", "poppy_ha", None, "ha"),
    ("leaf price", "leaf_price", "leaf_price", "USD/kg"),
    ("eradication", "eradication_ha", "eradication_ha", "ha/yr"),
    ("state capacity", "state_capacity", None, "share"),
)


def goal_descriptions(plan: Plan) -> dict[str, str]:
    """What each of the plan's goals means, with its numbers, in the current language."""
    goals = plan.goals
    return {
        "hold_the_line": _(GOAL_TEXT["hold_the_line"]).format(
            base=goals.hold_the_line.base_year, by=goals.hold_the_line.by_year
        ),
        "marginal_producer": _(GOAL_TEXT["marginal_producer"]).format(
            coca=goals.marginal_producer.coca_ha,
            poppy=goals.marginal_producer.poppy_ha,
            by=goals.marginal_producer.by_year,
        ),
        "stability_point": _(GOAL_TEXT["stability_point"]).format(
            k=goals.stability_point.years_without_assistance, by=goals.stability_point.by_year
        ),
    }


MIN_FUTURES_FOR_YEARS = 10
"""Fewest futures reaching a goal for its year-reached statistics to be shown (docs/runs.md):
a median and 10–90% range of fewer years than this is one or two futures' story, not a
distribution."""


def goal_summary(ds: xr.Dataset, plan: Plan) -> pd.DataFrame:
    """One row per goal: what it means, its year, probability reached, and year reached (median,
    10th and 90th percentile over the scenarios that reach it within the horizon).

    ``reached_count`` is how many futures reach the goal at some time in the horizon; the year
    statistics are NaN when fewer than :data:`MIN_FUTURES_FOR_YEARS` do.
    """
    goals = plan.goals
    texts = goal_descriptions(plan)
    by_years = {
        "hold_the_line": goals.hold_the_line.by_year,
        "marginal_producer": goals.marginal_producer.by_year,
        "stability_point": goals.stability_point.by_year,
    }
    rows = []
    for goal, text in texts.items():
        reached = ds[f"{goal}_reached"].to_numpy()
        years = ds[f"{goal}_year"].to_numpy()
        hit = years[~np.isnan(years)]
        q = (np.percentile(hit, [50, 10, 90]) if hit.size >= MIN_FUTURES_FOR_YEARS
             else [np.nan] * 3)
        rows.append(
            {
                "goal": goal,
                "description": text,
                "by_year": by_years[goal],
                "probability": float(reached.mean()),
                "reached_in_horizon": float((~np.isnan(years)).mean()),
                "reached_count": int(hit.size),
                "year_median": q[0],
                "year_p10": q[1],
                "year_p90": q[2],
            }
        )
    return pd.DataFrame(rows)


GOAL_COLUMNS_NOTE = N_(
    "P(reached): the share of futures in which the goal is met by its target year (the \"by\" "
    "column). First year reached: among the futures that reach the goal at any time, the year "
    "they first do (median and 10–90%% range, shown only when at least %(min)s futures reach "
    "it). Reached at some time: the share of futures that reach the goal in any year of the "
    "horizon, even after its target year, so it can be larger than P(reached)."
)
"""What each column of a goal table means; shown under every goal table (CLI, report, web)."""


def goal_columns_note() -> str:
    """:data:`GOAL_COLUMNS_NOTE` in the current language, with the threshold filled in."""
    return _(GOAL_COLUMNS_NOTE) % {"min": MIN_FUTURES_FOR_YEARS}


def about(value: float) -> int:
    """A figure rounded for a headline: to the nearest 5 in its third significant digit.

    124,600 -> 125,000; 90,300 -> 90,500; 48,210 -> 48,000; 730 -> 730. Tables keep the exact
    medians; a sentence says "about".
    """
    if not math.isfinite(value) or value == 0:
        return 0
    step = 5 * 10 ** max(math.floor(math.log10(abs(value))) - 2, 0)
    return int(round(value / step) * step)


def central_trajectory(ds: xr.Dataset) -> dict[str, Any]:
    """The median future's national coca area in the first and last simulated year.

    Stored in ``run.json`` (``central_trajectory``) and stated in the report's headline, so a
    reader sees where the plan leads, not only whether a goal is met.
    """
    median = ds.national_ha.sel(crop="coca").median("scenario")
    years = [int(y) for y in ds.year.to_numpy()]
    start, end = float(median.sel(year=years[0])), float(median.sel(year=years[-1]))
    return {"variable": "coca", "unit": "ha", "from_year": years[0], "to_year": years[-1],
            "from": round(start, 1), "to": round(end, 1)}


STEADY_SHARE = 0.05
"""A change in the central trajectory smaller than this share of the start reads "stays"."""


def trajectory_sentence(trajectory: dict[str, Any]) -> str:
    """The central trajectory in words: "In the median future, coca rises from about ..."."""
    start, end = trajectory["from"], trajectory["to"]
    values = {"from": display.number(about(start)), "to": display.number(about(end)),
              "y0": trajectory["from_year"], "y1": trajectory["to_year"]}
    if abs(end - start) <= STEADY_SHARE * max(abs(start), 1.0):
        return _("In the median future, coca stays at about %(from)s ha from %(y0)s to %(y1)s "
                 "(%(to)s ha in %(y1)s).") % values
    if end > start:
        return _("In the median future, coca rises from about %(from)s ha in %(y0)s to about "
                 "%(to)s ha in %(y1)s.") % values
    return _("In the median future, coca falls from about %(from)s ha in %(y0)s to about "
             "%(to)s ha in %(y1)s.") % values


def years_text(row: Any, short: bool = False) -> str:
    """The year-reached cell of a goal row (a ``goal_summary`` row or a run.json goal mapping).

    "2013 [2012–2015]" when at least :data:`MIN_FUTURES_FOR_YEARS` futures reach the goal;
    otherwise says how many did, so a single future's year is never shown as a distribution.
    ``short`` drops the count from a shown range (tables that show the count elsewhere).
    """
    get = row.get if isinstance(row, dict) else (lambda k, d=None: getattr(row, k, d))
    count = get("reached_count")
    median = get("year_median")
    if count is None:  # a run.json written before the count was stored
        if median is None or (isinstance(median, float) and math.isnan(median)):
            return _("never in horizon")
        return _year_range(median, get("year_p10"), get("year_p90"))
    if count == 0:
        return _("never in horizon")
    if count < MIN_FUTURES_FOR_YEARS:
        return ngettext("too few to say when: %(k)s future reaches it",
                        "too few to say when: %(k)s futures reach it", count) % {"k": count}
    text = _year_range(median, get("year_p10"), get("year_p90"))
    return text if short else text + " " + ngettext(
        "(%(k)s future)", "(%(k)s futures)", count) % {"k": display.number(count)}


def _year_range(median: float, p10: float, p90: float) -> str:
    """"2013 [2011–2015]": whole years (the first year reached is a year, never "2,013")."""
    return (f"{display.year(round(median))} [{display.year(round(p10))}–"
            f"{display.year(round(p90))}]")


def _band(values: xr.DataArray) -> pd.DataFrame:
    q = values.quantile([0.1, 0.5, 0.9], dim="scenario").to_pandas()
    q = q.T if q.index.name == "quantile" else q
    q.columns = ["p10", "median", "p90"]
    return q


def yearly_table(ds: xr.Dataset, data: Dataset | None = None, by: str = "national") -> pd.DataFrame:
    """Median and 10-90% band per year, with the observed value beside it where the data has one.

    ``by="national"`` gives coca, poppy, leaf price, eradication done and state capacity;
    ``by="zone"`` gives coca area and eradication per zone.
    """
    frames = []
    if by == "zone":
        observed = data.by_zone("coca_ha") if data is not None else None
        for zone in ds.zone.to_numpy():
            for label, var in (
                ("coca", "coca_ha"),
                ("forced eradication", "forced_eradication_ha"),
            ):
                band = _band(ds[var].sel(zone=zone))
                band["observed"] = (
                    observed[zone].reindex(band.index).to_numpy()
                    if observed is not None and label == "coca" and zone in observed
                    else np.nan
                )
                frames.append(band.assign(variable=label, zone=zone, unit="ha"))
    else:
        for label, var, obs_var, unit in NATIONAL_ROWS:
            values = ds.national_ha.sel(crop="coca") if var == "coca_national" else ds[var]
            band = _band(values)
            obs = np.nan
            if data is not None and obs_var in data.variables:
                obs = data.national(obs_var).reindex(band.index).to_numpy()
            band["observed"] = obs
            frames.append(band.assign(variable=label, zone="national", unit=unit))
    table = pd.concat(frames).reset_index()
    return table[["variable", "zone", "year", "unit", "p10", "median", "p90", "observed"]]


def spatial_goal_summary(ds: xr.Dataset, plan: Plan) -> list[dict[str, Any]]:
    """One record per spatial goal of the plan (docs/model.md, *Space*): its outcome, bound,
    year, source, the probability it is reached and the median first year (cell layer:
    modelled). Empty when the plan has none or the run has no cell layer.
    """
    out = []
    for goal in plan.goals.spatial:
        key = f"goal_{goal.id}_reached"
        if key not in ds:
            continue
        years = ds[f"goal_{goal.id}_year"].to_numpy()
        hit = years[~np.isnan(years)]
        out.append({
            "id": goal.id, "outcome": goal.outcome,
            "bound": "at_least" if goal.at_least is not None else "at_most",
            "target": goal.at_least if goal.at_least is not None else goal.at_most,
            "by_year": goal.by_year, "source": goal.source,
            "probability": float(ds[key].to_numpy().mean()),
            "year_median": float(np.median(hit)) if hit.size >= MIN_FUTURES_FOR_YEARS else None,
        })
    return out

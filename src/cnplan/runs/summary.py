"""Summaries of an ensemble that a user reads: goal probabilities and yearly bands vs observed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from cnplan.data import Dataset
from cnplan.i18n import N_
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


def goal_summary(ds: xr.Dataset, plan: Plan) -> pd.DataFrame:
    """One row per goal: what it means, its year, probability reached, and year reached (median,
    10th and 90th percentile over the scenarios that reach it within the horizon).
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
        q = np.percentile(hit, [50, 10, 90]) if hit.size else [np.nan] * 3
        rows.append(
            {
                "goal": goal,
                "description": text,
                "by_year": by_years[goal],
                "probability": float(reached.mean()),
                "reached_in_horizon": float((~np.isnan(years)).mean()),
                "year_median": q[0],
                "year_p10": q[1],
                "year_p90": q[2],
            }
        )
    return pd.DataFrame(rows)


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

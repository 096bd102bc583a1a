"""Forced eradication as planned, delivered and not delivered, and why (docs/model.md §8).

A plan can ask for more forced eradication than the model lets happen: the money left after
the standing programmes may not pay for it, the phase may rule out hard-core units, resistance
may not be overcome, the police escorts may be too few, or a unit may have too little coca
left to take its share. A user must see that gap and its cause in every run, so this module
turns a run's ensemble into one summary used by ``cnplan run``, ``run.json`` and the report.

Figures are means over the futures: unlike medians, means add up, so planned = delivered +
undelivered and the causes add up to the national gap in every row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cnplan.i18n import N_
from cnplan.i18n import gettext as _

CAUSES: dict[str, tuple[str, str]] = {
    "funding": ("eradication_short_funding_ha",
                N_("funding: the money left after the standing programmes does not pay for it")),
    "feasibility": ("eradication_short_feasibility_ha",
                    N_("feasibility: the phase rules out eradication in hard-core units")),
    "resistance": ("eradication_short_resistance_ha",
                   N_("resistance: growers' resistance not overcome by political will")),
    "security": ("eradication_short_security_ha",
                 N_("security: too few police escorts for the eradication teams")),
    "cap": ("eradication_short_cap_ha",
            N_("cap: the units have too little coca left to take it in a year")),
}
"""Why planned forced eradication is not delivered: cause -> (ensemble variable, meaning)."""

LABELS: dict[str, str] = {"funding": N_("funding"), "feasibility": N_("feasibility"),
                          "resistance": N_("resistance"), "security": N_("security"),
                          "cap": N_("cap")}
"""The causes' short names (table headings); shown through ``_()``."""

PLANNED, DELIVERED, UNDELIVERED = (
    "eradication_planned_ha", "forced_eradication_ha", "eradication_undelivered_ha")


def _national_mean(da: xr.DataArray) -> np.ndarray:
    """Per year: the sum over units or countries, averaged over futures (years,)."""
    other = [d for d in da.dims if d not in ("scenario", "year")]
    return da.sum(other).mean("scenario").to_numpy().astype(float)


def _round(values: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in values]


def eradication_summary(ds: xr.Dataset) -> dict[str, Any] | None:
    """Planned, delivered and undelivered forced eradication (ha/yr, mean over futures) by year
    nationally with the causes, by unit and year, and the main cause of the gap.

    Returns None for an ensemble written before these outputs existed.
    """
    if PLANNED not in ds or DELIVERED not in ds:
        return None
    years = [int(y) for y in ds["year"].to_numpy()]
    planned, delivered = _national_mean(ds[PLANNED]), _national_mean(ds[DELIVERED])
    causes = {c: _national_mean(ds[v]) for c, (v, _m) in CAUSES.items() if v in ds}
    rows = []
    for i, year in enumerate(years):
        rows.append({"year": year, "planned": round(float(planned[i]), 1),
                     "delivered": round(float(delivered[i]), 1),
                     "undelivered": round(float(planned[i] - delivered[i]), 1),
                     "by_cause": {c: round(float(v[i]), 1) for c, v in causes.items()}})
    by_unit = {}
    if "zone" in ds[PLANNED].dims:
        for unit in ds["zone"].to_numpy():
            sel = {"zone": unit}
            asked = ds[PLANNED].sel(sel).mean("scenario").to_numpy()
            done = ds[DELIVERED].sel(sel).mean("scenario").to_numpy()
            # negative undelivered: a group or national target was redirected into the unit
            by_unit[str(unit)] = {"planned": _round(asked), "delivered": _round(done),
                                  "undelivered": _round(asked - done)}
    totals = {c: float(v.sum()) for c, v in causes.items()}
    main = max(totals, key=totals.get) if totals and max(totals.values()) > 0.5 else None
    return {
        "unit": "ha/yr",
        "statistic": "mean over futures",
        "years": rows,
        "by_unit": by_unit,
        "planned_total": round(float(planned.sum()), 1),
        "delivered_total": round(float(delivered.sum()), 1),
        "undelivered_by_cause_total": {c: round(v, 1) for c, v in totals.items()},
        "main_cause": main,
    }


def shown_causes(summary: dict[str, Any]) -> list[str]:
    """The causes that removed any eradication in the run (table columns), in CAUSES order."""
    totals = summary["undelivered_by_cause_total"]
    return [c for c in CAUSES if totals.get(c, 0.0) > 0.5]


def cause_meaning(cause: str) -> str:
    """What a cause means, in the current language."""
    return _(CAUSES[cause][1])


def gap_sentence(summary: dict[str, Any] | None) -> str:
    """One sentence a reader sees first: what is asked, what is done, and the main cause."""
    from cnplan.format import hectares, percentage

    if not summary or summary["planned_total"] <= 0:
        return _("The plan asks for no forced eradication.")
    first, last = summary["years"][0], summary["years"][-1]
    share = summary["delivered_total"] / summary["planned_total"]
    values = {"asked": hectares(first["planned"]), "y0": first["year"],
              "done0": hectares(first["delivered"]), "y1": last["year"],
              "done1": hectares(last["delivered"]), "share": percentage(share)}
    text = _("Forced eradication: the plan asks for %(asked)s ha in %(y0)s; the model delivers "
             "%(done0)s ha in %(y0)s and %(done1)s ha in %(y1)s (%(share)s of what is asked "
             "over the run).") % values
    main = summary.get("main_cause")
    if main and share < 0.995:
        undelivered = summary["planned_total"] - summary["delivered_total"]
        part = summary["undelivered_by_cause_total"][main] / max(undelivered, 1e-9)
        text += " " + _("Main cause of the gap (%(part)s of it): %(cause)s.") % {
            "part": percentage(part), "cause": cause_meaning(main)}
    return text

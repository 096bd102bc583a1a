"""The historical run the model is fitted to: observed eradication as input, zones from the data.

Calibration and backtests simulate the past with the eradication that was actually done,
so that the fit judges the model's response to it, not a plan's intentions. The national
eradication series has gaps and part-year figures; :func:`eradication_input` bridges them by a
stated rule and says, year by year, what it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cnplan.data import Dataset
from cnplan.model import Inputs, build_inputs
from cnplan.plans import parse_plan

WEIGHT_FLOOR = 0.02
"""Eradication weight of a zone the data never records as eradicated (assumption)."""


def eradication_zone_weights(data: Dataset, until: int | None = None) -> tuple[np.ndarray, str]:
    """Weights for spreading national eradication over zones (together with their areas).

    Eradication by zone is in the data only for some areas and years (part-year figures by
    area or axis, e.g. 2016, 2018, 2019, 2022 in Peru). Their pooled shares by model zone are
    the weights, with a floor of ``WEIGHT_FLOOR`` for zones never recorded (e.g. the VRAEM,
    not eradicated until late 2019, S62/S77). Without such rows all zones weigh the same.
    With ``until`` only rows up to that year count (a backtest must not learn from its test
    years).
    """
    variables = ["eradication_ha"] if "eradication_ha" in data.variables else list(FORCED_KINDS)
    rows = data.series()
    rows = rows[rows["variable"].isin(variables) & ~rows["bound"].astype(bool)]
    rows = rows[rows["zone"] != "national"]
    if until is not None:
        rows = rows[rows["year"] <= until]
    totals = dict.fromkeys(data.zone_ids, 0.0)
    for row in rows.itertuples(index=False):
        ids = data.zone_ids_of(row.zone)
        if len(ids) == 1 and ids[0] in totals and row.value == row.value:
            totals[ids[0]] += row.value
    values = np.array(list(totals.values()))
    if values.sum() <= 0:
        upto = "" if until is None else f" up to {until}"
        return np.ones(len(values)), (
            f"no eradication by zone in the data{upto}: zones weigh the same"
        )
    weights = np.maximum(values / values.sum(), WEIGHT_FLOOR)
    text = ", ".join(f"{z} {w:.2f}" for z, w in zip(data.zone_ids, weights, strict=True))
    years = sorted({int(y) for y in rows["year"]})
    return weights, (
        f"national eradication spread over zones by area x weight; weights = pooled shares of "
        f"the eradication-by-area figures of {years} (floor {WEIGHT_FLOOR}): {text} (assumption)"
    )


_END = re.compile(r"to (\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Bridged:
    """One year of the eradication input: its value and how it was obtained."""

    year: int
    value: float
    rule: str


def _full_year_equivalent(period: str, value: float, year: int) -> tuple[float, str]:
    match = _END.match(period)
    if not match:
        return value, f"part-year figure ({period}) used as is: a lower bound"
    y, m, d = int(match[1]), int(match[2]), match[3]
    end = pd.Timestamp(y, m, int(d)) if d else pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)
    days = end.day_of_year
    full = value * (366 if end.is_leap_year else 365) / days
    return full, f"part-year figure {value:,.0f} ha ({period}) scaled to a full year by days"


FORCED_KINDS = ("eradication_forced_ha", "eradication_aerial_ha")
"""Eradication kinds fed to the model as forced eradication when there is no total."""

AERIAL_EQUIVALENT = 0.07
"""Hectares of forced manual eradication that one hectare sprayed from the air is worth
(derived: one more hectare sprayed removes 0.022-0.03 ha of coca in the same year [Mejia2017],
one more hectare eradicated by hand 0.44 ha [Ibanez2017], a ratio of 0.05-0.07; plausible
range 0.05-0.3, the upper end a judgement: sprayed fields also lose yield [Mejia2016]). Sprayed
hectares are gross (fields sprayed again, plants that survive), so they are not hectares removed.
"""
KIND_WEIGHT = {"eradication_forced_ha": 1.0, "eradication_aerial_ha": AERIAL_EQUIVALENT}


def eradication_input(data: Dataset, years: np.ndarray) -> list[Bridged]:
    """National forced eradication for each year, bridged by :func:`bridge_eradication`.

    ``eradication_ha`` (a total of unknown kind) is used where the dataset has it. Otherwise
    each forced kind it has (forced manual, aerial spraying) is bridged on its own and the
    kinds are added, aerial hectares weighted by :data:`AERIAL_EQUIVALENT`: the model has one
    forced-eradication input (the data keeps the kinds apart). Voluntary eradication is not
    included.
    """
    if "eradication_ha" in data.variables or not any(k in data.variables for k in FORCED_KINDS):
        return bridge_eradication(data, years, "eradication_ha")
    parts = [bridge_eradication(data, years, k) for k in FORCED_KINDS if k in data.variables]
    out = []
    for rows in zip(*parts, strict=True):
        kinds = [k for k in FORCED_KINDS if k in data.variables]
        rule = "; ".join(f"{k.removeprefix('eradication_').removesuffix('_ha')}: {r.rule}"
                         for k, r in zip(kinds, rows, strict=True))
        value = sum(KIND_WEIGHT[k] * r.value for k, r in zip(kinds, rows, strict=True))
        out.append(Bridged(rows[0].year, float(value),
                           f"manual + {AERIAL_EQUIVALENT} x aerial, fed as forced eradication "
                           f"({rule})"))
    return out


def bridge_eradication(data: Dataset, years: np.ndarray,
                       variable: str = "eradication_ha") -> list[Bridged]:
    """National eradication (``variable``) for each year: the full-year figure where the data
    has one; otherwise the largest part-year figure (scaled to a full year by days when its end
    date is known, else used as a lower bound); otherwise linear between the nearest years with
    values; after the last value, held at it.
    """
    if variable not in data.variables:
        return [Bridged(int(y), 0.0, "no eradication data: 0") for y in years]
    full = data.national(variable)
    parts = data.series(variable, zone="national", points=True)
    parts = parts[parts["period"] != "year"]
    known: dict[int, Bridged] = {}
    for year in years:
        year = int(year)
        if year in full.index and not np.isnan(full[year]):
            known[year] = Bridged(year, float(full[year]), "full-year figure")
            continue
        rows = parts[parts["year"] == year]
        if len(rows):
            best = rows.loc[rows["value"].idxmax()]
            value, rule = _full_year_equivalent(str(best["period"]), float(best["value"]), year)
            known[year] = Bridged(year, value, f"{rule} ({best['source_id']})")
    anchors = sorted(known)
    out = []
    for year in years:
        year = int(year)
        if year in known:
            out.append(known[year])
            continue
        before = [a for a in anchors if a < year]
        after = [a for a in anchors if a > year]
        if before and after:
            a, b = before[-1], after[0]
            va, vb = known[a].value, known[b].value
            value = va + (vb - va) * (year - a) / (b - a)
            out.append(Bridged(year, value, f"gap: linear between {a} and {b}"))
        elif before:
            out.append(Bridged(year, known[before[-1]].value, f"gap: held at {before[-1]}"))
        elif after:
            out.append(Bridged(year, known[after[0]].value, f"gap: held at {after[0]}"))
        else:
            out.append(Bridged(year, 0.0, "no eradication data: 0"))
    return out


def known_at(data: Dataset, cutoff: int) -> Dataset:
    """The dataset as an analyst had it at ``cutoff``: no observation of a later year."""
    rows = data.observations[data.observations["year"] <= cutoff].reset_index(drop=True)
    return replace(data, observations=rows)


def history_inputs(
    data: Dataset, start_year: int, end_year: int, until: int | None = None
) -> tuple[Inputs, list[Bridged]]:
    """Inputs for simulating ``start_year``..``end_year`` with observed eradication as input.

    No programme levers are set (their history is not in the data); the observed eradication
    stands for forced and voluntary eradication together. With ``until`` (a backtest's cut-off)
    the initial state (:func:`cnplan.model.inputs.initial_area`), the zone weights and each
    zone's land cap (its largest observed area) use only the data up to that year
    (:func:`known_at`); the eradication series itself is an input for every simulated year.
    """
    plan = parse_plan(
        {
            "name": f"history-{data.name}",
            "country": data.country,
            "data": data.name,
            "start_year": start_year,
            "end_year": end_year,
            "phases": [
                {
                    "name": "history",
                    "start": start_year,
                    "end": end_year,
                    "political_will": 1.0,
                    "hard_core_eradication": True,
                }
            ],
            "goals": {
                "hold_the_line": {"base_year": start_year - 1, "by_year": start_year},
                "marginal_producer": {"by_year": end_year},
                "stability_point": {"by_year": end_year},
            },
        },
        source="history",
    )
    # Everything but the eradication series from the data known at ``until``: the initial area
    # of zones reported inside an aggregate is split by the zones' shares in the first year
    # they are observed apart (Peru 2018, Colombia 2017), which a 2010 cut-off does not know.
    inputs = build_inputs(plan, data if until is None else known_at(data, until))
    bridged = eradication_input(data, inputs.years)
    weights, rule = eradication_zone_weights(data, until)
    changes = {}
    if until is not None:
        zones = data.zone_ids
        if len(zones) > 1:
            table = data.by_zone("coca_ha").reindex(columns=zones)
        else:
            table = data.national("coca_ha").to_frame()
        seen = table[table.index <= until].max(axis=0).to_numpy(float)
        changes["area_cap"] = np.fmax(seen, inputs.area0)
        # The engine reads the cap from the geography: replace it there too (it was built from
        # every observed year, which would tell a backtest its test years' peak).
        changes["geography"] = replace(inputs.geography, land_cap=changes["area_cap"])
        rule = f"{rule}; land caps from areas observed up to {until}"
    inputs = replace(
        inputs,
        **changes,
        observed_eradication=np.array([b.value for b in bridged]),
        eradication_zone_weight=weights,
        notes=[*inputs.notes, rule],
    )
    return inputs, bridged

"""The ``status-quo`` plan generated from a dataset: the latest observed levels held.

Any dataset can be run without a hand-written plan: the plan starts the year after the last
observed coca area and holds eradication (by kind, as the data gives it) and alternative
development at their latest observed full-year levels for ten years. Every number in the
generated file names the year and variable it comes from, and every rule is stated in a
comment, so a user can print it (``cnplan plan new --from-data NAME PATH``) and edit it.
"""

from __future__ import annotations

import numpy as np
import yaml

from cnplan.data import Dataset
from cnplan.plans.levers import NATIONAL
from cnplan.plans.schema import Plan, parse_plan

NAME = "status-quo"
HORIZON = 10
FORCED_KINDS = ("eradication_ha", "eradication_forced_ha", "eradication_aerial_ha")


def _latest(data: Dataset, variable: str) -> tuple[int, float] | None:
    if variable not in data.variables:
        return None
    s = data.national(variable).dropna()
    return (int(s.index[-1]), float(s.iloc[-1])) if len(s) else None


def _forced(data: Dataset) -> tuple[float, list[str]]:
    """Latest forced eradication: the total of unknown kind, else forced manual + aerial."""
    total = _latest(data, "eradication_ha")
    if total is not None:
        return total[1], [f"eradication_ha {total[0]}: {total[1]:,.0f} ha"]
    value, notes = 0.0, []
    for variable in FORCED_KINDS[1:]:
        got = _latest(data, variable)
        if got is not None:
            value += got[1]
            notes.append(f"{variable} {got[0]}: {got[1]:,.0f} ha")
    return value, notes or ["no full-year forced eradication in the data: 0"]


def _split(data: Dataset, total: float) -> tuple[dict[str, float], str]:
    """Split a national level over zones by each zone's latest observed coca area."""
    zones = data.zone_ids
    if len(zones) == 1:
        return {zones[0]: total}, "one zone"
    table = data.by_zone("coca_ha").dropna(how="all")
    if table.empty:
        return {z: total / len(zones) for z in zones}, "equal shares (no coca area by zone)"
    latest = table.ffill().iloc[-1].fillna(0.0)
    weights = latest.to_numpy(float)
    if weights.sum() <= 0:
        return {z: total / len(zones) for z in zones}, "equal shares"
    shares = weights / weights.sum()
    return ({z: round(float(total * w), 1) for z, w in zip(zones, shares, strict=True)},
            f"each zone's latest observed coca area (up to {int(table.index[-1])})")


def status_quo_dict(data: Dataset, horizon: int = HORIZON) -> tuple[dict, list[str]]:
    """The status-quo plan of ``data`` as a plan mapping, with the comments explaining it."""
    coca = data.national("coca_ha").dropna()
    last = int(coca.index[-1])
    start, end = last + 1, last + horizon
    forced, forced_notes = _forced(data)
    split, rule = _split(data, forced)
    voluntary = _latest(data, "eradication_voluntary_ha")
    ad = _latest(data, "ad_funding_musd")
    notes = [
        f"Generated from dataset {data.name!r} (version {data.version}): the latest observed "
        f"levels held from {start} to {end} (ASSUMPTION: no change of policy).",
        f"forced_eradication = {forced:,.0f} ha/yr from {'; '.join(forced_notes)}; the model "
        "has one forced-eradication lever, so aerial spraying and manual eradication are "
        "added (the data keeps them apart).",
        f"Split over zones by {rule} (ASSUMPTION: the split by zone is not in the data).",
        ("voluntary_eradication = "
         + (f"{voluntary[1]:,.0f} ha/yr ({voluntary[0]})" if voluntary else
            "0: no full-year voluntary eradication in the data (cumulative or part-year "
            "figures are not annual levels)")) + ".",
        ("ad_funding = " + (f"{ad[1]:g} million USD/yr ({ad[0]})" if ad else
                            "0: no alternative-development spending in USD in the data")) + ".",
        "political_will 1.0: the levers are levels observed as done, not targets (ASSUMPTION).",
    ]
    levers: dict[str, dict] = {"forced_eradication": {z: {start: v} for z, v in split.items()}}
    if voluntary:
        vol, _ = _split(data, voluntary[1])
        levers["voluntary_eradication"] = {z: {start: v} for z, v in vol.items()}
    if ad:
        fund, _ = _split(data, ad[1])
        levers["ad_funding"] = {z: {start: v} for z, v in fund.items()}
    raw = {
        "name": NAME,
        "title": f"{data.country or data.name}: status quo from {start} (generated)",
        "description": " ".join(notes),
        "country": data.country or data.name,
        "data": data.name,
        "start_year": start,
        "end_year": end,
        "phases": [{"name": "status quo", "start": start, "end": end, "political_will": 1.0,
                    "hard_core_eradication": bool(np.any(np.array(list(split.values())) > 0)),
                    "voluntary_in_hard_core": False}],
        "levers": levers,
        "goals": {"hold_the_line": {"base_year": last, "by_year": end},
                  "marginal_producer": {"by_year": end},
                  "stability_point": {"by_year": end}},
    }
    return raw, notes


def status_quo_plan(data: Dataset, horizon: int = HORIZON) -> Plan:
    """The validated status-quo plan of ``data``."""
    raw, _ = status_quo_dict(data, horizon)
    return parse_plan(raw, source=f"{NAME} ({data.name})")


def status_quo_text(data: Dataset, horizon: int = HORIZON) -> str:
    """The status-quo plan as an editable YAML plan file, its rules as comments."""
    raw, notes = status_quo_dict(data, horizon)
    head = [f"# {line}" for line in notes]
    head.insert(0, f"# {NAME} plan for dataset {data.name}: edit any lever, then "
                   "`cnplan plan validate` and `cnplan run` this file.")
    body = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=98)
    return "\n".join(head) + "\n" + body


__all__ = ["NAME", "NATIONAL", "status_quo_dict", "status_quo_plan", "status_quo_text"]

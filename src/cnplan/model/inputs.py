"""What the simulator needs from a plan and a dataset, as plain arrays over (year, zone).

The plan gives the levers and phases; the dataset gives the zones, their kinds and the state in
the year before the plan starts. Where the data cannot give a number without a rule (a zone
whose area the source reported only inside an aggregate such as 2004's "Elsewhere"), the rule
is applied here, openly, and recorded in ``Inputs.notes`` so that a run says what it assumed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cnplan.data import Dataset
from cnplan.plans import LEVERS, Plan

log = logging.getLogger(__name__)

TRADITIONAL, HARD_CORE, EXPANSION = 0, 1, 2
KIND_CODES = {"traditional": TRADITIONAL, "hard_core": HARD_CORE, "expansion": EXPANSION}


class ModelInputError(Exception):
    """The data cannot give the simulator what it needs (e.g. no area for the start)."""


@dataclass
class Inputs:
    """Arrays the engine reads: levers by (year, zone) or (year,), phases, initial state.

    A lever may also be set per scenario of a chunk: (year, scenario, zone) or (year, scenario),
    so that ``levers[name][t]`` is (S, Z) or (S,) and broadcasts with the engine's state (an
    exploration varies levers across the rows of one batched call). Likewise
    ``political_will`` may be (year, scenario) and ``price0`` an (S,) array. Such inputs belong
    to one chunk; :func:`take_scenarios` selects rows of them (the engine's counterfactual
    branches run on subsets of a chunk).
    """

    years: np.ndarray  # simulated years, including the extra years of counterfactual branches
    zones: list[str]
    kinds: np.ndarray  # (Z,) TRADITIONAL | HARD_CORE | EXPANSION
    area0: np.ndarray  # (Z,) standing coca at the end of the year before the start, ha
    area_cap: np.ndarray  # (Z,) largest area observed in each zone, ha
    eradication0: np.ndarray  # (Z,) or (S, Z) eradication in the year before the start, ha
    price0: float | np.ndarray  # leaf price in the year before the start, USD/kg (or (S,))
    levers: dict[str, np.ndarray]
    political_will: np.ndarray  # (T,) or (T, S)
    hard_core_eradication: np.ndarray  # (T,) bool
    voluntary_hard_core: np.ndarray  # (T,) bool
    notes: list[str] = field(default_factory=list)
    observed_eradication: np.ndarray | None = None  # (T,) national ha done, in history mode
    hard_core_weight: float = 1.0  # weight of hard-core zones when spreading it over zones
    eradication_zone_weight: np.ndarray | None = None  # (Z,) further weights by zone, if any

    eradication_before: float = 0.0  # national eradication in the year before the start, ha
    per_scenario: bool = False  # True when some lever, will or price0 is set per scenario

    @property
    def supply0(self) -> float:
        return float(self.area0.sum())


class _ScenarioRows:
    """A per-scenario (T, S[, Z]) array seen through a subset of its scenarios, year by year.

    Lazy on purpose: a counterfactual branch reads only a few years of a few scenarios, so
    gathering the whole array for it would cost more than the branch itself.
    """

    __slots__ = ("rows", "value")

    def __init__(self, value: np.ndarray, rows: np.ndarray):
        self.value = value
        self.rows = rows

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def __getitem__(self, t: int) -> np.ndarray:
        year = self.value[t][self.rows]
        return np.asfortranarray(year) if year.ndim == 2 else year  # column-major: see engine.P


def take_scenarios(inputs: Inputs, rows: np.ndarray) -> Inputs:
    """The inputs of the scenarios ``rows`` of a chunk (shared arrays are kept as they are)."""
    if not inputs.per_scenario:
        return inputs
    levers = {}
    for name, value in inputs.levers.items():
        shared_ndim = 2 if LEVERS[name].scope == "zone" else 1
        levers[name] = _ScenarioRows(value, rows) if value.ndim > shared_ndim else value
    will = inputs.political_will
    price0 = inputs.price0
    return replace(
        inputs,
        levers=levers,
        political_will=_ScenarioRows(will, rows) if will.ndim == 2 else will,
        price0=price0[rows] if np.ndim(price0) == 1 else price0,
    )


def _latest(series: pd.Series, year: int) -> tuple[int, float] | None:
    s = series.dropna()
    s = s[s.index <= year]
    return (int(s.index[-1]), float(s.iloc[-1])) if len(s) else None


def _shares_from_complete_year(table: pd.DataFrame, zones: list[str]) -> tuple[int, np.ndarray]:
    complete = table[zones].dropna()
    complete = complete[complete.sum(axis=1) > 0]
    if complete.empty:
        return -1, np.full(len(zones), 1.0 / len(zones))
    year = int(complete.index[0])
    row = complete.iloc[0].to_numpy(float)
    return year, row / row.sum()


def initial_area(data: Dataset, year: int) -> tuple[np.ndarray, list[str]]:
    """Standing coca by model zone at the end of ``year``, with the rules used to fill zones.

    Zones observed that year take their value. Zones reported only inside an aggregate (such
    as "Elsewhere") share the aggregate's value in proportion to their areas in the first
    year in which all of them were observed; if the national total exists, any zone still
    unknown shares the remainder the same way. Each rule used is returned as a note.
    """
    zones = data.zone_ids
    notes: list[str] = []
    national = data.national("coca_ha")
    if len(zones) == 1:
        got = _latest(national, year)
        if got is None:
            raise ModelInputError(f"dataset {data.name}: no national coca_ha in or before {year}")
        if got[0] != year:
            notes.append(f"initial coca area: latest national value is for {got[0]}, not {year}")
        return np.array([got[1]]), notes
    table = data.by_zone("coca_ha")
    if year in table.index:
        area = table.loc[year, zones].to_numpy(float, copy=True)
    else:
        area = np.full(len(zones), np.nan)
    for row in data.aggregates("coca_ha").itertuples(index=False):
        members = [z for z in row.zone_ids if z in zones]
        if (
            row.year != year
            or not members
            or not np.isnan(area[[zones.index(z) for z in members]]).all()
        ):
            continue
        ref_year, shares = _shares_from_complete_year(table, members)
        for z, share in zip(members, shares, strict=True):
            area[zones.index(z)] = row.value * share
        notes.append(
            f"initial coca area {year}: '{row.zone}' ({row.value:,.0f} ha, {row.source_id}) split "
            f"over {', '.join(members)} by their shares in {ref_year} (assumption: the split of an "
            "aggregate is not observed)"
        )
    missing = [z for z, a in zip(zones, area, strict=True) if np.isnan(a)]
    if missing:
        nat = national.get(year, np.nan)
        if np.isnan(nat):
            raise ModelInputError(
                f"dataset {data.name}: no coca_ha for zones {', '.join(missing)} in {year} and no "
                "national total to share out; start the plan in a year with data"
            )
        rest = max(nat - np.nansum(area), 0.0)
        ref_year, shares = _shares_from_complete_year(table, missing)
        for z, share in zip(missing, shares, strict=True):
            area[zones.index(z)] = rest * share
        notes.append(
            f"initial coca area {year}: zones {', '.join(missing)} share the national remainder "
            f"({rest:,.0f} ha) by their shares in {ref_year} (assumption)"
        )
    return area, notes


def build_inputs(
    plan: Plan, data: Dataset, extra_years: int = 0, until: int | None = None
) -> Inputs:
    """Turn a plan and a dataset into the engine's arrays.

    Parameters
    ----------
    plan : the validated plan.
    data : the dataset the plan runs on; its zones must cover the plan's zone levers.
    extra_years : years simulated after the last reported year (for counterfactual branches);
        levers hold their last values there.
    until : last reported year, if not the plan's own end year.
    """
    plan.check_zones(data.zone_ids)
    end = plan.end_year if until is None else until
    if end < plan.start_year:
        raise ModelInputError(
            f"until: must be >= the plan's start year {plan.start_year}, got {end}"
        )
    years = np.arange(plan.start_year, end + 1 + extra_years)
    zones = data.zone_ids
    y0 = plan.start_year - 1
    area0, notes = initial_area(data, y0)
    table = data.by_zone("coca_ha") if len(zones) > 1 else pd.DataFrame({zones[0]: data.national()})
    cap = np.fmax(table.reindex(columns=zones).max(axis=0).to_numpy(float), area0)
    kinds = np.array([KIND_CODES[k] for k in data.zones["kind"]])

    levers = {lever: plan.lever_array(lever, zones, years) for lever in LEVERS}

    price0 = _initial_price(data, y0, notes)
    erad = (
        _latest(data.national("eradication_ha"), y0) if "eradication_ha" in data.variables else None
    )
    if erad is None or erad[0] != y0:
        notes.append(f"eradication in {y0}: not in the data, taken as 0 for replanting in {y0 + 1}")
        eradication0 = np.zeros(len(zones))
    else:
        eradication0 = spread_eradication(erad[1], levers["forced_eradication"][0], area0)
        notes.append(
            f"eradication in {y0} ({erad[1]:,.0f} ha, national) spread over zones like the plan's "
            f"first-year forced eradication (assumption: its split by zone is not in the data)"
        )
    phases = [plan.phase_of(int(y)) for y in years]
    return Inputs(
        years=years,
        zones=zones,
        kinds=kinds,
        area0=area0,
        area_cap=cap,
        eradication0=eradication0,
        eradication_before=0.0 if erad is None or erad[0] != y0 else erad[1],
        price0=price0,
        levers=levers,
        political_will=np.array([ph.political_will for ph in phases]),
        hard_core_eradication=np.array([ph.hard_core_eradication for ph in phases]),
        voluntary_hard_core=np.array([ph.voluntary_in_hard_core for ph in phases]),
        notes=notes,
    )


def spread_eradication(total: float, pattern: np.ndarray, area0: np.ndarray) -> np.ndarray:
    """Spread the year-before eradication over zones like the plan's first-year forced
    eradication (by standing area if the plan has none); ``pattern`` is (Z,) or (S, Z).

    Its split by zone is not in the data; this is the stated assumption of ``build_inputs``.
    """
    weights = np.where(pattern.sum(axis=-1, keepdims=True) > 0, pattern, area0)
    return total * weights / weights.sum(axis=-1, keepdims=True)


def _initial_price(data: Dataset, year: int, notes: list[str]) -> float:
    if "leaf_price" in data.variables:
        got = _latest(data.national("leaf_price"), year)
        if got is None:
            series = data.national("leaf_price").dropna()
            got = (int(series.index[0]), float(series.iloc[0]))
        if got[0] != year:
            notes.append(
                f"leaf price in {year}: not in the data; the {got[0]} value "
                f"({got[1]} USD/kg) is used"
            )
        return got[1]
    notes.append(
        "leaf price: not in the data; the model starts at 2.8 USD/kg, Peru's 2004 farm-gate "
        "price (S01), as an assumption"
    )
    return 2.8

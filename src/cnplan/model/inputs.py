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
from cnplan.data.boundaries import centroid_km, has_boundaries, load_boundaries, touching_pairs
from cnplan.errors import CnplanError
from cnplan.model.geography import (
    EXPANSION,
    HARD_CORE,
    KIND_CODES,
    TRADITIONAL,
    Geography,
    GeographyError,
    decay_links,
    geography,
    one_country,
)
from cnplan.plans import LEVERS, NATIONAL, Plan

log = logging.getLogger(__name__)

__all__ = ["EXPANSION", "HARD_CORE", "KIND_CODES", "TRADITIONAL", "Inputs", "build_inputs"]


class ModelInputError(CnplanError):
    """The data cannot give the simulator what it needs (e.g. no area for the start)."""


@dataclass
class Inputs:
    """Arrays the engine reads: levers by (year, unit) or (year, country), phases, initial
    state, and the :class:`Geography` (built from ``zones``, ``kinds`` and ``area_cap`` as one
    country when not given).

    A lever may also be set per scenario of a chunk: (year, scenario, unit) or (year, scenario,
    country), so that ``levers[name][t]`` is (S, U) or (S, C) and broadcasts with the engine's
    state (an exploration varies levers across the rows of one batched call); a country lever
    given as (year,) applies to every country. ``political_will`` may be (year, scenario) and
    ``price0`` (C,), (S,) or (S, C). Such inputs belong to one chunk; :func:`take_scenarios`
    selects rows of them (the engine's counterfactual branches run on subsets of a chunk).
    ``scoped_eradication`` holds the plan's forced-eradication targets for groups or countries:
    (mask (U,), values (T,)) pairs, attributed and redirected where coca is (docs/model.md §8).
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
    geography: Geography | None = None
    scoped_eradication: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.geography is None:
            self.geography = one_country(self.zones, self.kinds, self.area_cap)

    @property
    def supply0(self) -> np.ndarray:
        """Standing coca per country at the start, ha (C,)."""
        return self.geography.country_sum(np.asarray(self.area0, dtype=float))


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
        levers[name] = _ScenarioRows(value, rows) if value.ndim == 3 else value
    will = inputs.political_will
    price0 = np.asarray(inputs.price0)
    per_row = price0.ndim == 2 or (price0.ndim == 1 and price0.shape != inputs.supply0.shape)
    return replace(
        inputs,
        levers=levers,
        political_will=_ScenarioRows(will, rows) if will.ndim == 2 else will,
        price0=price0[rows] if per_row else inputs.price0,
    )


def _latest(series: pd.Series, year: int) -> tuple[int, float] | None:
    s = series.dropna()
    s = s[s.index <= year]
    return (int(s.index[-1]), float(s.iloc[-1])) if len(s) else None


EQUAL_SPLIT = (
    "equally (assumption: no year in the data observes them all apart, e.g. a backtest's "
    "cut-off before the first such survey)"
)


def _shares_from_complete_year(table: pd.DataFrame, zones: list[str]) -> tuple[str, np.ndarray]:
    """The zones' shares in the first year all of them are observed, and how they were got;
    equal shares when the data (e.g. cut at a backtest's cut-off) has no such year.
    """
    complete = table.reindex(columns=zones).dropna()
    complete = complete[complete.sum(axis=1) > 0]
    if complete.empty:
        return EQUAL_SPLIT, np.full(len(zones), 1.0 / len(zones))
    year = int(complete.index[0])
    row = complete.iloc[0].to_numpy(float)
    return f"by their shares in {year}", row / row.sum()


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
        how, shares = _shares_from_complete_year(table, members)
        for z, share in zip(members, shares, strict=True):
            area[zones.index(z)] = row.value * share
        notes.append(
            f"initial coca area {year}: '{row.zone}' ({row.value:,.0f} ha, {row.source_id}) split "
            f"over {', '.join(members)} {how} (assumption: the split of an aggregate is not "
            "observed)"
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
        how, shares = _shares_from_complete_year(table, missing)
        for z, share in zip(missing, shares, strict=True):
            area[zones.index(z)] = rest * share
        notes.append(
            f"initial coca area {year}: zones {', '.join(missing)} share the national remainder "
            f"({rest:,.0f} ha) {how} (assumption)"
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
    geo = geography_of(data)
    plan.check_zones(data.zone_ids, groups=list(geo.groups), countries=list(geo.countries))
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
    geo = replace(geo, land_cap=cap)
    levers, scoped = plan_levers(plan, geo, years, area0, notes)
    price0 = np.full(geo.n_countries, _initial_price(data, y0, notes))
    erad = (
        _latest(data.national("eradication_ha"), y0) if "eradication_ha" in data.variables else None
    )
    if erad is None or erad[0] != y0:
        notes.append(f"eradication in {y0}: not in the data, taken as 0 for replanting in {y0 + 1}")
        eradication0 = np.zeros(len(zones))
    else:
        eradication0 = spread_eradication(erad[1], levers["forced_eradication"][0], area0)
        notes.append(
            f"eradication in {y0} ({erad[1]:,.0f} ha, national) spread over zones by their "
            "standing coca, as a national eradication figure is in a history replay "
            "(assumption: its split by zone is not in the data)"
        )
    phases = [plan.phase_of(int(y)) for y in years]
    return Inputs(
        years=years,
        zones=zones,
        kinds=geo.kinds,
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
        geography=geo,
        scoped_eradication=scoped,
    )


def geography_of(data: Dataset) -> Geography:
    """The dataset's zones as a :class:`Geography`: one unit per zone, its country and kind;
    one group per kind (``hard_core``, ``traditional``, ``expansion``). When the dataset ships
    polygons (``boundaries.geojson``) displacement follows their borders with a distance decay
    (:func:`spatial_links`); without them it is all-to-all within a country. Land caps are set
    by :func:`build_inputs` from the observed areas.
    """
    zones = data.zones
    kinds = list(zones["kind"])
    units = list(zones["zone_id"])
    groups = {k: [u for u, kk in zip(units, kinds, strict=True) if kk == k] for k in KIND_CODES}
    try:
        return geography(
            units,
            [str(c) for c in zones["country"]],
            kinds,
            np.zeros(len(units)),
            groups={k: v for k, v in groups.items() if v},
            adjacency=spatial_links(data, units),
        )
    except GeographyError as e:
        raise ModelInputError(f"dataset {data.name}, zones.csv: {e}") from None


def spatial_links(data: Dataset, units: list[str]) -> list[tuple[str, str, float]] | None:
    """Displacement links from the dataset's zone polygons: neighbours whose polygons share a
    border, weighted by distance decay (:func:`cnplan.model.geography.decay_links`); None
    when the dataset has no polygons for every zone.
    """
    if not data.path or not has_boundaries(data.path):
        return None
    polygons = load_boundaries(data.path).zones
    if set(units) - set(polygons):
        return None
    polygons = {u: polygons[u] for u in units}
    return decay_links(units, touching_pairs(polygons), centroid_km(polygons))


def plan_levers(
    plan: Plan, geo: Geography, years: np.ndarray, area0: np.ndarray, notes: list[str]
) -> tuple[dict[str, np.ndarray], list[tuple[np.ndarray, np.ndarray]]]:
    """The plan's levers as engine arrays: unit levers (T, U), country levers (T, C), and the
    forced-eradication targets given for a group, a country or ``national``.

    A unit lever keyed by a group, a country or ``national`` applies to that scope's units:
    forced eradication as a scoped target (attributed and redirected where coca is, each year,
    by the engine); an index lever (0-1) as the value of every unit of the scope without its
    own; any other amount spread over the scope's units by their standing coca at the start
    (noted). A country lever keyed ``national`` applies to every country; a country's own key
    overrides it there.
    """
    levers: dict[str, np.ndarray] = {}
    scoped: list[tuple[np.ndarray, np.ndarray]] = []
    units = list(geo.units)
    for lever, spec in LEVERS.items():
        by_key = plan.levers.get(lever, {})
        if spec.scope == "national":
            out = np.repeat(plan.lever_array(lever, units, years)[:, None], geo.n_countries, 1)
            for j, country in enumerate(geo.countries):
                if country in by_key:
                    out[:, j] = _schedule(by_key[country], years)
            levers[lever] = out
            continue
        out = plan.lever_array(lever, units, years)
        for key, schedule in by_key.items():
            if key in units:
                continue
            mask = np.ones(len(units), bool) if key == NATIONAL else geo.scope(key)
            values = _schedule(schedule, years)
            if lever == "forced_eradication":
                scoped.append((mask, values))
            elif spec.maximum == 1.0:
                own = np.isin(units, list(by_key))
                out[:, mask & ~own] = values[:, None]
            else:
                weight = area0 * mask
                out += values[:, None] * weight / max(weight.sum(), 1e-12)
                notes.append(
                    f"{lever} for {key}: spread over its units by their standing coca at the "
                    "start (assumption)"
                )
        levers[lever] = out
    return levers, scoped


def _schedule(schedule: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A lever schedule as a (T,) array (held from each given year, 0 before the first)."""
    out = np.zeros(len(years))
    for year in sorted(schedule):
        out[years >= year] = schedule[year]
    return out


def spread_eradication(total: float, pattern: np.ndarray, area0: np.ndarray) -> np.ndarray:
    """Spread the year-before eradication over zones by their standing coca (``area0``), as a
    history replay spreads a national eradication figure; (Z,) or (S, Z) like ``pattern``.

    Its split by zone is not in the data. It used to follow the plan's first-year targets, so
    a larger planned target raised the replanting there although nothing more had been
    eradicated; replanting follows what was done, and where it was done is not known.
    """
    weights = np.broadcast_to(np.asarray(area0, dtype=float), np.shape(pattern))
    return total * weights / np.maximum(weights.sum(axis=-1, keepdims=True), 1e-12)


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

"""The batched yearly step: the mechanisms of :mod:`cnplan.model.mechanisms` in sequence.

Every state variable is an array over (scenario, unit) or (scenario, country); one call of
:func:`step` advances all scenarios of a batch by one year with plain numpy, without a Python
loop over scenarios, units or countries. Space is the inputs' :class:`Geography`. The step is
deterministic given the random shocks it is handed, so a slow one-scenario reference
implementation (``tests/model/reference.py``) can be pinned to it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from cnplan.model import eradication as er
from cnplan.model import mechanisms as m
from cnplan.model.geography import HARD_CORE
from cnplan.model.inputs import Inputs
from cnplan.model.outputs import COUNTRY_FLOWS, UNIT_FLOWS
from cnplan.model.parameters import FIXED_VALUES, PARAM_INDEX

ZONE_FLOWS = UNIT_FLOWS  # the names of earlier versions
NATIONAL_FLOWS = COUNTRY_FLOWS


class P:
    """The parameters of a batch, by name: ``p.replant_share`` is an (S, 1) column,
    ``p.col("replant_share")`` an (S,) one; a fixed constant (``parameters.FIXED``) is a float.

    ``n_zones`` and ``workspace`` are accepted for callers of earlier versions and unused.
    """

    def __init__(self, values: np.ndarray, n_zones: int | None = None, workspace=None):
        self._values = np.asarray(values, dtype=float)

    @property
    def n(self) -> int:
        return self._values.shape[0]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in FIXED_VALUES:
            value = FIXED_VALUES[name]
        else:
            value = self._values[:, PARAM_INDEX[name], None]
        self.__dict__[name] = value  # looked up once per batch
        return value

    def col(self, name: str) -> np.ndarray:
        """A parameter as an (S,) array."""
        return self._values[:, PARAM_INDEX[name]]


def _params(params: np.ndarray | P) -> P:
    return params if isinstance(params, P) else P(params)


@dataclass
class State:
    """The model's state at the end of a year: (S, U) per unit, (S, C) per country."""

    area: np.ndarray  # standing coca, ha (S, U): net area at 31 December, as surveys measure it
    pipeline: np.ndarray  # displaced planting being cleared, counted next year, ha (S, U)
    replant_pool: np.ndarray  # eradicated area that will be replanted next year, ha (S, U)
    ad_area: np.ndarray  # voluntarily eradicated area held under AD support, ha (S, U)
    abandoned: np.ndarray  # abandoned fields that can be brought back, ha (S, U)
    resistance: np.ndarray  # resistance to forced eradication, 0-1 (S, U)
    police: np.ndarray  # anti-drug police in service, persons (S, C)
    price_shock: np.ndarray  # AR(1) log leaf-price shock (S, C)
    precursor_adapt: np.ndarray  # traffickers' adaptation to precursor control, 0-1 (S, C)
    outreach: np.ndarray  # cumulative outreach spending, million USD (S, C)
    poppy: np.ndarray  # opium poppy, ha (S, C)
    domestic_budget: np.ndarray  # the state's own CN budget, million USD/yr (S, C)
    risk: np.ndarray  # growers' perceived eradication risk: smoothed eradicated share (S, U)

    def copy(self) -> State:
        return State(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def take(self, rows: np.ndarray) -> State:
        """The state of scenarios ``rows`` (every field)."""
        return State(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


class Flows(dict):
    """What happened during a year, by the keys declared in :mod:`cnplan.model.outputs`
    (plus ``cost``, the plan's programme cost per country, million USD); also as attributes.
    """

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def initial_state(inputs: Inputs, params: np.ndarray | P) -> State:
    """The state at the end of the year before the plan starts, from the data."""
    p = _params(params)
    geo = inputs.geography
    s, c = p.n, geo.n_countries
    zeros = np.zeros((s, geo.n_units))
    hard = geo.kinds == HARD_CORE
    eradication0 = np.asarray(inputs.eradication0, dtype=float)
    rate = m.replant_rate(hard, 0.0, 1.0, p)  # no presence or AD yet
    risk0 = eradication0 / np.maximum(inputs.area0 + eradication0, 1.0)
    return State(
        area=inputs.area0 + zeros,
        pipeline=zeros.copy(),
        replant_pool=rate * eradication0 * (1.0 - p.replant_same_year_share) + zeros,
        ad_area=zeros.copy(),
        abandoned=zeros.copy(),
        resistance=np.where(hard, p.resistance_initial_hard_core, 0.0) + zeros,
        police=np.zeros((s, c)),
        price_shock=np.zeros((s, c)),
        precursor_adapt=np.zeros((s, c)),
        outreach=np.zeros((s, c)),
        poppy=p.col("poppy_initial_ha")[:, None] * geo.poppy_weight,
        domestic_budget=p.col("domestic_budget")[:, None] * geo.budget_weight,
        risk=np.minimum(risk0, 1.0) + zeros,
    )


def _rows(x) -> np.ndarray | float:
    """A plan-wide per-scenario value (S,) as an (S, 1) column; a scalar as it is."""
    return x[:, None] if np.ndim(x) == 1 else x


def _price0(price0, n_countries: int):
    """The start price as (C,) or (S, C): an (S,) array (an exploration's per-scenario price
    shock) applies to every country.
    """
    price0 = np.asarray(price0, dtype=float)
    if price0.ndim == 1 and price0.shape != (n_countries,):
        return price0[:, None]
    return price0


def _costs(inputs: Inputs, t: int, police, ask: er.Asks, p):
    """§1 The plan's yearly cost per country, million USD: (standing programmes, eradication)."""
    lv, geo = inputs.levers, inputs.geography
    police_cost = p.col("police_cost")[:, None] / 1e6
    standing = (
        geo.country_sum(lv["ad_funding"][t])
        + (police + geo.country_sum(lv["forward_base_police"][t]) + lv["eradication_security"][t])
        * police_cost
        + (lv["road_interdiction_groups"][t] + lv["port_inspection_teams"][t])
        * p.col("team_cost")[:, None]
        + lv["outreach_campaigns"][t]
    )
    return standing, geo.country_sum(ask.costed) * p.col("eradication_cost")[:, None] / 1e6


def _leaf_price(inputs: Inputs, t: int, state: State, share, total, covered, price_noise, p):
    """§4 The leaf price per country and the state it carries: (price, shock, precursor)."""
    lv, geo = inputs.levers, inputs.geography
    demand = inputs.supply0 * (1.0 + p.col("demand_growth")[:, None]) ** (t + 1)
    source = geo.country_sum(lv["source_interdiction"][t] * share) * covered
    routes = (lv["road_interdiction_groups"][t] + lv["port_inspection_teams"][t]) * covered
    precursor = lv["precursor_control"][t] * covered
    shock = m.price_shock(state.price_shock, _rows(price_noise), p)
    price = m.leaf_price(
        _price0(inputs.price0, geo.n_countries),
        np.maximum(total, 1.0),  # floored at 1 ha: no coca at all would mean an infinite price
        demand,
        m.interdiction(source, routes, p),
        np.maximum(precursor - state.precursor_adapt, 0.0),
        shock,
        p,
    )
    return price, shock, precursor


def scoped_targets(inputs: Inputs, t: int, area) -> list[er.Scoped]:
    """The year's scoped eradication targets; in history mode, the observed national figure."""
    if inputs.observed_eradication is not None:
        weight = np.where(inputs.geography.kinds == HARD_CORE, inputs.hard_core_weight, 1.0)
        if inputs.eradication_zone_weight is not None:
            weight = weight * inputs.eradication_zone_weight
        mask = np.ones(area.shape[1], dtype=bool)
        return [er.Scoped(mask, inputs.observed_eradication[t], weight, limited=False)]
    return [er.Scoped(mask, values[t]) for mask, values in inputs.scoped_eradication]


@dataclass
class _Programmes:
    """The state's side of a year (§1-3), per country (S, C) and per unit (S, U)."""

    police: np.ndarray
    capacity: np.ndarray
    covered: np.ndarray  # share of the standing programmes funded
    erad_covered: np.ndarray  # share of the planned eradication funded
    cost: np.ndarray
    outreach: np.ndarray
    will: np.ndarray
    presence: np.ndarray  # (S, U)


def _programmes(state, t, inputs: Inputs, p, assistance, ask, share) -> _Programmes:
    """§1-3: police, budget and coverage, political will and state presence."""
    geo, lv = inputs.geography, inputs.levers
    trained = lv["police_in_training"][t - 2] if t >= 2 else 0.0
    police = m.police_in_service(state.police, lv["police_graduates"][t], trained, p)
    standing, eradication_cost = _costs(inputs, t, police, ask, p)
    aid = lv["outside_assistance"][t] * _rows(np.asarray(assistance, dtype=float))
    capacity, covered, erad_covered = m.funding(
        state.domestic_budget, aid, standing, eradication_cost
    )
    outreach = state.outreach + lv["outreach_campaigns"][t] * covered
    unit_police = m.unit_police(
        lv["forward_base_police"][t], geo.to_units(police), share, geo.to_units(covered), p
    )
    return _Programmes(
        police=police,
        capacity=capacity,
        covered=covered,
        erad_covered=erad_covered,
        cost=standing + eradication_cost,
        outreach=outreach,
        will=m.political_will(_rows(inputs.political_will[t]), outreach, p),
        presence=m.presence(m.base_presence(geo.kinds, p), unit_police, p),
    )


def _eradication(state, t, inputs: Inputs, p, ask, prog: _Programmes, available, vol, rate):
    """§8: the room each unit has this year, then the one eradication path."""
    geo, lv = inputs.geography, inputs.levers
    hard = geo.kinds == HARD_CORE
    # The cap limits the *net* share removed: fields replanted within the year can be
    # eradicated again, so gross eradication can exceed the net cap.
    cap = p.eradication_max_share * available / (1.0 - rate * p.replant_same_year_share)
    feasible = np.where(hard & ~inputs.hard_core_eradication[t], p.hard_core_edge_share, 1.0)
    escort = p.col("eradication_base_capacity")[:, None] + p.col("escort_productivity")[:, None] * (
        lv["eradication_security"][t] * prog.covered
    )
    return er.forced_eradication(
        ask,
        np.minimum(cap, available - vol),
        geo.to_units(prog.erad_covered),
        feasible,
        state.resistance,
        geo.to_units(prog.will),
        escort,
        geo,
        p,
    )


def _growers(state, t, inputs: Inputs, p, price, prog: _Programmes, planting_noise):
    """§5-7: new planting against licit income, abandonment and regeneration, voluntary
    eradication with AD. Returns (new, abandon, regen, vol, relapse, free land, AD keep).
    """
    geo, lv, area = inputs.geography, inputs.levers, state.area
    break_even = p.break_even_price * (1.0 + m.licit_growth(p)) ** (t + 1)
    grow, decline = (geo.to_units(x) for x in m.planting_pull(price, break_even, p))
    land = m.free_land(area, geo.land_cap, p)
    ad_funds = lv["ad_funding"][t] * geo.to_units(prog.covered)
    keep = m.ad_keep(ad_funds, area, p)
    new = m.new_planting(area, grow, land, prog.presence, keep, state.risk, planting_noise, p)
    abandon, regen = m.abandonment(area, state.abandoned, grow, decline, p)
    hard = geo.kinds == HARD_CORE
    vol_target = lv["voluntary_eradication"][t] * np.where(hard, inputs.voluntary_hard_core[t], 1)
    vol, relapse = m.voluntary_eradication(vol_target, ad_funds, state.ad_area, p)
    return new, abandon, regen, vol, relapse, land, keep


def step(
    state: State,
    t: int,
    inputs: Inputs,
    params: np.ndarray | P,
    planting_noise: np.ndarray,
    price_noise: np.ndarray,
    assistance: bool | np.ndarray = True,
) -> tuple[State, Flows]:
    """Advance every scenario by one year (year index ``t`` of ``inputs.years``).

    ``planting_noise`` (S, U) and ``price_noise`` (S,) or (S, C) are standard-normal shocks;
    ``assistance`` False (or a boolean (S,) array) cuts outside assistance: the counterfactual
    branch of the stability point. ``params`` is the (S, k) parameter matrix or a :class:`P`.
    """
    p, geo, lv = _params(params), inputs.geography, inputs.levers
    hard = geo.kinds == HARD_CORE
    area = state.area
    share, total = m.country_share(area, geo)
    unit_target = 0.0 if inputs.observed_eradication is not None else lv["forced_eradication"][t]
    ask = er.asks(unit_target, scoped_targets(inputs, t, area), area)
    prog = _programmes(state, t, inputs, p, assistance, ask, share)
    presence = prog.presence
    price, shock, precursor = _leaf_price(
        inputs, t, state, share, total, prog.covered, price_noise, p
    )
    new, abandon, regen, vol, relapse, land, keep = _growers(
        state, t, inputs, p, price, prog, planting_noise
    )
    available = area + new + state.replant_pool + state.pipeline + regen + relapse - abandon
    # Voluntary eradication is agreed beforehand; forced eradication acts on what is left.
    vol = np.minimum(vol, available)
    rate = m.replant_rate(hard, presence, keep, p)
    erad = _eradication(state, t, inputs, p, ask, prog, available, vol, rate)
    forced = erad.delivered
    now, later = m.replanting(forced, rate, p)
    # (the max only absorbs rounding when forced takes all that voluntary eradication left)
    new_area = np.maximum(available - forced - vol, 0.0) + now
    weight = m.displacement_weight(geo.kinds, presence, land, p)
    displaced = m.displacement(forced - (now + later), weight, geo.displacement, p)
    hit = forced / np.maximum(available, 1.0)
    poppy, poppy_eradicated = m.poppy(state.poppy, lv["poppy_intelligence"][t] * prog.covered, p)
    new_state = State(
        area=new_area,
        pipeline=displaced,
        replant_pool=later,
        ad_area=state.ad_area + vol - relapse,
        abandoned=state.abandoned + abandon - regen,
        resistance=m.resistance(state.resistance, hit, presence, p),
        police=prog.police,
        price_shock=shock,
        precursor_adapt=state.precursor_adapt
        + p.col("precursor_substitution_rate")[:, None] * (precursor - state.precursor_adapt),
        outreach=prog.outreach,
        poppy=poppy,
        domestic_budget=state.domestic_budget * (1.0 + p.col("gdp_growth")[:, None]),
        risk=m.perceived_risk(state.risk, hit, p),
    )
    flows = Flows(
        area=new_area,
        new_planting=new,
        matured=state.pipeline,
        replanted=state.replant_pool + now,
        regenerated=regen,
        relapsed=relapse,
        abandoned=abandon,
        eradication_planned=erad.planned,
        forced_eradication=forced,
        eradication_undelivered=erad.planned - forced,
        voluntary_eradication=vol,
        displaced=displaced,
        presence=presence,
        resistance=new_state.resistance,
        leaf_price=price,
        coverage=prog.covered,
        eradication_coverage=prog.erad_covered,
        state_capacity=prog.capacity,
        political_will=prog.will,
        poppy=poppy,
        poppy_eradicated=poppy_eradicated,
        cost=prog.cost,
        **erad.short,
    )
    return new_state, flows


def with_area(state: State, area: np.ndarray) -> State:
    """A copy of ``state`` with a different standing area (used by tests and calibration)."""
    return replace(state, area=area)

"""The batched yearly step: every state variable is an array over (scenario, zone).

One call of :func:`step` advances all scenarios of a batch by one year with plain numpy; there is
no Python loop over scenarios or zones. The equations are written out in ``docs/model.md``; the
comments below name the force of the strategy (the 2005 Lima cable, [USEmbassyLima2005])
each block gives a mechanism to.
The step is deterministic given the random shocks it is handed, so a slow one-scenario
reference implementation (``tests/model/reference.py``) can be pinned to it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from cnplan.model.inputs import HARD_CORE, TRADITIONAL, Inputs
from cnplan.model.parameters import PARAM_INDEX

LN2 = np.log(2.0)


class P:
    """Parameter columns of a batch, looked up by name (``p.replant_share``).

    Without ``n_zones`` a column is an (S, 1) view. With ``n_zones`` (a batch prepared once per
    chunk, as ``simulate`` does) each column is broadcast once to an (S, Z) array and kept,
    together with other per-chunk constants (:meth:`constant`). The values, and so the results,
    are the same either way; only speed differs.

    Layout: the engine's (S, Z) arrays are column-major (Fortran order), so each zone's values
    over the scenarios are contiguous. numpy then runs every operation, including those with
    (S, 1) or (Z,) operands and the sums over zones, in loops over the S scenarios rather than
    in rows of Z elements, several times faster for the few zones a country has. Sums over zones
    add the zones in order.

    ``workspace`` (performance only): a dict in which a prepared batch keeps its broadcast
    columns and scratch arrays, handed from one chunk to the next by its owner so that the
    memory is reused instead of being allocated (and touched for the first time) per chunk. Its
    arrays are overwritten by the next batch given the same dict: a caller passes it only while
    no other batch uses it, and no array it holds leaves the engine (none does: the state and
    flows are new arrays).
    """

    def __init__(
        self, values: np.ndarray, n_zones: int | None = None, workspace: dict | None = None
    ):
        self._values = np.asarray(values, dtype=float)
        self._n_zones = n_zones
        self._cache: dict = {}
        self._cols: dict[str, np.ndarray] = {}
        self._workspace = workspace

    @property
    def n(self) -> int:
        return self._values.shape[0]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        cache = self._cache
        if name not in cache:
            column = self._values[:, PARAM_INDEX[name], None]
            if self._n_zones is not None:
                wide = self.buffer(("column", name), (self.n, self._n_zones))
                wide[...] = column  # the column broadcast over zones
                column = wide
                # Performance only: kept as an instance attribute, so that later look-ups of a
                # prepared batch's column do not come back here.
                self.__dict__[name] = column
            cache[name] = column
        return cache[name]

    def col(self, name: str) -> np.ndarray:
        """A parameter as an (S,) array (contiguous and kept, in a prepared batch)."""
        if self._n_zones is None:
            return self._values[:, PARAM_INDEX[name]]
        column = self._cols.get(name)  # (a plain dict look-up: performance only)
        if column is None:
            column = self._cols[name] = self._values[:, PARAM_INDEX[name]].copy()
        return column

    def buffer(self, key: object, shape: tuple[int, ...], order: str = "F") -> np.ndarray:
        """An uninitialised array for ``key``: the workspace's if it has one of this shape and
        layout, else a new one (kept in the workspace, if any).
        """
        ws = self._workspace
        if ws is None:
            return np.empty(shape, order=order)
        a = ws.get(key)
        if (
            a is None
            or a.shape != shape
            or not (a.flags.f_contiguous if order == "F" else a.flags.c_contiguous)
        ):
            a = ws[key] = np.empty(shape, order=order)
        return a

    def constant(self, key: object, make) -> np.ndarray:
        """``make()``, computed once per prepared batch (always, for an unprepared one)."""
        if self._n_zones is None:
            return make()
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def _full(p: P, shape: tuple[int, ...], value: float) -> np.ndarray:
    """A column-major array of ``value`` (kept per prepared batch).

    Performance only: numpy's ``maximum``/``minimum`` against a Python scalar take about three
    times as long as against an array of the same values; the results are identical.
    """
    return p.constant(("full", shape, value), lambda: np.full(shape, value, order="F"))


def _params(params: np.ndarray | P) -> P:
    return params if isinstance(params, P) else P(params)


@dataclass
class State:
    """The model's state at the end of a year, each array over (scenario, zone) or (scenario,)."""

    area: np.ndarray  # standing coca, ha (S, Z): net area at 31 December, as surveys measure it
    pipeline: np.ndarray  # displaced planting being cleared, counted next year, ha (S, Z)
    replant_pool: np.ndarray  # eradicated area that will be replanted next year, ha (S, Z)
    ad_area: np.ndarray  # voluntarily eradicated area held under AD support, ha (S, Z)
    abandoned: np.ndarray  # abandoned fields that can be brought back, ha (S, Z)
    resistance: np.ndarray  # resistance to forced eradication, 0-1 (S, Z)
    police: np.ndarray  # anti-drug police in service, persons (S,)
    price_shock: np.ndarray  # AR(1) log leaf-price shock (S,)
    precursor_adapt: np.ndarray  # traffickers' adaptation to precursor control, 0-1 (S,)
    outreach: np.ndarray  # cumulative outreach spending, million USD (S,)
    poppy: np.ndarray  # opium poppy, ha (S,)
    domestic_budget: np.ndarray  # the state's own CN budget, million USD/yr (S,)
    risk: np.ndarray  # growers' perceived eradication risk: smoothed eradicated share, 0-1 (S, Z)

    def copy(self) -> State:
        return State(**{f.name: getattr(self, f.name).copy(order="K") for f in fields(self)})


@dataclass
class Flows:
    """What happened during a year: the flows of hectares and the year's indicators."""

    area: np.ndarray
    new_planting: np.ndarray
    matured: np.ndarray
    replanted: np.ndarray
    regenerated: np.ndarray
    relapsed: np.ndarray
    abandoned: np.ndarray
    forced_eradication: np.ndarray
    voluntary_eradication: np.ndarray
    displaced: np.ndarray
    presence: np.ndarray
    resistance: np.ndarray
    leaf_price: np.ndarray
    coverage: np.ndarray
    state_capacity: np.ndarray
    political_will: np.ndarray
    poppy: np.ndarray
    poppy_eradicated: np.ndarray
    cost: np.ndarray  # the plan's programme cost in the year, million USD (S,)


ZONE_FLOWS = (
    "area",
    "new_planting",
    "matured",
    "replanted",
    "regenerated",
    "relapsed",
    "abandoned",
    "forced_eradication",
    "voluntary_eradication",
    "displaced",
    "presence",
    "resistance",
)
NATIONAL_FLOWS = (
    "leaf_price",
    "coverage",
    "state_capacity",
    "political_will",
    "poppy",
    "poppy_eradicated",
)


def initial_state(inputs: Inputs, params: np.ndarray) -> State:
    """The state at the end of the year before the plan starts, from the data."""
    p = _params(params)
    s = p.n
    z = len(inputs.zones)
    zeros = np.zeros((s, z), order="F")  # zone arrays are column-major: see P
    hard = inputs.kinds == HARD_CORE
    area = np.array(np.broadcast_to(inputs.area0, (s, z)), order="F")
    replant = (
        _replant_share(p, hard, zeros) * inputs.eradication0 * (1.0 - p.replant_same_year_share)
    )
    risk0 = inputs.eradication0 / np.maximum(inputs.area0 + inputs.eradication0, 1.0)
    return State(
        area=area,
        pipeline=zeros.copy(order="F"),
        replant_pool=replant,
        ad_area=zeros.copy(order="F"),
        abandoned=zeros.copy(order="F"),
        resistance=np.where(hard, p.resistance_initial_hard_core, 0.0) + zeros,
        police=np.zeros(s),
        price_shock=np.zeros(s),
        precursor_adapt=np.zeros(s),
        outreach=np.zeros(s),
        poppy=p.col("poppy_initial_ha").copy(),
        domestic_budget=p.col("domestic_budget").copy(),
        risk=np.minimum(risk0, 1.0) + zeros,
    )


def _replant_share(p: P, hard: np.ndarray, presence: np.ndarray) -> np.ndarray:
    base = np.where(hard, p.replant_share_hard_core, p.replant_share)
    return base * (1.0 - p.presence_replant_cut * presence)


def _base_presence(p: P, kinds: np.ndarray) -> np.ndarray:
    factor = np.where(kinds == TRADITIONAL, 2.0, np.where(kinds == HARD_CORE, 1.0 / 3.0, 1.0))
    return np.minimum(p.presence_base * factor, 0.95)


def _fill(total: float, weight: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Spread ``total`` over zones in proportion to ``weight``, none above its ``cap``.

    Water-filling: what a capped zone cannot take is spread again over the zones below their
    caps, by weight; one pass per zone makes it exact (each pass fills at least one zone or
    places everything). If the caps add up to less than ``total``, every zone is at its cap.
    """
    done = np.zeros_like(cap)
    for _ in range(cap.shape[1]):
        left = total - done.sum(axis=1, keepdims=True)
        room = weight * (done < cap)
        share = room / np.maximum(room.sum(axis=1, keepdims=True), 1e-12)
        done = np.minimum(done + np.maximum(left, 0.0) * share, cap)
    return done


def step(
    state: State,
    t: int,
    inputs: Inputs,
    params: np.ndarray,
    planting_noise: np.ndarray,
    price_noise: np.ndarray,
    assistance: bool | np.ndarray = True,
) -> tuple[State, Flows]:
    """Advance every scenario by one year (year index ``t`` of ``inputs.years``).

    Parameters
    ----------
    state : State at the end of the previous year.
    t : index of the year being simulated.
    inputs : the plan's levers, phases and the data-derived constants.
    params : (S, k) parameter matrix, columns in ``PARAM_NAMES`` order, or a prepared
        :class:`P` (the same values; faster when reused over the years of a chunk).
    planting_noise : (S, Z) standard-normal shocks on new planting for this year.
    price_noise : (S,) standard-normal shock on the leaf price for this year.
    assistance : False (or a boolean array over scenarios) to cut outside assistance: the
        counterfactual branch of the stability point.
    """
    p = _params(params)
    key = id(inputs)
    lv = inputs.levers
    kinds = inputs.kinds
    hard = kinds == HARD_CORE
    area = state.area

    # Capacity: trained police graduate into anti-drug units (cable ¶8: 400 graduates assigned for
    # 3 years, 400 more start an 18-month course, available two years after they start).
    trained = lv["police_in_training"][t - 2] if t >= 2 else 0.0
    police = state.police * (1.0 - p.col("police_attrition")) + lv["police_graduates"][t] + trained

    # Budget: the plan's programmes cost money; the state's budget grows with the economy and
    # outside assistance covers the rest (cable ¶7). Short funding scales every programme down.
    aid = lv["outside_assistance"][t] * np.asarray(assistance, dtype=float)
    # (Levers are (Z,)/scalar per year when shared, (S, Z)/(S,) when set per scenario: sums over
    # zones use the last axis.)
    cost = (
        lv["forced_eradication"][t].sum(axis=-1) * p.col("eradication_cost") / 1e6
        + lv["ad_funding"][t].sum(axis=-1)
        + (police + lv["forward_base_police"][t].sum(axis=-1) + lv["eradication_security"][t])
        * p.col("police_cost")
        / 1e6
        + (lv["road_interdiction_groups"][t] + lv["port_inspection_teams"][t]) * p.col("team_cost")
        + lv["outreach_campaigns"][t]
    )
    programme_cost = cost
    cost = np.maximum(cost, 1e-9)
    domestic = state.domestic_budget
    coverage = np.minimum(1.0, (domestic + aid) / cost)
    capacity = np.minimum(1.0, domestic / cost)
    cov = coverage[:, None]

    # Political will: the phase sets it (weak before the 2006 election); outreach campaigns that
    # link cultivation, trafficking and domestic use build support (cable ¶4, ¶8).
    outreach = state.outreach + lv["outreach_campaigns"][t] * coverage
    will_phase = inputs.political_will[t]
    will = will_phase + (1.0 - will_phase) * (1.0 - np.exp(-p.col("outreach_will_gain") * outreach))

    # State presence: police at forward bases and graduates stationed by area (cable ¶4, ¶8).
    # (Performance only, to the end of the step: intermediate (S, Z) arrays are written into
    # scratch buffers kept with the prepared batch (``out=``) instead of new temporaries, whose
    # allocation and first touch cost more than the arithmetic; each line is the same operations
    # in the same order as the formula in its comment, so the numbers are identical.)
    zs = area.shape
    order = "F" if area.flags.f_contiguous else "C"

    def buf(i: int) -> np.ndarray:
        return p.constant(("scratch", zs, order, i), lambda: p.buffer(("scratch", i), zs, order))

    total_area = area.sum(axis=1, keepdims=True)
    # share = area / max(total_area, 1)
    share = np.divide(area, np.maximum(total_area, 1.0), out=buf(0))
    # zone_police = (forward_base_police + (police_zone_share * police) * share) * coverage
    zone_police = np.multiply((p.col("police_zone_share") * police)[:, None], share, out=buf(1))
    np.add(lv["forward_base_police"][t], zone_police, out=zone_police)
    np.multiply(zone_police, cov, out=zone_police)
    base = p.constant(("base_presence", key), lambda: _base_presence(p, kinds))
    rest = p.constant(("1-base_presence", key), lambda: 1.0 - base)
    # presence = base + rest * (1 - exp(-ln2 * zone_police / presence_half_police))
    x = np.multiply(-LN2, zone_police, out=zone_police)
    np.divide(x, p.presence_half_police, out=x)
    np.exp(x, out=x)
    np.subtract(1.0, x, out=x)
    np.multiply(rest, x, out=x)
    presence = np.add(base, x)

    # Leaf price: falls with supply against traffickers' demand, and under source-zone and route
    # interdiction and (transiently) precursor control (cable ¶5).
    # (floored at 1 ha: with no coca at all the price would be infinite, see docs/model.md)
    supply = np.maximum(total_area[:, 0], 1.0)
    demand = p.constant(
        ("demand", t, key), lambda: inputs.supply0 * (1.0 + p.col("demand_growth")) ** (t + 1)
    )
    src = np.multiply(lv["source_interdiction"][t], share, out=share).sum(axis=1) * coverage
    routes = (lv["road_interdiction_groups"][t] + lv["port_inspection_teams"][t]) * coverage
    interdiction = 1.0 - (1.0 - src) * np.exp(-p.col("route_interdiction_effect") * routes)
    pc = lv["precursor_control"][t] * coverage
    precursor = np.maximum(pc - state.precursor_adapt, 0.0)
    shock = p.col("price_persistence") * state.price_shock + p.col("price_noise_sd") * price_noise
    price = inputs.price0 * np.exp(
        -np.log(supply / demand) / p.col("price_elasticity")
        - p.col("interdiction_price_effect") * interdiction
        - p.col("precursor_price_effect") * precursor
        + shock
    )

    # Planting against licit income: the margin of coca over the break-even price, which rises
    # with licit income (cable ¶4: higher prices cause a surge in new planting).
    break_even = p.constant(
        ("break_even", t),
        lambda: p.col("break_even_price") * (1.0 + p.col("licit_income_growth")) ** (t + 1),
    )
    pull = np.tanh(np.log(price / break_even) / p.col("price_response"))[:, None]
    grow = np.maximum(pull, 0.0)
    decline = np.maximum(-pull, 0.0)
    land_cap = p.constant(("land_cap", key), lambda: p.land_capacity_factor * inputs.area_cap)
    # land = max(0, 1 - area / land_cap)
    land = np.divide(area, land_cap, out=buf(2))
    np.subtract(1.0, land, out=land)
    np.maximum(_full(p, zs, 0.0), land, out=land)
    sd = p.planting_noise_sd
    half_var = p.constant("half_var", lambda: 0.5 * sd * sd)
    # Alternative development raises licit income where it is spent (cable ¶6): it lowers new
    # planting and replanting in the zone, with diminishing returns in the spending per hectare
    # of coca (no AD lever in history mode: there it has no effect).
    ad_funds = np.multiply(lv["ad_funding"][t], cov, out=buf(3))
    # ad_keep = 1 - ad_planting_cut * (1 - exp(-(ad_funds * 1e6 / (area + seed_area_ha))
    #                                           / ad_cost_per_ha))
    # (the sign carried by the factor 1e6, which is exact)
    area_seed = np.add(area, p.seed_area_ha, out=buf(5))  # also a factor of new planting
    ad_keep = np.multiply(ad_funds, -1e6, out=buf(4))
    np.divide(ad_keep, area_seed, out=ad_keep)
    np.divide(ad_keep, p.ad_cost_per_ha, out=ad_keep)
    np.exp(ad_keep, out=ad_keep)
    np.subtract(1.0, ad_keep, out=ad_keep)
    np.multiply(p.ad_planting_cut, ad_keep, out=ad_keep)
    np.subtract(1.0, ad_keep, out=ad_keep)
    # (Products of per-scenario factors are formed over scenarios first: same values, fewer
    # operations over zones.)
    # Eradication risk deters new planting: growers plant less where recent eradication took a
    # large share of the standing coca (risk and planting: [Davalos2016], [Davalos2019],
    # [Dion2008]).
    # new = planting_rate_max * grow * (area + seed_area_ha) * land
    #       * (1 - presence_deterrence * presence) * ad_keep
    #       * exp(sd * noise - sd^2 / 2 - risk_deterrence * risk)
    new = np.multiply((p.col("planting_rate_max") * grow[:, 0])[:, None], area_seed)
    np.multiply(new, land, out=new)
    x = np.multiply(p.presence_deterrence, presence, out=buf(6))
    np.subtract(1.0, x, out=x)
    np.multiply(new, x, out=new)
    np.multiply(new, ad_keep, out=new)
    x = np.multiply(sd, planting_noise, out=buf(6))
    np.subtract(x, half_var, out=x)
    y = np.multiply(p.risk_deterrence, state.risk, out=buf(7))
    np.subtract(x, y, out=x)
    np.exp(x, out=x)
    np.multiply(new, x, out=new)
    abandon = (p.col("abandonment_rate_max") * decline[:, 0])[:, None] * area
    regen = (p.col("regeneration_rate") * grow[:, 0])[:, None] * state.abandoned

    # Voluntary eradication with alternative development (cable ¶6): not feasible in hard-core
    # zones until the phase allows; the reduction lasts only while AD support lasts.
    # (Scalar bounds of maximum/minimum are given as arrays: faster, same values.)
    one = _full(p, zs, 1.0)
    tiny = _full(p, zs, 1e-12)
    vol_ok = np.where(hard, inputs.voluntary_hard_core[t], True)
    vol_target = lv["voluntary_eradication"][t] * vol_ok
    # vol = vol_target * min(1, ad_funds / max(vol_target * ad_cost_per_ha / 1e6, 1e-12))
    x = np.multiply(vol_target, p.ad_cost_per_ha, out=buf(6))
    np.divide(x, 1e6, out=x)
    np.maximum(x, tiny, out=x)
    np.divide(ad_funds, x, out=x)
    np.minimum(one, x, out=x)
    vol = np.multiply(vol_target, x, out=buf(7))
    # left = max(ad_funds - vol * ad_cost_per_ha / 1e6, 0)
    left = np.multiply(vol, p.ad_cost_per_ha, out=buf(6))
    np.divide(left, 1e6, out=left)
    np.subtract(ad_funds, left, out=left)
    np.maximum(left, _full(p, zs, 0.0), out=left)
    # supported = min(1, left / max(ad_area * ad_cost_per_ha * ad_upkeep_share / 1e6, 1e-12))
    supported = np.multiply(state.ad_area, p.ad_cost_per_ha, out=buf(3))  # ad_funds done
    np.multiply(supported, p.ad_upkeep_share, out=supported)
    np.divide(supported, 1e6, out=supported)
    np.maximum(supported, tiny, out=supported)
    np.divide(left, supported, out=supported)
    np.minimum(one, supported, out=supported)
    # relapse = ad_area * ((1 - supported) * ad_relapse_rate
    #                      + supported * voluntary_replant_share)
    x = np.subtract(1.0, supported, out=buf(6))
    np.multiply(x, p.ad_relapse_rate, out=x)
    np.multiply(supported, p.voluntary_replant_share, out=supported)
    np.add(x, supported, out=x)
    relapse = np.multiply(state.ad_area, x)

    # available = area + new + replant_pool + pipeline + regen + relapse - abandon
    available = np.add(area, new, out=buf(3))
    np.add(available, state.replant_pool, out=available)
    np.add(available, state.pipeline, out=available)
    np.add(available, regen, out=available)
    np.add(available, relapse, out=available)
    np.subtract(available, abandon, out=available)

    # Forced eradication: limited by political will, by feasibility in hard-core zones, by
    # resistance and by the security escorts' capacity (cable ¶2, ¶8).
    hc_flag = bool(inputs.hard_core_eradication[t])
    hc_ok = p.constant(
        ("hc_ok", hc_flag, key),
        lambda: np.where(hard, np.where(hc_flag, 1.0, p.hard_core_edge_share), 1.0),
    )
    # Political will shields eradication from resistance ("politicians tend towards appeasement
    # of coca growers", cable ¶4): with full will, resistance no longer blocks it.
    # wanted = forced_eradication * hc_ok * coverage
    #          * (1 - resistance_block * resistance * (1 - will))
    wanted = np.multiply(lv["forced_eradication"][t], hc_ok, out=buf(6))
    np.multiply(wanted, cov, out=wanted)
    x = np.multiply(p.resistance_block, state.resistance, out=buf(8))
    np.multiply(x, 1.0 - will[:, None], out=x)
    np.subtract(1.0, x, out=x)
    np.multiply(wanted, x, out=wanted)
    # Replanting share of eradicated fields (partly within the year: see below). The cap on
    # eradication limits the *net* share of a zone removed in a year: fields replanted within
    # the year can be eradicated again, so gross eradication can exceed the net cap.
    replant_base = p.constant(
        ("replant_base", key), lambda: np.where(hard, p.replant_share_hard_core, p.replant_share)
    )
    # replant_rate = replant_base * (1 - presence_replant_cut * presence) * ad_keep
    replant_rate = np.multiply(p.presence_replant_cut, presence, out=buf(8))
    np.subtract(1.0, replant_rate, out=replant_rate)
    np.multiply(replant_base, replant_rate, out=replant_rate)
    np.multiply(replant_rate, ad_keep, out=replant_rate)
    # cap = eradication_max_share * available / (1 - replant_rate * replant_same_year_share)
    cap = np.multiply(p.eradication_max_share, available, out=buf(4))  # ad_keep done
    x = np.multiply(replant_rate, p.replant_same_year_share, out=buf(9))
    np.subtract(1.0, x, out=x)
    np.divide(cap, x, out=cap)
    escort = p.col("eradication_base_capacity") + p.col("escort_productivity") * (
        lv["eradication_security"][t] * coverage
    )
    total = wanted.sum(axis=1)
    np.multiply(wanted, np.minimum(1.0, escort / np.maximum(total, 1e-12))[:, None], out=wanted)
    if inputs.observed_eradication is not None:
        # History mode (calibration, backtests): the eradication actually done is the input,
        # spread over zones by area with hard-core zones weighted down (see build_history).
        spread = area * np.where(hard, inputs.hard_core_weight, 1.0)
        if inputs.eradication_zone_weight is not None:
            spread = spread * inputs.eradication_zone_weight
        # Where a zone's share would exceed what can be eradicated there in a year, the rest
        # goes to the other zones (the national figure was done somewhere).
        wanted = _fill(inputs.observed_eradication[t], spread, cap)
    # Voluntary eradication is agreed with communities beforehand; forced eradication acts on
    # what is left (so that more forced eradication, whose fields are partly replanted within
    # the year, never crowds out voluntary eradication, whose fields are not).
    vol = np.minimum(vol, available)
    # forced = min(min(wanted, cap), available - vol)
    forced = np.minimum(wanted, cap)
    np.minimum(forced, np.subtract(available, vol, out=buf(9)), out=forced)

    # Replanting of eradicated fields, partly within the same year (growers replant as soon as
    # the eradicators leave), the rest next year; displacement of the rest (balloon effect)
    # to other zones, mostly the expansion frontiers, after a clearing lag (DEVIDA 2025: 1-1.5 yr).
    replant_all = np.multiply(forced, replant_rate, out=replant_rate)
    replant_now = np.multiply(replant_all, p.replant_same_year_share, out=buf(9))
    replant_next = replant_all - replant_now
    # new_area = max(available - forced - vol, 0) + replant_now
    # (the max only absorbs rounding: when forced takes all that voluntary eradication left,
    # available - forced - vol can be -1e-16 instead of 0)
    new_area = np.subtract(available, forced)
    np.subtract(new_area, vol, out=new_area)
    np.maximum(_full(p, zs, 0.0), new_area, out=new_area)
    np.add(new_area, replant_now, out=new_area)
    removed = np.subtract(forced, replant_all, out=replant_all).sum(axis=1)
    kind_weight = p.constant(
        ("kind_weight", key),
        lambda: np.array(
            np.broadcast_to(np.where(hard | (kinds == TRADITIONAL), 0.2, 1.0), presence.shape),
            order="F",
        ),
    )
    absence = np.subtract(1.0, presence, out=buf(4))  # cap done
    # weight = kind_weight * (1 - presence) * (land + 0.05), then normalised over zones
    weight = np.multiply(kind_weight, absence, out=buf(5))  # area_seed done
    np.multiply(weight, np.add(land, 0.05, out=land), out=weight)
    np.divide(weight, weight.sum(axis=1, keepdims=True), out=weight)
    pipeline_next = (p.col("displacement_share") * removed)[:, None] * weight

    # Resistance rises where forced eradication hits without state presence (cable ¶2, ¶4).
    # hit = forced / max(available, 1)
    hit = np.maximum(available, one, out=available)
    np.divide(forced, hit, out=hit)
    # resistance = (resistance + resistance_gain * hit * (1 - presence))
    #              * (1 - resistance_decay * (0.5 + 0.5 * presence)), clipped to [0, 1]
    x = np.multiply(p.resistance_gain, hit, out=buf(6))
    np.multiply(x, absence, out=x)
    resistance = np.add(state.resistance, x)
    x = np.multiply(0.5, presence, out=buf(6))
    np.add(0.5, x, out=x)
    np.multiply(p.resistance_decay, x, out=x)
    np.subtract(1.0, x, out=x)
    np.multiply(resistance, x, out=resistance)
    np.maximum(resistance, _full(p, zs, 0.0), out=resistance)
    np.minimum(resistance, one, out=resistance)

    # Perceived eradication risk: an exponentially weighted memory of the share of standing coca
    # eradicated each year (time-weighted risk learning, as in NarcoLogic [Magliocca2019]).
    # risk = risk + risk_update * (hit - risk)
    x = np.subtract(hit, state.risk, out=buf(6))
    np.multiply(p.risk_update, x, out=x)
    risk = np.add(state.risk, x)

    # Opium poppy: eradicated wherever found; intelligence sets the detection probability (¶2).
    intel = lv["poppy_intelligence"][t] * coverage
    detect = p.col("poppy_detection_base") + (1.0 - p.col("poppy_detection_base")) * intel
    poppy_erad = state.poppy * detect * p.col("poppy_eradication_share")
    poppy = (state.poppy - poppy_erad) * (1.0 + p.col("poppy_growth"))

    new_state = State(
        area=new_area,
        pipeline=pipeline_next,
        replant_pool=replant_next,
        ad_area=state.ad_area + vol - relapse,
        abandoned=state.abandoned + abandon - regen,
        resistance=resistance,
        police=police,
        price_shock=shock,
        precursor_adapt=state.precursor_adapt
        + p.col("precursor_substitution_rate") * (pc - state.precursor_adapt),
        outreach=outreach,
        poppy=poppy,
        domestic_budget=domestic * (1.0 + p.col("gdp_growth")),
        risk=risk,
    )
    flows = Flows(
        area=new_area,
        new_planting=new,
        matured=state.pipeline,
        replanted=state.replant_pool + replant_now,
        regenerated=regen,
        relapsed=relapse,
        abandoned=abandon,
        forced_eradication=forced,
        voluntary_eradication=vol,
        displaced=pipeline_next,
        presence=presence,
        resistance=resistance,
        leaf_price=price,
        coverage=coverage,
        state_capacity=capacity,
        political_will=will,
        poppy=poppy,
        poppy_eradicated=poppy_erad,
        cost=programme_cost,
    )
    return new_state, flows


def with_area(state: State, area: np.ndarray) -> State:
    """A copy of ``state`` with a different standing area (used by tests and calibration)."""
    return replace(state, area=area)

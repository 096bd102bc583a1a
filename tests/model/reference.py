"""A slow, obviously-correct reference of the yearly step: one scenario, plain Python floats.

Written from the equations (docs/model.md) block by block with loops over units and countries
and the ``math`` module, no numpy arithmetic. ``test_parity.py`` pins the batched engine to it;
the engine benchmark uses it as the one-scenario-at-a-time path.

A scenario's state is a ``RefState`` (unit lists, and per-country lists for national state);
parameters are a ``{name: float}`` mapping that also holds the fixed constants. The yearly
record is a ``{key: value}`` mapping over the outputs declared in ``cnplan.model.outputs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnplan.model.geography import HARD_CORE, TRADITIONAL
from cnplan.model.inputs import Inputs
from cnplan.model.outputs import OUTPUTS
from cnplan.model.parameters import FIXED_VALUES, PARAM_NAMES


@dataclass
class RefState:
    area: list[float]
    pipeline: list[float]
    replant_pool: list[float]
    ad_area: list[float]
    abandoned: list[float]
    resistance: list[float]
    police: list[float]
    price_shock: list[float]
    precursor_adapt: list[float]
    outreach: list[float]
    poppy: list[float]
    domestic_budget: list[float]
    risk: list[float]


def as_params(row) -> dict[str, float]:
    """One row of a parameter matrix as a ``{name: value}`` mapping (with the fixed ones)."""
    out = {name: float(row[j]) for j, name in enumerate(PARAM_NAMES)}
    out.update(FIXED_VALUES)
    return out


def replant_share(p: dict[str, float], hard: bool, presence: float) -> float:
    base = p["replant_share_hard_core"] if hard else p["replant_share"]
    return base * (1.0 - p["presence_replant_cut"] * presence)


def base_presence(p: dict[str, float], kind: int) -> float:
    if kind == TRADITIONAL:
        factor = p["presence_traditional_factor"]
    elif kind == HARD_CORE:
        factor = p["presence_hard_core_factor"]
    else:
        factor = 1.0
    return min(p["presence_base"] * factor, p["presence_max"])


def fill(total: float, weight: list[float], cap: list[float]) -> list[float]:
    """Spread ``total`` by weight, none above its cap; what a capped unit cannot take is
    spread again over the others (one pass per unit)."""
    done = [0.0 for _ in weight]
    for _ in weight:
        left = max(total - sum(done), 0.0)
        room = [w if d < c else 0.0 for w, d, c in zip(weight, done, cap, strict=True)]
        total_room = max(sum(room), 1e-12)
        done = [min(d + left * r / total_room, c) for d, r, c in zip(done, room, cap, strict=True)]
    return done


def initial_state(inputs: Inputs, p: dict[str, float]) -> RefState:
    geo = inputs.geography
    units = range(geo.n_units)
    countries = range(geo.n_countries)
    hard = [int(geo.kinds[u]) == HARD_CORE for u in units]
    erad0 = [float(x) for x in inputs.eradication0]
    return RefState(
        area=[float(inputs.area0[u]) for u in units],
        pipeline=[0.0 for _ in units],
        replant_pool=[
            replant_share(p, hard[u], 0.0) * erad0[u] * (1.0 - p["replant_same_year_share"])
            for u in units
        ],
        ad_area=[0.0 for _ in units],
        abandoned=[0.0 for _ in units],
        resistance=[p["resistance_initial_hard_core"] if hard[u] else 0.0 for u in units],
        police=[0.0 for _ in countries],
        price_shock=[0.0 for _ in countries],
        precursor_adapt=[0.0 for _ in countries],
        outreach=[0.0 for _ in countries],
        poppy=[p["poppy_initial_ha"] * float(geo.poppy_weight[c]) for c in countries],
        domestic_budget=[p["domestic_budget"] * float(geo.budget_weight[c]) for c in countries],
        risk=[
            min(erad0[u] / max(float(inputs.area0[u]) + erad0[u], 1.0), 1.0) for u in units
        ],
    )


def _lever(inputs: Inputs, name: str, t: int, i: int | None = None) -> float:
    """A lever's value in year ``t`` for unit or country ``i`` (a (T,) country lever applies
    to every country)."""
    row = inputs.levers[name][t]
    if i is None or getattr(row, "ndim", 0) == 0:
        return float(row)
    return float(row[i])


def _scoped(inputs: Inputs, t: int) -> list[tuple[list[bool], float, list[float], bool]]:
    """The year's scoped targets: (mask, amount, weight, limited)."""
    geo = inputs.geography
    units = range(geo.n_units)
    if inputs.observed_eradication is not None:
        weight = [inputs.hard_core_weight if int(geo.kinds[u]) == HARD_CORE else 1.0 for u in units]
        if inputs.eradication_zone_weight is not None:
            weight = [weight[u] * float(inputs.eradication_zone_weight[u]) for u in units]
        return [([True for _ in units], float(inputs.observed_eradication[t]), weight, False)]
    return [
        ([bool(x) for x in mask], float(values[t]), [1.0 for _ in units], True)
        for mask, values in inputs.scoped_eradication
    ]


def step(
    state: RefState,
    t: int,
    inputs: Inputs,
    p: dict[str, float],
    planting_noise: list[float],
    price_noise: float | list[float],
    assistance: bool = True,
) -> tuple[RefState, dict]:
    """One year of one scenario; returns the new state and the year's record."""
    geo = inputs.geography
    units = range(geo.n_units)
    countries = range(geo.n_countries)
    of = [int(geo.country[u]) for u in units]  # each unit's country
    kind = [int(geo.kinds[u]) for u in units]
    hard = [k == HARD_CORE for k in kind]
    area = state.area
    price_noise = price_noise if isinstance(price_noise, list) else [price_noise for _ in countries]

    def lever(name: str, i: int | None = None) -> float:
        return _lever(inputs, name, t, i)

    def by_country(values: list[float]) -> list[float]:
        out = [0.0 for _ in countries]
        for u in units:
            out[of[u]] += values[u]
        return out

    # §8 step 1, needed for the cost: unit asks and scoped targets attributed by coca.
    history = inputs.observed_eradication is not None
    unit_ask = [0.0 if history else lever("forced_eradication", u) for u in units]
    planned = list(unit_ask)
    costed = list(unit_ask)
    parts = []
    for mask, amount, weight, limited in _scoped(inputs, t):
        w = [area[u] * (weight[u] if mask[u] else 0.0) for u in units]
        total_w = max(sum(w), 1e-12)
        attributed = [amount * w[u] / total_w for u in units]
        planned = [planned[u] + attributed[u] for u in units]
        if limited:
            costed = [costed[u] + attributed[u] for u in units]
        parts.append((attributed, w, limited))

    # §1 Police, budget, coverage per country: standing programmes first, eradication after.
    trained = [
        _lever(inputs, "police_in_training", t - 2, c) if t >= 2 else 0.0 for c in countries
    ]
    police = [
        state.police[c] * (1.0 - p["police_attrition"]) + lever("police_graduates", c) + trained[c]
        for c in countries
    ]
    ad_c = by_country([lever("ad_funding", u) for u in units])
    fbp_c = by_country([lever("forward_base_police", u) for u in units])
    costed_c = by_country(costed)
    capacity, covered, erad_cov, cost = [], [], [], []
    for c in countries:
        standing = (
            ad_c[c]
            + (police[c] + fbp_c[c] + lever("eradication_security", c)) * p["police_cost"] / 1e6
            + (lever("road_interdiction_groups", c) + lever("port_inspection_teams", c))
            * p["team_cost"]
            + lever("outreach_campaigns", c)
        )
        erad_cost = costed_c[c] * p["eradication_cost"] / 1e6
        funds = state.domestic_budget[c] + lever("outside_assistance", c) * (
            1.0 if assistance else 0.0
        )
        total = max(standing + erad_cost, 1e-9)
        capacity.append(min(1.0, state.domestic_budget[c] / total))
        covered.append(min(1.0, funds / max(standing, 1e-9)))
        erad_cov.append(min(1.0, max(funds - standing, 0.0) / max(erad_cost, 1e-9)))
        cost.append(standing + erad_cost)

    # §2 Political will with outreach.
    will_phase = inputs.political_will[t]
    outreach = [state.outreach[c] + lever("outreach_campaigns", c) * covered[c] for c in countries]
    will = [
        will_phase + (1.0 - will_phase) * (1.0 - math.exp(-p["outreach_will_gain"] * outreach[c]))
        for c in countries
    ]

    # §3 Presence.
    total_area = by_country(area)
    share = [area[u] / max(total_area[of[u]], 1.0) for u in units]
    presence = []
    for u in units:
        unit_police = (
            lever("forward_base_police", u) + p["police_zone_share"] * police[of[u]] * share[u]
        ) * covered[of[u]]
        base = base_presence(p, kind[u])
        presence.append(
            base
            + (1.0 - base)
            * (1.0 - math.exp(-math.log(2.0) * unit_police / p["presence_half_police"]))
        )

    # §4 Leaf price per country.
    price0 = inputs.price0
    price, shock, pc_c = [], [], []
    for c in countries:
        p0 = float(price0) if not hasattr(price0, "__len__") else float(price0[c])
        supply = max(total_area[c], 1.0)
        demand = float(inputs.supply0[c]) * (1.0 + p["demand_growth"]) ** (t + 1)
        src = (
            sum(lever("source_interdiction", u) * share[u] for u in units if of[u] == c)
            * covered[c]
        )
        routes = (
            lever("road_interdiction_groups", c) + lever("port_inspection_teams", c)
        ) * covered[c]
        interdiction = 1.0 - (1.0 - src) * math.exp(-p["route_interdiction_effect"] * routes)
        pc = lever("precursor_control", c) * covered[c]
        precursor = max(pc - state.precursor_adapt[c], 0.0)
        sh = p["price_persistence"] * state.price_shock[c] + p["price_noise_sd"] * price_noise[c]
        price.append(
            p0
            * math.exp(
                -math.log(supply / demand) / p["price_elasticity"]
                - p["interdiction_price_effect"] * interdiction
                - p["precursor_price_effect"] * precursor
                + sh
            )
        )
        shock.append(sh)
        pc_c.append(pc)

    # §5-6 Planting, abandonment, regeneration.
    licit_growth = p["licit_income_growth"] + p["licit_income_gdp_elasticity"] * (
        p["gdp_growth"] - p["gdp_growth_expected"])
    break_even = p["break_even_price"] * (1.0 + licit_growth) ** (t + 1)
    pull = [math.tanh(math.log(price[c] / break_even) / p["price_response"]) for c in countries]
    sd = p["planting_noise_sd"]
    land, new, abandon, regen, ad_keep = [], [], [], [], []
    for u in units:
        grow, decline = max(pull[of[u]], 0.0), max(-pull[of[u]], 0.0)
        per_ha = lever("ad_funding", u) * covered[of[u]] * 1e6 / (area[u] + p["seed_area_ha"])
        ad_keep.append(1.0 - p["ad_planting_cut"] * (1.0 - math.exp(-per_ha / p["ad_cost_per_ha"])))
        cap = p["land_capacity_factor"] * float(geo.land_cap[u])
        land.append(max(0.0, 1.0 - area[u] / cap))
        new.append(
            p["planting_rate_max"]
            * grow
            * (area[u] + p["seed_area_ha"])
            * land[u]
            * (1.0 - p["presence_deterrence"] * presence[u])
            * ad_keep[u]
            * math.exp(
                sd * planting_noise[u] - 0.5 * sd * sd - p["risk_deterrence"] * state.risk[u]
            )
        )
        abandon.append(p["abandonment_rate_max"] * decline * area[u])
        regen.append(p["regeneration_rate"] * grow * state.abandoned[u])

    # §7 Voluntary eradication with AD, and relapse of AD land.
    vol, relapse = [], []
    for u in units:
        allowed = bool(inputs.voluntary_hard_core[t]) if hard[u] else True
        ad_funds = lever("ad_funding", u) * covered[of[u]]
        target = lever("voluntary_eradication", u) * (1.0 if allowed else 0.0)
        first_cost = target * p["ad_cost_per_ha"] / 1e6
        v = target * min(1.0, ad_funds / max(first_cost, 1e-12))
        left = max(ad_funds - v * p["ad_cost_per_ha"] / 1e6, 0.0)
        upkeep = state.ad_area[u] * p["ad_cost_per_ha"] * p["ad_upkeep_share"] / 1e6
        supported = min(1.0, left / max(upkeep, 1e-12))
        vol.append(v)
        relapse.append(
            state.ad_area[u]
            * ((1.0 - supported) * p["ad_relapse_rate"] + supported * p["voluntary_replant_share"])
        )
    available = [
        area[u] + new[u] + state.replant_pool[u] + state.pipeline[u] + regen[u] + relapse[u]
        - abandon[u]
        for u in units
    ]
    vol = [min(vol[u], available[u]) for u in units]

    # §8 Forced eradication: limits on the plan's asks, then each unit's room, redirection.
    rate = [replant_share(p, hard[u], presence[u]) * ad_keep[u] for u in units]
    cap = [
        p["eradication_max_share"] * available[u] / (1.0 - rate[u] * p["replant_same_year_share"])
        for u in units
    ]
    room = [min(cap[u], available[u] - vol[u]) for u in units]
    factor, short = _limits(inputs, t, p, costed, erad_cov, will, covered, state, lever)
    own = [min(unit_ask[u] * factor[u], room[u]) for u in units]
    short_cap = by_country([unit_ask[u] * factor[u] - own[u] for u in units])
    forced = list(own)
    left = [room[u] - own[u] for u in units]
    for attributed, w, limited in parts:
        wanted = [attributed[u] * factor[u] if limited else attributed[u] for u in units]
        filled = fill(sum(wanted), w, left)
        left = [left[u] - filled[u] for u in units]
        forced = [forced[u] + filled[u] for u in units]
        a_c, f_c = by_country(wanted), by_country(filled)
        short_cap = [short_cap[c] + a_c[c] - f_c[c] for c in countries]
    short["short_cap"] = short_cap

    # §9 Replanting, within the year and the next; displacement along the kernel.
    replant_now, replant_next, new_area, removed = [], [], [], []
    for u in units:
        replant_all = forced[u] * rate[u]
        now = replant_all * p["replant_same_year_share"]
        replant_now.append(now)
        replant_next.append(replant_all - now)
        new_area.append(max(available[u] - forced[u] - vol[u], 0.0) + now)
        removed.append(forced[u] - replant_all)
    pipeline_next = _displace(geo, p, removed, kind, presence, land)

    # §10 Resistance and perceived risk.
    resistance, risk = [], []
    floor = p["resistance_decay_floor"]
    for u in units:
        hit = forced[u] / max(available[u], 1.0)
        r = state.resistance[u] + p["resistance_gain"] * hit * (1.0 - presence[u])
        r = r * (1.0 - p["resistance_decay"] * (floor + (1.0 - floor) * presence[u]))
        resistance.append(min(max(r, 0.0), 1.0))
        risk.append(state.risk[u] + p["risk_update"] * (hit - state.risk[u]))

    # §11 Poppy.
    poppy, poppy_erad = [], []
    for c in countries:
        intel = lever("poppy_intelligence", c) * covered[c]
        detect = p["poppy_detection_base"] + (1.0 - p["poppy_detection_base"]) * intel
        erad = state.poppy[c] * detect * p["poppy_eradication_share"]
        poppy_erad.append(erad)
        poppy.append((state.poppy[c] - erad) * (1.0 + p["poppy_growth"]))

    new_state = RefState(
        area=new_area,
        pipeline=pipeline_next,
        replant_pool=replant_next,
        ad_area=[state.ad_area[u] + vol[u] - relapse[u] for u in units],
        abandoned=[state.abandoned[u] + abandon[u] - regen[u] for u in units],
        resistance=resistance,
        police=police,
        price_shock=shock,
        precursor_adapt=[
            state.precursor_adapt[c]
            + p["precursor_substitution_rate"] * (pc_c[c] - state.precursor_adapt[c])
            for c in countries
        ],
        outreach=outreach,
        poppy=poppy,
        domestic_budget=[state.domestic_budget[c] * (1.0 + p["gdp_growth"]) for c in countries],
        risk=risk,
    )
    values = {
        "area": list(new_area),
        "new_planting": new,
        "matured": list(state.pipeline),
        "replanted": [state.replant_pool[u] + replant_now[u] for u in units],
        "regenerated": regen,
        "relapsed": relapse,
        "abandoned": abandon,
        "eradication_planned": planned,
        "forced_eradication": forced,
        "eradication_undelivered": [planned[u] - forced[u] for u in units],
        "voluntary_eradication": vol,
        "displaced": pipeline_next,
        "presence": presence,
        "resistance": list(resistance),
        "leaf_price": price,
        "coverage": covered,
        "eradication_coverage": erad_cov,
        "state_capacity": capacity,
        "political_will": will,
        "poppy": poppy,
        "poppy_eradicated": poppy_erad,
        "cost": cost,
        **short,
    }
    record = {o.key: values[o.key] for o in OUTPUTS}  # every declared output, nothing else
    return new_state, record


def _limits(inputs, t, p, costed, erad_cov, will, covered, state, lever):
    """§8 step 2: funding, feasibility, resistance, then escorts per country."""
    geo = inputs.geography
    units = range(geo.n_units)
    of = [int(geo.country[u]) for u in units]
    hc_ok = bool(inputs.hard_core_eradication[t])
    short = {k: [0.0] * geo.n_countries for k in ("short_funding", "short_feasibility",
                                                  "short_resistance", "short_security")}
    factor, wanted = [], []
    for u in units:
        hard = int(geo.kinds[u]) == HARD_CORE
        feasible = p["hard_core_edge_share"] if hard and not hc_ok else 1.0
        resist = 1.0 - p["resistance_block"] * state.resistance[u] * (1.0 - will[of[u]])
        w = costed[u]
        for cause, f in (("short_funding", erad_cov[of[u]]), ("short_feasibility", feasible),
                         ("short_resistance", resist)):
            short[cause][of[u]] += w - w * f
            w = w * f
        wanted.append(w)
        factor.append(erad_cov[of[u]] * feasible * resist)
    for c in range(geo.n_countries):
        escort = p["eradication_base_capacity"] + p["escort_productivity"] * (
            lever("eradication_security", c) * covered[c]
        )
        total = sum(wanted[u] for u in units if of[u] == c)
        scale = min(1.0, escort / max(total, 1e-12))
        short["short_security"][c] = total - total * scale
        for u in units:
            if of[u] == c:
                factor[u] *= scale
    return factor, short


def _displace(geo, p, removed, kind, presence, land) -> list[float]:
    """§9 Displacement along the geography's kernel (CSR rows, looped)."""
    units = range(geo.n_units)
    k = geo.displacement_kernel()
    attraction = [
        (p["displacement_kind_weight"] if kind[u] in (HARD_CORE, TRADITIONAL) else 1.0)
        * (1.0 - presence[u])
        * (land[u] + p["displacement_land_floor"])
        for u in units
    ]
    inflow = [0.0 for _ in units]
    for i in units:
        row = range(int(k.indptr[i]), int(k.indptr[i + 1]))
        reach = sum(float(k.weights[e]) * attraction[int(k.indices[e])] for e in row)
        if reach <= 0:
            continue
        leaving = p["displacement_share"] * removed[i]
        for e in row:
            j = int(k.indices[e])
            inflow[j] += leaving * float(k.weights[e]) * attraction[j] / reach
    return inflow


def run(
    inputs: Inputs,
    params_row,
    planting_noise,
    price_noise,
    n_years: int | None = None,
    assistance: bool = True,
) -> list[dict]:
    """Simulate one scenario for ``n_years`` (all years by default); the yearly flows."""
    p = as_params(params_row)
    state = initial_state(inputs, p)
    out = []
    for t in range(len(inputs.years) if n_years is None else n_years):
        noise = [float(x) for x in planting_noise[t]]
        state, flows = step(state, t, inputs, p, noise, float(price_noise[t]), assistance)
        out.append(flows)
    return out

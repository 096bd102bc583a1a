"""A slow, obviously-correct reference of the yearly step: one scenario, plain Python floats.

Written from the equations (docs/model.md, engine.py) block by block with loops over zones and
the ``math`` module, no numpy arithmetic over zones. ``test_parity.py`` pins the batched engine
to it; the engine benchmark uses it as the one-scenario-at-a-time path.

A scenario's state is a ``RefState``; parameters are a ``{name: float}`` mapping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cnplan.model.inputs import HARD_CORE, TRADITIONAL, Inputs
from cnplan.model.parameters import PARAM_NAMES


@dataclass
class RefState:
    area: list[float]
    pipeline: list[float]
    replant_pool: list[float]
    ad_area: list[float]
    abandoned: list[float]
    resistance: list[float]
    police: float
    price_shock: float
    precursor_adapt: float
    outreach: float
    poppy: float
    domestic_budget: float
    risk: list[float]


@dataclass
class RefFlows:
    area: list[float] = field(default_factory=list)
    new_planting: list[float] = field(default_factory=list)
    matured: list[float] = field(default_factory=list)
    replanted: list[float] = field(default_factory=list)
    regenerated: list[float] = field(default_factory=list)
    relapsed: list[float] = field(default_factory=list)
    abandoned: list[float] = field(default_factory=list)
    forced_eradication: list[float] = field(default_factory=list)
    voluntary_eradication: list[float] = field(default_factory=list)
    displaced: list[float] = field(default_factory=list)
    presence: list[float] = field(default_factory=list)
    resistance: list[float] = field(default_factory=list)
    leaf_price: float = 0.0
    coverage: float = 0.0
    state_capacity: float = 0.0
    political_will: float = 0.0
    poppy: float = 0.0
    poppy_eradicated: float = 0.0


def as_params(row) -> dict[str, float]:
    """One row of a parameter matrix as a ``{name: value}`` mapping."""
    return {name: float(row[j]) for j, name in enumerate(PARAM_NAMES)}


def replant_share(p: dict[str, float], hard: bool, presence: float) -> float:
    base = p["replant_share_hard_core"] if hard else p["replant_share"]
    return base * (1.0 - p["presence_replant_cut"] * presence)


def base_presence(p: dict[str, float], kind: int) -> float:
    if kind == TRADITIONAL:
        factor = 2.0
    elif kind == HARD_CORE:
        factor = 1.0 / 3.0
    else:
        factor = 1.0
    return min(p["presence_base"] * factor, 0.95)


def fill(total: float, weight: list[float], cap: list[float]) -> list[float]:
    """Spread ``total`` by weight, none above its cap; what a capped zone cannot take is
    spread again over the others (one pass per zone)."""
    done = [0.0 for _ in weight]
    for _ in weight:
        left = max(total - sum(done), 0.0)
        room = [w if d < c else 0.0 for w, d, c in zip(weight, done, cap, strict=True)]
        total_room = max(sum(room), 1e-12)
        done = [min(d + left * r / total_room, c) for d, r, c in zip(done, room, cap, strict=True)]
    return done


def initial_state(inputs: Inputs, p: dict[str, float]) -> RefState:
    zones = range(len(inputs.zones))
    hard = [int(inputs.kinds[z]) == HARD_CORE for z in zones]
    return RefState(
        area=[float(inputs.area0[z]) for z in zones],
        pipeline=[0.0 for _ in zones],
        replant_pool=[
            replant_share(p, hard[z], 0.0)
            * float(inputs.eradication0[z])
            * (1.0 - p["replant_same_year_share"])
            for z in zones
        ],
        ad_area=[0.0 for _ in zones],
        abandoned=[0.0 for _ in zones],
        resistance=[p["resistance_initial_hard_core"] if hard[z] else 0.0 for z in zones],
        police=0.0,
        price_shock=0.0,
        precursor_adapt=0.0,
        outreach=0.0,
        poppy=p["poppy_initial_ha"],
        domestic_budget=p["domestic_budget"],
        risk=[
            min(
                float(inputs.eradication0[z])
                / max(float(inputs.area0[z]) + float(inputs.eradication0[z]), 1.0),
                1.0,
            )
            for z in zones
        ],
    )


def step(
    state: RefState,
    t: int,
    inputs: Inputs,
    p: dict[str, float],
    planting_noise: list[float],
    price_noise: float,
    assistance: bool = True,
) -> tuple[RefState, RefFlows]:
    """One year of one scenario."""
    nz = len(inputs.zones)
    zones = range(nz)

    def lever(name: str, z: int | None = None) -> float:
        row = inputs.levers[name][t]
        return float(row if z is None else row[z])

    def lever_sum(name: str) -> float:
        return sum(lever(name, z) for z in zones)

    kind = [int(inputs.kinds[z]) for z in zones]
    hard = [k == HARD_CORE for k in kind]
    area = state.area

    # Police: last year's police minus attrition, plus graduates, plus cadets who started
    # their course two years ago.
    trained = float(inputs.levers["police_in_training"][t - 2]) if t >= 2 else 0.0
    police = state.police * (1.0 - p["police_attrition"]) + lever("police_graduates") + trained

    # Budget and coverage.
    aid = lever("outside_assistance") * (1.0 if assistance else 0.0)
    cost = (
        lever_sum("forced_eradication") * p["eradication_cost"] / 1e6
        + lever_sum("ad_funding")
        + (police + lever_sum("forward_base_police") + lever("eradication_security"))
        * p["police_cost"]
        / 1e6
        + (lever("road_interdiction_groups") + lever("port_inspection_teams")) * p["team_cost"]
        + lever("outreach_campaigns")
    )
    cost = max(cost, 1e-9)
    domestic = state.domestic_budget
    coverage = min(1.0, (domestic + aid) / cost)
    capacity = min(1.0, domestic / cost)

    # Political will with outreach.
    outreach = state.outreach + lever("outreach_campaigns") * coverage
    will_phase = float(inputs.political_will[t])
    will = will_phase + (1.0 - will_phase) * (1.0 - math.exp(-p["outreach_will_gain"] * outreach))

    # Presence.
    total_area = sum(area)
    share = [area[z] / max(total_area, 1.0) for z in zones]
    presence = []
    for z in zones:
        zone_police = (
            lever("forward_base_police", z) + p["police_zone_share"] * police * share[z]
        ) * coverage
        base = base_presence(p, kind[z])
        presence.append(
            base
            + (1.0 - base)
            * (1.0 - math.exp(-math.log(2.0) * zone_police / p["presence_half_police"]))
        )

    # Leaf price.
    supply = max(total_area, 1.0)  # a finite price when coca is wiped out
    demand = inputs.supply0 * (1.0 + p["demand_growth"]) ** (t + 1)
    src = sum(lever("source_interdiction", z) * share[z] for z in zones) * coverage
    routes = (lever("road_interdiction_groups") + lever("port_inspection_teams")) * coverage
    interdiction = 1.0 - (1.0 - src) * math.exp(-p["route_interdiction_effect"] * routes)
    pc = lever("precursor_control") * coverage
    precursor = max(pc - state.precursor_adapt, 0.0)
    shock = p["price_persistence"] * state.price_shock + p["price_noise_sd"] * price_noise
    price = inputs.price0 * math.exp(
        -math.log(supply / demand) / p["price_elasticity"]
        - p["interdiction_price_effect"] * interdiction
        - p["precursor_price_effect"] * precursor
        + shock
    )

    # Planting, abandonment, regeneration.
    break_even = p["break_even_price"] * (1.0 + p["licit_income_growth"]) ** (t + 1)
    pull = math.tanh(math.log(price / break_even) / p["price_response"])
    grow = max(pull, 0.0)
    decline = max(-pull, 0.0)
    sd = p["planting_noise_sd"]
    land, new, abandon, regen = [], [], [], []
    # AD spending per ha of coca lowers new planting and replanting (diminishing returns).
    ad_keep = []
    for z in zones:
        per_ha = lever("ad_funding", z) * coverage * 1e6 / (area[z] + p["seed_area_ha"])
        ad_keep.append(1.0 - p["ad_planting_cut"] * (1.0 - math.exp(-per_ha / p["ad_cost_per_ha"])))
    for z in zones:
        cap = p["land_capacity_factor"] * float(inputs.area_cap[z])
        land.append(max(0.0, 1.0 - area[z] / cap))
        new.append(
            p["planting_rate_max"]
            * grow
            * (area[z] + p["seed_area_ha"])
            * land[z]
            * (1.0 - p["presence_deterrence"] * presence[z])
            * ad_keep[z]
            * math.exp(
                sd * planting_noise[z] - 0.5 * sd * sd - p["risk_deterrence"] * state.risk[z]
            )
        )
        abandon.append(p["abandonment_rate_max"] * decline * area[z])
        regen.append(p["regeneration_rate"] * grow * state.abandoned[z])

    # Voluntary eradication with AD, and relapse of AD land.
    vol, relapse = [], []
    for z in zones:
        allowed = bool(inputs.voluntary_hard_core[t]) if hard[z] else True
        ad_funds = lever("ad_funding", z) * coverage
        target = lever("voluntary_eradication", z) * (1.0 if allowed else 0.0)
        first_cost = target * p["ad_cost_per_ha"] / 1e6
        v = target * min(1.0, ad_funds / max(first_cost, 1e-12))
        left = max(ad_funds - v * p["ad_cost_per_ha"] / 1e6, 0.0)
        upkeep = state.ad_area[z] * p["ad_cost_per_ha"] * p["ad_upkeep_share"] / 1e6
        supported = min(1.0, left / max(upkeep, 1e-12))
        vol.append(v)
        relapse.append(
            state.ad_area[z]
            * ((1.0 - supported) * p["ad_relapse_rate"] + supported * p["voluntary_replant_share"])
        )

    available = [
        area[z]
        + new[z]
        + state.replant_pool[z]
        + state.pipeline[z]
        + regen[z]
        + relapse[z]
        - abandon[z]
        for z in zones
    ]

    # Forced eradication: plan x hard-core feasibility x coverage x (resistance unless will),
    # then scaled down to the escorts' capacity; or the observed series in history mode.
    wanted = []
    for z in zones:
        if hard[z]:
            hc_ok = 1.0 if bool(inputs.hard_core_eradication[t]) else p["hard_core_edge_share"]
        else:
            hc_ok = 1.0
        wanted.append(
            lever("forced_eradication", z)
            * hc_ok
            * coverage
            * (1.0 - p["resistance_block"] * state.resistance[z] * (1.0 - will))
        )
    escort = p["eradication_base_capacity"] + p["escort_productivity"] * (
        lever("eradication_security") * coverage
    )
    total_wanted = sum(wanted)
    scale = min(1.0, escort / max(total_wanted, 1e-12))
    wanted = [w * scale for w in wanted]
    # Cap: the net share of a zone removed in a year; same-year replanting can be re-eradicated.
    rate = [replant_share(p, hard[z], presence[z]) * ad_keep[z] for z in zones]
    cap = [
        p["eradication_max_share"] * available[z] / (1.0 - rate[z] * p["replant_same_year_share"])
        for z in zones
    ]
    if inputs.observed_eradication is not None:
        weights = [area[z] * (inputs.hard_core_weight if hard[z] else 1.0) for z in zones]
        zone_weight = getattr(inputs, "eradication_zone_weight", None)
        if zone_weight is not None:
            weights = [weights[z] * float(zone_weight[z]) for z in zones]
        observed = float(inputs.observed_eradication[t])
        wanted = fill(observed, weights, cap)
    # Replanting: a share within the year, the rest next year; what is not replanted is
    # removed and a share of it is displaced.
    forced, new_area, replant_now, replant_next = [], [], [], []
    # (cap is the net-removal cap, computed before the eradication, as in the engine)
    removed = 0.0
    for z in zones:
        vol[z] = min(vol[z], available[z])
        f = min(wanted[z], cap[z], available[z] - vol[z])
        forced.append(f)
        replant_all = f * replant_share(p, hard[z], presence[z]) * ad_keep[z]
        now = replant_all * p["replant_same_year_share"]
        replant_now.append(now)
        replant_next.append(replant_all - now)
        new_area.append(max(available[z] - f - vol[z], 0.0) + now)  # max: rounding only
        removed += f - replant_all
    weight = []
    for z in zones:
        kind_weight = 0.2 if hard[z] or kind[z] == TRADITIONAL else 1.0
        weight.append(kind_weight * (1.0 - presence[z]) * (land[z] + 0.05))
    total_weight = sum(weight)
    pipeline_next = [p["displacement_share"] * removed * (w / total_weight) for w in weight]

    # Resistance.
    resistance = []
    for z in zones:
        hit = forced[z] / max(available[z], 1.0)
        r = state.resistance[z] + p["resistance_gain"] * hit * (1.0 - presence[z])
        r = r * (1.0 - p["resistance_decay"] * (0.5 + 0.5 * presence[z]))
        resistance.append(min(max(r, 0.0), 1.0))

    # Perceived eradication risk: exponentially weighted share of coca eradicated.
    risk = []
    for z in zones:
        hit = forced[z] / max(available[z], 1.0)
        risk.append(state.risk[z] + p["risk_update"] * (hit - state.risk[z]))

    # Poppy.
    intel = lever("poppy_intelligence") * coverage
    detect = p["poppy_detection_base"] + (1.0 - p["poppy_detection_base"]) * intel
    poppy_erad = state.poppy * detect * p["poppy_eradication_share"]
    poppy = (state.poppy - poppy_erad) * (1.0 + p["poppy_growth"])

    new_state = RefState(
        area=new_area,
        pipeline=pipeline_next,
        replant_pool=replant_next,
        ad_area=[state.ad_area[z] + vol[z] - relapse[z] for z in zones],
        abandoned=[state.abandoned[z] + abandon[z] - regen[z] for z in zones],
        resistance=resistance,
        police=police,
        price_shock=shock,
        precursor_adapt=state.precursor_adapt
        + p["precursor_substitution_rate"] * (pc - state.precursor_adapt),
        outreach=outreach,
        poppy=poppy,
        domestic_budget=domestic * (1.0 + p["gdp_growth"]),
        risk=risk,
    )
    flows = RefFlows(
        area=list(new_area),
        new_planting=new,
        matured=list(state.pipeline),
        replanted=[state.replant_pool[z] + replant_now[z] for z in zones],
        regenerated=regen,
        relapsed=relapse,
        abandoned=abandon,
        forced_eradication=forced,
        voluntary_eradication=vol,
        displaced=pipeline_next,
        presence=presence,
        resistance=list(resistance),
        leaf_price=price,
        coverage=coverage,
        state_capacity=capacity,
        political_will=will,
        poppy=poppy,
        poppy_eradicated=poppy_erad,
    )
    return new_state, flows


def run(
    inputs: Inputs,
    params_row,
    planting_noise,
    price_noise,
    n_years: int | None = None,
    assistance: bool = True,
) -> list[RefFlows]:
    """Simulate one scenario for ``n_years`` (all years by default); the yearly flows."""
    p = as_params(params_row)
    state = initial_state(inputs, p)
    out = []
    for t in range(len(inputs.years) if n_years is None else n_years):
        noise = [float(x) for x in planting_noise[t]]
        state, flows = step(state, t, inputs, p, noise, float(price_noise[t]), assistance)
        out.append(flows)
    return out

"""The yearly step compiled with numba, one scenario at a time: the fast path of ``simulate``.

The numpy engine (:mod:`cnplan.model.engine`, the mechanisms of :mod:`cnplan.model.mechanisms`)
stays the definition and the parity reference: ``tests/model/test_compiled.py`` pins this
module to it (same numbers within float tolerance, same goal outcomes). Each function below is
the scalar form of the numpy function named in its docstring, looping over a scenario's units
and countries; the array layouts are the engine's. The compiled path runs plan simulations
(``simulate``); explorations with per-scenario levers and history replays use the numpy engine.
Numbers depend only on the seed, never on the chunking (the scenarios are independent).

Layouts: a scenario's unit state ``us`` is (7, U) (rows ``AREA`` ... ``RISK``), its country
state ``cs`` (6, C); a year's unit flows ``fu`` and country flows ``fc`` follow
``outputs.UNIT_FLOWS`` and ``outputs.COUNTRY_FLOWS``; ``pv`` holds the scenario's parameters in
the order of ``NAMES``. ``wu`` (rows ``W_*``, U) and ``wc`` (C) are scratch reused every year.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from cnplan.model.geography import HARD_CORE, TRADITIONAL
from cnplan.model.outputs import COUNTRY_FLOWS, UNIT_FLOWS

NAMES = (
    "police_attrition", "police_cost", "team_cost", "eradication_cost", "outreach_will_gain",
    "presence_base", "presence_traditional_factor", "presence_hard_core_factor", "presence_max",
    "presence_half_police", "police_zone_share", "demand_growth", "price_elasticity",
    "interdiction_price_effect", "precursor_price_effect", "route_interdiction_effect",
    "price_persistence", "price_noise_sd", "break_even_price", "licit_income_growth",
    "licit_income_gdp_elasticity", "gdp_growth", "gdp_growth_expected", "price_response",
    "land_capacity_factor", "ad_cost_per_ha", "ad_planting_cut", "seed_area_ha",
    "planting_noise_sd", "risk_deterrence", "planting_rate_max", "presence_deterrence",
    "abandonment_rate_max", "regeneration_rate", "ad_upkeep_share", "ad_relapse_rate",
    "voluntary_replant_share", "replant_share", "replant_share_hard_core",
    "presence_replant_cut", "replant_same_year_share", "eradication_max_share",
    "hard_core_edge_share", "eradication_base_capacity", "escort_productivity",
    "resistance_block", "displacement_kind_weight", "displacement_land_floor",
    "displacement_share", "resistance_gain", "resistance_decay", "resistance_decay_floor",
    "risk_update", "poppy_detection_base", "poppy_eradication_share", "poppy_growth",
    "precursor_substitution_rate", "resistance_initial_hard_core", "poppy_initial_ha",
    "domestic_budget",
)
"""The parameters (drawn and fixed) the kernel reads, in the column order of ``pv``."""

(ATTRITION, POLICE_COST, TEAM_COST, ERAD_COST, WILL_GAIN, PRES_BASE, PRES_TRAD, PRES_HARD,
 PRES_MAX, PRES_HALF, ZONE_SHARE, DEMAND_GROWTH, ELASTICITY, INTERDICTION_EFFECT,
 PRECURSOR_EFFECT, ROUTE_EFFECT, PERSISTENCE, PRICE_SD, BREAK_EVEN, LICIT_GROWTH,
 LICIT_GDP, GDP_GROWTH, GDP_EXPECTED, PRICE_RESPONSE, LAND_FACTOR, AD_COST, AD_CUT, SEED,
 PLANT_SD, RISK_DETER, PLANT_RATE, PRES_DETER, ABANDON_RATE, REGEN_RATE, AD_UPKEEP,
 AD_RELAPSE, VOL_REPLANT, REPLANT, REPLANT_HARD, PRES_REPLANT_CUT, SAME_YEAR, ERAD_MAX,
 EDGE_SHARE, ESCORT_BASE, ESCORT_PROD, RES_BLOCK, DISP_KIND, DISP_FLOOR, DISP_SHARE,
 RES_GAIN, RES_DECAY, RES_FLOOR, RISK_UPDATE, POPPY_DETECT, POPPY_ERAD, POPPY_GROWTH,
 PRECURSOR_RATE, RES_INITIAL, POPPY_INITIAL, BUDGET) = range(len(NAMES))

ZONE_LEVERS = ("forced_eradication", "voluntary_eradication", "ad_funding",
               "forward_base_police", "source_interdiction")
COUNTRY_LEVERS = ("eradication_security", "road_interdiction_groups", "port_inspection_teams",
                  "precursor_control", "police_graduates", "police_in_training",
                  "poppy_intelligence", "outreach_campaigns", "outside_assistance")
Z_FORCED, Z_VOL, Z_AD, Z_FORWARD, Z_SOURCE = range(len(ZONE_LEVERS))
(C_SECURITY, C_ROAD, C_PORT, C_PRECURSOR, C_GRADUATES, C_TRAINING, C_POPPY_INTEL,
 C_OUTREACH, C_AID) = range(len(COUNTRY_LEVERS))

AREA, PIPELINE, POOL, AD_AREA, ABANDONED, RESISTANCE, RISK = range(7)  # unit state rows
POLICE, SHOCK, ADAPT, OUTREACH, POPPY, DOMESTIC = range(6)  # country state rows

(F_AREA, F_NEW, F_MATURED, F_REPLANTED, F_REGEN, F_RELAPSED, F_ABANDONED, F_PLANNED,
 F_FORCED, F_UNDELIVERED, F_VOL, F_DISPLACED, F_PRESENCE, F_RESISTANCE) = (
    UNIT_FLOWS.index(k) for k in (
        "area", "new_planting", "matured", "replanted", "regenerated", "relapsed", "abandoned",
        "eradication_planned", "forced_eradication", "eradication_undelivered",
        "voluntary_eradication", "displaced", "presence", "resistance"))
(G_PRICE, G_COVERED, G_ERAD_COVERED, G_CAPACITY, G_WILL, G_COST, G_POPPY, G_POPPY_ERAD,
 G_FUNDING, G_FEASIBILITY, G_RESIST, G_SECURITY, G_CAP) = (
    COUNTRY_FLOWS.index(k) for k in (
        "leaf_price", "coverage", "eradication_coverage", "state_capacity", "political_will",
        "cost", "poppy", "poppy_eradicated", "short_funding", "short_feasibility",
        "short_resistance", "short_security", "short_cap"))
N_UNIT_FLOWS, N_COUNTRY_FLOWS = len(UNIT_FLOWS), len(COUNTRY_FLOWS)

# scratch rows per unit (wu) and per country (wc)
(W_SHARE, W_COSTED, W_POLICE, W_LAND, W_ADFUNDS, W_KEEP, W_AVAIL, W_RATE, W_ROOM, W_FACTOR,
 W_LEFT, W_WEIGHT, W_REMOVED, W_PERW, W_TMP) = range(15)
N_WU = 15
(V_TOTAL, V_STANDING, V_ERADCOST, V_GROW, V_DECLINE, V_PRECURSOR, V_ESCORT, V_TMP,
 V_TMP2) = range(9)
N_WC = 9
LN2 = math.log(2.0)


@njit(cache=True, error_model="numpy", inline="always")
def country_sum(x, country, out):
    """``geography.country_sum`` of one scenario: out[c] = sum of x over c's units."""
    out[:] = 0.0
    for u in range(x.shape[0]):
        out[country[u]] += x[u]


@njit(cache=True, error_model="numpy", inline="always")
def initial(pv, kinds, country, area0, erad0, budget_w, poppy_w, us, cs):
    """``engine.initial_state`` of one scenario."""
    us[:, :] = 0.0
    cs[:, :] = 0.0
    for u in range(us.shape[1]):
        hard = kinds[u] == HARD_CORE
        rate = pv[REPLANT_HARD] if hard else pv[REPLANT]
        us[AREA, u] = area0[u]
        us[POOL, u] = rate * erad0[u] * (1.0 - pv[SAME_YEAR])
        us[RESISTANCE, u] = pv[RES_INITIAL] if hard else 0.0
        us[RISK, u] = min(erad0[u] / max(area0[u] + erad0[u], 1.0), 1.0)
    for c in range(cs.shape[1]):
        cs[POPPY, c] = pv[POPPY_INITIAL] * poppy_w[c]
        cs[DOMESTIC, c] = pv[BUDGET] * budget_w[c]


@njit(cache=True, error_model="numpy", inline="always")
def asks(t, zl, sm, sv, us, country, wu, attr, sweight, fu):
    """``eradication.asks``: unit targets as given, scoped targets attributed by coca."""
    n_units = us.shape[1]
    for u in range(n_units):
        fu[F_PLANNED, u] = zl[Z_FORCED, t, u]
    for k in range(sm.shape[0]):
        total = 0.0
        for u in range(n_units):
            sweight[k, u] = us[AREA, u] * sm[k, u]
            total += sweight[k, u]
        for u in range(n_units):
            attr[k, u] = sv[k, t] * sweight[k, u] / max(total, 1e-12)
            fu[F_PLANNED, u] += attr[k, u]
    for u in range(n_units):
        wu[W_COSTED, u] = fu[F_PLANNED, u]


@njit(cache=True, error_model="numpy", inline="always")
def programmes(t, pv, us, cs, zl, cl, will_t, assist, kinds, country, wu, wc, fu, fc, new_cs):
    """``engine._programmes`` and ``_costs``: police, funding, will and presence."""
    n_units, n_countries = us.shape[1], cs.shape[1]
    country_sum(us[AREA], country, wc[V_TOTAL])
    for u in range(n_units):
        wu[W_SHARE, u] = us[AREA, u] / max(wc[V_TOTAL, country[u]], 1.0)
    country_sum(zl[Z_AD, t], country, wc[V_STANDING])
    country_sum(zl[Z_FORWARD, t], country, wc[V_TMP])
    country_sum(wu[W_COSTED], country, wc[V_ERADCOST])
    for c in range(n_countries):
        trained = cl[C_TRAINING, t - 2, c] if t >= 2 else 0.0
        police = cs[POLICE, c] * (1.0 - pv[ATTRITION]) + cl[C_GRADUATES, t, c] + trained
        new_cs[POLICE, c] = police
        standing = (wc[V_STANDING, c]
                    + (police + wc[V_TMP, c] + cl[C_SECURITY, t, c]) * (pv[POLICE_COST] / 1e6)
                    + (cl[C_ROAD, t, c] + cl[C_PORT, t, c]) * pv[TEAM_COST]
                    + cl[C_OUTREACH, t, c])
        erad_cost = wc[V_ERADCOST, c] * pv[ERAD_COST] / 1e6
        domestic = cs[DOMESTIC, c]
        funds = domestic + cl[C_AID, t, c] * assist
        fc[G_CAPACITY, c] = min(1.0, domestic / max(standing + erad_cost, 1e-9))
        covered = min(1.0, funds / max(standing, 1e-9))
        fc[G_COVERED, c] = covered
        fc[G_ERAD_COVERED, c] = min(1.0, max(funds - standing, 0.0) / max(erad_cost, 1e-9))
        fc[G_COST, c] = standing + erad_cost
        outreach = cs[OUTREACH, c] + cl[C_OUTREACH, t, c] * covered
        new_cs[OUTREACH, c] = outreach
        gain = 1.0 - math.exp(-pv[WILL_GAIN] * outreach)
        fc[G_WILL, c] = will_t + (1.0 - will_t) * gain
    for u in range(n_units):
        c = country[u]
        factor = (pv[PRES_TRAD] if kinds[u] == TRADITIONAL
                  else pv[PRES_HARD] if kinds[u] == HARD_CORE else 1.0)
        base = min(pv[PRES_BASE] * factor, pv[PRES_MAX])
        police_u = ((zl[Z_FORWARD, t, u] + pv[ZONE_SHARE] * new_cs[POLICE, c] * wu[W_SHARE, u])
                    * fc[G_COVERED, c])
        fu[F_PRESENCE, u] = base + (1.0 - base) * (
            1.0 - math.exp(-LN2 * police_u / pv[PRES_HALF]))


@njit(cache=True, error_model="numpy", inline="always")
def leaf_price(t, pv, us, cs, zl, cl, price0, supply0, noise, country, wu, wc, fc, new_cs):
    """``engine._leaf_price``: the leaf price per country, its shock and precursor control."""
    for u in range(us.shape[1]):
        wu[W_TMP, u] = zl[Z_SOURCE, t, u] * wu[W_SHARE, u]
    country_sum(wu[W_TMP], country, wc[V_TMP])
    for c in range(cs.shape[1]):
        covered = fc[G_COVERED, c]
        demand = supply0[c] * (1.0 + pv[DEMAND_GROWTH]) ** (t + 1)
        source = wc[V_TMP, c] * covered
        routes = (cl[C_ROAD, t, c] + cl[C_PORT, t, c]) * covered
        precursor = cl[C_PRECURSOR, t, c] * covered
        wc[V_PRECURSOR, c] = precursor
        shock = pv[PERSISTENCE] * cs[SHOCK, c] + pv[PRICE_SD] * noise[c]
        new_cs[SHOCK, c] = shock
        interdiction = 1.0 - (1.0 - source) * math.exp(-pv[ROUTE_EFFECT] * routes)
        price = price0[c] * math.exp(
            -math.log(max(wc[V_TOTAL, c], 1.0) / demand) / pv[ELASTICITY]
            - pv[INTERDICTION_EFFECT] * interdiction
            - pv[PRECURSOR_EFFECT] * max(precursor - cs[ADAPT, c], 0.0)
            + shock)
        fc[G_PRICE, c] = price
        licit = pv[LICIT_GROWTH] + pv[LICIT_GDP] * (pv[GDP_GROWTH] - pv[GDP_EXPECTED])
        break_even = pv[BREAK_EVEN] * (1.0 + licit) ** (t + 1)
        pull = math.tanh(math.log(price / break_even) / pv[PRICE_RESPONSE])
        wc[V_GROW, c] = max(pull, 0.0)
        wc[V_DECLINE, c] = max(-pull, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def growers(t, pv, us, zl, vol_hard_core, noise, kinds, country, land_cap, wu, wc, fu, fc):
    """``engine._growers``: planting, abandonment, regeneration, voluntary eradication."""
    sd = pv[PLANT_SD]
    ad_cost = pv[AD_COST] / 1e6
    for u in range(us.shape[1]):
        c = country[u]
        area = us[AREA, u]
        grow = wc[V_GROW, c]
        land = max(0.0, 1.0 - area / (pv[LAND_FACTOR] * land_cap[u]))
        ad_funds = zl[Z_AD, t, u] * fc[G_COVERED, c]
        keep = 1.0 - pv[AD_CUT] * (
            1.0 - math.exp(-(ad_funds * 1e6 / (area + pv[SEED])) / pv[AD_COST]))
        shock = math.exp(sd * noise[u] - 0.5 * sd * sd - pv[RISK_DETER] * us[RISK, u])
        fu[F_NEW, u] = (pv[PLANT_RATE] * grow * (area + pv[SEED]) * land
                        * (1.0 - pv[PRES_DETER] * fu[F_PRESENCE, u]) * (keep * shock))
        fu[F_ABANDONED, u] = pv[ABANDON_RATE] * wc[V_DECLINE, c] * area
        fu[F_REGEN, u] = pv[REGEN_RATE] * grow * us[ABANDONED, u]
        target = zl[Z_VOL, t, u] * (vol_hard_core if kinds[u] == HARD_CORE else 1.0)
        vol = target * min(1.0, ad_funds / max(target * ad_cost, 1e-12))
        left = max(ad_funds - vol * ad_cost, 0.0)
        upkeep = us[AD_AREA, u] * pv[AD_COST] * pv[AD_UPKEEP] / 1e6
        supported = min(1.0, left / max(upkeep, 1e-12))
        fu[F_RELAPSED, u] = us[AD_AREA, u] * (
            (1.0 - supported) * pv[AD_RELAPSE] + supported * pv[VOL_REPLANT])
        fu[F_VOL, u] = vol
        wu[W_LAND, u] = land
        wu[W_KEEP, u] = keep


@njit(cache=True, error_model="numpy", inline="always")
def limits(t, pv, us, cl, hard_core_ok, kinds, country, wu, wc, fc):
    """``eradication.limits``: the factor on the plan's asks and what each cause removes."""
    for c in range(wc.shape[1]):
        fc[G_FUNDING, c] = 0.0
        fc[G_FEASIBILITY, c] = 0.0
        fc[G_RESIST, c] = 0.0
        wc[V_TMP, c] = 0.0
    for u in range(us.shape[1]):
        c = country[u]
        covered = fc[G_ERAD_COVERED, c]
        feasible = pv[EDGE_SHARE] if kinds[u] == HARD_CORE and not hard_core_ok else 1.0
        resist = 1.0 - pv[RES_BLOCK] * us[RESISTANCE, u] * (1.0 - fc[G_WILL, c])
        w0 = wu[W_COSTED, u]
        w1 = w0 * covered
        w2 = w1 * feasible
        w3 = w2 * resist
        fc[G_FUNDING, c] += w0 - w1
        fc[G_FEASIBILITY, c] += w1 - w2
        fc[G_RESIST, c] += w2 - w3
        wc[V_TMP, c] += w3
        wu[W_FACTOR, u] = covered * feasible * resist
    for c in range(wc.shape[1]):
        total = wc[V_TMP, c]
        escort = pv[ESCORT_BASE] + pv[ESCORT_PROD] * (cl[C_SECURITY, t, c] * fc[G_COVERED, c])
        security = min(1.0, escort / max(total, 1e-12))
        fc[G_SECURITY, c] = total - total * security
        wc[V_ESCORT, c] = security
    for u in range(us.shape[1]):
        wu[W_FACTOR, u] *= wc[V_ESCORT, country[u]]


@njit(cache=True, error_model="numpy", inline="always")
def fill(total, weight, cap, done):
    """``eradication.fill``: water-fill ``total`` over units by weight, none above its cap.

    Stops early only when a pass could change nothing (nothing left, or no room).
    """
    n = cap.shape[0]
    done[:] = 0.0
    for _ in range(n):
        left = total - done.sum()
        room_sum = 0.0
        for u in range(n):
            if done[u] < cap[u]:
                room_sum += weight[u]
        if left <= 0.0 or room_sum == 0.0:
            break
        step = left / max(room_sum, 1e-12)
        for u in range(n):
            if done[u] < cap[u]:
                done[u] = min(done[u] + step * weight[u], cap[u])


@njit(cache=True, error_model="numpy", inline="always")
def deliver(t, zl, us, country, attr, sweight, wu, fu, fc):
    """``eradication.deliver``: own asks up to the room, scoped asks water-filled."""
    for c in range(fc.shape[1]):
        fc[G_CAP, c] = 0.0
    for u in range(us.shape[1]):
        wanted = zl[Z_FORCED, t, u] * wu[W_FACTOR, u]
        own = min(wanted, wu[W_ROOM, u])
        fc[G_CAP, country[u]] += wanted - own
        fu[F_FORCED, u] = own
        wu[W_LEFT, u] = wu[W_ROOM, u] - own
    for k in range(attr.shape[0]):
        total = 0.0
        for u in range(us.shape[1]):
            attr[k, u] *= wu[W_FACTOR, u]
            total += attr[k, u]
        fill(total, sweight[k], wu[W_LEFT], wu[W_TMP])
        for u in range(us.shape[1]):
            filled = wu[W_TMP, u]
            wu[W_LEFT, u] -= filled
            fu[F_FORCED, u] += filled
            fc[G_CAP, country[u]] += attr[k, u] - filled


@njit(cache=True, error_model="numpy", inline="always")
def displace(indptr, indices, kw, wu, out):
    """``DisplacementOperator.apply``: inflow_j = w_j sum_i K_ij x_i / (K w)_i."""
    n = indptr.shape[0] - 1
    out[:] = 0.0
    for i in range(n):
        reach = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            reach += kw[e] * wu[W_WEIGHT, indices[e]]
        wu[W_PERW, i] = wu[W_REMOVED, i] / reach if reach > 0.0 else 0.0
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            out[indices[e]] += kw[e] * wu[W_PERW, i]
    for j in range(n):
        out[j] *= wu[W_WEIGHT, j]


@njit(cache=True, error_model="numpy", inline="always")
def settle(pv, us, kinds, wu, fu, new_us):
    """``engine.step`` after eradication: replanting, the new area, resistance, risk and
    what displacement sends (``W_REMOVED``, ``W_WEIGHT``) for each unit.
    """
    floor = pv[RES_FLOOR]
    for u in range(us.shape[1]):
        forced, rate, avail = fu[F_FORCED, u], wu[W_RATE, u], wu[W_AVAIL, u]
        replant = forced * rate
        now = replant * pv[SAME_YEAR]
        later = replant - now
        area = max(avail - forced - fu[F_VOL, u], 0.0) + now
        presence = fu[F_PRESENCE, u]
        fu[F_AREA, u] = area
        fu[F_MATURED, u] = us[PIPELINE, u]
        fu[F_REPLANTED, u] = us[POOL, u] + now
        fu[F_UNDELIVERED, u] = fu[F_PLANNED, u] - forced
        kind = pv[DISP_KIND] if kinds[u] == HARD_CORE or kinds[u] == TRADITIONAL else 1.0
        wu[W_WEIGHT, u] = kind * (1.0 - presence) * (wu[W_LAND, u] + pv[DISP_FLOOR])
        wu[W_REMOVED, u] = pv[DISP_SHARE] * (forced - (now + later))
        hit = forced / max(avail, 1.0)
        r = us[RESISTANCE, u] + pv[RES_GAIN] * hit * (1.0 - presence)
        r = r * (1.0 - pv[RES_DECAY] * (floor + (1.0 - floor) * presence))
        r = min(max(r, 0.0), 1.0)
        fu[F_RESISTANCE, u] = r
        new_us[RESISTANCE, u] = r
        new_us[RISK, u] = us[RISK, u] + pv[RISK_UPDATE] * (hit - us[RISK, u])
        new_us[AREA, u] = area
        new_us[POOL, u] = later
        new_us[AD_AREA, u] = us[AD_AREA, u] + fu[F_VOL, u] - fu[F_RELAPSED, u]
        new_us[ABANDONED, u] = us[ABANDONED, u] + fu[F_ABANDONED, u] - fu[F_REGEN, u]


@njit(cache=True, error_model="numpy", inline="always")
def national(t, pv, cs, cl, wc, fc, new_cs):
    """``engine.step``'s country updates: poppy, precursor adaptation and the budget."""
    for c in range(cs.shape[1]):
        base = pv[POPPY_DETECT]
        intel = cl[C_POPPY_INTEL, t, c] * fc[G_COVERED, c]
        detect = base + (1.0 - base) * intel
        eradicated = cs[POPPY, c] * detect * pv[POPPY_ERAD]
        poppy = (cs[POPPY, c] - eradicated) * (1.0 + pv[POPPY_GROWTH])
        new_cs[POPPY, c] = poppy
        fc[G_POPPY, c] = poppy
        fc[G_POPPY_ERAD, c] = eradicated
        adapt = cs[ADAPT, c]
        new_cs[ADAPT, c] = adapt + pv[PRECURSOR_RATE] * (wc[V_PRECURSOR, c] - adapt)
        new_cs[DOMESTIC, c] = cs[DOMESTIC, c] * (1.0 + pv[GDP_GROWTH])


@njit(cache=True, error_model="numpy", inline="always")
def room(pv, us, kinds, wu, fu):
    """``engine.step`` before eradication: what is standing, voluntary eradication first,
    the replanting rate and each unit's room (``engine._eradication``).
    """
    for u in range(us.shape[1]):
        avail = (us[AREA, u] + fu[F_NEW, u] + us[POOL, u] + us[PIPELINE, u] + fu[F_REGEN, u]
                 + fu[F_RELAPSED, u] - fu[F_ABANDONED, u])
        vol = min(fu[F_VOL, u], avail)
        base = pv[REPLANT_HARD] if kinds[u] == HARD_CORE else pv[REPLANT]
        rate = base * (1.0 - pv[PRES_REPLANT_CUT] * fu[F_PRESENCE, u]) * wu[W_KEEP, u]
        cap = pv[ERAD_MAX] * avail / (1.0 - rate * pv[SAME_YEAR])
        fu[F_VOL, u] = vol
        wu[W_AVAIL, u] = avail
        wu[W_RATE, u] = rate
        wu[W_ROOM, u] = min(cap, avail - vol)


@njit(cache=True, error_model="numpy", inline="always")
def step(t, assist, pv, us, cs, new_us, new_cs, lv, geo, pnoise, cnoise, w):
    """``engine.step`` for one scenario and year: the unit and country flows of the year in
    ``w``'s ``fu``/``fc``, the state at its end in ``new_us``/``new_cs``.

    ``lv``: (zone levers, country levers, scoped masks, scoped values, will, hard-core
    eradication allowed, voluntary in hard core, price0, supply0) by year;
    ``geo``: (kinds, country, land cap, kernel indptr, indices, weights);
    ``w``: (wu, wc, attributed, scoped weights, fu, fc) scratch.
    """
    zl, cl, sm, sv, will, hard_ok, vol_hard, price0, supply0 = lv
    kinds, country, land_cap, indptr, indices, kw = geo
    wu, wc, attr, sweight, fu, fc = w
    asks(t, zl, sm, sv, us, country, wu, attr, sweight, fu)
    programmes(t, pv, us, cs, zl, cl, will[t], assist, kinds, country, wu, wc, fu, fc, new_cs)
    leaf_price(t, pv, us, cs, zl, cl, price0, supply0, cnoise, country, wu, wc, fc, new_cs)
    growers(t, pv, us, zl, 1.0 if vol_hard[t] else 0.0, pnoise, kinds, country, land_cap,
            wu, wc, fu, fc)
    room(pv, us, kinds, wu, fu)
    limits(t, pv, us, cl, hard_ok[t], kinds, country, wu, wc, fc)
    deliver(t, zl, us, country, attr, sweight, wu, fu, fc)
    settle(pv, us, kinds, wu, fu, new_us)
    displace(indptr, indices, kw, wu, new_us[PIPELINE])
    fu[F_DISPLACED, :] = new_us[PIPELINE]
    national(t, pv, cs, cl, wc, fc, new_cs)


@njit(cache=True, error_model="numpy", inline="always")
def copy(src, dst):
    """``dst[...] = src`` for two (rows, n) arrays, as plain loops (numba's generic slice
    assignment costs more than the step's arithmetic).
    """
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


@njit(cache=True, error_model="numpy", inline="always")
def _reported(fu, factor):
    """National coca of a year as the goals read it: float32 outputs times the structural
    factor, summed in float64 (``simulate.run_chunk`` then ``_goals``).
    """
    total = 0.0
    for u in range(fu.shape[1]):
        total += np.float64(np.float32(np.float64(np.float32(fu[F_AREA, u])) * factor))
    return total


@njit(cache=True, error_model="numpy", inline="always")
def _stays(t0, k, s, pv, saved_us, saved_cs, lv, geo, planting, price, structural, limit, w, b):
    """``simulate._branches`` for one scenario and start year: does cultivation stay
    marginal for ``k`` years if outside assistance stops in year ``t0``?
    """
    us, cs, new_us, new_cs = b
    copy(saved_us[t0], us)
    copy(saved_cs[t0], cs)
    fu, fc = w[4], w[5]
    for t in range(t0, t0 + k):
        step(t, 0.0, pv, us, cs, new_us, new_cs, lv, geo, planting[s, t], price[s, t], w)
        coca = fu[F_AREA].sum() * math.exp(structural[s, t])
        if not (coca <= limit[0] and fc[G_POPPY].sum() <= limit[1]):
            return False
        copy(new_us, us)
        copy(new_cs, cs)
    return True


@njit(cache=True, error_model="numpy", nogil=True)
def run(pm, planting, price, structural, n_report, lv, geo, init, limit, k, out_u, out_c, ok):
    """Every scenario of a chunk: its main path (flows into ``out_u`` (flow, S, T, U) and
    ``out_c`` (flow, S, T, C), float32) and, when ``k`` > 0, the stability branches into
    ``ok`` (S, T). ``init``: (area0, eradication0, budget weight, poppy weight);
    ``limit``: (coca, poppy) marginal levels.
    """
    n_units, n_countries = geo[0].shape[0], init[2].shape[0]
    n_attr = lv[2].shape[0]
    w = (np.empty((N_WU, n_units)), np.empty((N_WC, n_countries)),
         np.empty((n_attr, n_units)), np.empty((n_attr, n_units)),
         np.zeros((N_UNIT_FLOWS, n_units)), np.zeros((N_COUNTRY_FLOWS, n_countries)))
    b = (np.empty((7, n_units)), np.empty((6, n_countries)),
         np.empty((7, n_units)), np.empty((6, n_countries)))
    us, cs = np.empty((7, n_units)), np.empty((6, n_countries))
    new_us, new_cs = np.empty((7, n_units)), np.empty((6, n_countries))
    saved_us, saved_cs = np.empty((n_report, 7, n_units)), np.empty((n_report, 6, n_countries))
    coca = np.empty(n_report)
    fu, fc = w[4], w[5]
    for s in range(pm.shape[0]):
        pv = pm[s]
        initial(pv, geo[0], geo[1], init[0], init[1], init[2], init[3], us, cs)
        coca0 = us[AREA].sum()
        for t in range(n_report):
            if k > 0:
                copy(us, saved_us[t])
                copy(cs, saved_cs[t])
            step(t, 1.0, pv, us, cs, new_us, new_cs, lv, geo, planting[s, t], price[s, t], w)
            copy(fu, out_u[:, s, t, :])
            copy(fc, out_c[:, s, t, :])
            coca[t] = _reported(fu, math.exp(structural[s, t]))
            us, new_us = new_us, us  # the year's end state becomes the next year's start
            cs, new_cs = new_cs, cs
        if k == 0:
            continue
        for t0 in range(n_report):
            previous = coca0 if t0 == 0 else coca[t0 - 1]
            if coca[t0] < previous or coca[t0] <= limit[0]:
                if _stays(t0, k, s, pv, saved_us, saved_cs, lv, geo, planting, price,
                          structural, limit, w, b):
                    ok[s, t0] = True
                    break


ENABLED = True
"""Whether ``simulate`` uses this path where it applies (tests and benchmarks switch it off to
run the numpy reference)."""


def applies(inputs) -> bool:
    """Whether the compiled path can run these inputs: a plan's forward run with the same
    levers, will and start for every scenario (not a history replay or an exploration batch).
    """
    return (ENABLED and not inputs.per_scenario and inputs.observed_eradication is None
            and np.ndim(inputs.eradication0) == 1 and np.ndim(inputs.political_will) == 1)


def parameters(values: np.ndarray) -> np.ndarray:
    """The (S, len(NAMES)) matrix the kernel reads: drawn columns, then fixed constants."""
    from cnplan.model.parameters import FIXED_VALUES, PARAM_INDEX

    out = np.empty((values.shape[0], len(NAMES)))
    for i, name in enumerate(NAMES):
        out[:, i] = values[:, PARAM_INDEX[name]] if name in PARAM_INDEX else FIXED_VALUES[name]
    return out


def pack(inputs):
    """The inputs as the kernel's tuples: (levers by year, geography, initial state)."""
    geo = inputs.geography
    kernel = geo.displacement_kernel()
    n_years = len(inputs.years)
    masks = np.array([m for m, _ in inputs.scoped_eradication], dtype=float).reshape(
        -1, geo.n_units)
    values = np.array([v for _, v in inputs.scoped_eradication], dtype=float).reshape(
        -1, n_years)
    price0 = np.broadcast_to(np.asarray(inputs.price0, dtype=float), (geo.n_countries,))
    lv = (
        np.stack([np.asarray(inputs.levers[n], dtype=float) for n in ZONE_LEVERS]),
        np.stack([np.broadcast_to(np.asarray(inputs.levers[n], dtype=float).reshape(
            n_years, -1), (n_years, geo.n_countries)) for n in COUNTRY_LEVERS]),
        masks, values,
        np.asarray(inputs.political_will, dtype=float),
        np.asarray(inputs.hard_core_eradication, dtype=bool),
        np.asarray(inputs.voluntary_hard_core, dtype=bool),
        np.ascontiguousarray(price0), np.asarray(inputs.supply0, dtype=float),
    )
    geo_arrays = (np.asarray(geo.kinds, dtype=np.int64), np.asarray(geo.country, dtype=np.int64),
                  np.asarray(geo.land_cap, dtype=float), kernel.indptr.astype(np.int64),
                  kernel.indices.astype(np.int64), kernel.weights.astype(float))
    init = (np.asarray(inputs.area0, dtype=float), np.asarray(inputs.eradication0, dtype=float),
            np.asarray(geo.budget_weight, dtype=float), np.asarray(geo.poppy_weight, dtype=float))
    # one layout for every call (C-contiguous, writable): otherwise numba compiles again
    lv, geo_arrays, init = (tuple(np.array(a, order="C") for a in group)
                            for group in (lv, geo_arrays, init))
    return lv, geo_arrays, init


def run_chunk(inputs, draws, n_report: int, cfg) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The kernel over a chunk: the flows as ``simulate.run_chunk`` keeps them (before the
    structural error) and the stability branches' outcome (S, T) (all False without goals).
    """
    lv, geo_arrays, init = pack(inputs)
    s, n_units, n_countries = draws.params.shape[0], len(inputs.zones), len(init[2])
    price = draws.price if draws.price.ndim == 3 else draws.price[:, :, None]
    structural = (draws.structural if draws.structural is not None
                  else np.zeros(draws.price.shape[:2]))
    out_u = np.empty((N_UNIT_FLOWS, s, n_report, n_units), np.float32)
    out_c = np.empty((N_COUNTRY_FLOWS, s, n_report, n_countries), np.float32)
    ok = np.zeros((s, n_report), dtype=bool)
    limit = (np.array([cfg.coca_marginal, cfg.poppy_marginal], dtype=float) if cfg is not None
             else np.zeros(2))
    k = cfg.years_without_assistance if cfg is not None else 0
    run(parameters(draws.params), draws.planting, np.ascontiguousarray(price),
        np.ascontiguousarray(structural, dtype=float), n_report, lv, geo_arrays, init, limit,
        k, out_u, out_c, ok)
    out = {name: out_u[i] for i, name in enumerate(UNIT_FLOWS)}
    for i, name in enumerate(COUNTRY_FLOWS):
        out[name] = out_c[i][:, :, 0] if n_countries == 1 else out_c[i]
    return out, ok

"""The yearly step compiled with numba over lanes of scenarios: the fast path of ``simulate``.

The numpy engine (:mod:`cnplan.model.engine`, the mechanisms of :mod:`cnplan.model.mechanisms`)
stays the definition and the parity reference: ``tests/model/test_compiled.py`` pins this
module to it (same numbers within float tolerance, same goal outcomes). Each function below is
the numpy function named in its docstring, written as loops over a block of scenarios (the
*lanes*, the innermost axis of every array here) so the compiler can use SIMD across scenarios,
as numpy does, without numpy's temporaries and per-call overhead. The compiled path runs plan
simulations (``simulate``); explorations with per-scenario levers and history replays use the
numpy engine. Numbers depend only on the seed, never on the chunking or the lane count (the
scenarios are independent; a lane only ever reads its own scenario).

Layouts (lanes last): a block's unit state ``us`` is (7, U, L) (rows ``AREA`` ... ``RISK``),
its country state ``cs`` (6, C, L); a year's unit flows ``fu`` (flow, U, L) and country flows
``fc`` (flow, C, L) follow ``outputs.UNIT_FLOWS`` and ``outputs.COUNTRY_FLOWS``; ``pb`` holds
the lanes' parameters (row per name of ``NAMES`` then ``DERIVED``). ``wu`` (rows ``W_*``, U, L),
``wc`` (rows ``V_*``, C, L) and ``wl`` (rows ``L_*``, L) are scratch reused every year.
"""

from __future__ import annotations

import math

import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

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

DERIVED = ("log_demand_growth", "log_licit_growth", "log_break_even")
"""Columns computed once per scenario (``parameters``): log(1 + demand growth),
log(1 + licit income growth) and log(break-even price), so that the yearly powers of
``engine._leaf_price`` and ``engine._growers`` are one vectorisable exponential."""
LOG_DEMAND, LOG_LICIT, LOG_BREAK_EVEN = range(len(NAMES), len(NAMES) + len(DERIVED))
N_PARAMS = len(NAMES) + len(DERIVED)

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

# scratch rows per unit (wu), per country (wc) and per lane (wl)
(W_SHARE, W_COSTED, W_LAND, W_KEEP, W_AVAIL, W_RATE, W_ROOM, W_FACTOR, W_LEFT, W_WEIGHT,
 W_REMOVED, W_PERW, W_TMP) = range(13)
N_WU = 13
V_TOTAL, V_ERADCOST, V_GROW, V_DECLINE, V_PRECURSOR, V_ESCORT, V_TMP = range(7)
N_WC = 7
L_TOTAL, L_LEFT, L_ROOM, L_REACH, L_COCA0, L_FOUND, L_FACTOR = range(7)
N_WL = 7
LN2 = math.log(2.0)
LANE_PAD = 8
"""Unused lanes after each row of the kernel's arrays, so rows (and units) do not start at
multiples of 4 KiB from each other: with 64 or 128 lanes they would, and the dozens of rows a
step reads and writes at once would compete for the same few sets of the L1 cache."""
JIT = {"cache": True, "error_model": "numpy", "nogil": True}

# A lane loop reads and writes rows of a few arrays whose strides only run time knows, so LLVM
# vectorises it behind run-time overlap checks; its default budget of checks (8 to 128) is
# below what a loop here needs, and it would then run lane by lane, 3-5 times slower.
# Performance only (the vectorised and scalar loops compute the same numbers). Process-wide
# options of the LLVM numba uses; an unknown option is ignored by LLVM.
for _option in ("-vectorize-memory-check-threshold=1000",
                "-pragma-vectorize-memory-check-threshold=1000",
                "-runtime-memory-check-threshold=1000"):
    llvm.set_option("", _option)


@intrinsic
def _as_float(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits`` (an LLVM bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@njit(cache=True, error_model="numpy", inline="always")
def vexp(x):
    """exp(x) from arithmetic alone, so loops calling it vectorise (a libm call would not):
    x = k ln2 + r, |r| <= ln2/2, exp(r) by its Taylor series to r^13 (truncation below 1e-17
    relative), times 2^k built from its bits. Within 2 ulp of numpy's exp; arguments are
    clamped to [-708, 709] (exp(-708) = 3e-308 stands for 0) and NaN stays NaN.
    """
    xc = x if x > -708.0 else -708.0
    xc = xc if xc < 709.0 else 709.0
    k = math.floor(xc * 1.4426950408889634 + 0.5)
    r = (xc - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    y = p * _as_float((np.int64(k) + 1023) << 52)
    return y if x == x else x


@intrinsic
def _as_bits(typingctx, x):
    """The IEEE bits of the float64 ``x`` as an int64 (an LLVM bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@njit(cache=True, error_model="numpy", inline="always")
def vlog(x):
    """log(x) for a positive normal float64 from arithmetic alone (vectorises, see ``vexp``):
    x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m - 1)/(m + 1), by its
    series to s^21 (truncation below 1e-17). Within 2 ulp of numpy's log; NaN for x that is
    not a positive normal number (the kernel only takes logs of prices and supply ratios).
    """
    bits = _as_bits(x)
    e = (bits >> 52) - 1023
    m = _as_float((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    big = m > 1.4142135623730951
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    p = 1.0 / 21.0
    p = p * z + 1.0 / 19.0
    p = p * z + 1.0 / 17.0
    p = p * z + 1.0 / 15.0
    p = p * z + 1.0 / 13.0
    p = p * z + 1.0 / 11.0
    p = p * z + 1.0 / 9.0
    p = p * z + 1.0 / 7.0
    p = p * z + 1.0 / 5.0
    p = p * z + 1.0 / 3.0
    p = p * z + 1.0
    y = e * 6.93147180369123816490e-01 + (2.0 * s * p + e * 1.90821492927058770002e-10)
    return y if x >= 2.2250738585072014e-308 and x < np.inf else np.nan


@njit(cache=True, error_model="numpy", inline="always")
def vtanh(x):
    """tanh(x) from arithmetic alone (vectorises): -m / (2 + m) with m = expm1(-2|x|), the
    expm1 by its Taylor series to the 17th power where |2x| < 1/2 (so small arguments keep
    their precision), else exp - 1. Within a few ulp of numpy's tanh.
    """
    a = -2.0 * abs(x)
    p = 1.0 / 355687428096000.0
    p = p * a + 1.0 / 20922789888000.0
    p = p * a + 1.0 / 1307674368000.0
    p = p * a + 1.0 / 87178291200.0
    p = p * a + 1.0 / 6227020800.0
    p = p * a + 1.0 / 479001600.0
    p = p * a + 1.0 / 39916800.0
    p = p * a + 1.0 / 3628800.0
    p = p * a + 1.0 / 362880.0
    p = p * a + 1.0 / 40320.0
    p = p * a + 1.0 / 5040.0
    p = p * a + 1.0 / 720.0
    p = p * a + 1.0 / 120.0
    p = p * a + 1.0 / 24.0
    p = p * a + 1.0 / 6.0
    p = p * a + 0.5
    p = p * a + 1.0
    m = p * a if a > -0.5 else vexp(a) - 1.0
    y = -m / (2.0 + m)
    return y if x >= 0.0 else -y


@njit(**JIT)
def zero(x, n):
    """x[:, :n] = 0 for a (rows, lanes) array, as plain loops (numba's slice assignment costs
    more than a step's arithmetic at these sizes).
    """
    for i in range(x.shape[0]):
        for lane in range(n):
            x[i, lane] = 0.0


@njit(**JIT)
def copy(src, dst, n):
    """dst[:, :, :n] = src[:, :, :n] for (rows, units, lanes) arrays, as plain loops."""
    for r in range(src.shape[0]):
        for i in range(src.shape[1]):
            for lane in range(n):
                dst[r, i, lane] = src[r, i, lane]


@njit(**JIT)
def initial(n, pb, kinds, area0, erad0, budget_w, poppy_w, us, cs):
    """``engine.initial_state`` of lanes 0..n-1."""
    for u in range(us.shape[1]):
        hard = kinds[u] == HARD_CORE
        row = REPLANT_HARD if hard else REPLANT
        risk = min(erad0[u] / max(area0[u] + erad0[u], 1.0), 1.0)
        for lane in range(n):
            us[AREA, u, lane] = area0[u]
            us[PIPELINE, u, lane] = 0.0
            us[POOL, u, lane] = pb[row, lane] * erad0[u] * (1.0 - pb[SAME_YEAR, lane])
            us[AD_AREA, u, lane] = 0.0
            us[ABANDONED, u, lane] = 0.0
            us[RESISTANCE, u, lane] = pb[RES_INITIAL, lane] if hard else 0.0
            us[RISK, u, lane] = risk
    for c in range(cs.shape[1]):
        for lane in range(n):
            for row in range(cs.shape[0]):
                cs[row, c, lane] = 0.0
            cs[POPPY, c, lane] = pb[POPPY_INITIAL, lane] * poppy_w[c]
            cs[DOMESTIC, c, lane] = pb[BUDGET, lane] * budget_w[c]


@njit(**JIT)
def asks(t, n, zl, sm, sv, us, w):
    """``eradication.asks``: unit targets as given, scoped targets attributed by coca."""
    wu, wl, attr, sweight, fu = w[0], w[2], w[3], w[4], w[5]
    n_units = us.shape[1]
    for u in range(n_units):
        target = zl[Z_FORCED, t, u]
        for lane in range(n):
            fu[F_PLANNED, u, lane] = target
    for k in range(sm.shape[0]):
        for lane in range(n):
            wl[L_TOTAL, lane] = 0.0
        for u in range(n_units):
            mask = sm[k, u]
            for lane in range(n):
                sweight[k, u, lane] = us[AREA, u, lane] * mask
                wl[L_TOTAL, lane] += sweight[k, u, lane]
        amount = sv[k, t]
        for u in range(n_units):
            for lane in range(n):
                a = amount * sweight[k, u, lane] / max(wl[L_TOTAL, lane], 1e-12)
                attr[k, u, lane] = a
                fu[F_PLANNED, u, lane] += a
    for u in range(n_units):
        for lane in range(n):
            wu[W_COSTED, u, lane] = fu[F_PLANNED, u, lane]


@njit(**JIT)
def country_sums(n, country, us, wu, wc):
    """Standing coca and costed eradication per country; each unit's share of its country's
    coca (``mechanisms.country_share``).
    """
    zero(wc[V_TOTAL], n)
    zero(wc[V_ERADCOST], n)
    for u in range(us.shape[1]):
        c = country[u]
        for lane in range(n):
            wc[V_TOTAL, c, lane] += us[AREA, u, lane]
            wc[V_ERADCOST, c, lane] += wu[W_COSTED, u, lane]
    for u in range(us.shape[1]):
        c = country[u]
        for lane in range(n):
            wu[W_SHARE, u, lane] = us[AREA, u, lane] / max(wc[V_TOTAL, c, lane], 1.0)


@njit(**JIT)
def programmes(t, n, assist, pb, cs, lv, w, new_cs):
    """``engine._programmes`` and ``_costs`` per country: police, funding and will."""
    cl, will_t, zc = lv[1], lv[4][t], lv[9]
    wc, fc = w[1], w[6]
    for c in range(cs.shape[1]):
        trained = cl[C_TRAINING, t - 2, c] if t >= 2 else 0.0
        graduates, security = cl[C_GRADUATES, t, c], cl[C_SECURITY, t, c]
        teams = cl[C_ROAD, t, c] + cl[C_PORT, t, c]
        campaigns, aid = cl[C_OUTREACH, t, c], cl[C_AID, t, c] * assist
        ad, forward = zc[0, t, c], zc[1, t, c]
        for lane in range(n):
            police = cs[POLICE, c, lane] * (1.0 - pb[ATTRITION, lane]) + graduates + trained
            new_cs[POLICE, c, lane] = police
            standing = (ad + (police + forward + security) * (pb[POLICE_COST, lane] / 1e6)
                        + teams * pb[TEAM_COST, lane] + campaigns)
            erad_cost = wc[V_ERADCOST, c, lane] * pb[ERAD_COST, lane] / 1e6
            domestic = cs[DOMESTIC, c, lane]
            funds = domestic + aid
            fc[G_CAPACITY, c, lane] = min(1.0, domestic / max(standing + erad_cost, 1e-9))
            covered = min(1.0, funds / max(standing, 1e-9))
            fc[G_COVERED, c, lane] = covered
            fc[G_ERAD_COVERED, c, lane] = min(
                1.0, max(funds - standing, 0.0) / max(erad_cost, 1e-9))
            fc[G_COST, c, lane] = standing + erad_cost
            outreach = cs[OUTREACH, c, lane] + campaigns * covered
            new_cs[OUTREACH, c, lane] = outreach
            gain = 1.0 - vexp(-pb[WILL_GAIN, lane] * outreach)
            fc[G_WILL, c, lane] = will_t + (1.0 - will_t) * gain


@njit(**JIT)
def presence(t, n, pb, zl, kinds, country, new_cs, w, fu):
    """``mechanisms.base_presence``, ``unit_police`` and ``presence`` per unit."""
    wu, fc = w[0], w[6]
    for u in range(kinds.shape[0]):
        c = country[u]
        row = PRES_TRAD if kinds[u] == TRADITIONAL else PRES_HARD if kinds[u] == HARD_CORE else -1
        forward = zl[Z_FORWARD, t, u]
        for lane in range(n):
            factor = pb[row, lane] if row >= 0 else 1.0
            base = min(pb[PRES_BASE, lane] * factor, pb[PRES_MAX, lane])
            police_u = ((forward + pb[ZONE_SHARE, lane] * new_cs[POLICE, c, lane]
                         * wu[W_SHARE, u, lane]) * fc[G_COVERED, c, lane])
            fu[F_PRESENCE, u, lane] = base + (1.0 - base) * (
                1.0 - vexp(-LN2 * police_u / pb[PRES_HALF, lane]))


@njit(**JIT)
def leaf_price(t, n, pb, cs, lv, country, pr, w, new_cs):
    """``engine._leaf_price`` and ``mechanisms.planting_pull``: the leaf price per country,
    its shock, precursor control, and the pull to grow or abandon.
    """
    zl, cl, price0, supply0 = lv[0], lv[1], lv[7], lv[8]
    wu, wc, fc = w[0], w[1], w[6]
    zero(wc[V_TMP], n)
    for u in range(wu.shape[1]):
        c, source = country[u], zl[Z_SOURCE, t, u]
        for lane in range(n):
            wc[V_TMP, c, lane] += source * wu[W_SHARE, u, lane]
    years = t + 1.0
    for c in range(cs.shape[1]):
        teams, control = cl[C_ROAD, t, c] + cl[C_PORT, t, c], cl[C_PRECURSOR, t, c]
        log_price0 = math.log(price0[c])
        for lane in range(n):
            covered = fc[G_COVERED, c, lane]
            demand = supply0[c] * vexp(years * pb[LOG_DEMAND, lane])
            precursor = control * covered
            wc[V_PRECURSOR, c, lane] = precursor
            shock = pb[PERSISTENCE, lane] * cs[SHOCK, c, lane] + pb[PRICE_SD, lane] * pr[c, lane]
            new_cs[SHOCK, c, lane] = shock
            interdiction = 1.0 - (1.0 - wc[V_TMP, c, lane] * covered) * vexp(
                -pb[ROUTE_EFFECT, lane] * (teams * covered))
            e = (-vlog(max(wc[V_TOTAL, c, lane], 1.0) / demand) / pb[ELASTICITY, lane]
                 - pb[INTERDICTION_EFFECT, lane] * interdiction
                 - pb[PRECURSOR_EFFECT, lane] * max(precursor - cs[ADAPT, c, lane], 0.0)
                 + shock)
            fc[G_PRICE, c, lane] = price0[c] * vexp(e)
            log_ratio = log_price0 + e - (pb[LOG_BREAK_EVEN, lane]
                                             + years * pb[LOG_LICIT, lane])
            pull = vtanh(log_ratio / pb[PRICE_RESPONSE, lane])
            wc[V_GROW, c, lane] = max(pull, 0.0)
            wc[V_DECLINE, c, lane] = max(-pull, 0.0)


@njit(**JIT)
def growers(t, n, pb, us, zl, vol_hard_core, pn, kinds, country, land_cap, w, fu):
    """``engine._growers``: planting, abandonment, regeneration, voluntary eradication."""
    wu, wc, fc = w[0], w[1], w[6]
    for u in range(us.shape[1]):
        c = country[u]
        ad, cap_u = zl[Z_AD, t, u], land_cap[u]
        target = zl[Z_VOL, t, u] * (vol_hard_core if kinds[u] == HARD_CORE else 1.0)
        for lane in range(n):
            area, grow = us[AREA, u, lane], wc[V_GROW, c, lane]
            sd, ad_cost_ha = pb[PLANT_SD, lane], pb[AD_COST, lane]
            ad_cost = ad_cost_ha / 1e6
            land = max(0.0, 1.0 - area / (pb[LAND_FACTOR, lane] * cap_u))
            ad_funds = ad * fc[G_COVERED, c, lane]
            keep = 1.0 - pb[AD_CUT, lane] * (
                1.0 - vexp(-(ad_funds * 1e6 / (area + pb[SEED, lane])) / ad_cost_ha))
            shock = vexp(sd * pn[u, lane] - 0.5 * sd * sd
                         - pb[RISK_DETER, lane] * us[RISK, u, lane])
            fu[F_NEW, u, lane] = (pb[PLANT_RATE, lane] * grow * (area + pb[SEED, lane]) * land
                                  * (1.0 - pb[PRES_DETER, lane] * fu[F_PRESENCE, u, lane])
                                  * (keep * shock))
            fu[F_ABANDONED, u, lane] = pb[ABANDON_RATE, lane] * wc[V_DECLINE, c, lane] * area
            fu[F_REGEN, u, lane] = pb[REGEN_RATE, lane] * grow * us[ABANDONED, u, lane]
            vol = target * min(1.0, ad_funds / max(target * ad_cost, 1e-12))
            left = max(ad_funds - vol * ad_cost, 0.0)
            upkeep = us[AD_AREA, u, lane] * ad_cost_ha * pb[AD_UPKEEP, lane] / 1e6
            supported = min(1.0, left / max(upkeep, 1e-12))
            fu[F_RELAPSED, u, lane] = us[AD_AREA, u, lane] * (
                (1.0 - supported) * pb[AD_RELAPSE, lane] + supported * pb[VOL_REPLANT, lane])
            fu[F_VOL, u, lane] = vol
            wu[W_LAND, u, lane] = land
            wu[W_KEEP, u, lane] = keep


@njit(**JIT)
def room(n, pb, us, kinds, w, fu):
    """``engine.step`` before eradication: what is standing, voluntary eradication first,
    the replanting rate and each unit's room (``engine._eradication``).
    """
    wu = w[0]
    for u in range(us.shape[1]):
        row = REPLANT_HARD if kinds[u] == HARD_CORE else REPLANT
        for lane in range(n):
            avail = (us[AREA, u, lane] + fu[F_NEW, u, lane] + us[POOL, u, lane]
                     + us[PIPELINE, u, lane] + fu[F_REGEN, u, lane] + fu[F_RELAPSED, u, lane]
                     - fu[F_ABANDONED, u, lane])
            vol = min(fu[F_VOL, u, lane], avail)
            rate = (pb[row, lane] * (1.0 - pb[PRES_REPLANT_CUT, lane] * fu[F_PRESENCE, u, lane])
                    * wu[W_KEEP, u, lane])
            cap = pb[ERAD_MAX, lane] * avail / (1.0 - rate * pb[SAME_YEAR, lane])
            fu[F_VOL, u, lane] = vol
            wu[W_AVAIL, u, lane] = avail
            wu[W_RATE, u, lane] = rate
            wu[W_ROOM, u, lane] = min(cap, avail - vol)


@njit(**JIT)
def limits(t, n, pb, us, cl, hard_core_ok, kinds, country, w):
    """``eradication.limits``: the factor on the plan's asks and what each cause removes."""
    wu, wc, fc = w[0], w[1], w[6]
    for row in (G_FUNDING, G_FEASIBILITY, G_RESIST):
        zero(fc[row], n)
    zero(wc[V_TMP], n)
    for u in range(us.shape[1]):
        c = country[u]
        edge = kinds[u] == HARD_CORE and not hard_core_ok
        for lane in range(n):
            covered = fc[G_ERAD_COVERED, c, lane]
            feasible = pb[EDGE_SHARE, lane] if edge else 1.0
            resist = 1.0 - pb[RES_BLOCK, lane] * us[RESISTANCE, u, lane] * (
                1.0 - fc[G_WILL, c, lane])
            w0 = wu[W_COSTED, u, lane]
            w1 = w0 * covered
            w2 = w1 * feasible
            w3 = w2 * resist
            fc[G_FUNDING, c, lane] += w0 - w1
            fc[G_FEASIBILITY, c, lane] += w1 - w2
            fc[G_RESIST, c, lane] += w2 - w3
            wc[V_TMP, c, lane] += w3
            wu[W_FACTOR, u, lane] = covered * feasible * resist
    for c in range(wc.shape[1]):
        escorts = cl[C_SECURITY, t, c]
        for lane in range(n):
            total = wc[V_TMP, c, lane]
            escort = pb[ESCORT_BASE, lane] + pb[ESCORT_PROD, lane] * (
                escorts * fc[G_COVERED, c, lane])
            security = min(1.0, escort / max(total, 1e-12))
            fc[G_SECURITY, c, lane] = total - total * security
            wc[V_ESCORT, c, lane] = security
    for u in range(us.shape[1]):
        c = country[u]
        for lane in range(n):
            wu[W_FACTOR, u, lane] *= wc[V_ESCORT, c, lane]


@njit(**JIT)
def fill(n, weight, cap, done, wl):
    """``eradication.fill`` of the totals ``wl[L_TOTAL]``: water-fill each lane's total over
    units by weight, none above its cap (``done``, (U, L)).

    numpy's version always makes one pass per unit; a pass that caps no unit in any lane has
    placed everything (what is left after it is rounding), so this one stops there.
    """
    zero(done, n)
    for _ in range(cap.shape[0]):
        for lane in range(n):
            wl[L_LEFT, lane] = wl[L_TOTAL, lane]
            wl[L_ROOM, lane] = 0.0
        for u in range(cap.shape[0]):
            for lane in range(n):
                wl[L_LEFT, lane] -= done[u, lane]
                if done[u, lane] < cap[u, lane]:
                    wl[L_ROOM, lane] += weight[u, lane]
        capped = False
        for u in range(cap.shape[0]):
            for lane in range(n):
                if done[u, lane] < cap[u, lane]:
                    share = weight[u, lane] / max(wl[L_ROOM, lane], 1e-12)
                    value = done[u, lane] + max(wl[L_LEFT, lane], 0.0) * share
                    if value >= cap[u, lane]:
                        value = cap[u, lane]
                        capped = True
                    done[u, lane] = value
        if not capped:
            break


@njit(**JIT)
def deliver(t, n, zl, country, w, fu):
    """``eradication.deliver``: own asks up to the room, scoped asks water-filled."""
    wu, wl, attr, sweight, fc = w[0], w[2], w[3], w[4], w[6]
    n_units = wu.shape[1]
    zero(fc[G_CAP], n)
    for u in range(n_units):
        c, target = country[u], zl[Z_FORCED, t, u]
        for lane in range(n):
            wanted = target * wu[W_FACTOR, u, lane]
            own = min(wanted, wu[W_ROOM, u, lane])
            fc[G_CAP, c, lane] += wanted - own
            fu[F_FORCED, u, lane] = own
            wu[W_LEFT, u, lane] = wu[W_ROOM, u, lane] - own
    for k in range(attr.shape[0]):
        for lane in range(n):
            wl[L_TOTAL, lane] = 0.0
        for u in range(n_units):
            for lane in range(n):
                attr[k, u, lane] *= wu[W_FACTOR, u, lane]
                wl[L_TOTAL, lane] += attr[k, u, lane]
        fill(n, sweight[k], wu[W_LEFT], wu[W_TMP], wl)
        for u in range(n_units):
            c = country[u]
            for lane in range(n):
                filled = wu[W_TMP, u, lane]
                wu[W_LEFT, u, lane] -= filled
                fu[F_FORCED, u, lane] += filled
                fc[G_CAP, c, lane] += attr[k, u, lane] - filled


@njit(**JIT)
def settle(n, pb, us, kinds, w, fu, new_us):
    """``engine.step`` after eradication: replanting, the new area, resistance, risk and
    what displacement sends (``W_REMOVED``, ``W_WEIGHT``) for each unit.
    """
    wu = w[0]
    for u in range(us.shape[1]):
        frontier = kinds[u] == HARD_CORE or kinds[u] == TRADITIONAL
        for lane in range(n):
            forced, rate = fu[F_FORCED, u, lane], wu[W_RATE, u, lane]
            avail, floor = wu[W_AVAIL, u, lane], pb[RES_FLOOR, lane]
            replant = forced * rate
            now = replant * pb[SAME_YEAR, lane]
            later = replant - now
            area = max(avail - forced - fu[F_VOL, u, lane], 0.0) + now
            presence_u = fu[F_PRESENCE, u, lane]
            fu[F_AREA, u, lane] = area
            fu[F_MATURED, u, lane] = us[PIPELINE, u, lane]
            fu[F_REPLANTED, u, lane] = us[POOL, u, lane] + now
            fu[F_UNDELIVERED, u, lane] = fu[F_PLANNED, u, lane] - forced
            kind = pb[DISP_KIND, lane] if frontier else 1.0
            wu[W_WEIGHT, u, lane] = kind * (1.0 - presence_u) * (
                wu[W_LAND, u, lane] + pb[DISP_FLOOR, lane])
            wu[W_REMOVED, u, lane] = pb[DISP_SHARE, lane] * (forced - (now + later))
            hit = forced / max(avail, 1.0)
            r = us[RESISTANCE, u, lane] + pb[RES_GAIN, lane] * hit * (1.0 - presence_u)
            r = r * (1.0 - pb[RES_DECAY, lane] * (floor + (1.0 - floor) * presence_u))
            r = min(max(r, 0.0), 1.0)
            fu[F_RESISTANCE, u, lane] = r
            new_us[RESISTANCE, u, lane] = r
            new_us[RISK, u, lane] = us[RISK, u, lane] + pb[RISK_UPDATE, lane] * (
                hit - us[RISK, u, lane])
            new_us[AREA, u, lane] = area
            new_us[POOL, u, lane] = later
            new_us[AD_AREA, u, lane] = (us[AD_AREA, u, lane] + fu[F_VOL, u, lane]
                                        - fu[F_RELAPSED, u, lane])
            new_us[ABANDONED, u, lane] = (us[ABANDONED, u, lane] + fu[F_ABANDONED, u, lane]
                                          - fu[F_REGEN, u, lane])


@njit(**JIT)
def displace(n, indptr, indices, kw, w, fu, new_us):
    """``DisplacementOperator.apply``: inflow_j = w_j sum_i K_ij x_i / (K w)_i, into the new
    pipeline and the year's ``displaced`` flow.
    """
    wu, wl = w[0], w[2]
    for i in range(indptr.shape[0] - 1):
        for lane in range(n):
            wl[L_REACH, lane] = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            j, k = indices[e], kw[e]
            for lane in range(n):
                wl[L_REACH, lane] += k * wu[W_WEIGHT, j, lane]
        for lane in range(n):
            reach = wl[L_REACH, lane]
            wu[W_PERW, i, lane] = wu[W_REMOVED, i, lane] / reach if reach > 0.0 else 0.0
    zero(new_us[PIPELINE], n)
    for i in range(indptr.shape[0] - 1):
        for e in range(indptr[i], indptr[i + 1]):
            j, k = indices[e], kw[e]
            for lane in range(n):
                new_us[PIPELINE, j, lane] += k * wu[W_PERW, i, lane]
    for j in range(wu.shape[1]):
        for lane in range(n):
            value = new_us[PIPELINE, j, lane] * wu[W_WEIGHT, j, lane]
            new_us[PIPELINE, j, lane] = value
            fu[F_DISPLACED, j, lane] = value


@njit(**JIT)
def national(t, n, pb, cs, cl, w, new_cs):
    """``engine.step``'s country updates: poppy, precursor adaptation and the budget."""
    wc, fc = w[1], w[6]
    for c in range(cs.shape[1]):
        intel0 = cl[C_POPPY_INTEL, t, c]
        for lane in range(n):
            base = pb[POPPY_DETECT, lane]
            detect = base + (1.0 - base) * (intel0 * fc[G_COVERED, c, lane])
            eradicated = cs[POPPY, c, lane] * detect * pb[POPPY_ERAD, lane]
            poppy = (cs[POPPY, c, lane] - eradicated) * (1.0 + pb[POPPY_GROWTH, lane])
            new_cs[POPPY, c, lane] = poppy
            fc[G_POPPY, c, lane] = poppy
            fc[G_POPPY_ERAD, c, lane] = eradicated
            adapt = cs[ADAPT, c, lane]
            new_cs[ADAPT, c, lane] = adapt + pb[PRECURSOR_RATE, lane] * (
                wc[V_PRECURSOR, c, lane] - adapt)
            new_cs[DOMESTIC, c, lane] = cs[DOMESTIC, c, lane] * (1.0 + pb[GDP_GROWTH, lane])


@njit(**JIT)
def step(t, n, assist, pb, pn, pr, us, cs, new_us, new_cs, lv, geo, w):
    """``engine.step`` for lanes 0..n-1 and year ``t``: the year's unit and country flows in
    ``w``'s ``fu``/``fc``, the state at its end in ``new_us``/``new_cs``. ``pn`` (U, L) and
    ``pr`` (C, L) are the year's planting and price shocks.

    ``lv``: (zone levers, country levers, scoped masks, scoped values, will, hard-core
    eradication allowed, voluntary in hard core, price0, supply0, country sums of AD funding
    and forward-base police) by year; ``geo``: (kinds, country, land cap, kernel indptr,
    indices, weights); ``w``: (wu, wc, wl, attributed, scoped weights, fu, fc) scratch.
    """
    zl, cl, sm, sv, hard_ok, vol_hard = lv[0], lv[1], lv[2], lv[3], lv[5], lv[6]
    kinds, country, land_cap, indptr, indices, kw = geo
    fu = w[5]
    asks(t, n, zl, sm, sv, us, w)
    country_sums(n, country, us, w[0], w[1])
    programmes(t, n, assist, pb, cs, lv, w, new_cs)
    presence(t, n, pb, zl, kinds, country, new_cs, w, fu)
    leaf_price(t, n, pb, cs, lv, country, pr, w, new_cs)
    growers(t, n, pb, us, zl, 1.0 if vol_hard[t] else 0.0, pn, kinds, country, land_cap, w,
            fu)
    room(n, pb, us, kinds, w, fu)
    limits(t, n, pb, us, cl, hard_ok[t], kinds, country, w)
    deliver(t, n, zl, country, w, fu)
    settle(n, pb, us, kinds, w, fu, new_us)
    displace(n, indptr, indices, kw, w, fu, new_us)
    national(t, n, pb, cs, cl, w, new_cs)


@njit(**JIT)
def gather(t, n, scenarios, planting, price, pn, pr):
    """The year's shocks of the lanes' scenarios, lanes last."""
    for lane in range(n):
        s = scenarios[lane]
        for u in range(pn.shape[0]):
            pn[u, lane] = planting[s, t, u]
        for c in range(pr.shape[0]):
            pr[c, lane] = price[s, t, c]


@njit(**JIT)
def move(src, dst, n, rows):
    """dst[r, :, j] = src[r, :, lanes[j]] for the rows ``rows`` (R, L, picked) of 3-d arrays
    of lanes: gathers lanes (a branch's) or packs them to the front (``src`` is ``dst``).
    """
    for j in range(n):
        lane = rows[j]
        for r in range(src.shape[0]):
            for i in range(src.shape[1]):
                dst[r, i, j] = src[r, i, lane]


@njit(**JIT)
def record(t, s0, n, structural, write, w, out, coca):
    """The year's flows of lanes 0..n-1 into the outputs ``out`` (unit flows, country flows,
    row of the chunk's first scenario; float32, as ``simulate`` keeps them), the area as
    reported (times the structural error, ``simulate._reported``), and national reported coca
    as the goals sum it (float64 of the float32 areas, unit by unit).
    """
    fu, fc, factor = w[5], w[6], w[2][L_FACTOR]
    out_u, out_c, first = out
    for lane in range(n):
        factor[lane] = math.exp(structural[s0 + lane, t])
        coca[s0 + lane, t] = 0.0
    for u in range(fu.shape[1]):
        for lane in range(n):
            area = np.float32(np.float64(np.float32(fu[F_AREA, u, lane])) * factor[lane])
            coca[s0 + lane, t] += np.float64(area)
            if write:
                out_u[F_AREA, first + s0 + lane, t, u] = area
    if not write:
        return
    for f in range(fu.shape[0]):
        if f != F_AREA:
            for u in range(fu.shape[1]):
                for lane in range(n):
                    out_u[f, first + s0 + lane, t, u] = fu[f, u, lane]
    for f in range(fc.shape[0]):
        for c in range(fc.shape[1]):
            for lane in range(n):
                out_c[f, first + s0 + lane, t, c] = fc[f, c, lane]


@njit(**JIT)
def stays(t, n, structural, scenarios, at, limit, fu, fc, keep):
    """Which of the branch lanes ``at[:n]`` stay marginal this year (``simulate._branches``);
    returns how many, those lanes in ``keep``.
    """
    m = 0
    for j in range(n):
        lane = at[j]
        coca = 0.0
        for u in range(fu.shape[1]):
            coca += fu[F_AREA, u, lane]
        poppy = 0.0
        for c in range(fc.shape[1]):
            poppy += fc[G_POPPY, c, lane]
        if coca * math.exp(structural[scenarios[lane], t]) <= limit[0] and poppy <= limit[1]:
            keep[m] = lane
            m += 1
    return m


@njit(**JIT)
def branch(t0, n, k, planting, price, structural, limit, lv, geo, w, st):
    """Step the branch lanes 0..n-1 (state in ``st``, started in year ``t0``) without outside
    assistance for ``k`` years, dropping each lane as soon as it leaves the marginal levels;
    returns how many stayed (packed first in ``st``'s lanes).
    """
    us, cs, new_us, new_cs, pn, pr, scenarios, lanes, keep, pb, ident = st
    fu, fc = w[5], w[6]
    for t in range(t0, t0 + k):
        gather(t, n, scenarios, planting, price, pn, pr)
        step(t, n, 0.0, pb, pn, pr, us, cs, new_us, new_cs, lv, geo, w)
        m = stays(t, n, structural, scenarios, ident, limit, fu, fc, keep)
        if m < n:
            move(new_us, new_us, m, keep)
            move(new_cs, new_cs, m, keep)
            for j in range(m):
                scenarios[j] = scenarios[keep[j]]
                lanes[j] = lanes[keep[j]]
                for i in range(pb.shape[0]):
                    pb[i, j] = pb[i, keep[j]]
        n = m
        if n == 0:
            break
        us, new_us = new_us, us
        cs, new_cs = new_cs, cs
    return n


@njit(**JIT)
def first_year(t0, s0, nl, n, pb, planting, price, structural, limit, lv, geo, saved, w, st):
    """A branch's first year for the block's ``n`` lanes ``st[7]`` that need one, stepping
    every lane in place (cheaper than packing when many need it); the lanes that stay
    marginal are packed first (state in ``st[2]``/``st[3]``), their number returned.
    """
    us, cs, new_us, new_cs, pn, pr, scenarios, lanes, keep, branch_pb = st[:10]
    copy(saved[0][t0], us, nl)
    copy(saved[1][t0], cs, nl)
    for lane in range(nl):
        scenarios[lane] = s0 + lane
    gather(t0, nl, scenarios, planting, price, pn, pr)
    step(t0, nl, 0.0, pb, pn, pr, us, cs, new_us, new_cs, lv, geo, w)
    m = stays(t0, n, structural, scenarios, lanes, limit, w[5], w[6], keep)
    move(new_us, new_us, m, keep)
    move(new_cs, new_cs, m, keep)
    for q in range(m):
        lane = keep[q]
        lanes[q] = lane
        scenarios[q] = s0 + lane
        for i in range(pb.shape[0]):
            branch_pb[i, q] = pb[i, lane]
    return m


@njit(**JIT)
def branches(s0, nl, k, pb, planting, price, structural, limit, lv, geo, saved, w, st, coca,
             ok):
    """``simulate._branches`` for the block's lanes: for each year, the lanes still looking
    for their stability year whose coca is falling (or marginal) run the branch from their
    state at the start of that year; the first that stays marginal is their year.
    """
    us, cs, new_us, new_cs = st[0], st[1], st[2], st[3]
    scenarios, lanes, branch_pb = st[6], st[7], st[9]
    wl = w[2]
    for lane in range(nl):
        wl[L_FOUND, lane] = 0.0
    for t0 in range(coca.shape[1]):
        n = 0
        for lane in range(nl):
            s = s0 + lane
            previous = wl[L_COCA0, lane] if t0 == 0 else coca[s, t0 - 1]
            falling = coca[s, t0] < previous or coca[s, t0] <= limit[0]
            if falling and wl[L_FOUND, lane] == 0.0:
                lanes[n] = lane
                scenarios[n] = s
                n += 1
        if n == 0:
            continue
        if n >= limit[2] * nl:
            n = first_year(t0, s0, nl, n, pb, planting, price, structural, limit, lv, geo,
                           saved, w, st)
            if n > 0 and k > 1:
                n = branch(t0 + 1, n, k - 1, planting, price, structural, limit, lv, geo, w,
                           (new_us, new_cs, us, cs, *st[4:]))
        else:
            move(saved[0][t0], us, n, lanes)
            move(saved[1][t0], cs, n, lanes)
            for j in range(n):
                for i in range(pb.shape[0]):
                    branch_pb[i, j] = pb[i, lanes[j]]
            n = branch(t0, n, k, planting, price, structural, limit, lv, geo, w, st)
        for j in range(n):
            ok[scenarios[j], t0] = True
            wl[L_FOUND, lanes[j]] = 1.0


@njit(**JIT)
def block(s0, nl, k, pb, planting, price, structural, lv, geo, init, write, w, st, saved,
          out, coca):
    """The main path of scenarios s0..s0+nl-1, lanes 0..nl-1: every year's flows recorded,
    the state at the start of each year kept in ``saved`` when branches follow (``k`` > 0).
    """
    us, cs, new_us, new_cs, pn, pr, scenarios = st[0], st[1], st[2], st[3], st[4], st[5], st[6]
    wl = w[2]
    initial(nl, pb, geo[0], init[0], init[1], init[2], init[3], us, cs)
    for lane in range(nl):
        scenarios[lane] = s0 + lane
        total = 0.0
        for u in range(us.shape[1]):
            total += us[AREA, u, lane]
        wl[L_COCA0, lane] = total
    for t in range(coca.shape[1]):
        if k > 0:
            copy(us, saved[0][t], nl)
            copy(cs, saved[1][t], nl)
        gather(t, nl, scenarios, planting, price, pn, pr)
        step(t, nl, 1.0, pb, pn, pr, us, cs, new_us, new_cs, lv, geo, w)
        record(t, s0, nl, structural, write, w, out, coca)
        us, new_us = new_us, us
        cs, new_cs = new_cs, cs


@njit(**JIT)
def run(pm, planting, price, structural, lanes, lv, geo, init, limit, k, write, out, coca,
        ok):
    """Every scenario of a chunk, ``lanes`` at a time: the main path (flows into ``out``:
    (flow, S, T, U), (flow, S, T, C) float32 arrays from row ``out[2]`` on, when ``write``;
    national reported
    coca into ``coca`` (S, T)) and, when ``k`` > 0, the stability branches into ``ok`` (S, T).
    ``init``: (area0, eradication0, budget weight, poppy weight); ``limit``: (coca, poppy)
    marginal levels and ``IN_PLACE``.
    """
    n_units, n_countries, n_attr = geo[0].shape[0], init[2].shape[0], lv[2].shape[0]
    n_report = coca.shape[1]
    width = lanes + LANE_PAD
    w = (np.empty((N_WU, n_units, width)), np.empty((N_WC, n_countries, width)),
         np.empty((N_WL, width)), np.empty((n_attr, n_units, width)),
         np.empty((n_attr, n_units, width)), np.zeros((N_UNIT_FLOWS, n_units, width)),
         np.zeros((N_COUNTRY_FLOWS, n_countries, width)))
    st = (np.empty((7, n_units, width)), np.empty((6, n_countries, width)),
          np.empty((7, n_units, width)), np.empty((6, n_countries, width)),
          np.empty((n_units, width)), np.empty((n_countries, width)),
          np.empty(width, np.int64), np.empty(width, np.int64), np.empty(width, np.int64),
          np.empty((N_PARAMS, width)), np.arange(width))
    n_saved = n_report if k > 0 else 0
    saved = (np.empty((n_saved, 7, n_units, width)), np.empty((n_saved, 6, n_countries, width)))
    pb = np.empty((N_PARAMS, width))
    for s0 in range(0, pm.shape[0], lanes):
        nl = min(lanes, pm.shape[0] - s0)
        for i in range(N_PARAMS):
            for lane in range(nl):
                pb[i, lane] = pm[s0 + lane, i]
        block(s0, nl, k, pb, planting, price, structural, lv, geo, init, write, w, st, saved,
              out, coca)
        if k > 0:
            branches(s0, nl, k, pb, planting, price, structural, limit, lv, geo, saved, w, st,
                     coca, ok)


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
    """The (S, N_PARAMS) matrix the kernel reads: drawn columns, fixed constants, then the
    ``DERIVED`` columns.
    """
    from cnplan.model.parameters import FIXED_VALUES, PARAM_INDEX

    out = np.empty((values.shape[0], N_PARAMS))
    for i, name in enumerate(NAMES):
        out[:, i] = values[:, PARAM_INDEX[name]] if name in PARAM_INDEX else FIXED_VALUES[name]
    licit = out[:, LICIT_GROWTH] + out[:, LICIT_GDP] * (out[:, GDP_GROWTH] - out[:, GDP_EXPECTED])
    out[:, LOG_DEMAND] = np.log(1.0 + out[:, DEMAND_GROWTH])
    out[:, LOG_LICIT] = np.log(1.0 + licit)
    out[:, LOG_BREAK_EVEN] = np.log(out[:, BREAK_EVEN])
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
    zone = np.stack([np.asarray(inputs.levers[n], dtype=float) for n in ZONE_LEVERS])
    lv = (
        zone,
        np.stack([np.broadcast_to(np.asarray(inputs.levers[n], dtype=float).reshape(
            n_years, -1), (n_years, geo.n_countries)) for n in COUNTRY_LEVERS]),
        masks, values,
        np.asarray(inputs.political_will, dtype=float),
        np.asarray(inputs.hard_core_eradication, dtype=bool),
        np.asarray(inputs.voluntary_hard_core, dtype=bool),
        price0, np.asarray(inputs.supply0, dtype=float),
        np.stack([geo.country_sum(zone[Z_AD]), geo.country_sum(zone[Z_FORWARD])]),
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


def lanes_for(n_units: int, n_scenarios: int) -> int:
    """Scenarios stepped together: 256 for up to 16 units, else 128, a multiple of 8 (one
    AVX-512 register of float64), at most the chunk rounded up to 8. Performance only: a lane
    reads only its own scenario. Measured on the simulate path (goals with their branches,
    which step fewer lanes at a time and gain most) and on the engine loop, Peru and 200 units:
    5-25% faster than the 128 and 32 before. Plans with scoped asks keep those (``scoped_lanes``).
    """
    lanes = 256 if n_units <= 16 else 128
    return int(min(lanes, -(-n_scenarios // 8) * 8))


def scoped_lanes(n_units: int) -> int:
    """At most this many lanes with scoped asks: ``fill``'s passes are shared by a block's
    lanes, so blocks are kept as they were grouped (the same numbers bit for bit as before).
    """
    return 128 if n_units <= 16 else 32


def allocate(n: int, n_report: int, n_units: int, n_countries: int):
    """Output arrays for ``n`` scenarios: (unit flow, S, T, U) and (country flow, S, T, C)."""
    return (np.empty((N_UNIT_FLOWS, n, n_report, n_units), np.float32),
            np.empty((N_COUNTRY_FLOWS, n, n_report, n_countries), np.float32))


IN_PLACE = 0.9
"""Share of a block's lanes from which a branch's first year steps the whole block in place
rather than packing those lanes first (performance only: the same numbers either way; packing
measured faster on Peru and on 200 units up to about this share)."""


def run_chunk(inputs, draws, n_report: int, cfg, write: bool = True, into=None,
              in_place: float = IN_PLACE):
    """The kernel over a chunk. Returns the flows as ``simulate.run_chunk`` keeps them (the
    area as reported, with the structural error), national reported coca (S, T) and the
    stability branches' outcome (S, T) (all False without goals). ``into``: (unit flows,
    country flows, row) to write the chunk's flows from that row of a whole run's arrays
    (``allocate``), else new ones; with ``write`` False no flows are kept (only coca).
    """
    lv, geo_arrays, init = pack(inputs)
    s, n_units, n_countries = draws.params.shape[0], len(inputs.zones), len(init[2])
    price = draws.price if draws.price.ndim == 3 else draws.price[:, :, None]
    structural = (draws.structural if draws.structural is not None
                  else np.zeros(draws.price.shape[:2]))
    if into is None:
        into = (*allocate(s if write else 0, n_report, n_units, n_countries), 0)
    coca = np.empty((s, n_report))
    ok = np.zeros((s, n_report), dtype=bool)
    limit = np.array([cfg.coca_marginal, cfg.poppy_marginal, in_place] if cfg is not None
                     else [0.0, 0.0, in_place], dtype=float)
    k = cfg.years_without_assistance if cfg is not None else 0
    lanes = lanes_for(n_units, s)
    if lv[2].shape[0] > 0:
        lanes = min(lanes, scoped_lanes(n_units))
    run(parameters(draws.params), np.ascontiguousarray(draws.planting),
        np.ascontiguousarray(price), np.ascontiguousarray(structural, dtype=float),
        lanes, lv, geo_arrays, init, limit, k, write, into, coca, ok)
    if not write:
        return {}, coca, ok
    rows = slice(into[2], into[2] + s)
    out = {name: into[0][i, rows] for i, name in enumerate(UNIT_FLOWS)}
    for i, name in enumerate(COUNTRY_FLOWS):
        out[name] = into[1][i, rows, :, 0] if n_countries == 1 else into[1][i, rows]
    return out, coca, ok

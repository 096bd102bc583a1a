"""The forces of the strategy, one batch function each, over (scenario, unit) or (scenario,
country) arrays.

Each function's body is the equation of its section in ``docs/model.md`` (the section number
is in its docstring). ``p`` is the parameter view (``engine.P``): ``p.name`` is an (S, 1)
column, ``p.col(name)`` an (S,) one; fixed constants (``parameters.FIXED``) are floats.
Unit arrays are (S, U); country arrays are (S, C); ``geo.to_units`` and ``geo.country_sum``
move between them. Forced eradication, the one path shared by plans and history replays, is
in :mod:`cnplan.model.eradication`.
"""

from __future__ import annotations

import numpy as np

from cnplan.model.geography import HARD_CORE, TRADITIONAL, Geography

LN2 = np.log(2.0)


def police_in_service(police, graduates, trained, p):
    """§1 Anti-drug police: last year's minus attrition, plus graduates and cadets who
    finished their course (started two years before).
    """
    return police * (1.0 - p.col("police_attrition"))[:, None] + graduates + trained


def funding(domestic, aid, standing_cost, eradication_cost):
    """§1 Budget: returns (capacity, standing coverage, eradication coverage).

    The state's budget and outside assistance pay the standing programmes (police, AD, teams,
    outreach) first; forced eradication, paid per campaign, gets what is left. So a larger
    eradication target never takes money from the other programmes.
    """
    total = np.maximum(standing_cost + eradication_cost, 1e-9)
    funds = domestic + aid
    capacity = np.minimum(1.0, domestic / total)
    standing = np.minimum(1.0, funds / np.maximum(standing_cost, 1e-9))
    left = np.maximum(funds - standing_cost, 0.0)
    eradication = np.minimum(1.0, left / np.maximum(eradication_cost, 1e-9))
    return capacity, standing, eradication


def political_will(will_phase, outreach, p):
    """§2 Political will: the phase's level, raised by the outreach spent so far."""
    gain = 1.0 - np.exp(-p.col("outreach_will_gain")[:, None] * outreach)
    return will_phase + (1.0 - will_phase) * gain


def base_presence(kinds: np.ndarray, p) -> np.ndarray:
    """§3 Presence without dedicated police: by the unit's kind, at most ``presence_max``."""
    factor = np.where(
        kinds == TRADITIONAL,
        p.presence_traditional_factor,
        np.where(kinds == HARD_CORE, p.presence_hard_core_factor, 1.0),
    )
    return np.minimum(p.presence_base * factor, p.presence_max)


def presence(base, unit_police, p):
    """§3 State presence: base + (1 - base) (1 - 2^(-police / presence_half_police))."""
    return base + (1.0 - base) * (1.0 - np.exp(-LN2 * unit_police / p.presence_half_police))


def unit_police(forward_base, police_u, share, coverage_u, p):
    """§3 Police in a unit: its forward bases plus a share of the country's police stationed
    by area, funded at the year's coverage.
    """
    return (forward_base + p.police_zone_share * police_u * share) * coverage_u


def leaf_price(price0, supply, demand, interdiction, precursor, shock, p):
    """§4 Leaf price per country: inverse demand in log supply, lowered by interdiction and
    precursor control, times the AR(1) shock.
    """
    return price0 * np.exp(
        -np.log(supply / demand) / p.col("price_elasticity")[:, None]
        - p.col("interdiction_price_effect")[:, None] * interdiction
        - p.col("precursor_price_effect")[:, None] * precursor
        + shock
    )


def interdiction(source, routes, p):
    """§4 Interdiction intensity: source-zone interdiction combined with route controls."""
    return 1.0 - (1.0 - source) * np.exp(-p.col("route_interdiction_effect")[:, None] * routes)


def price_shock(previous, noise, p):
    """§4 AR(1) log shock on the leaf price."""
    return p.col("price_persistence")[:, None] * previous + p.col("price_noise_sd")[:, None] * noise


def licit_growth(p):
    """§5 Yearly growth of licit income: its trend, moved by the economy's growth above or
    below the growth that trend assumes (cable ¶7: a stronger economy raises licit income).
    """
    gdp_gap = p.gdp_growth - p.gdp_growth_expected
    return p.licit_income_growth + p.licit_income_gdp_elasticity * gdp_gap


def planting_pull(price, break_even, p):
    """§5 The pull of coca against licit income: (grow, decline), each 0-1."""
    pull = np.tanh(np.log(price / break_even) / p.col("price_response")[:, None])
    return np.maximum(pull, 0.0), np.maximum(-pull, 0.0)


def free_land(area, land_cap, p):
    """§5 Share of a unit's coca land still free: max(0, 1 - area / (factor x cap))."""
    return np.maximum(0.0, 1.0 - area / (p.land_capacity_factor * land_cap))


def ad_keep(ad_funds, area, p):
    """§5 Share of planting and replanting that alternative development leaves, with
    diminishing returns in the spending per hectare of coca.
    """
    per_ha = ad_funds * 1e6 / (area + p.seed_area_ha)
    return 1.0 - p.ad_planting_cut * (1.0 - np.exp(-per_ha / p.ad_cost_per_ha))


def new_planting(area, grow, land, presence_u, keep, risk, noise, p):
    """§5 New planting: rate x pull x (area + seed) x free land, deterred by presence, AD and
    perceived eradication risk, with a mean-one log-normal shock.
    """
    sd = p.planting_noise_sd
    shock = np.exp(sd * noise - 0.5 * sd * sd - p.risk_deterrence * risk)
    rate = p.planting_rate_max * grow
    return (
        rate
        * (area + p.seed_area_ha)
        * land
        * (1.0 - p.presence_deterrence * presence_u)
        * (keep * shock)
    )


def abandonment(area, abandoned, grow, decline, p):
    """§6 Fields abandoned when coca pays less than licit crops, brought back when it pays."""
    return p.abandonment_rate_max * decline * area, p.regeneration_rate * grow * abandoned


def voluntary_eradication(target, ad_funds, ad_area, p):
    """§7 Voluntary eradication paid from AD funds; what is left keeps earlier AD land
    supported; unsupported land relapses. Returns (voluntary, relapse).
    """
    cost = p.ad_cost_per_ha / 1e6
    vol = target * np.minimum(1.0, ad_funds / np.maximum(target * cost, 1e-12))
    left = np.maximum(ad_funds - vol * cost, 0.0)
    upkeep = ad_area * p.ad_cost_per_ha * p.ad_upkeep_share / 1e6
    supported = np.minimum(1.0, left / np.maximum(upkeep, 1e-12))
    relapse = ad_area * (
        (1.0 - supported) * p.ad_relapse_rate + supported * p.voluntary_replant_share
    )
    return vol, relapse


def replant_rate(hard, presence_u, keep, p):
    """§9 Share of eradicated fields replanted: by kind, cut by presence and AD."""
    base = np.where(hard, p.replant_share_hard_core, p.replant_share)
    return base * (1.0 - p.presence_replant_cut * presence_u) * keep


def replanting(forced, rate, p):
    """§9 Replanting of the fields eradicated: (this year's share, next year's)."""
    replant = forced * rate
    now = replant * p.replant_same_year_share
    return now, replant - now


def displacement_weight(kinds, presence_u, land, p):
    """§9 Attraction of a unit for displaced planting: frontier kind, no state, free land."""
    kind = np.where((kinds == HARD_CORE) | (kinds == TRADITIONAL), p.displacement_kind_weight, 1.0)
    return kind * (1.0 - presence_u) * (land + p.displacement_land_floor)


def displacement(removed, weight, kernel, p):
    """§9 Displaced planting: a share of the area removed from each unit goes to the units its
    kernel row reaches, in proportion to kernel weight x attraction.

    ``kernel`` is the geography's ``displacement`` operator (sparse).
    """
    leaving = p.displacement_share * removed
    return kernel.apply(leaving, weight)


def resistance(previous, hit, presence_u, p):
    """§10 Resistance rises where eradication hits without presence and decays, faster with
    presence; kept within 0-1.
    """
    r = previous + p.resistance_gain * hit * (1.0 - presence_u)
    floor = p.resistance_decay_floor
    r = r * (1.0 - p.resistance_decay * (floor + (1.0 - floor) * presence_u))
    return np.minimum(np.maximum(r, 0.0), 1.0)


def perceived_risk(previous, hit, p):
    """§10b Growers' perceived eradication risk: exponentially weighted share eradicated."""
    return previous + p.risk_update * (hit - previous)


def poppy(previous, intel, p):
    """§11 Opium poppy: eradicated where found (intelligence raises detection), the rest
    grows. Returns (poppy, eradicated).
    """
    base = p.col("poppy_detection_base")[:, None]
    detect = base + (1.0 - base) * intel
    eradicated = previous * detect * p.col("poppy_eradication_share")[:, None]
    return (previous - eradicated) * (1.0 + p.col("poppy_growth")[:, None]), eradicated


def country_share(area, geo: Geography):
    """Each unit's share of its country's standing coca, and the country totals."""
    total = geo.country_sum(area)
    return area / np.maximum(geo.to_units(total), 1.0), total

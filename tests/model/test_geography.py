"""The engine over a declared geography: two synthetic countries with one shared border pair.

Country A has units a1, a2; country B has b1, b2. Displacement links: a1<->a2, a2<->b1 (the
border pair), b1<->b2. The tests show that per-country budgets and prices are independent,
that displaced hectares move only along the declared links, and that hectares balance.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cnplan.model import Inputs, provisional
from cnplan.model.engine import initial_state, step
from cnplan.model.geography import GeographyError, geography
from cnplan.model.parameters import PARAM_INDEX
from cnplan.plans import LEVERS

UNITS = ["a1", "a2", "b1", "b2"]
COUNTRIES = ["A", "A", "B", "B"]
LINKS = [("a1", "a2"), ("a2", "b1"), ("b1", "b2")]
N_YEARS = 3
S = 5


def _geo(**kw):
    both = [(u, v, 1.0) for u, v in LINKS] + [(v, u, 1.0) for u, v in LINKS]
    return geography(
        UNITS,
        COUNTRIES,
        ["expansion", "expansion", "expansion", "hard_core"],
        [8000.0, 6000.0, 9000.0, 5000.0],
        groups={"frontier": ["a2", "b1"]},
        adjacency=both,
        budget_weight=kw.get("budget_weight", {"A": 1.0, "B": 0.5}),
        poppy_weight={"A": 1.0, "B": 0.2},
    )


def _inputs(**levers) -> Inputs:
    geo = _geo()
    t, u, c = N_YEARS, geo.n_units, geo.n_countries
    base = {
        name: np.zeros((t, u)) if spec.scope == "zone" else np.zeros((t, c))
        for name, spec in LEVERS.items()
    }
    base["forced_eradication"][:] = [1500.0, 800.0, 1200.0, 300.0]
    base["eradication_security"][:] = [200.0, 100.0]
    base["ad_funding"][:] = [1.0, 0.5, 1.0, 0.0]
    base["outside_assistance"][:] = [20.0, 5.0]
    base["police_graduates"][:] = [300.0, 100.0]
    base.update(levers)
    return Inputs(
        years=np.arange(2030, 2030 + t),
        zones=UNITS,
        kinds=geo.kinds,
        area0=np.array([4000.0, 3000.0, 5000.0, 2500.0]),
        area_cap=geo.land_cap,
        eradication0=np.array([500.0, 300.0, 400.0, 100.0]),
        price0=np.array([2.5, 1.8]),
        levers=base,
        political_will=np.full(t, 0.6),
        hard_core_eradication=np.ones(t, bool),
        voluntary_hard_core=np.ones(t, bool),
        geography=geo,
    )


def _year0(inputs, seed=3):
    rng = np.random.default_rng(seed)
    params = provisional().draw(S, rng)
    state = initial_state(inputs, params)
    planting = rng.standard_normal((S, len(UNITS)))
    price = rng.standard_normal((S, 2))
    new_state, flows = step(state, 0, inputs, params, planting, price)
    return state, new_state, flows


def _with(inputs, name, country_or_unit, value):
    levers = dict(inputs.levers)
    levers[name] = levers[name].copy()
    levers[name][:, country_or_unit] = value
    return replace(inputs, levers=levers)


def test_country_state_is_per_country():
    state, _, flows = _year0(_inputs())
    assert state.domestic_budget.shape == (S, 2)
    # B's budget is half of A's (budget_weight), poppy a fifth (poppy_weight).
    np.testing.assert_allclose(state.domestic_budget[:, 1], 0.5 * state.domestic_budget[:, 0])
    np.testing.assert_allclose(state.poppy[:, 1], 0.2 * state.poppy[:, 0])
    for name in ("leaf_price", "coverage", "state_capacity", "political_will", "short_security"):
        assert flows[name].shape == (S, 2), name
    assert not np.allclose(flows.leaf_price[:, 0], flows.leaf_price[:, 1])


def test_budgets_and_prices_are_independent_across_countries():
    inputs = _inputs()
    _, _, base = _year0(inputs)
    # Much more money and programmes in B: A's funding, police presence and price do not move.
    richer_b = _with(inputs, "outside_assistance", 1, 500.0)
    richer_b = _with(richer_b, "source_interdiction", 2, 1.0)
    richer_b = _with(richer_b, "road_interdiction_groups", 1, 30.0)
    richer_b = _with(richer_b, "forced_eradication", 3, 20_000.0)
    _, _, other = _year0(richer_b)
    for name in ("coverage", "eradication_coverage", "state_capacity", "leaf_price"):
        np.testing.assert_array_equal(other[name][:, 0], base[name][:, 0], err_msg=name)
    np.testing.assert_array_equal(other.presence[:, :2], base.presence[:, :2])
    np.testing.assert_array_equal(other.forced_eradication[:, :2], base.forced_eradication[:, :2])
    # ...while B's own figures do move.
    assert not np.array_equal(other.leaf_price[:, 1], base.leaf_price[:, 1])
    assert not np.array_equal(other.state_capacity[:, 1], base.state_capacity[:, 1])


@pytest.mark.parametrize(
    ("source", "reachable"), [("a1", {"a2"}), ("a2", {"a1", "b1"}), ("b2", {"b1"})]
)
def test_displacement_moves_only_along_declared_links(source, reachable):
    # Eradication only in ``source``, with no same-year replanting so some area is removed.
    erad = np.zeros((N_YEARS, len(UNITS)))
    erad[:, UNITS.index(source)] = 2000.0
    inputs = _inputs(forced_eradication=erad)
    rng = np.random.default_rng(4)
    params = provisional().draw(S, rng)
    params[:, PARAM_INDEX["displacement_share"]] = 0.5
    state = initial_state(inputs, params)
    after, flows = step(
        state, 0, inputs, params, rng.standard_normal((S, 4)), rng.standard_normal((S, 2))
    )
    assert np.all(flows.forced_eradication[:, UNITS.index(source)] > 0)
    for j, unit in enumerate(UNITS):
        if unit in reachable:
            assert np.all(flows.displaced[:, j] > 0), unit
        else:
            assert np.all(flows.displaced[:, j] == 0.0), unit
    # What leaves is what arrives: displacement_share x (eradicated - replanted now or later).
    replanted_now = flows.replanted - state.replant_pool
    removed = flows.forced_eradication - replanted_now - after.replant_pool
    np.testing.assert_allclose(flows.displaced.sum(axis=1), 0.5 * removed.sum(axis=1), rtol=1e-12)


def test_hectares_balance_in_every_unit_and_year():
    inputs = _inputs()
    rng = np.random.default_rng(5)
    params = provisional().draw(S, rng)
    state = initial_state(inputs, params)
    for t in range(N_YEARS):
        before = state
        state, f = step(
            state, t, inputs, params, rng.standard_normal((S, 4)), rng.standard_normal((S, 2))
        )
        inflow = before.area + f.new_planting + f.matured + f.replanted + f.regenerated + f.relapsed
        outflow = f.abandoned + f.forced_eradication + f.voluntary_eradication
        np.testing.assert_allclose(state.area, inflow - outflow, rtol=1e-9, atol=1e-6)
        # Eradication bookkeeping: planned = delivered + undelivered; shortfalls by cause add
        # up to what was not delivered, country by country.
        np.testing.assert_allclose(
            f.eradication_planned, f.forced_eradication + f.eradication_undelivered
        )
        causes = sum(
            f[k]
            for k in (
                "short_funding",
                "short_feasibility",
                "short_resistance",
                "short_security",
                "short_cap",
            )
        )
        undelivered = inputs.geography.country_sum(f.eradication_undelivered)
        np.testing.assert_allclose(causes, undelivered, rtol=1e-9, atol=1e-6)


def test_group_target_goes_where_the_coca_is_within_the_group():
    erad = np.zeros((N_YEARS, len(UNITS)))
    geo = _geo()
    inputs = replace(
        _inputs(forced_eradication=erad),
        scoped_eradication=[(geo.scope("frontier"), np.full(N_YEARS, 2500.0))],
    )
    _, _, flows = _year0(inputs)
    done = flows.forced_eradication
    assert np.all(done[:, [0, 3]] == 0.0)  # a1 and b2 are outside the group
    assert np.all(done[:, [1, 2]] > 0.0)


def test_geography_rejects_bad_input():
    with pytest.raises(GeographyError, match="contiguous"):
        geography(["x", "y", "z"], ["A", "B", "A"], ["expansion"] * 3, [1.0, 1.0, 1.0])
    with pytest.raises(GeographyError, match="unknown unit kind 'core'"):
        geography(["x"], ["A"], ["core"], [1.0])
    with pytest.raises(GeographyError, match="adjacency: unknown unit 'q'"):
        geography(["x"], ["A"], ["expansion"], [1.0], adjacency=[("x", "q", 1.0)])
    with pytest.raises(GeographyError, match="unknown unit, group or country 'mars'"):
        _geo().scope("mars")

"""The compiled step (numba, :mod:`cnplan.model.compiled`) gives the numpy engine's numbers.

The numpy engine is the definition (itself pinned to the plain-Python reference by
``test_parity.py``); the kernel must give the same flows within float tolerance and the same
goal outcomes, on the built-in plans, on a two-country geography with a group target (water
filling across units, per-country budgets, a sparse displacement kernel), on Peru's plan over a
synthetic three-country geography (simulate's whole path: flows written in place chunk by
chunk, goals with their stability branches) and without goals. Running twice with the same
seed gives bit-identical numbers, and so do other lane counts and branch packings.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import test_geography as two  # tests/model is on sys.path, as for reference

from cnplan.data import load_dataset
from cnplan.model import build_inputs, compiled, provisional, simulate
from cnplan.model.geography import decay_links, geography
from cnplan.model.goals import GoalConfig
from cnplan.model.inputs import Inputs
from cnplan.model.simulate import draw, ensemble, goal_config, run_chunk
from cnplan.plans import load_plan


def _both(run):
    """``run()`` with the compiled path, then with the numpy engine."""
    compiled.ENABLED = True
    try:
        fast = run()
        compiled.ENABLED = False
        slow = run()
    finally:
        compiled.ENABLED = True
    return fast, slow


def _same(fast, slow, name):
    a, b = np.asarray(fast, dtype=float), np.asarray(slow, dtype=float)
    assert a.shape == b.shape, name
    assert np.array_equal(np.isnan(a), np.isnan(b)), name
    np.testing.assert_allclose(np.nan_to_num(a), np.nan_to_num(b), rtol=1e-6, atol=1e-6,
                               err_msg=name)


@pytest.mark.parametrize("plan", ["lima-2005", "peru-baseline"])
def test_simulate_matches_the_numpy_engine(plan):
    fast, slow = _both(lambda: simulate(plan, n=300, seed=5))
    assert set(fast.data_vars) == set(slow.data_vars)
    for name in fast.data_vars:
        if fast[name].dtype == bool:
            assert np.array_equal(fast[name].values, slow[name].values), name
        else:
            _same(fast[name].values, slow[name].values, name)


def _two_country_chunk(cfg):
    geo, n_years = two._geo(), two.N_YEARS
    inputs = replace(two._inputs(),
                     scoped_eradication=[(geo.scope("frontier"), np.full(n_years, 2500.0))])
    d = draw(provisional(), 9, 0, 64, n_years, len(two.UNITS), 2)
    return lambda: run_chunk(inputs, d, n_years - (cfg.years_without_assistance if cfg else 0),
                             cfg, tuple(k for k in compiled.UNIT_FLOWS + compiled.COUNTRY_FLOWS))


@pytest.mark.parametrize("with_goals", [False, True])
def test_two_countries_with_a_group_target_match(with_goals):
    cfg = GoalConfig(base_year=2030, base_coca=None, hold_by=2031, coca_marginal=12000.0,
                     poppy_marginal=5000.0, marginal_by=2031, stability_by=2031,
                     years_without_assistance=1) if with_goals else None
    fast, slow = _both(_two_country_chunk(cfg))
    assert set(fast) == set(slow)
    for name in fast:
        _same(fast[name], slow[name], name)
    assert fast["forced_eradication"].sum() > 0 and fast["leaf_price"].shape[-1] == 2
    if with_goals:  # some futures pass their branch, some do not: both paths are compared
        assert 0 < fast["stability_point_reached"].sum() < 64


def test_same_seed_same_numbers_bit_for_bit():
    a = simulate("peru-baseline", n=100, seed=2)
    b = simulate("peru-baseline", n=100, seed=2, chunk_size=37)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def _three_countries(n_countries: int = 3):
    """Peru's plan on a synthetic geography: Peru's zones repeated in ``n_countries`` countries
    (each its own budget and poppy weight), displacement along a ring inside each country, a
    group target across two countries (water-filling), and marginal levels scaled to the size.
    """
    plan = load_plan("lima-2005")
    data = load_dataset(plan.data)
    cfg = goal_config(plan, data)
    base = build_inputs(plan, data, extra_years=cfg.years_without_assistance, until=2024)
    z, n_years = len(base.zones), len(base.years)
    idx = np.tile(np.arange(z), n_countries)
    units = [f"c{c}u{i}" for c in range(n_countries) for i in range(z)]
    names = {0: "traditional", 1: "hard_core", 2: "expansion"}
    pairs = [(units[c * z + i], units[c * z + (i + 1) % z])
             for c in range(n_countries) for i in range(z)]
    pos = np.arange(len(units)) * 40.0
    geo = geography(units, [f"C{c}" for c in range(n_countries) for _ in range(z)],
                    [names[int(k)] for k in base.kinds[idx]], base.area_cap[idx],
                    groups={"frontier": [units[1], units[z + 2]]},
                    adjacency=decay_links(units, pairs, np.abs(pos[:, None] - pos[None, :])),
                    budget_weight={f"C{c}": 1.0 / (c + 1) for c in range(n_countries)},
                    poppy_weight={f"C{c}": 1.0 + c for c in range(n_countries)})
    levers = {k: v[:, idx] if v.shape[-1] == z else v for k, v in base.levers.items()}
    inputs = Inputs(years=base.years, zones=units, kinds=geo.kinds, area0=base.area0[idx],
                    area_cap=geo.land_cap, eradication0=base.eradication0[idx],
                    price0=np.full(n_countries, float(np.ravel(base.price0)[0])),
                    levers=levers, political_will=base.political_will,
                    hard_core_eradication=base.hard_core_eradication,
                    voluntary_hard_core=base.voluntary_hard_core, geography=geo,
                    scoped_eradication=[(geo.scope("frontier"), np.full(n_years, 3000.0))])
    cfg = replace(cfg, coca_marginal=cfg.coca_marginal * n_countries,
                  poppy_marginal=cfg.poppy_marginal * sum(1.0 + c for c in range(n_countries)))
    return inputs, cfg


def test_a_multi_country_ensemble_matches_the_numpy_engine():
    """simulate's whole path (draws, steps, flows written in place chunk by chunk, the
    reported area, goals with their stability branches) on three countries, in chunks that
    are not a multiple of the kernel's lanes."""
    inputs, cfg = _three_countries()
    fast, slow = _both(lambda: ensemble(inputs, cfg, provisional(), 150, seed=3, chunk_size=70))
    assert set(fast) == set(slow)
    for name in fast:
        if fast[name].dtype == bool:
            assert np.array_equal(fast[name], slow[name]), name
        else:
            _same(fast[name], slow[name], name)
    assert fast["leaf_price"].shape == (150, len(inputs.years) - 5, 3)
    assert fast["forced_eradication"].sum() > 0 and fast["short_cap"].sum() >= 0
    found = np.isfinite(fast["stability_point_year"])
    assert 0 < found.sum() < 150  # branches that pass and branches that fail are compared


@pytest.mark.parametrize("in_place", [0.0, 2.0])
def test_lanes_and_branch_packing_do_not_change_numbers(in_place, monkeypatch):
    """Blocks of 8 lanes instead of 64, and branches stepped all in place (0.0) or all packed
    (2.0), give the same numbers bit for bit: a lane only ever reads its own scenario."""
    inputs, cfg = _three_countries()
    n_report = len(inputs.years) - cfg.years_without_assistance
    d = draw(provisional(), 4, 0, 100, len(inputs.years), len(inputs.zones), 3)
    flows, coca, ok = compiled.run_chunk(inputs, d, n_report, cfg)
    monkeypatch.setattr(compiled, "lanes_for", lambda n_units, n_scenarios: 8)
    flows8, coca8, ok8 = compiled.run_chunk(inputs, d, n_report, cfg, in_place=in_place)
    assert ok.any() and np.array_equal(ok, ok8)
    assert np.array_equal(coca, coca8)
    for name in flows:
        assert np.array_equal(flows[name], flows8[name], equal_nan=True), name


def test_the_kernels_log_and_tanh_are_numpys_within_a_few_ulp():
    y = np.exp(np.linspace(-700.0, 700.0, 20001))
    y = np.concatenate([y, np.linspace(0.5, 2.0, 4001), [np.finfo(float).tiny, 1.0]])
    got = np.array([compiled.vlog(v) for v in y])
    np.testing.assert_allclose(got, np.log(y), rtol=4 * np.finfo(float).eps, atol=1e-300)
    assert all(np.isnan(compiled.vlog(v)) for v in (0.0, -1.0, np.inf, np.nan))
    x = np.concatenate([np.linspace(-30.0, 30.0, 20001), np.logspace(-300, 1, 3001),
                        -np.logspace(-300, 1, 3001), [0.0, 400.0, -400.0]])
    got = np.array([compiled.vtanh(v) for v in x])
    np.testing.assert_allclose(got, np.tanh(x), rtol=4 * np.finfo(float).eps, atol=0.0)


def test_the_kernels_exp_is_numpys_within_a_few_ulp():
    x = np.concatenate([np.linspace(-707.9, 709.0, 20001), np.linspace(-2.0, 2.0, 4001),
                        [0.0, -0.0, 1e-300, -1e-300]])
    got = np.array([compiled.vexp(v) for v in x])
    np.testing.assert_allclose(got, np.exp(x), rtol=4 * np.finfo(float).eps, atol=0.0)
    assert compiled.vexp(-1e4) < 1e-300 and compiled.vexp(-np.inf) < 1e-300
    assert np.isnan(compiled.vexp(np.nan))


@pytest.mark.parametrize("which", ["peru", "two countries"])
def test_goal_start_totals_are_initial_states(which):
    """The compiled path's goals take national coca and poppy at the start from
    ``simulate._start_totals`` instead of the whole initial state: bit for bit its sums."""
    from cnplan.model.engine import initial_state
    from cnplan.model.simulate import _start_totals

    if which == "peru":
        plan = load_plan("lima-2005")
        inputs = build_inputs(plan, load_dataset(plan.data))
    else:
        inputs = two._inputs()
    d = draw(provisional(), 3, 0, 50, len(inputs.years), len(inputs.zones),
             inputs.geography.n_countries)
    state = initial_state(inputs, d.params)
    coca0, poppy0 = _start_totals(inputs, d.params)
    assert poppy0.std() > 0  # per-scenario values, not one constant
    assert coca0.tobytes() == state.area.sum(axis=1).tobytes()
    assert poppy0.tobytes() == state.poppy.sum(axis=1).tobytes()


def test_scoped_asks_keep_their_lane_blocks(monkeypatch):
    """Scoped asks water-fill in passes a block's lanes share, so with them the kernel keeps
    the narrower blocks it always had (the same numbers as before); without them, wider ones."""
    geo, n_years = two._geo(), two.N_YEARS
    plain = two._inputs()
    scoped = replace(plain, scoped_eradication=[(geo.scope("frontier"),
                                                 np.full(n_years, 2500.0))])
    d = draw(provisional(), 9, 0, 300, n_years, len(two.UNITS), 2)
    seen, real = [], compiled.run
    monkeypatch.setattr(compiled, "run", lambda *a: (seen.append(a[4]), real(*a))[1])
    for inputs in (scoped, plain):
        run_chunk(inputs, d, n_years, None, ("area",))
    assert len(two.UNITS) <= 16
    assert seen == [compiled.scoped_lanes(len(two.UNITS)), 256]

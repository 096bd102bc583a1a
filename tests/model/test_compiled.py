"""The compiled step (numba, :mod:`cnplan.model.compiled`) gives the numpy engine's numbers.

The numpy engine is the definition (itself pinned to the plain-Python reference by
``test_parity.py``); the kernel must give the same flows within float tolerance and the same
goal outcomes, on the built-in plans, on a two-country geography with a group target (water
filling across units, per-country budgets, a sparse displacement kernel) and without goals.
Running twice with the same seed gives bit-identical numbers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import test_geography as two  # tests/model is on sys.path, as for reference

from cnplan.model import compiled, provisional, simulate
from cnplan.model.goals import GoalConfig
from cnplan.model.simulate import draw, run_chunk


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

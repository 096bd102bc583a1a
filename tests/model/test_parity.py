"""Parity: the batched engine equals the one-scenario plain-Python reference, year by year.

Each case draws parameters from the provisional priors and random shocks, runs all scenarios
through ``engine.step`` at once and each scenario alone through ``reference.step``, and compares
every flow and every state variable each year within 1e-9 relative.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import reference as ref
from modelkit import inputs_for

from cnplan.model import provisional
from cnplan.model.engine import Flows, P, State, initial_state, step
from cnplan.model.outputs import OUTPUTS

RTOL = 1e-9
ATOL = 1e-9  # ha, index or USD: far below anything the model reports
N_SCENARIOS = 12


def _compare(name: str, batched: np.ndarray, reference: list[float] | float, where: str) -> None:
    np.testing.assert_allclose(
        batched,
        np.asarray(reference, dtype=float),
        rtol=RTOL,
        atol=ATOL,
        err_msg=f"{where}: {name}",
    )


def _check_state(state: State, s: int, rstate: ref.RefState, where: str) -> None:
    for f in dataclasses.fields(State):
        _compare(f.name, getattr(state, f.name)[s], getattr(rstate, f.name), where)


def _check_flows(flows: Flows, s: int, rflows: dict, where: str) -> None:
    # Every declared output (the programme cost among them); the reference records exactly those.
    assert set(rflows) == {o.key for o in OUTPUTS}
    for name in rflows:
        _compare(name, flows[name][s], rflows[name], where)


def _run_parity(inputs, seed: int, assistance, prepared: bool = False) -> None:
    rng = np.random.default_rng(seed)
    params = provisional().draw(N_SCENARIOS, rng)
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    planting = rng.standard_normal((N_SCENARIOS, n_years, n_zones))
    price = rng.standard_normal((N_SCENARIOS, n_years))
    assist = np.broadcast_to(np.asarray(assistance, dtype=bool), (N_SCENARIOS,))

    batch = P(params, n_zones) if prepared else params
    state = initial_state(inputs, batch)
    rps = [ref.as_params(params[s]) for s in range(N_SCENARIOS)]
    rstates = [ref.initial_state(inputs, rps[s]) for s in range(N_SCENARIOS)]
    for s in range(N_SCENARIOS):
        _check_state(state, s, rstates[s], f"initial state, scenario {s}")
    for t in range(n_years):
        state, flows = step(
            state, t, inputs, batch, planting[:, t], price[:, t], assistance=assistance
        )
        for s in range(N_SCENARIOS):
            rstates[s], rflows = ref.step(
                rstates[s],
                t,
                inputs,
                rps[s],
                [float(x) for x in planting[s, t]],
                float(price[s, t]),
                bool(assist[s]),
            )
            where = f"year {inputs.years[t]}, scenario {s}"
            _check_flows(flows, s, rflows, where)
            _check_state(state, s, rstates[s], where)


PLANS = ["lima-2005", "peru-baseline"]


@pytest.mark.parametrize("plan", PLANS)
def test_engine_matches_reference(plan):
    # All reported years plus the extra years the stability branches run.
    _run_parity(inputs_for(plan, extra_years=5), seed=11, assistance=True)


@pytest.mark.parametrize("plan", PLANS)
def test_engine_matches_reference_without_assistance(plan):
    _run_parity(inputs_for(plan, extra_years=5), seed=12, assistance=False)


def test_engine_matches_reference_with_assistance_cut_in_some_scenarios():
    mask = np.arange(N_SCENARIOS) % 3 == 0
    _run_parity(inputs_for("lima-2005", extra_years=5), seed=13, assistance=mask)


@pytest.mark.parametrize("plan", PLANS)
def test_engine_matches_reference_in_history_mode(plan):
    inputs = inputs_for(plan)
    n_years = len(inputs.years)
    observed = np.linspace(8000.0, 30000.0, n_years)
    history = dataclasses.replace(inputs, observed_eradication=observed, hard_core_weight=0.1)
    _run_parity(history, seed=14, assistance=True)


def test_engine_matches_reference_in_history_mode_with_zone_weights():
    inputs = inputs_for("lima-2005")
    if not hasattr(inputs, "eradication_zone_weight"):
        pytest.skip("this version of Inputs has no eradication_zone_weight")
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    history = dataclasses.replace(
        inputs,
        observed_eradication=np.full(n_years, 12000.0),
        hard_core_weight=0.3,
        eradication_zone_weight=np.linspace(0.5, 2.0, n_zones),
    )
    _run_parity(history, seed=15, assistance=True)


def test_prepared_parameters_match_reference():
    # simulate() hands the engine a prepared P (columns broadcast once per chunk): same numbers.
    inputs = inputs_for("lima-2005", extra_years=5)
    _run_parity(inputs, seed=16, assistance=True, prepared=True)


def test_reference_is_not_trivially_equal():
    # Guard against a parity test that passes because both sides return the same object or
    # nothing happens: the trajectories must move and differ across scenarios.
    inputs = inputs_for("lima-2005")
    rng = np.random.default_rng(5)
    params = provisional().draw(2, rng)
    noise = rng.standard_normal((2, len(inputs.years), len(inputs.zones)))
    price = rng.standard_normal((2, len(inputs.years)))
    a = ref.run(inputs, params[0], noise[0], price[0])
    b = ref.run(inputs, params[1], noise[1], price[1])
    assert sum(a[-1]["area"]) != pytest.approx(sum(b[-1]["area"]), rel=1e-3)
    assert sum(a[-1]["area"]) != pytest.approx(float(inputs.area0.sum()), rel=1e-3)
    assert sum(sum(f["forced_eradication"]) for f in a) > 0


def test_engine_matches_reference_when_zone_caps_bind():
    # National eradication far above what the smaller zones can take: the water-filling spills
    # the rest over the other zones, pass after pass, in both implementations.
    inputs = inputs_for("lima-2005")
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    history = dataclasses.replace(
        inputs,
        observed_eradication=np.linspace(20000.0, 90000.0, n_years),
        eradication_zone_weight=np.geomspace(10.0, 0.01, n_zones),
    )
    _run_parity(history, seed=17, assistance=True)


def test_water_filling_places_everything_it_can_and_nothing_above_a_cap():
    from cnplan.model.eradication import fill as _fill

    weight = np.array([[5.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]], order="F")
    cap = np.array([[100.0, 1000.0, 50.0, 500.0], [10.0, 20.0, 30.0, 40.0]], order="F")
    done = _fill(600.0, weight, cap)
    assert np.all(done <= cap)
    # Row 0: 600 fits under the caps of the weighted zones (100 + 1000 + 50); the zero-weight
    # zone gets nothing; what the capped zones could not take went to the 1000-ha zone.
    np.testing.assert_allclose(done[0], [100.0, 450.0, 50.0, 0.0])
    # Row 1: 600 is more than all caps together (100): every zone at its cap.
    np.testing.assert_allclose(done[1], cap[1])
    # Ref implementation agrees.
    np.testing.assert_allclose(ref.fill(600.0, list(weight[0]), list(cap[0])), done[0])

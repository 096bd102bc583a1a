"""Sensitivity and optimisation on the ensemble runner's back ends give bit-identical results.

The in-process path is the reference; local worker processes and Dask must reproduce it
exactly (not approximately): the batches are cut the same way whatever the executor and each
worker redraws the common scenarios from the seed.
"""

import os

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.analysis.optimize import OptimizeError, optimize
from cnplan.analysis.sensitivity import SensitivityError, sensitivity
from cnplan.explore import runner
from cnplan.explore.crn import MIN_BATCHES, batch_bounds, evaluate_on_scenarios
from cnplan.explore.experiment import load_experiment
from cnplan.explore.runner import executor

SENS = """
name: sens-workers
plan: lima-2005
seed: 3
uncertainties:
  - param: price_elasticity
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - lever: police_graduates
    level: [0, 800]
  - {lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}
outcomes: [coca_ha: [2011], cost_musd_total]
design: {method: latin_hypercube, n: 8}
"""

OPT = """
name: opt-workers
plan: lima-2005
seed: 11
uncertainties:
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - {lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}
  - {lever: ad_funding, scale: [0.6, 1.7]}
outcomes: [marginal_producer, coca_ha: [2011], cost_musd_total]
design: {method: latin_hypercube, n: 8}
"""


@pytest.fixture(scope="module")
def sens_exp():
    return load_experiment(SENS)


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for c in a:
        assert a[c].shape == b[c].shape
        assert np.array_equal(a[c], b[c], equal_nan=True), c  # bit for bit, not allclose


def test_batches_cover_the_rows_and_give_two_workers_work():
    for n_rows, scenarios, batch in [(96, 4, 8192), (100, 1000, 8192), (7, 3, 2), (1, 50, 10)]:
        bounds = batch_bounds(n_rows, scenarios, batch)
        assert bounds[0][0] == 0 and bounds[-1][1] == n_rows
        assert all(b0 == a1 for (_, b0), (a1, _) in zip(bounds, bounds[1:], strict=False))
        assert all(b > a for a, b in bounds)
        # at most `batch` engine rows per call unless a single row already exceeds it
        assert all((b - a) * scenarios <= max(batch, scenarios) for a, b in bounds)
        assert len(bounds) >= min(n_rows, 2)  # two workers both get work
        if batch // scenarios * MIN_BATCHES >= n_rows:
            assert len(bounds) == min(n_rows, MIN_BATCHES) or n_rows % MIN_BATCHES
    assert len(batch_bounds(100, 1000)) == 13  # 8 candidates x 1,000 futures per engine call


def test_sensitivity_on_two_local_workers_is_bit_identical(sens_exp):
    from SALib.sample import sobol as sobol_sample

    from cnplan.analysis.sensitivity import _problem_from_experiment

    kwargs = dict(outcome="coca_ha_2011", n=16, scenarios=4, num_resamples=20)
    ref = sensitivity(sens_exp, **kwargs)
    problem, to_rows = _problem_from_experiment(sens_exp)
    rows = to_rows(sobol_sample.sample(problem, 16, calc_second_order=False, seed=0))
    assert len(rows) * 4 == ref.evaluations == 384
    raw_ref = evaluate_on_scenarios(sens_exp, rows, 4)
    with executor(workers=2) as ex:
        assert ex.parallel
        pids = set(ex.map_ordered(os.getpid, [()] * 4))
        assert os.getpid() not in pids  # the work really leaves this process
        raw = evaluate_on_scenarios(sens_exp, rows, 4, executor=ex)
    _same(raw_ref, raw)
    got = sensitivity(sens_exp, workers=2, **kwargs)
    pd.testing.assert_frame_equal(got.table, ref.table, check_exact=True)
    assert got.evaluations == ref.evaluations


def test_sensitivity_on_dask_is_bit_identical(sens_exp):
    import distributed

    kwargs = dict(outcome="cost_musd_total", method="morris", n=6, scenarios=3, num_resamples=20)
    ref = sensitivity(sens_exp, **kwargs)
    with distributed.Client(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as client:
        got = sensitivity(sens_exp, scheduler=client, **kwargs)
        rows = pd.DataFrame({"lever:police_graduates": [0.0, 200.0, 400.0, 800.0]})
        _same(
            evaluate_on_scenarios(sens_exp, rows, 5, scheduler=client),
            evaluate_on_scenarios(sens_exp, rows, 5),
        )
    pd.testing.assert_frame_equal(got.table, ref.table, check_exact=True)
    assert ref.table.mu_star.max() > 0  # the design really moved the outcome


def test_optimisation_on_two_workers_gives_the_same_pareto_set(monkeypatch):
    exp = load_experiment(OPT)
    kwargs = dict(
        objectives=["max marginal_producer_reached", "min cost_musd_total"],
        scenarios=30,
        pop_size=8,
        generations=2,
    )
    ref = optimize(exp, **kwargs)
    backends = []
    real_init = runner._Backend.__init__

    def counting_init(self, workers, scheduler):
        backends.append(workers)
        real_init(self, workers, scheduler)

    monkeypatch.setattr(runner._Backend, "__init__", counting_init)
    got = optimize(exp, workers=2, **kwargs)
    assert backends == [2]  # one pool for both generations and the final re-evaluation
    pd.testing.assert_frame_equal(got.table, ref.table, check_exact=True)
    assert list(got.generations.evaluations) == [8, 8]


def test_bad_worker_options(sens_exp, tmp_path):
    from cnplan.cli import app

    with pytest.raises(SensitivityError, match="workers: must be >= 1, got 0"):
        sensitivity(sens_exp, outcome="coca_ha_2011", n=4, workers=0)
    with pytest.raises(SensitivityError, match="only for an experiment"):
        sensitivity(lambda x: x[:, 0], {"names": ["a"], "bounds": [[0, 1]]}, n=4, workers=2)
    with pytest.raises(OptimizeError, match="workers: must be >= 1, got -1"):
        optimize(load_experiment(OPT), ["min cost_musd_total"], scenarios=2, workers=-1)
    with pytest.raises(ValueError, match="workers: must be >= 1"):
        with executor(workers=0):
            pass
    path = tmp_path / "sens.yaml"
    path.write_text(SENS)
    got = CliRunner().invoke(
        app,
        ["sensitivity", str(path), "--outcome", "coca_ha_2011", "-n", "4", "--workers", "0"],
    )
    assert got.exit_code == 1 and "workers: must be >= 1, got 0" in got.output
    got = CliRunner().invoke(
        app, ["optimize", str(path), "--objective", "min cost_musd_total", "--workers", "0"]
    )
    assert got.exit_code == 1 and "workers: must be >= 1, got 0" in got.output

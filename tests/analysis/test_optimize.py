"""Robust optimisation: ZDT1's known front is reached; an emitted lima-2005 plan reproduces its
figures under `cnplan run`; robustness metrics; saved Pareto sets; errors name the outcomes."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from cnplan.analysis.optimize import (
    Objective,
    OptimizeError,
    ParetoResult,
    emit_plan,
    minimize,
    optimize,
    parse_objectives,
)
from cnplan.explore.experiment import load_experiment

EXPERIMENT = """
name: opt-small
plan: lima-2005
seed: 11
levers:
  - lever: forced_eradication
    zone: vraem
    scale: [0.5, 3.0]
  - lever: ad_funding
    scale: [0.6, 1.7]
  - lever: police_graduates
    level: [0, 800]
outcomes: [marginal_producer, coca_ha: [2011], cost_musd_total, resistance_max]
design: {method: latin_hypercube, n: 8}
"""


def test_zdt1_front_is_reached():
    from pymoo.indicators.gd import GD
    from pymoo.indicators.igd import IGD
    from pymoo.problems import get_problem

    problem = get_problem("zdt1")
    calls = []

    def batched(x):
        calls.append(len(x))
        return problem.evaluate(x)

    _, f, timings = minimize(
        batched, problem.xl, problem.xu, 2, pop_size=100, generations=150, seed=1
    )
    front = problem.pareto_front()
    assert IGD(front)(f) < 0.02
    assert GD(front)(f) < 0.01
    assert len(calls) == len(timings) == 150  # one batched call per generation
    assert set(calls) == {100}


def test_robustness_metrics():
    values = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])  # 2 candidates x 4 futures
    mean, f = Objective("y", "max", "mean").robust(values)
    np.testing.assert_allclose(mean, [2.5, 2.0])
    np.testing.assert_allclose(f, [-2.5, -2.0])
    p25, _ = Objective("y", "max", "percentile", q=25).robust(values)
    np.testing.assert_allclose(p25, [1.75, 2.0])  # the low tail when more is better
    p25_min, _ = Objective("y", "min", "percentile", q=25).robust(values)
    np.testing.assert_allclose(p25_min, [3.25, 2.0])  # the high tail when less is better
    regret, f = Objective("y", "max", "regret").robust(values)
    np.testing.assert_allclose(regret, [1.0, 2.0])  # best per future is [2, 2, 3, 4]
    np.testing.assert_allclose(f, regret)
    share, f = Objective("y", "max", "satisficing", threshold=2.0).robust(values)
    np.testing.assert_allclose(share, [0.75, 1.0])
    np.testing.assert_allclose(f, [-0.75, -1.0])


def test_objective_errors():
    with pytest.raises(OptimizeError, match="'max OUTCOME'"):
        parse_objectives(["maximise coca"])
    with pytest.raises(OptimizeError, match="threshold"):
        parse_objectives([{"outcome": "coca_ha_2011", "sense": "min", "metric": "satisficing"}])
    with pytest.raises(OptimizeError, match="metric"):
        parse_objectives(["min coca_ha_2011"], metric="median")


def test_wrong_outcome_lists_available():
    exp = load_experiment(EXPERIMENT)
    with pytest.raises(ValueError, match="available outcomes are .*coca_ha_2011"):
        optimize(exp, ["min coca_2011"], scenarios=4, pop_size=4, generations=1)


def test_lima_emitted_plan_reproduces_objectives(tmp_path):
    from cnplan.cli import app

    exp = load_experiment(EXPERIMENT)
    result = optimize(
        exp,
        ["min coca_ha_2011", "min cost_musd_total", "max marginal_producer_reached"],
        scenarios=64,
        pop_size=16,
        generations=3,
    )
    assert len(result.generations) == 3
    assert (result.generations.evaluations == 16).all()  # whole population per call
    table = result.table
    assert list(table.columns[:3]) == result.levers
    assert table["mean(coca_ha_2011)"].is_monotonic_increasing
    # the Pareto set is non-dominated on its (minimised) objectives
    f = np.column_stack(
        [
            table["mean(coca_ha_2011)"],
            table["mean(cost_musd_total)"],
            -table["mean(marginal_producer_reached)"],
        ]
    )
    for i in range(len(f)):
        dominated = (f <= f[i]).all(axis=1) & (f < f[i]).any(axis=1)
        assert not dominated.any()

    saved = result.save(tmp_path / "analysis" / "pareto.parquet")
    back = ParetoResult.load(saved)
    pd.testing.assert_frame_equal(back.table, table)
    assert back.objectives == result.objectives

    k = len(table) - 1
    plan = emit_plan(exp, result, k, tmp_path / "pareto.yaml")
    from cnplan.plans import load_plan

    emitted = load_plan(plan)
    assert emitted.title == f"Optimised from lima-2005: Pareto member {k} of experiment opt-small"
    assert emitted.description.startswith(
        f"Written by cnplan optimize (not a programme's own plan): Pareto member {k} of an "
        "optimisation of experiment opt-small")
    out = tmp_path / "run"
    cli = CliRunner().invoke(
        app, ["run", str(plan), "-n", "64", "--seed", "11", "--out", str(out), "--no-report"]
    )
    assert cli.exit_code == 0, cli.output
    ds = xr.open_dataset(out / "ensemble.nc")
    coca_2011 = float(ds.national_ha.sel(crop="coca", year=2011).astype(float).mean())
    # same futures (seed and scenario numbers), so only float32 storage separates the figures
    assert coca_2011 == pytest.approx(table.loc[k, "mean(coca_ha_2011)"], rel=1e-5)
    p_marginal = float(ds.marginal_producer_reached.mean())
    assert p_marginal == pytest.approx(table.loc[k, "mean(marginal_producer_reached)"], abs=1e-9)
    ds.close()
    with pytest.raises(OptimizeError, match="--emit-plan"):
        emit_plan(exp, result, len(table), tmp_path / "x.yaml")


def test_optimize_cli(tmp_path):
    from typer.testing import CliRunner

    from cnplan.cli import app

    exp = tmp_path / "exp.yaml"
    exp.write_text(EXPERIMENT)
    out = tmp_path / "analysis" / "pareto.parquet"
    got = CliRunner().invoke(
        app,
        [
            "optimize",
            str(exp),
            "--objective",
            "min coca_ha_2011",
            "--objective",
            "max marginal_producer_reached",
            "--metric",
            "satisficing",
            "--threshold",
            "coca_ha_2011=40000",
            "--threshold",
            "marginal_producer_reached=1",
            "-n",
            "16",
            "--pop-size",
            "8",
            "--generations",
            "2",
            "--out",
            str(out),
            "--emit-plan",
            "0",
            str(tmp_path / "plan.yaml"),
        ],
        env={"COLUMNS": "200"},
    )
    assert got.exit_code == 0, got.output
    assert "What the evidence says about each lever searched" in got.output
    result = ParetoResult.load(out)
    assert [o.metric for o in result.objectives] == ["satisficing", "satisficing"]
    assert result.table.filter(like="satisficing").apply(lambda c: c.between(0, 1)).all().all()
    assert (tmp_path / "plan.yaml").is_file()
    if result.unreached():  # no candidate reaches the goal: said plainly, no chart drawn
        assert "No candidate plan reaches marginal_producer_reached" in " ".join(
            got.output.split())
        assert not out.with_suffix(".png").exists()
    else:
        assert out.with_suffix(".png").is_file()
    from cnplan.plans import load_plan

    assert load_plan(tmp_path / "plan.yaml").levers["police_graduates"]["national"]
    got = CliRunner().invoke(
        app, ["optimize", str(exp), "--objective", "min nothing", "--out", str(out)]
    )
    assert got.exit_code == 1 and "available outcomes are" in got.output


def test_nsga3_three_objectives():
    from pymoo.indicators.igd import IGD
    from pymoo.problems import get_problem

    problem = get_problem("dtlz2", n_var=7, n_obj=3)  # front: the unit sphere's positive octant
    _, f, _ = minimize(
        problem.evaluate,
        problem.xl,
        problem.xu,
        3,
        algorithm="nsga3",
        pop_size=92,
        generations=60,
        seed=2,
    )
    assert f.shape[1] == 3
    assert np.abs(np.linalg.norm(f, axis=1) - 1).max() < 0.1
    assert IGD(_sphere_points())(f) < 0.1
    with pytest.raises(OptimizeError, match="algorithm"):
        minimize(problem.evaluate, problem.xl, problem.xu, 3, algorithm="moead", generations=1)


def _sphere_points():
    from pymoo.util.ref_dirs import get_reference_directions

    ref = get_reference_directions("das-dennis", 3, n_partitions=12)
    return ref / np.linalg.norm(ref, axis=1, keepdims=True)


def test_same_seed_same_pareto_set():
    exp = load_experiment(EXPERIMENT)
    runs = [
        optimize(
            exp,
            ["min coca_ha_2011", "min cost_musd_total"],
            scenarios=8,
            pop_size=6,
            generations=2,
            seed=4,
        )
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0].table, runs[1].table)


def test_common_scenarios_equal_the_exploration_engine():
    """Parity: a candidate on scenarios 0..N-1 gives what `evaluate` gives for N copies of it."""
    from cnplan.explore import evaluate
    from cnplan.explore.crn import evaluate_on_scenarios

    # huallaga has forced eradication in the first year, so the year-before spread moves too
    exp = load_experiment(EXPERIMENT.replace("zone: vraem", "zone: huallaga"))
    rows = pd.DataFrame(
        {
            "lever:forced_eradication.huallaga": [2.5, 0.7],
            "lever:ad_funding": [1.3, 0.8],
            "lever:police_graduates": [650.0, 20.0],
        }
    )
    got = evaluate_on_scenarios(exp, rows, 12, batch=5)  # batches cut through candidates
    for i in range(2):
        want = evaluate(exp, pd.concat([rows.iloc[[i]]] * 12, ignore_index=True))
        for col in want.columns:
            np.testing.assert_array_equal(got[col][i], want[col].to_numpy(), err_msg=col)

"""Per-scenario levers in the engine, and identical results whatever the executor or chunking.

The bar of the exploration issue: the outcome table is bit-for-bit the same in one process,
on 2 local worker processes, on a Dask LocalCluster, with other chunk sizes, and after a real
interruption (SIGKILL mid-run) followed by ``--resume``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest

from cnplan.data import load_dataset
from cnplan.explore import evaluate, load_experiment, open_results, resume, run_exploration, sample
from cnplan.explore.outcomes import reduce_outcomes
from cnplan.model import build_inputs, default_parameter_set
from cnplan.model.parameters import PARAM_INDEX
from cnplan.model.simulate import draw, goal_config, run_chunk
from cnplan.plans import load_plan

from .conftest import small_text

KEEP = ("area", "poppy", "resistance", "cost", "forced_eradication", "leaf_price", "coverage")


def _row_plan(plan, row):
    """The plan a separate run of this row would use (levers and post-election will set)."""
    plan = plan.model_copy(deep=True)
    vraem = plan.levers["forced_eradication"]["vraem"]
    plan.levers["forced_eradication"]["vraem"] = {
        y: v * row["lever:forced_eradication.vraem"] for y, v in vraem.items()
    }
    for zone, sched in plan.levers["ad_funding"].items():
        plan.levers["ad_funding"][zone] = {y: v * row["lever:ad_funding"] for y, v in sched.items()}
    plan.levers["police_graduates"]["national"] = {2005: row["lever:police_graduates"]}
    plan.levers["port_inspection_teams"]["national"] = {2005: row["lever:port_inspection_teams"]}
    shift = row["driver:election_will"] - plan.phases[1].political_will
    for phase in plan.phases[1:]:
        phase.political_will = float(np.clip(phase.political_will + shift, 0.0, 1.0))
    return plan


def _row_inputs_and_draws(plan, data, cfg, row, seed, scenario):
    inputs = build_inputs(_row_plan(plan, row), data, extra_years=cfg.years_without_assistance)
    inputs = replace(inputs, price0=inputs.price0 * (1.0 + row["driver:price_shock"]))
    d = draw(default_parameter_set(), seed, scenario, scenario + 1, len(inputs.years), 8)
    params = d.params.copy()
    params[:, PARAM_INDEX["gdp_growth"]] = row["driver:gdp_growth"]
    params[:, PARAM_INDEX["price_elasticity"]] = row["param:price_elasticity"]
    return inputs, replace(d, params=params)


@pytest.fixture(scope="module")
def per_row(small_experiment):
    """Eight rows of the small experiment, each also set up as its own one-scenario run."""
    plan, data = load_plan("lima-2005"), load_dataset("peru")
    cfg = goal_config(plan, data)
    rows = sample(small_experiment).iloc[40:48]
    runs = [
        _row_inputs_and_draws(plan, data, cfg, row, 7, 40 + i)
        for i, (_, row) in enumerate(rows.iterrows())
    ]
    return rows, runs, cfg


def _stack(runs):
    """One chunk whose levers, will, price and year-before eradication vary by scenario."""
    inputs = [r[0] for r in runs]
    levers = {}
    for name in inputs[0].levers:
        arr = np.stack([i.levers[name] for i in inputs], axis=-1)  # (T, Z, S) or (T, S)
        levers[name] = arr.transpose(0, 2, 1) if arr.ndim == 3 else arr
    stacked = replace(
        inputs[0],
        levers=levers,
        political_will=np.stack([i.political_will for i in inputs], axis=1),
        price0=np.array([i.price0 for i in inputs]),
        eradication0=np.stack([i.eradication0 for i in inputs]),
        per_scenario=True,
    )
    d = runs[0][1]
    draws = type(d)(
        *(np.concatenate([getattr(r[1], f.name) for r in runs]) for f in fields(type(d)))
    )
    return stacked, draws


def test_a_chunk_with_per_scenario_levers_equals_separate_runs(per_row):
    """Engine level: every kept flow and goal of each row is bit-identical to its own run."""
    rows, runs, cfg = per_row
    inputs, draws = _stack(runs)
    n_report = len(inputs.years) - cfg.years_without_assistance
    together = run_chunk(inputs, draws, n_report, cfg, KEEP)
    assert together["forced_eradication"].std(axis=0).max() > 0  # the levers did vary
    for i, (row_inputs, row_draws) in enumerate(runs):
        alone = run_chunk(row_inputs, row_draws, n_report, cfg, KEEP)
        for key, value in alone.items():
            np.testing.assert_array_equal(together[key][i], value[0], err_msg=key)


def test_evaluate_gives_each_row_what_its_own_plan_gives(per_row, small_experiment):
    rows, runs, cfg = per_row
    got = evaluate(small_experiment, rows, first_row=40)
    for i, (row_inputs, row_draws) in enumerate(runs):
        n_report = len(row_inputs.years) - cfg.years_without_assistance
        out = run_chunk(row_inputs, row_draws, n_report, cfg, KEEP)
        expected = reduce_outcomes(small_experiment, out, row_inputs.years[:n_report])
        for col, value in expected.items():
            np.testing.assert_array_equal(got[col].iloc[i], value[0], err_msg=col)


def test_evaluate_does_not_depend_on_batch_size_or_slicing(small_experiment):
    rows = sample(small_experiment).iloc[:600]
    whole = evaluate(small_experiment, rows, chunk_size=600)
    pd.testing.assert_frame_equal(whole, evaluate(small_experiment, rows, chunk_size=97))
    part = evaluate(small_experiment, rows.iloc[250:400], chunk_size=64, first_row=250)
    pd.testing.assert_frame_equal(whole.iloc[250:400], part)


def test_results_table(reference_folder, small_experiment):
    frame = open_results(reference_folder).frame()
    assert len(frame) == 1200 and list(frame.index) == list(range(1200))
    assert frame["hold_the_line_reached"].dtype == bool
    assert frame["coca_ha_2015"].gt(0).all()
    pd.testing.assert_frame_equal(
        frame[small_experiment.input_columns], sample(small_experiment), check_names=False
    )


def test_two_local_workers_and_another_chunk_size_give_the_same_table(reference_folder, tmp_path):
    ref = open_results(reference_folder).frame()
    exp = load_experiment(small_text())
    run_exploration(exp, tmp_path / "w2", workers=2, chunk_size=500, progress=False)
    got = open_results(tmp_path / "w2")
    assert got.manifest["chunks_total"] == 3
    pd.testing.assert_frame_equal(got.frame(), ref, check_exact=True)


def test_dask_local_cluster_gives_the_same_table(reference_folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    ref = open_results(reference_folder).frame()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        run_exploration(
            load_experiment(small_text()),
            tmp_path / "dask",
            scheduler=client,
            chunk_size=300,
            progress=False,
        )
    pd.testing.assert_frame_equal(open_results(tmp_path / "dask").frame(), ref, check_exact=True)


def _finished(folder) -> list[int]:
    try:
        return json.loads((folder / "manifest.json").read_text())["finished_chunks"]
    except (OSError, ValueError):
        return []


def test_killed_run_resumes_to_the_same_table(tmp_path):
    """A real interruption: SIGKILL the CLI after its first chunk, then --resume."""
    exp_file = tmp_path / "exp.yaml"
    exp_file.write_text(small_text(n=4000, chunk=200))
    out = tmp_path / "killed"
    cli = [os.path.join(os.path.dirname(sys.executable), "cnplan")]
    proc = subprocess.Popen(
        [*cli, "explore", str(exp_file), "--out", str(out), "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _finished(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = _finished(out)
    assert 1 <= len(done) < 20, f"killed with {len(done)} of 20 chunks finished"
    # What a crash can leave behind must not count: a temporary file and an unrecorded chunk.
    (out / "results" / ".chunk-000019.parquet.x.tmp").write_bytes(b"half-written")
    assert len(open_results(out).frame()) == 200 * len(done)
    subprocess.run(
        [*cli, "explore", "--resume", str(out), "--no-progress"], check=True, capture_output=True
    )
    resumed = open_results(out)
    assert resumed.complete and len(resumed.frame()) == 4000
    exp = load_experiment(small_text(n=4000, chunk=200))
    direct = tmp_path / "direct"
    run_exploration(exp, direct, chunk_size=1000, progress=False)
    pd.testing.assert_frame_equal(resumed.frame(), open_results(direct).frame(), check_exact=True)


def test_keyboard_interrupt_leaves_a_resumable_folder(tmp_path, monkeypatch, reference_folder):
    import cnplan.explore.runner as runner

    calls = {"n": 0}
    original = runner.run_chunk_rows

    def interrupt_on_third(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(runner, "run_chunk_rows", interrupt_on_third)
    with pytest.raises(KeyboardInterrupt):
        run_exploration(load_experiment(small_text()), tmp_path / "ctrlc", progress=False)
    assert _finished(tmp_path / "ctrlc") == [0, 1]
    monkeypatch.setattr(runner, "run_chunk_rows", original)
    resume(tmp_path / "ctrlc", progress=False)
    pd.testing.assert_frame_equal(
        open_results(tmp_path / "ctrlc").frame(), open_results(reference_folder).frame()
    )


def test_rows_at_the_plan_values_give_what_cnplan_run_gives(small_experiment):
    """No lever or driver column: each row is that scenario of a plain ``simulate`` run."""
    from cnplan.model import simulate

    out = evaluate(small_experiment, pd.DataFrame(index=range(150)), seed=11)
    ds = simulate("lima-2005", n=150, seed=11)
    for goal in ("hold_the_line", "marginal_producer", "stability_point"):
        np.testing.assert_array_equal(out[f"{goal}_reached"], ds[f"{goal}_reached"].values)
        np.testing.assert_array_equal(out[f"{goal}_year"], ds[f"{goal}_year"].values)
    coca = ds["coca_ha"].sel(year=2015).values.astype(np.float64).sum(axis=1)
    np.testing.assert_array_equal(out["coca_ha_2015"], coca)

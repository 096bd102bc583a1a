"""Benchmark the analyses: PRIM on 1M rows, Sobol on the engine, one optimisation generation.

Prints, with the machine's load average:
- PRIM on 1,000,000 rows x 20 inputs (wall time; goal < 60 s);
- Sobol at N = 2^14 on the engine (model evaluations per second), in this process and on 2
  local worker processes (wall time including the workers' start; indices checked identical);
- one optimisation generation of 100 candidates x 1,000 scenarios in one batched pass (wall
  time; goal < 10 s), in this process and on 2 local workers (pool already open, as it is
  from the second generation on; outcomes checked bit-identical), against Rhodium/EMA-style
  evaluation, one candidate and one scenario per engine call (timed on a sample of calls and
  scaled to 100,000; goal: ratio >= 100).

Run: python benchmarks/analysis.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from cnplan.analysis.prim import prim
from cnplan.analysis.sensitivity import sensitivity
from cnplan.explore.crn import evaluate_on_scenarios
from cnplan.explore.evaluate import prepare, run_rows
from cnplan.explore.experiment import load_experiment
from cnplan.explore.runner import executor
from cnplan.model.simulate import Draws, draw

LEVERS = """
levers:
  - lever: forced_eradication
    zone: vraem
    scale: [0.5, 3.0]
  - lever: ad_funding
    scale: [0.6, 1.7]
  - lever: police_graduates
    level: [0, 800]
"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def bench_prim() -> None:
    rng = np.random.default_rng(0)
    n, k = 1_000_000, 20
    x = pd.DataFrame(rng.uniform(0, 1, (n, k)), columns=[f"x{i}" for i in range(k)])
    y = ((x.x0 > 0.6) & (x.x1 < 0.3)).to_numpy() ^ (rng.uniform(size=n) < 0.05)
    start = time.perf_counter()
    result = prim(x, y, outcome="planted")
    seconds = time.perf_counter() - start
    last = result.trajectory.iloc[-1]
    print(
        f"PRIM: {n:,} rows x {k} inputs: {seconds:.1f} s wall "
        f"({len(result.trajectory)} steps; box coverage {last.coverage:.2f}, "
        f"density {last.density:.2f}; goal < 60 s)"
    )


def bench_sobol() -> None:
    exp = load_experiment(
        """
name: bench-sobol
plan: lima-2005
seed: 1
uncertainties:
  - param: price_elasticity
  - driver: price_shock
    range: [-0.3, 0.3]
"""
        + LEVERS
        + """
outcomes: [coca_ha: [2011]]
design: {method: latin_hypercube, n: 8}
"""
    )
    start = time.perf_counter()
    result = sensitivity(exp, outcome="coca_ha_2011", n=2**14, num_resamples=100)
    total = time.perf_counter() - start
    print(
        f"Sobol: N = 2^14, {len(exp.input_columns)} inputs, {result.evaluations:,} engine "
        f"evaluations in {result.seconds:.1f} s = {result.evaluations / result.seconds:,.0f} "
        f"evaluations/s ({total:.1f} s with sampling and bootstrap CIs)"
    )
    start = time.perf_counter()
    par = sensitivity(exp, outcome="coca_ha_2011", n=2**14, num_resamples=100, workers=2)
    total = time.perf_counter() - start
    same = par.table.equals(result.table)
    print(
        f"  on 2 local workers: {par.seconds:.1f} s = {par.evaluations / par.seconds:,.0f} "
        f"evaluations/s, including the workers' start ({total:.1f} s in all); "
        f"indices identical to in-process: {same}"
    )


def bench_generation() -> None:
    exp = load_experiment(
        "name: bench-opt\nplan: lima-2005\nseed: 1\n"
        + LEVERS
        + "outcomes: [marginal_producer, cost_musd_total, resistance_max]\n"
        + "design: {method: latin_hypercube, n: 8}\n"
    )
    columns = [lv.column for lv in exp.levers]
    rng = np.random.default_rng(0)
    rows = pd.DataFrame(rng.uniform([0.5, 0.6, 0], [3.0, 1.7, 800], (100, 3)), columns=columns)
    evaluate_on_scenarios(exp, rows.iloc[:2], 4)  # warm up: plan, data, inputs prepared once
    start = time.perf_counter()
    ref = evaluate_on_scenarios(exp, rows, 1000)
    batched = time.perf_counter() - start
    with executor(workers=2) as ex:
        start = time.perf_counter()
        evaluate_on_scenarios(exp, rows.iloc[:16], 1000, executor=ex)  # workers start, prepare
        startup = time.perf_counter() - start
        start = time.perf_counter()
        got = evaluate_on_scenarios(exp, rows, 1000, executor=ex)
        pooled = time.perf_counter() - start
    same = all(np.array_equal(ref[c], got[c], equal_nan=True) for c in ref)
    # Rhodium/EMA style: the model is called once per (candidate, scenario). Inputs are
    # prepared and random draws made beforehand, so only the per-call engine cost is timed.
    prep = prepare(exp)
    d = draw(prep.paramset, exp.seed, 0, 1000, len(prep.inputs.years), len(prep.inputs.zones))
    calls = 300
    start = time.perf_counter()
    for i in range(calls):
        c, s = i % 100, i % 1000
        one = Draws(d.params[s : s + 1], d.planting[s : s + 1], d.price[s : s + 1])
        run_rows(prep, one, {col: rows[col].to_numpy()[c : c + 1] for col in columns})
    per_call = (time.perf_counter() - start) / calls
    one_by_one = per_call * 100 * 1000
    print(
        f"Optimisation generation: 100 candidates x 1,000 scenarios in one batched pass: "
        f"{batched:.2f} s wall (goal < 10 s)"
    )
    print(
        f"  on 2 local workers (pool open): {pooled:.2f} s wall, {batched / pooled:.2f}x "
        f"in-process; outcomes bit-identical: {same} (pool start and a first 16-candidate "
        f"pass: {startup:.2f} s, paid once per optimisation)"
    )
    print(
        f"  one candidate and one scenario per call: {per_call * 1e3:.2f} ms/call, "
        f"{one_by_one:,.0f} s for the same 100,000 (from {calls} calls); ratio "
        f"{one_by_one / batched:,.0f}x (goal >= 100)"
    )


if __name__ == "__main__":
    print(load())
    bench_prim()
    bench_sobol()
    bench_generation()
    print(load())

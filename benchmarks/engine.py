"""Engine benchmark: batched throughput, full simulate time, peak memory, one-scenario paths.

Run with ``python benchmarks/engine.py`` (one core: thread pools are pinned to 1 below, before
numpy is imported). Goals: >= 10 million zone-years/s for the stepping loop, >= 100x the
one-scenario path, peak memory < 1.5 GB for 100,000 scenarios x all zones x 20 years.

Options: ``--scenarios N`` (default 100000), ``--repeat R`` (best of R for the engine loop,
default 3), ``--chunk C`` (scenarios per chunk, default: simulate's), ``--simulate-only`` (used
internally: the full simulate in a fresh process, so its peak memory is its own),
``--cell-layer-only`` (section (f) alone, in its own process: draws, steps and the spatial
outcomes of the community-scale cell layer; goal < 60 s for 100,000 futures x 20 years).
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from cnplan.data import load_dataset  # noqa: E402
from cnplan.model import build_inputs, provisional, simulate  # noqa: E402
from cnplan.model.engine import P, initial_state, step  # noqa: E402
from cnplan.model.simulate import draw, run_chunk  # noqa: E402
from cnplan.plans import load_plan  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "model"))
import reference  # noqa: E402

PLAN = "lima-2005"
UNTIL = 2024  # lima-2005 starts in 2005: 20 simulated years
DEFAULT_CHUNK = inspect.signature(simulate).parameters["chunk_size"].default


def _inputs():
    plan = load_plan(PLAN)
    return build_inputs(plan, load_dataset(plan.data), until=UNTIL)


def engine_loop(inputs, n: int, chunk: int) -> tuple[float, float, float]:
    """CPU seconds for draws + stepping of ``n`` scenarios in chunks (no goals, no outputs
    kept), the CPU seconds of that spent drawing, and the wall-clock seconds.

    CPU time of this process is the one-core figure; wall time also counts waiting for the CPU
    when other processes share the machine."""
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    paramset = provisional()
    drawing = 0.0
    wall = time.perf_counter()
    start = time.process_time()
    for a in range(0, n, chunk):
        t0 = time.process_time()
        d = draw(paramset, 0, a, min(a + chunk, n), n_years, n_zones)
        drawing += time.process_time() - t0
        run_chunk(inputs, d, n_years, None, ())
    return time.process_time() - start, drawing, time.perf_counter() - wall


def one_scenario_reference(inputs, n: int) -> float:
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    d = draw(provisional(), 0, 0, n, n_years, n_zones)
    start = time.process_time()
    for s in range(n):
        reference.run(inputs, d.params[s], d.planting[s], d.price[s])
    return time.process_time() - start


def one_scenario_batched(inputs, n: int) -> float:
    """The batched engine called with S=1, one scenario after another."""
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    d = draw(provisional(), 0, 0, n, n_years, n_zones)
    start = time.process_time()
    for s in range(n):
        try:
            params = P(d.params[s : s + 1], n_zones)
        except TypeError:  # an engine version without prepared parameters (before/after runs)
            params = d.params[s : s + 1]
        state = initial_state(inputs, params)
        for t in range(n_years):
            state, _ = step(
                state, t, inputs, params, d.planting[s : s + 1, t], d.price[s : s + 1, t]
            )
    return time.process_time() - start


def simulate_only(n: int, chunk: int) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    ds = simulate(PLAN, n=n, seed=0, until=UNTIL, parameter_set=provisional(), chunk_size=chunk)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak, "years": int(ds.sizes["year"])}))


def cell_layer(n: int, chunk: int) -> None:
    """(f) The cell layer on Peru: draws, steps (area and presence kept) and the spatial
    outcomes of every future and year (docs/model.md, Space), chunk by chunk; prints JSON."""
    from cnplan.model.grid import grid_of
    from cnplan.model.spatial import spatial_outcomes

    wall, cpu = time.perf_counter(), time.process_time()
    plan = load_plan(PLAN)
    data = load_dataset(plan.data)
    inputs = build_inputs(plan, data, until=UNTIL)
    grid = grid_of(data, inputs.geography)
    n_years, n_zones = len(inputs.years), len(inputs.zones)
    paramset, spatial = provisional(), 0.0
    area0 = np.asarray(inputs.area0, dtype=float)
    for a in range(0, n, chunk):
        d = draw(paramset, 0, a, min(a + chunk, n), n_years, n_zones)
        out = run_chunk(inputs, d, n_years, None, ("area", "presence"))
        t0 = time.process_time()
        start = np.broadcast_to(area0, out["area"][:, 0].shape)
        spatial_outcomes(out["area"], out["presence"], start, inputs.geography.kinds, grid)
        spatial += time.process_time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "spatial": spatial, "peak": peak, "cells": grid.n, "years": n_years}))


def _cell_layer_line(n: int, chunk: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--cell-layer-only", "--scenarios", str(n), "--chunk",
         str(chunk)], capture_output=True, text=True, check=True)
    cells = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"(f) cell layer ({cells['cells']:,} hexagons, 10 km) on Peru, {n:,} futures x "
        f"{cells['years']} years: {cells['wall']:.1f} s wall, {cells['cpu']:.1f} s CPU "
        f"({cells['spatial']:.1f} s of it the spatial outcomes); peak memory "
        f"{cells['peak'] / 2**30:.2f} GiB"
    )
    return cells


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    ap.add_argument("--one", type=int, default=200, help="scenarios for the one-at-a-time paths")
    ap.add_argument("--simulate-only", action="store_true")
    ap.add_argument("--cell-layer-only", action="store_true")
    ap.add_argument("--cell-layer", action="store_true", help="print only section (f)")
    args = ap.parse_args()
    if args.simulate_only:
        simulate_only(args.scenarios, args.chunk)
        return
    if args.cell_layer_only:
        cell_layer(args.scenarios, args.chunk)
        return
    if args.cell_layer:
        _cell_layer_line(args.scenarios, args.chunk)
        return

    inputs = _inputs()
    n, n_years, n_zones = args.scenarios, len(inputs.years), len(inputs.zones)
    zy = n * n_years * n_zones
    print(f"cnplan engine benchmark: {PLAN}, {n:,} scenarios x {n_zones} zones x {n_years} years")
    print(
        f"numpy {np.__version__}, python {sys.version.split()[0]}, one thread, chunk {args.chunk}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other processes share the machine)")

    times = [engine_loop(inputs, n, args.chunk) for _ in range(args.repeat)]
    best, drawing, wall = min(times)
    rate = zy / best
    print(
        f"(a) engine loop (draws + step, no goals): best of {args.repeat}: {best:.2f} s CPU "
        f"({drawing:.2f} s drawing; {wall:.2f} s wall) -> {rate / 1e6:.1f} million zone-years/s"
    )

    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--simulate-only",
            "--scenarios",
            str(n),
            "--chunk",
            str(args.chunk),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    sim = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"(b) full simulate (draws, step, outputs, goals incl. stability branches, Dataset): "
        f"{sim['cpu']:.2f} s CPU ({sim['wall']:.2f} s wall) -> "
        f"{zy / sim['cpu'] / 1e6:.1f} million zone-years/s"
    )
    print(f"(c) peak memory of the full simulate (ru_maxrss): {sim['peak'] / 2**30:.2f} GiB")

    m = args.one
    ref_s = one_scenario_reference(inputs, m)
    ref_rate = m * n_years * n_zones / ref_s
    print(
        f"(d) one scenario at a time, plain-Python reference: {m} scenarios in {ref_s:.2f} s -> "
        f"{ref_rate / 1e3:.0f} thousand zone-years/s; batched/one-scenario = {rate / ref_rate:.0f}x"
    )
    one_s = one_scenario_batched(inputs, m)
    one_rate = m * n_years * n_zones / one_s
    print(
        f"(e) batched engine called with S=1 per scenario: {m} scenarios in {one_s:.2f} s -> "
        f"{one_rate / 1e3:.0f} thousand zone-years/s; batched/S=1 = {rate / one_rate:.0f}x"
    )
    cells = _cell_layer_line(n, args.chunk)
    ok = [
        ("cell layer 100,000 x 20 years < 60 s", n < 100_000 or cells["wall"] < 60),
        ("throughput >= 10 M zone-years/s", rate >= 10e6),
        (">= 100x the one-scenario path", rate / ref_rate >= 100),
        ("peak memory < 1.5 GB", sim["peak"] < 1.5e9),
    ]
    for label, passed in ok:
        print(f"    goal {label}: {'met' if passed else 'MISSED'}")


if __name__ == "__main__":
    main()

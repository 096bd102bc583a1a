"""Engine benchmark: batched throughput, full simulate time, peak memory, one-scenario paths.

Run with ``python benchmarks/engine.py`` (one core: thread pools, numba's included, are pinned
to 1 below, before numpy and numba are imported; ``taskset -c 0 python benchmarks/engine.py``
also pins the process to one CPU). Goals (issue 13): the engine loop at least 11.9 million
zone-years/s and the simulate path (draws, step, outputs, goals with stability branches,
Dataset) at least 10 million unit-years/s, on Peru and on a synthetic geography of 200 units;
>= 100x the one-scenario path; peak memory < 1.5 GB for 100,000 scenarios x all zones x 20
years. Each figure is measured for the compiled kernel (numba, :mod:`cnplan.model.compiled`)
and for the numpy engine (its parity reference) in the same run, best of ``--repeat``, and
their ratio printed, with the load averages: the machine may be shared, so the ratio is the
figure that travels.

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
os.environ["NUMBA_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402

from cnplan.data import load_dataset  # noqa: E402
from cnplan.model import (  # noqa: E402
    build_inputs,
    compiled,  # noqa: E402
    provisional,
    simulate,
)
from cnplan.model.engine import P, initial_state, step  # noqa: E402
from cnplan.model.geography import decay_links, geography  # noqa: E402
from cnplan.model.inputs import Inputs  # noqa: E402
from cnplan.model.simulate import (  # noqa: E402
    draw,
    ensemble,
    goal_config,
    run_chunk,
    to_dataset,
)
from cnplan.plans import load_plan  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "model"))
import reference  # noqa: E402

PLAN = "lima-2005"
UNTIL = 2024  # lima-2005 starts in 2005: 20 simulated years
DEFAULT_CHUNK = inspect.signature(simulate).parameters["chunk_size"].default


def _inputs():
    plan = load_plan(PLAN)
    return build_inputs(plan, load_dataset(plan.data), until=UNTIL)


def _goal_inputs():
    """The inputs simulate builds: the plan's years plus the branches' extra years."""
    plan = load_plan(PLAN)
    data = load_dataset(plan.data)
    extra = goal_config(plan, data).years_without_assistance
    return build_inputs(plan, data, extra_years=extra, until=UNTIL)


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


def synthetic_inputs(base: Inputs, n_units: int = 200) -> Inputs:
    """A one-country geography of ``n_units`` units made from Peru's eight zones repeated
    (areas and hectare levers scaled so the national totals stay Peru's), displacement to the
    two neighbours on each side of a ring (``decay_links``, 50 km apart)."""
    idx = np.arange(n_units) % len(base.zones)
    scale = len(base.zones) / n_units
    units = [f"u{i:03d}" for i in range(n_units)]
    names = {0: "traditional", 1: "hard_core", 2: "expansion"}
    kinds = [names[int(k)] for k in base.kinds[idx]]
    pairs = [(units[i], units[(i + d) % n_units]) for i in range(n_units) for d in (1, 2)]
    pos = np.arange(n_units) * 50.0
    dist = np.abs(pos[:, None] - pos[None, :])
    geo = geography(units, ["synthetic"] * n_units, kinds, base.area_cap[idx] * scale,
                    adjacency=decay_links(units, pairs, dist))
    levers = {}
    for name, value in base.levers.items():
        if value.shape[-1] == len(base.zones):  # a unit lever (T, U)
            levers[name] = value[:, idx] * (1.0 if name == "source_interdiction" else scale)
        else:
            levers[name] = value
    return Inputs(years=base.years, zones=units, kinds=geo.kinds, area0=base.area0[idx] * scale,
                  area_cap=geo.land_cap, eradication0=base.eradication0[idx] * scale,
                  price0=base.price0, levers=levers, political_will=base.political_will,
                  hard_core_eradication=base.hard_core_eradication,
                  voluntary_hard_core=base.voluntary_hard_core, geography=geo)


def simulate_path(inputs: Inputs, n: int, chunk: int) -> float:
    """CPU seconds of simulate's path for ``inputs``: draws, step, every output, goals with
    stability branches, the Dataset (``simulate`` without loading, checks and the spatial
    layer: its ``ensemble`` then ``to_dataset``).
    """
    plan = load_plan(PLAN)
    data = load_dataset(plan.data)
    cfg = goal_config(plan, data)
    n_report = len(inputs.years) - cfg.years_without_assistance
    paramset = provisional()
    start = time.process_time()
    merged = ensemble(inputs, cfg, paramset, n, 0, chunk)
    to_dataset(merged, inputs, n_report, plan, data, paramset, 0)
    return time.process_time() - start


def both(measure, label: str, units: float, unit: str, goal: float, repeat: int) -> float:
    """Measure with the compiled kernel and with the numpy engine, best of ``repeat`` each (the
    first run of a size also pays for memory the machine had not handed out yet); print both,
    their ratio and the ratio to the goal."""
    compiled.ENABLED = True
    fast, system = min(_timed(measure) for _ in range(repeat))
    compiled.ENABLED = False
    slow, _ = min(_timed(measure) for _ in range(repeat))
    compiled.ENABLED = True
    rate = units / fast
    print(f"{label}: best of {repeat}: compiled {fast:.2f} s CPU ({system:.2f} s of it system "
          f"time) -> {rate / 1e6:.1f} million {unit}/s; numpy {slow:.2f} s -> "
          f"{units / slow / 1e6:.1f} million/s; compiled/numpy = {slow / fast:.1f}x; goal "
          f"{goal / 1e6:g} M/s: {rate / goal:.2f}x of it, {'met' if rate >= goal else 'MISSED'}")
    return rate


def _timed(measure) -> tuple[float, float]:
    """``measure()``'s CPU seconds and the system (kernel) seconds spent meanwhile: mostly the
    kernel handing over the memory of the run's outputs at first touch, which varies run to run
    on a virtual machine far more than the engine's own (user) time.
    """
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    cpu = measure()
    return cpu, resource.getrusage(resource.RUSAGE_SELF).ru_stime - before


def _load() -> str:
    """The load averages (1, 5, 15 minutes, as ``uptime`` prints them)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def warm_up(inputs: Inputs) -> None:
    """Compile the kernel (cached on disk after the first run) before anything is timed."""
    simulate_path(inputs, 8, 8)


def _peak_bytes() -> int:
    """This process's own peak resident memory: VmHWM of /proc/self/status where there is one.
    ``ru_maxrss`` is not: Linux carries it over exec from the forked parent, so a subprocess of
    a benchmark that holds gigabytes would report the parent's figure.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def simulate_only(n: int, chunk: int) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    ds = simulate(PLAN, n=n, seed=0, until=UNTIL, parameter_set=provisional(), chunk_size=chunk)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_bytes()
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
    peak = _peak_bytes()
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
    warm_up(_goal_inputs())
    n, n_years, n_zones = args.scenarios, len(inputs.years), len(inputs.zones)
    zy = n * n_years * n_zones
    print(f"cnplan engine benchmark: {PLAN}, {n:,} scenarios x {n_zones} zones x {n_years} years")
    print(
        f"numpy {np.__version__}, numba {numba.__version__}, python {sys.version.split()[0]}, "
        f"one thread (NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}), CPUs allowed "
        f"{sorted(os.sched_getaffinity(0))} of {os.cpu_count()}, chunk {args.chunk}"
    )
    print(f"load average at start: {_load()} (other processes share the machine)")

    compiled.ENABLED = False
    times = [engine_loop(inputs, n, args.chunk) for _ in range(args.repeat)]
    compiled.ENABLED = True
    best, drawing, wall = min(times)
    numpy_rate = zy / best
    times = [engine_loop(inputs, n, args.chunk) for _ in range(args.repeat)]
    best, drawing, wall = min(times)
    rate = zy / best
    print(
        f"(a) engine loop (draws + step, no goals): best of {args.repeat}: compiled {best:.2f} s "
        f"CPU ({drawing:.2f} s drawing; {wall:.2f} s wall) -> {rate / 1e6:.1f} million "
        f"zone-years/s; numpy {numpy_rate / 1e6:.1f} million/s; compiled/numpy = "
        f"{rate / numpy_rate:.1f}x; goal 11.9 M/s: {'met' if rate >= 11.9e6 else 'MISSED'}"
    )
    goal_inputs = _goal_inputs()
    n_report = len(goal_inputs.years) - 5
    full = both(lambda: simulate_path(goal_inputs, n, args.chunk),
                "(b) simulate path, Peru (draws, step, outputs, goals with branches, Dataset)",
                n * n_report * n_zones, "unit-years", 10e6, args.repeat)
    big = synthetic_inputs(goal_inputs)
    m = max(n // 25, 1000)
    big_loop = both(lambda: engine_loop(big, m, args.chunk)[0],
                    f"(h) engine loop, synthetic 200 units, {m:,} scenarios",
                    m * len(big.years) * 200, "unit-years", 11.9e6, args.repeat)
    big_full = both(lambda: simulate_path(big, m, args.chunk),
                    f"(i) simulate path, synthetic 200 units, {m:,} scenarios",
                    m * n_report * 200, "unit-years", 10e6, args.repeat)
    print(f"load average after (a)-(i): {_load()}")

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
        f"(b') cnplan.simulate as called (also loading, checks and the spatial cell layer): "
        f"{sim['cpu']:.2f} s CPU ({sim['wall']:.2f} s wall) -> "
        f"{zy / sim['cpu'] / 1e6:.1f} million zone-years/s"
    )
    print(f"(c) peak memory of the full simulate (VmHWM of its process): "
          f"{sim['peak'] / 2**30:.2f} GiB")

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
        (f"engine loop, Peru >= 11.9 M zone-years/s ({rate / 11.9e6:.2f}x)", rate >= 11.9e6),
        (f"engine loop, 200 units >= 11.9 M ({big_loop / 11.9e6:.2f}x)", big_loop >= 11.9e6),
        (f"simulate path, Peru >= 10 M unit-years/s ({full / 10e6:.2f}x)", full >= 10e6),
        (f"simulate path, 200 units >= 10 M ({big_full / 10e6:.2f}x)", big_full >= 10e6),
        (">= 100x the one-scenario path", rate / ref_rate >= 100),
        ("peak memory < 1.5 GB", sim["peak"] < 1.5e9),
    ]
    for label, passed in ok:
        print(f"    goal {label}: {'met' if passed else 'MISSED'}")
    print(f"load average at the end: {_load()}")


if __name__ == "__main__":
    main()

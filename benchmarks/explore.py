"""Exploration benchmark: a million futures of lima-2005 on 2 local workers, against EMA Workbench.

Run with ``python benchmarks/explore.py``. It prints, with the load average:

- cnplan: 1,000,000 scenarios of ``lima-2005`` over 20 years (2005-2024) with 10 outcomes
  (the three goals' reached flag and year, coca in 2011 and 2015, total cost, highest
  resistance), 4 uncertainties and 4 levers sampled by Latin hypercube, on 2 local worker
  processes: wall time, scenarios per second, peak memory (RSS) of the largest process;
- EMA Workbench: the same model wrapped as an EMA ``Model`` (one Python call per experiment,
  as EMA users wrap a model) evaluating 2,000 scenarios with its ``SequentialEvaluator``;
- the per-scenario speed ratio. On 2 workers the ratio is against 2 cores; the one-core
  figure (CPU time of the workers) is printed too.

Goals (exploration issue): 10^6 scenarios in under 2 minutes, peak memory under 2 GB, at least
100 times EMA Workbench per scenario. EMA Workbench is a benchmark-only extra (``pip install
ema_workbench``); without it that part is skipped.

Options: ``--scenarios N`` (default 1,000,000), ``--workers K`` (2), ``--chunk C`` (20,000),
``--ema N`` (2,000; 0 skips it).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from cnplan.explore import evaluate, load_experiment, open_results, run_exploration  # noqa: E402

EXPERIMENT = """
name: bench-lima-2005-20y
plan: lima-2005
seed: 1
until: 2024
chunk_size: {chunk}
uncertainties:
  - param: price_elasticity
  - param: replant_share
  - driver: gdp_growth
    range: [0.02, 0.07]
  - driver: election_will
    range: [0.6, 0.9]
levers:
  - {{lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}}
  - {{lever: forced_eradication, zone: huallaga, scale: [0.5, 2.0]}}
  - {{lever: ad_funding, scale: [0.6, 1.7]}}
  - {{lever: police_graduates, level: [0, 800]}}
outcomes:
  - goals
  - coca_ha: [2011, 2015]
  - cost_musd_total
  - resistance_max
design:
  method: latin_hypercube
  n: {n}
"""


def _mb(kib: int) -> float:
    return kib / 1024.0


class PeakWatcher:
    """Peak RSS (VmHWM, Linux) of this process's child processes, polled from a thread.

    ``getrusage(RUSAGE_CHILDREN)`` is not used: a spawned child briefly shares the parent's
    pages before it execs, which inflates that figure.
    """

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> list[int]:
        me = os.getpid()
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                            out.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._children():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                kib = int(line.split()[1])
                                self.peaks[pid] = max(self.peaks.get(pid, 0), kib)
                except OSError:
                    pass
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakWatcher":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench_cnplan(n: int, workers: int, chunk: int) -> dict:
    exp = load_experiment(EXPERIMENT.format(n=n, chunk=chunk))
    assert len(exp.outcome_columns) == 10
    with tempfile.TemporaryDirectory() as tmp:
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        with PeakWatcher() as watcher:
            t0 = time.perf_counter()
            folder = run_exploration(exp, Path(tmp) / "out", workers=workers, progress=False)
            wall = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self1 = resource.getrusage(resource.RUSAGE_SELF)
        res = open_results(folder)
        rows = res.sql("SELECT count(*) AS n FROM results")["n"][0]
        share = res.sql("SELECT avg(hold_the_line_reached::INT) AS p FROM results")["p"][0]
    driver_cpu = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    worker_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {
        "rows": int(rows),
        "wall": wall,
        "worker_cpu": worker_cpu,
        "driver_cpu": driver_cpu,
        "driver_peak_mb": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "worker_peak_mb": _mb(max(watcher.peaks.values(), default=0)),
        "hold_share": float(share),
        "columns": exp.outcome_columns,
    }


def bench_ema(n: int) -> dict | None:
    try:
        import ema_workbench as ema
    except ImportError:
        return None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    exp = load_experiment(EXPERIMENT.format(n=n, chunk=n))
    names = {c: c.replace(":", "__").replace(".", "_") for c in exp.input_columns}
    counter = {"i": 0}

    def model(**kwargs):
        # One Python call per experiment: what EMA Workbench does with any model function.
        row = pd.DataFrame({c: [kwargs[names[c]]] for c in exp.input_columns})
        out = evaluate(exp, row, first_row=counter["i"])
        counter["i"] += 1
        return {c: float(out[c].iloc[0]) for c in exp.outcome_columns}

    m = ema.Model("cnplanlima2005", function=model)

    m.uncertainties = [
        ema.RealParameter(names[v.column], *v.range_and_choices()[0]) for v in exp.variables
    ]
    m.outcomes = [ema.ScalarOutcome(c) for c in exp.outcome_columns]
    t0 = time.perf_counter()
    with ema.SequentialEvaluator(m) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=n)
    wall = time.perf_counter() - t0
    return {"rows": len(experiments), "wall": wall, "version": ema.__version__}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=20_000)
    ap.add_argument("--ema", type=int, default=2_000)
    args = ap.parse_args()

    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"({os.cpu_count()} CPUs)"
    )
    c = bench_cnplan(args.scenarios, args.workers, args.chunk)
    rate = c["rows"] / c["wall"]
    print(
        f"cnplan explore: {c['rows']:,} scenarios of lima-2005, 20 years (2005-2024), "
        f"{len(c['columns'])} outcomes, {args.workers} local workers, chunks of {args.chunk:,}"
    )
    print(f"  wall time            {c['wall']:8.1f} s   (goal < 120 s)")
    print(f"  scenarios per second {rate:8,.0f}")
    print(
        f"  worker CPU time      {c['worker_cpu']:8.1f} s   "
        f"({c['rows'] / max(c['worker_cpu'], 1e-9):,.0f} scenarios per CPU-second)"
    )
    print(f"  driver CPU time      {c['driver_cpu']:8.1f} s   (sampling, sending rows, Parquet)")
    peak = max(c["driver_peak_mb"], c["worker_peak_mb"])
    print(
        f"  peak RSS, largest process {peak:,.0f} MB (driver {c['driver_peak_mb']:,.0f} MB, "
        f"largest worker {c['worker_peak_mb']:,.0f} MB; goal < 2,048 MB)"
    )
    print(f"  P(hold the line) {c['hold_share']:.3f}; outcomes: {', '.join(c['columns'])}")
    print(f"load average after cnplan: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.ema:
        e = bench_ema(args.ema)
        if e is None:
            print("EMA Workbench not installed (pip install ema_workbench): comparison skipped")
        else:
            ema_rate = e["rows"] / e["wall"]
            print(
                f"EMA Workbench {e['version']} SequentialEvaluator: {e['rows']:,} scenarios, "
                f"same model and outcomes, one call per experiment"
            )
            print(f"  wall time            {e['wall']:8.1f} s")
            print(f"  scenarios per second {ema_rate:8,.1f}")
            print(
                f"  per-scenario speed ratio cnplan/EMA: {rate / ema_rate:,.0f}x wall "
                f"({args.workers} workers vs 1 process); "
                f"{c['rows'] / max(c['worker_cpu'], 1e-9) / ema_rate:,.0f}x per CPU-second "
                f"(goal >= 100x)"
            )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

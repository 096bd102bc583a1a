"""Time the run report (default run, 1,000 scenarios) and the exploration report (the example
experiment, 4,096 futures, with PRIM, CART, Sobol, Morris and Pareto results); print sizes.

Goal: each under 5 s and under 10 MB. Usage:
``python benchmarks/report.py [--scenarios N] [--repeat R] [--skip-run | --skip-exploration]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lima-2005-explore.yaml"


def make_run(folder: Path, scenarios: int) -> Path:
    import typer
    from typer.testing import CliRunner

    from cnplan.cli import run as run_cli

    app = typer.Typer()
    run_cli.register(app)

    @app.callback()
    def _main() -> None:
        pass

    result = CliRunner().invoke(
        app, ["run", "-n", str(scenarios), "--out", str(folder), "--no-report"]
    )
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return folder


def make_exploration(folder: Path) -> Path:
    """The example exploration with one result of every analysis beside it (small settings)."""
    from cnplan.analysis.discover import analysis_path, discover, save_discovery
    from cnplan.analysis.optimize import optimize
    from cnplan.analysis.prim import quasi_p_values
    from cnplan.analysis.sensitivity import sensitivity
    from cnplan.explore import load_experiment, run_exploration

    experiment = load_experiment(EXAMPLE)
    run_exploration(experiment, folder, progress=False)
    prim = discover(folder, "coca_ha_2011 > 40000")
    quasi_p_values(prim, prim.default_box)
    save_discovery(folder, prim)
    save_discovery(folder, discover(folder, "hold_the_line_reached == False", method="cart"))
    for method, n in (("sobol", 64), ("morris", 10)):
        result = sensitivity(experiment, outcome="coca_ha_2011", method=method, n=n)
        result.save(analysis_path(folder, method, "coca_ha_2011", ".parquet"))
    pareto = optimize(experiment, ["max marginal_producer_reached", "min cost_musd_total",
                                   "min resistance_max"], scenarios=20, pop_size=20,
                      generations=5)
    pareto.save(folder / "analysis" / "pareto.parquet")
    return folder


def _time(write, folder: Path, repeat: int) -> tuple[list[float], int]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        path = write(folder)
        times.append(time.perf_counter() - t0)
    return times, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", "-n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-run", action="store_true")
    parser.add_argument("--skip-exploration", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    from cnplan.report import write_exploration_report, write_run_report

    imports = time.perf_counter() - started
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    print(f"  import cnplan.report:        {imports:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_run:
            folder = make_run(Path(tmp) / "run", args.scenarios)
            times, size = _time(write_run_report, folder, args.repeat)
            print(f"report for a run of {args.scenarios:,} scenarios (lima-2005, default "
                  "parameters)")
            print(f"  write_run_report, first:     {times[0]:6.2f} s  (includes matplotlib "
                  "start-up)")
            print(f"  write_run_report, best of {len(times)}: {min(times):6.2f} s  (goal < 5 s)")
            print(f"  report.html size:            {size / 1e6:6.2f} MB (goal < 10 MB)")
        if not args.skip_exploration:
            t0 = time.perf_counter()
            folder = make_exploration(Path(tmp) / "exploration")
            built = time.perf_counter() - t0
            times, size = _time(write_exploration_report, folder, args.repeat)
            print(f"report for the exploration {EXAMPLE.name} (4,096 futures; PRIM, CART, "
                  "Sobol N=64, Morris, Pareto 20x5; built in "
                  f"{built:.1f} s, not timed below)")
            print(f"  write_exploration_report, first:     {times[0]:6.2f} s")
            print(f"  write_exploration_report, best of {len(times)}: {min(times):6.2f} s  "
                  "(goal < 5 s)")
            print(f"  report.html size:                    {size / 1e6:6.2f} MB (goal < 10 MB)")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

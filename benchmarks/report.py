"""Time the run report for a default run (1,000 scenarios) and print its size.

Goal: under 5 s and under 10 MB. Usage: ``python benchmarks/report.py [--scenarios N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", "-n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    from cnplan.report import write_run_report

    imports = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_run(Path(tmp) / "run", args.scenarios)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            path = write_run_report(folder)
            times.append(time.perf_counter() - t0)
        size = path.stat().st_size
    print(f"report for a run of {args.scenarios:,} scenarios (lima-2005, default parameters)")
    print(f"  import cnplan.report:        {imports:6.2f} s")
    print(f"  write_run_report, first:     {times[0]:6.2f} s  (includes matplotlib start-up)")
    print(f"  write_run_report, best of {len(times)}: {min(times):6.2f} s  (goal < 5 s)")
    print(f"  report.html size:            {size / 1e6:6.2f} MB (goal < 10 MB)")


if __name__ == "__main__":
    main()

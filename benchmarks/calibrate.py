"""Wall time of a full Peru calibration and simulated histories per second."""

import os
import time

from cnplan.calibrate import calibrate
from cnplan.data import load_dataset


def main() -> None:
    data = load_dataset("peru")
    t0 = time.perf_counter()
    fit = calibrate(data)
    wall = time.perf_counter() - t0
    print(
        f"full Peru calibration (ABC-SMC, {len(fit.parameter_set.samples)} particles, "
        f"{len(fit.epsilons)} generations): {wall:.1f} s (goal < 120 s)"
    )
    print(
        f"simulated histories: {fit.simulations:,} = {fit.simulations / wall:,.0f} per second "
        f"({len(range(fit.years[0], fit.years[1] + 1))} years x {len(data.zone_ids)} zones each)"
    )
    print(f"in-sample national MAPE: {fit.in_sample_mape:.1%} (bar: <= 10%)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

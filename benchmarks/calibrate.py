"""Wall time of a full pooled calibration of both shipped countries (``cnplan calibrate --data
peru,colombia``; goal < 2 minutes) with its in-sample MAPE per country and eradication
effects, of a full Peru calibration, simulated histories per second, and of a full rolling
backtest of both shipped countries, each cut-off's fit pooled as the shipped ones are
(``cnplan backtest --rolling --data peru,colombia --workers 2``; goal < 10 minutes).
``--skip-rolling`` leaves the rolling backtest out.
"""

import os
import sys
import time

from cnplan.calibrate import calibrate
from cnplan.data import load_dataset


def pooled() -> None:
    """Time the shipped calibration: Peru and Colombia pooled, with the evidence term."""
    from cnplan.calibrate.fit import calibrate_pooled

    t0 = time.perf_counter()
    fits = calibrate_pooled([load_dataset("peru"), load_dataset("colombia")])
    wall = time.perf_counter() - t0
    first = next(iter(fits.values()))
    print(f"full pooled calibration, peru + colombia (ABC-SMC, {len(first.parameter_set.samples)} "
          f"particles, {len(first.epsilons)} generations, {first.simulations:,} simulated "
          f"histories): {wall:.1f} s (goal < 120 s)")
    for name, fit in fits.items():
        e = fit.parameter_set.provenance["eradication_effects"]
        print(f"  {name}: in-sample national MAPE {fit.in_sample_mape:.1%} (bar: <= 10%); "
              f"net effect per ha eradicated: same year {e['same_year']['median']:.2f} "
              f"(band {e['same_year']['low']}-{e['same_year']['high']}), after 5 years "
              f"{e['five_year']['median']:.3f} (band {e['five_year']['low']}-"
              f"{e['five_year']['high']})")


def main() -> None:
    pooled()
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
    if "--skip-rolling" not in sys.argv:
        rolling()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")


def rolling(workers: int = 2) -> None:
    """Time the rolling-origin evaluation of both countries (every cut-off, horizon 8)."""
    from cnplan.calibrate.rolling import rolling_backtest

    t0 = time.perf_counter()
    fits = 0
    datasets = {name: load_dataset(name) for name in ("peru", "colombia")}
    for name, data in datasets.items():
        t = time.perf_counter()
        partners = tuple(d for n, d in datasets.items() if n != name)
        result = rolling_backtest(data, workers=workers, partners=partners)
        fits += len(result.cutoffs)
        cond = result.summary().set_index(["forecaster", "horizon"])
        skill = ", ".join(
            f"{g}: {cond.loc[('conditional', g), 'skill_random_walk']:+.2f}" for g in ("1-3", "4-8")
        )
        print(f"rolling backtest {name}: {len(result.cutoffs)} cut-offs in "
              f"{time.perf_counter() - t:.0f} s; conditional CRPS skill vs random walk {skill}")
    wall = time.perf_counter() - t0
    print(f"full rolling backtest, both countries ({fits} pooled fits, {workers} workers): "
          f"{wall:.0f} s (goal < 600 s)")


if __name__ == "__main__":
    main()

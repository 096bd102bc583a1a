"""Every declared driver and lever moves some outcome of the model (issue 13's bar).

An exploration that varies an input the model ignores wastes its budget and, worse, reports a
sensitivity of zero as if it were a finding (the ``gdp_growth`` driver once had a Sobol index
of 0 on coca). Each driver (``explore.experiment.DRIVERS``) and each plan lever
(``plans.levers.LEVERS``) is moved from a low to a high value with everything else held at
the plan's values, on the same futures (same seed and scenario numbers); some outcome must
change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnplan.data import load_dataset
from cnplan.explore.evaluate import evaluate
from cnplan.explore.experiment import DRIVERS, load_experiment
from cnplan.plans import LEVERS, load_plan

N = 24  # futures compared for each input (the same scenarios low and high)
OUTCOMES = """
outcomes:
  - hold_the_line
  - marginal_producer
  - stability_point
  - coca_ha_final
  - coca_ha_max
  - poppy_ha_final
  - forced_eradication_ha_total
  - voluntary_eradication_ha_total
  - funding_coverage_min
  - cost_musd_total
  - resistance_max
  - {coca_ha: [%(y0)s, %(y1)s]}
  - {leaf_price: [%(y0)s, %(y1)s]}
"""


def _plan_has(plan, lever: str) -> bool:
    """Whether the plan sets the lever anywhere to a non-zero value (so scaling moves it)."""
    by_zone = plan.levers.get(lever, {})
    return any(v != 0.0 for series in by_zone.values() for v in series.values())


def _variations(plan, zone: str) -> tuple[list[str], dict[str, tuple[float, float]]]:
    """YAML lines for every driver and lever, and each input column's (low, high)."""
    lines, bounds = ["uncertainties:"], {}
    for driver, (_unit, lo, hi, _meaning) in DRIVERS.items():
        lines.append(f"  - {{driver: {driver}, range: [{lo}, {hi}]}}")
        bounds[f"driver:{driver}"] = (lo, hi)
    lines.append("levers:")
    for lever, spec in LEVERS.items():
        if _plan_has(plan, lever):
            lo_hi = (0.0, 2.0)
            lines.append(f"  - {{lever: {lever}, scale: [{lo_hi[0]}, {lo_hi[1]}]}}")
        else:  # the plan leaves it at 0: set a level instead (a zone lever in one zone)
            lo_hi = (0.0, spec.maximum if spec.maximum is not None else 2000.0)
            where = f", zone: {zone}" if spec.scope == "zone" else ""
            lines.append(f"  - {{lever: {lever}{where}, level: [{lo_hi[0]}, {lo_hi[1]}]}}")
        column = f"lever:{lever}" + (f".{zone}" if spec.scope == "zone" and
                                     not _plan_has(plan, lever) else "")
        bounds[column] = lo_hi
    return lines, bounds


@pytest.mark.parametrize("plan_name", ["lima-2005", "peru-baseline"])
def test_every_driver_and_lever_moves_some_outcome(plan_name: str) -> None:
    plan = load_plan(plan_name)
    zones = load_dataset(plan.data).zones
    # a lever the plan leaves at 0 is set in an expansion zone (hard-core zones may rule out
    # voluntary eradication by the plan's phases, which is the plan's choice, not a dead lever)
    zone = str(zones.loc[zones["kind"] == "expansion", "zone_id"].iloc[0])
    lines, bounds = _variations(plan, zone)
    text = "\n".join([f"name: every-input-{plan_name}", f"plan: {plan_name}", "seed: 11",
                      *lines, OUTCOMES % {"y0": plan.start_year + 2, "y1": plan.end_year},
                      "design: {method: monte_carlo, n: 8}"])
    exp = load_experiment(text)
    still = []
    for column, (lo, hi) in bounds.items():
        low = evaluate(exp, pd.DataFrame({column: np.full(N, lo)}))
        high = evaluate(exp, pd.DataFrame({column: np.full(N, hi)}))
        a, b = low.to_numpy(dtype=float), high.to_numpy(dtype=float)
        moved = ~np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True).all(axis=0)
        # a programme input must reach cultivation (coca or poppy), not only cost or funding
        if not any(c.startswith(("coca_ha", "poppy_ha")) for c in low.columns[moved]):
            still.append(column)
    assert not still, f"{plan_name}: inputs that move no coca or poppy outcome: {still}"


def test_gdp_growth_moves_coca_over_the_example_range() -> None:
    """The example exploration's range of gdp_growth (2-7 %/yr) moves coca in 2011 (its Sobol
    index was once 0 there: a richer state then paid for nothing the model used).
    """
    exp = load_experiment("\n".join([
        "name: gdp", "plan: lima-2005", "seed: 2005",
        "uncertainties:", "  - {driver: gdp_growth, range: [0.02, 0.07]}",
        "outcomes:", "  - {coca_ha: [2011]}", "design: {method: monte_carlo, n: 8}"]))
    low = evaluate(exp, pd.DataFrame({"driver:gdp_growth": np.full(64, 0.02)}))
    high = evaluate(exp, pd.DataFrame({"driver:gdp_growth": np.full(64, 0.07)}))
    diff = high["coca_ha_2011"].to_numpy() - low["coca_ha_2011"].to_numpy()
    assert np.abs(diff).max() > 1.0, "gdp_growth 2% vs 7% changes no future's coca in 2011"

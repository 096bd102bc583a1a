"""PRIM's default box follows the documented rule, not the last (densest) step."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cnplan.analysis.prim import (
    DENSITY_SLACK,
    QP_SIGNIFICANT,
    PrimResult,
    box_rule,
    prim,
    quasi_p_values,
)


def _one_driver(n: int = 3000, k: int = 8, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    """Cases of interest when x0 > 0.7 (90% of them) plus 10% noise: only x0 matters."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, k)), columns=[f"x{i}" for i in range(k)])
    y = np.where(x.x0 > 0.7, rng.uniform(size=n) < 0.9, rng.uniform(size=n) < 0.1)
    return x, y


def test_default_box_is_dense_significant_and_simplest() -> None:
    x, y = _one_driver()
    result = prim(x, y, outcome="case")
    traj = result.trajectory
    k = result.default_box
    last = len(traj) - 1
    assert k == result.suggested
    # the boxes within DENSITY_SLACK of the best all add chance limits here, so the rule
    # falls back to the densest box whose every limit is significant: x0's alone, ~0.9 dense
    assert traj.density.iloc[k] >= 0.85
    assert result.restricted(k) == ["x0"]  # the driver, and nothing found by chance
    qps = [p for sides in quasi_p_values(result, k).values() for p in sides if not np.isnan(p)]
    assert qps and max(qps) < QP_SIGNIFICANT
    assert int(traj.res_dim.iloc[last]) > 1  # the old default would have shown noise limits
    assert result.suggested_by == "significant"
    assert box_rule(result).startswith(f"Box {k} by the default rule: no box within 5 points")
    assert box_rule(result).endswith("Pick another with --box N (N from the trajectory table).")


def test_the_rule_survives_a_save_and_an_explicit_box_says_so(tmp_path) -> None:
    x, y = _one_driver()
    result = prim(x, y, outcome="case")
    back = PrimResult.load(result.save(tmp_path / "p.json"))
    assert back.default_box == result.suggested
    back.chosen = len(back.trajectory) - 1
    assert box_rule(back).startswith(f"Box {back.chosen} as asked (--box); the rule's box is "
                                     f"{result.suggested}")


def test_a_planted_box_is_shown_within_the_density_slack() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.uniform(0, 1, (4000, 5)), columns=[f"x{i}" for i in range(5)])
    y = ((x.x0 > 0.6) & (x.x1 < 0.3)).to_numpy()
    result = prim(x, y)
    k = result.default_box
    assert result.trajectory.density.iloc[k] >= result.trajectory.density.max() - DENSITY_SLACK
    assert set(result.restricted(k)) == {"x0", "x1"}
    assert result.suggested_by == "dense" and "the one restricting the fewest" in box_rule(result)

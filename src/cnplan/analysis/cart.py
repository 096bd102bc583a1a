"""CART for scenario discovery: a classification tree whose leaves are boxes of inputs.

A second opinion on PRIM (Lempert et al. 2008 compare the two): scikit-learn's
``DecisionTreeClassifier`` splits the inputs to separate cases of interest from the rest, and
every leaf is an axis-aligned box with its own coverage (share of all cases of interest it holds)
and density (share of its rows that are cases of interest). Categorical inputs are split on
their sorted category codes and shown as the categories each box keeps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnplan.analysis.prim import PrimError, plain_value, write_json


@dataclass
class CartResult:
    """Leaves of a classification tree as boxes.

    Attributes
    ----------
    outcome : the condition that defines a case of interest.
    boxes : one row per leaf: ``box``, ``coverage``, ``density``, ``mass``, ``n``, ``k``,
        ``res_dim``, ``of_interest`` (the tree's majority class), best density first.
    limits : per box, the restricted inputs (same columns as :meth:`PrimResult.box`, without
        quasi-p-values).
    """

    outcome: str
    boxes: pd.DataFrame
    limits: list[pd.DataFrame]
    settings: dict[str, Any]

    def box(self, k: int) -> pd.DataFrame:
        """Limits of box ``k`` on its restricted inputs."""
        if not 0 <= k < len(self.limits):
            raise PrimError(f"--box: must be between 0 and {len(self.limits) - 1}, got {k}")
        return self.limits[k]

    def save(self, path: str | Path) -> Path:
        """Write as JSON (temp file + rename)."""
        return write_json(
            Path(path),
            {
                "kind": "cart",
                "outcome": self.outcome,
                "boxes": json.loads(self.boxes.to_json(orient="records")),
                "limits": [json.loads(lim.to_json(orient="records")) for lim in self.limits],
                "settings": self.settings,
            },
        )

    @classmethod
    def load(cls, path: str | Path) -> CartResult:
        """Read a result written by :meth:`save`."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        columns = ["input", "unit", "lower", "upper", "categories", "minimum", "maximum"]
        return cls(
            outcome=raw["outcome"],
            boxes=pd.DataFrame(raw["boxes"]),
            limits=[pd.DataFrame(lim, columns=columns).astype(_DTYPES) for lim in raw["limits"]],
            settings=raw["settings"],
        )


_DTYPES = {"lower": float, "upper": float, "minimum": float, "maximum": float}


def cart(
    x: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    outcome: str = "y",
    mass_min: float = 0.05,
    max_depth: int | None = None,
    units: dict[str, str] | None = None,
) -> CartResult:
    """Fit a classification tree to ``y`` and return its leaves as boxes.

    Parameters
    ----------
    x : inputs, one row per scenario.
    y : yes/no per row (cases of interest).
    outcome : text describing ``y``.
    mass_min : smallest share of the data in a leaf (the tree's ``min_samples_leaf``), as in
        PRIM, so no box rests on a handful of scenarios.
    max_depth : deepest split chain (default: limited only by ``mass_min``).
    units : units of the inputs, for display.
    """
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(x):
        raise PrimError(f"y: expected one value per row of x ({len(x)}), got shape {y.shape}")
    if not 0 < mass_min < 0.5:
        raise PrimError(f"mass_min: must be between 0 and 0.5 (exclusive), got {mass_min}")
    y = y.astype(bool)
    k_total = int(y.sum())
    if k_total == 0:
        raise PrimError(f"outcome {outcome!r}: no scenario is a case of interest; nothing to find")
    units = units or {}
    codes, levels = {}, {}
    for name in x.columns:
        col = x[name]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            c, uniques = pd.factorize(col, sort=True)
            codes[name], levels[name] = c.astype(float), [plain_value(u) for u in uniques]
        else:
            codes[name] = col.to_numpy(dtype=float)
    xs = np.column_stack([codes[name] for name in x.columns])
    if np.isnan(xs).any():
        raise PrimError("x: has missing values; CART needs a value in every row")
    tree = DecisionTreeClassifier(
        min_samples_leaf=max(1, int(np.ceil(mass_min * len(y)))),
        max_depth=max_depth,
        random_state=0,
    ).fit(xs, y)
    leaf_of = tree.apply(xs)
    t = tree.tree_
    names = list(x.columns)
    lo0, hi0 = xs.min(axis=0), xs.max(axis=0)
    bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {0: (lo0.copy(), hi0.copy())}
    stack = [0]
    while stack:  # limits of every node from its parent's split (threshold: x <= t goes left)
        node = stack.pop()
        left, right = t.children_left[node], t.children_right[node]
        if left < 0:
            continue
        f, thr = t.feature[node], t.threshold[node]
        lo, hi = bounds[node]
        hi_left = hi.copy()
        hi_left[f] = min(hi[f], thr)
        lo_right = lo.copy()
        lo_right[f] = max(lo[f], thr)
        bounds[left], bounds[right] = (lo.copy(), hi_left), (lo_right, hi.copy())
        stack += [left, right]
    rows, limits = [], []
    for leaf in np.unique(leaf_of):
        inside = leaf_of == leaf
        n, k = int(inside.sum()), int(y[inside].sum())
        lo, hi = bounds[int(leaf)]
        lim = []
        for j, name in enumerate(names):
            if lo[j] == lo0[j] and hi[j] == hi0[j]:
                continue
            entry = {"input": name, "unit": units.get(name, "")}
            if name in levels:
                # splits fall at half codes, so whole codes are never on a limit
                keep = [lv for m, lv in enumerate(levels[name]) if lo[j] <= m <= hi[j]]
                if len(keep) == len(levels[name]):
                    continue
                entry.update(lower=np.nan, upper=np.nan, categories=keep)
                entry.update(minimum=np.nan, maximum=np.nan)
            else:
                entry.update(lower=lo[j], upper=hi[j], categories=None)
                entry.update(minimum=lo0[j], maximum=hi0[j])
            lim.append(entry)
        columns = ["input", "unit", "lower", "upper", "categories", "minimum", "maximum"]
        limits.append(pd.DataFrame(lim, columns=columns).astype(_DTYPES))
        rows.append(
            {
                "coverage": k / k_total,
                "density": k / n,
                "mass": n / len(y),
                "n": n,
                "k": k,
                "res_dim": len(lim),
                "of_interest": bool(k / n > 0.5),
            }
        )
    boxes = pd.DataFrame(rows)
    order = np.lexsort((-boxes["coverage"].to_numpy(), -boxes["density"].to_numpy()))
    boxes = boxes.iloc[order].reset_index(drop=True)
    boxes.insert(0, "box", range(len(boxes)))
    return CartResult(
        outcome=outcome,
        boxes=boxes,
        limits=[limits[i] for i in order],
        settings={"mass_min": mass_min, "max_depth": max_depth, "leaves": len(boxes)},
    )

"""PRIM (patient rule induction): boxes of inputs in which a plan fails (or succeeds).

The algorithm is Friedman & Fisher's (1999) as used for scenario discovery by Bryant & Lempert
(2010) and implemented in EMA Workbench: peel off an ``alpha`` share of the data at the low or
high end of one input at a time, choosing the peel that raises the share of cases of interest
most per case removed (EMA's "lenient 1" objective), until the box would hold less than
``mass_min`` of the data; then paste back where that raises the density. Each peel or paste is
one point on the *trajectory*, a trade-off between coverage (share of all cases of interest
inside the box) and density (share of the box that are cases of interest).

Unlike EMA Workbench, every step scores all candidate peels of all inputs at once on numpy
arrays (one partial sort and one matrix product per step), which is what makes a million rows
practical. Quantiles follow EMA's rule (midpoint between neighbouring distinct values), so the
boxes agree with EMA's on the same data. Numeric inputs are peeled at quantiles; categorical
inputs (strings, booleans, pandas categories) by dropping one category at a time.
Quasi-p-values are EMA's one-sided binomial test (Bryant & Lempert 2010): for each limit, how
likely the box's density would be if that limit were removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cnplan.errors import CnplanError
from cnplan.files import write_text_atomic


class PrimError(CnplanError, ValueError):
    """PRIM cannot run on the given data or options."""


DENSITY_SLACK = 0.05
"""Default-box rule: boxes whose density is within this of the best density are candidates."""
QP_SIGNIFICANT = 0.05
"""Default-box rule: every limit of the chosen box must have a quasi-p-value below this."""


@dataclass
class PrimResult:
    """The peeling and pasting trajectory of one PRIM box, with the limits at every step.

    Attributes
    ----------
    outcome : the condition that defines a case of interest (e.g. the failure expression).
    inputs : input column names, in order.
    kinds : ``"numeric"`` or ``"categorical"`` per input.
    trajectory : one row per step: ``id``, ``coverage``, ``density``, ``mass``, ``n``, ``k``
        (cases of interest in the box), ``res_dim`` (number of restricted inputs).
    lower, upper : (steps, inputs) limits of numeric inputs (NaN for categorical ones).
    categories : per step, for each categorical input, the categories still in the box.
    domain : the full range (numeric) or all categories (categorical) of each input.
    units : unit of each input, where known.
    n_total, k_total : rows and cases of interest in the data.
    settings : the options PRIM ran with.
    quasi_p : per step already computed, {input: [p_lower, p_upper]} (NaN where unrestricted).
    """

    outcome: str
    inputs: list[str]
    kinds: list[str]
    trajectory: pd.DataFrame
    lower: np.ndarray
    upper: np.ndarray
    categories: list[dict[str, list[Any]]]
    domain: dict[str, Any]
    units: dict[str, str]
    n_total: int
    k_total: int
    settings: dict[str, float]
    quasi_p: dict[int, dict[str, list[float]]] = field(default_factory=dict)
    chosen: int | None = None
    suggested: int | None = None
    """The box :func:`suggest_box`'s rule picks (set by :func:`prim`); ``chosen`` overrides."""
    suggested_by: str | None = None
    """Which step of the rule picked it: ``"dense"``, ``"significant"`` or ``"last"``."""
    _data: Any = field(default=None, repr=False, compare=False)
    """The prepared data and steps, kept in memory for quasi-p-values on request (not saved)."""

    @property
    def default_box(self) -> int:
        """The box shown when the user picks none: the one the documented rule suggests
        (:func:`suggest_box`), else the last step (densest box found).
        """
        if self.chosen is not None:
            return self.chosen
        return len(self.trajectory) - 1 if self.suggested is None else self.suggested

    def restricted(self, k: int) -> list[str]:
        """Inputs whose limits in box ``k`` are narrower than their full range."""
        out = []
        for j, name in enumerate(self.inputs):
            if self.kinds[j] == "numeric":
                lo, hi = self.domain[name]
                if self.lower[k, j] != lo or self.upper[k, j] != hi:
                    out.append(name)
            elif len(self.categories[k][name]) < len(self.domain[name]):
                out.append(name)
        return out

    def box(self, k: int | None = None) -> pd.DataFrame:
        """Limits of box ``k`` on its restricted inputs, with their units and quasi-p-values.

        Columns: ``input``, ``unit``, ``lower``, ``upper`` (numeric), ``categories``
        (categorical), ``minimum``, ``maximum`` (the input's full range), ``qp_lower``,
        ``qp_upper`` (NaN where that side is not restricted).
        """
        k = self.default_box if k is None else k
        if not 0 <= k < len(self.trajectory):
            raise PrimError(f"--box: must be between 0 and {len(self.trajectory) - 1}, got {k}")
        qp = self.quasi_p.get(k, {})
        rows = []
        for name in self.restricted(k):
            j = self.inputs.index(name)
            p_lo, p_hi = qp.get(name, [np.nan, np.nan])
            numeric = self.kinds[j] == "numeric"
            rows.append(
                {
                    "input": name,
                    "unit": self.units.get(name, ""),
                    "lower": self.lower[k, j] if numeric else np.nan,
                    "upper": self.upper[k, j] if numeric else np.nan,
                    "categories": None if numeric else list(self.categories[k][name]),
                    "minimum": self.domain[name][0] if numeric else np.nan,
                    "maximum": self.domain[name][1] if numeric else np.nan,
                    "qp_lower": p_lo,
                    "qp_upper": p_hi,
                }
            )
        columns = ["input", "unit", "lower", "upper", "categories", "minimum", "maximum"]
        return pd.DataFrame(rows, columns=[*columns, "qp_lower", "qp_upper"])

    def to_json(self) -> dict[str, Any]:
        """A plain mapping (JSON-safe) holding everything needed to rebuild the result."""

        def clean(a: np.ndarray) -> list:
            return [[None if np.isnan(v) else float(v) for v in row] for row in a]

        return {
            "kind": "prim",
            "outcome": self.outcome,
            "inputs": self.inputs,
            "kinds": self.kinds,
            "trajectory": self.trajectory.to_dict(orient="list"),
            "lower": clean(self.lower),
            "upper": clean(self.upper),
            "categories": [
                {k: [plain_value(v) for v in c] for k, c in s.items()} for s in self.categories
            ],
            "domain": {
                k: (
                    [plain_value(v) for v in d]
                    if isinstance(d, list)
                    else [float(d[0]), float(d[1])]
                )
                for k, d in self.domain.items()
            },
            "units": self.units,
            "n_total": self.n_total,
            "k_total": self.k_total,
            "settings": self.settings,
            "quasi_p": {
                str(k): {n: [None if np.isnan(p) else float(p) for p in ps] for n, ps in v.items()}
                for k, v in self.quasi_p.items()
            },
            "chosen": self.chosen,
            "suggested": self.suggested,
            "suggested_by": self.suggested_by,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PrimResult:
        """Rebuild a result written by :meth:`to_json`."""

        def arr(rows: list) -> np.ndarray:
            return np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)

        domain = {
            k: tuple(d) if raw["kinds"][raw["inputs"].index(k)] == "numeric" else list(d)
            for k, d in raw["domain"].items()
        }
        return cls(
            outcome=raw["outcome"],
            inputs=list(raw["inputs"]),
            kinds=list(raw["kinds"]),
            trajectory=pd.DataFrame(raw["trajectory"]),
            lower=arr(raw["lower"]),
            upper=arr(raw["upper"]),
            categories=[dict(c) for c in raw["categories"]],
            domain=domain,
            units=dict(raw["units"]),
            n_total=int(raw["n_total"]),
            k_total=int(raw["k_total"]),
            settings=dict(raw["settings"]),
            quasi_p={
                int(k): {n: [np.nan if p is None else p for p in ps] for n, ps in v.items()}
                for k, v in raw["quasi_p"].items()
            },
            chosen=raw.get("chosen"),
            suggested=raw.get("suggested"),
            suggested_by=raw.get("suggested_by"),
        )

    def save(self, path: str | Path) -> Path:
        """Write the result as JSON (temp file + rename, so no half-written file is left)."""
        return write_json(Path(path), self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> PrimResult:
        """Read a result saved with :meth:`save`."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def plain_value(v: Any) -> Any:
    """A numpy scalar as the Python number JSON can hold (other values unchanged)."""
    return v.item() if isinstance(v, np.generic) else v


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write an analysis result atomically (strict JSON: NaN refused)."""
    return write_text_atomic(path, json.dumps(data, indent=1, allow_nan=False))


def ema_quantile(values: np.ndarray, q: float) -> float:
    """EMA Workbench's (and sdtoolkit's) quantile: the midpoint between neighbouring *distinct*
    values around the ``q`` position, so a peel never cuts through a run of equal values.
    """
    return float(_ema_quantiles(values[:, None], q)[0])


def _ema_quantiles(x: np.ndarray, q: float) -> np.ndarray:
    """:func:`ema_quantile` of every column of ``x`` at once (one partial sort)."""
    return _ema_quantiles_rows(np.ascontiguousarray(x.T), (q,))[0]


def _ema_quantiles_rows(xt: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """:func:`ema_quantile` of every row of ``xt`` (inputs x rows) at each of ``qs``.

    Per input row, one partial sort at the quantiles' lower ranks; the next rank up is the
    minimum of the slice above it (a fast reduction), so a step over a million rows costs
    about two linear passes per input.
    """
    n = xt.shape[1]
    spots = [((n - 1) * q, q) for q in qs]
    kth = sorted({int(np.floor(pos)) for pos, _ in spots})
    out = [np.empty(len(xt)) for _ in qs]
    for j, row in enumerate(xt):
        part = np.partition(row, kth)
        for i, (pos, q) in enumerate(spots):
            lo, hi = int(np.floor(pos)), int(np.ceil(pos))
            a = part[lo]
            if hi == lo:
                b = a
            else:
                above = [k for k in kth if k > lo]
                stop = above[0] + 1 if above else n
                b = part[lo + 1 : stop].min()
            if a == b:  # a run of equal values: step to the next distinct value (EMA's rule)
                if q > 0.5:
                    smaller = row[row < b]
                    a = smaller.max() if smaller.size else b
                else:
                    larger = row[row > a]
                    b = larger.min() if larger.size else a
            out[i][j] = (a + b) / 2
    return out


def _lenient1(mean_old: float, n_old: int, mean_new: np.ndarray, n_new: np.ndarray) -> np.ndarray:
    """Gain in density per case removed (or added): EMA Workbench's default objective."""
    with np.errstate(invalid="ignore", divide="ignore"):
        obj = (mean_new - mean_old) / np.abs(n_old - n_new)
    return np.where((mean_new != mean_old) & (n_new != n_old), obj, 0.0)


@dataclass
class _Data:
    x: np.ndarray  # (n, k_num) float
    xt: np.ndarray  # (k_num, n) the same values, one contiguous row per input
    codes: np.ndarray  # (n, k_cat) int
    y: np.ndarray  # (n,) float 0/1
    num_names: list[str]
    cat_names: list[str]
    cat_levels: list[list[Any]]


def _prepare(x: pd.DataFrame, y: np.ndarray) -> _Data:
    num, cat, levels = [], [], []
    for name in x.columns:
        col = x[name]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            cat.append(name)
        else:
            num.append(name)
    xs = x[num].to_numpy(dtype=float) if num else np.empty((len(x), 0))
    if np.isnan(xs).any():
        bad = [n for n in num if x[n].isna().any()][0]
        raise PrimError(f"input {bad!r}: has missing values; PRIM needs a value in every row")
    codes = np.empty((len(x), len(cat)), dtype=np.int64)
    for j, name in enumerate(cat):
        c, uniques = pd.factorize(x[name], sort=True)
        if (c < 0).any():
            raise PrimError(f"input {name!r}: has missing values; PRIM needs a value in every row")
        codes[:, j] = c
        levels.append([plain_value(u) for u in uniques])
    return _Data(xs, np.ascontiguousarray(xs.T), codes, y.astype(float), num, cat, levels)


class _Box:
    """Current box state: limits, allowed categories and the rows inside."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, allowed: np.ndarray, rows: np.ndarray):
        self.lo, self.hi, self.allowed, self.rows = lo, hi, allowed, rows


def prim(
    x: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    outcome: str = "y",
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    units: dict[str, str] | None = None,
    paste: bool = True,
) -> PrimResult:
    """Find one PRIM box for the cases where ``y`` is true, recording the whole trajectory.

    Parameters
    ----------
    x : inputs, one row per scenario (numeric columns are peeled at quantiles, others by
        category).
    y : yes/no per row: the cases of interest (e.g. the plan fails).
    outcome : text describing ``y`` (kept with the result).
    peel_alpha : share of the box removed by one peel (Friedman & Fisher 1999 suggest 0.05-0.1).
    paste_alpha : share of the candidate slice added by one paste.
    mass_min : smallest share of the data a box may hold.
    units : units of the inputs, for display.
    paste : whether to run the pasting phase after peeling.

    Returns
    -------
    PrimResult
        Trajectory and limits of every step; quasi-p-values of the last step are computed,
        others on request with :func:`quasi_p_values`.
    """
    for name, value, hi in (("peel_alpha", peel_alpha, 0.5), ("paste_alpha", paste_alpha, 0.5)):
        if not 0 < value < hi:
            raise PrimError(f"{name}: must be between 0 and {hi} (exclusive), got {value}")
    if not 0 < mass_min < 1:
        raise PrimError(f"mass_min: must be between 0 and 1 (exclusive), got {mass_min}")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(x):
        raise PrimError(f"y: expected one value per row of x ({len(x)}), got shape {y.shape}")
    if y.dtype != bool:
        if not np.isin(y, [0, 1]).all():
            raise PrimError("y: must be true/false (or 0/1) per row; use a condition")
        y = y.astype(bool)
    if len(x) == 0 or x.shape[1] == 0:
        raise PrimError("x: needs at least one row and one input column")
    k_total = int(y.sum())
    if k_total == 0:
        raise PrimError(f"outcome {outcome!r}: no scenario is a case of interest; nothing to find")
    data = _prepare(x, y)
    n = len(y)
    dom_lo = data.x.min(axis=0) if data.x.shape[1] else np.empty(0)
    dom_hi = data.x.max(axis=0) if data.x.shape[1] else np.empty(0)
    n_levels = [len(lv) for lv in data.cat_levels]
    allowed0 = np.zeros((len(data.cat_names), max(n_levels, default=0)), dtype=bool)
    for j, m in enumerate(n_levels):
        allowed0[j, :m] = True
    box = _Box(dom_lo.copy(), dom_hi.copy(), allowed0.copy(), np.arange(n))
    steps: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def record(b: _Box) -> None:
        steps.append((b.lo.copy(), b.hi.copy(), b.allowed.copy(), b.rows))

    record(box)
    _peel(data, box, dom_lo, dom_hi, allowed0, peel_alpha, mass_min, n, record)
    if paste:
        _paste(data, box, dom_lo, dom_hi, allowed0, paste_alpha, mass_min, n, record)
    result = _result(data, y, steps, dom_lo, dom_hi, outcome, units or {}, k_total)
    result.settings = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min}
    result._data = (data, steps)
    result.suggested, result.suggested_by = suggest_box(result)
    quasi_p_values(result, result.default_box)
    return result


def _significant(result: PrimResult, k: int) -> bool:
    """Whether box ``k`` restricts something and every restricted side has quasi-p < 0.05."""
    if int(result.trajectory["res_dim"].iloc[k]) == 0:
        return False
    ps = [p for sides in quasi_p_values(result, k).values() for p in sides if not np.isnan(p)]
    return all(p < QP_SIGNIFICANT for p in ps)


def suggest_box(result: PrimResult) -> tuple[int, str]:
    """The default box, by the rule documented in docs/analysis.md.

    Among the boxes whose density is within :data:`DENSITY_SLACK` (5 points) of the best
    density on the trajectory and whose every limit has a quasi-p-value below
    :data:`QP_SIGNIFICANT` (0.05), the one restricting the fewest inputs (then covering the
    most cases of interest). If no box that dense has only significant limits, the densest box
    whose limits all are; if none has, the last step. The last step of a peeling trajectory
    is the densest box but often restricts many inputs by chance (quasi-p above 0.2): a
    reader would take those limits as findings. Returns the box and which step picked it
    (``"dense"``, ``"significant"``, ``"last"``).
    """
    traj = result.trajectory
    best = float(traj["density"].max())
    near = [k for k in range(len(traj)) if traj["density"].iloc[k] >= best - DENSITY_SLACK]
    good = [k for k in near if _significant(result, k)]
    if good:
        return min(good, key=lambda k: (int(traj["res_dim"].iloc[k]),
                                        -traj["coverage"].iloc[k])), "dense"
    good = [k for k in range(len(traj)) if k not in near and _significant(result, k)]
    if good:
        return max(good, key=lambda k: (traj["density"].iloc[k],
                                        -int(traj["res_dim"].iloc[k]))), "significant"
    return len(traj) - 1, "last"


def box_rule(result: PrimResult) -> str:
    """How the shown box was chosen, in words, with how to pick another (CLI and report)."""
    from cnplan.i18n import gettext as _

    k = result.default_box
    pick = _("Pick another with --box N (N from the trajectory table).")
    if result.suggested is None:  # saved before the rule existed
        return pick
    if result.chosen is not None and result.chosen != result.suggested:
        return _("Box %(k)s as asked (--box); the rule's box is %(rule)s.") % {
            "k": k, "rule": "–" if result.suggested is None else result.suggested}
    values = {"k": k, "slack": round(DENSITY_SLACK * 100), "qp": QP_SIGNIFICANT}
    how = {
        "significant": _("Box %(k)s by the default rule: no box within %(slack)s points of the "
                         "best density has only limits with a quasi-p-value below %(qp)s, so "
                         "the densest box that has (docs/analysis.md)."),
        "last": _("Box %(k)s, the last step: no box on the trajectory has every limit with a "
                  "quasi-p-value below %(qp)s, so read its limits with care "
                  "(docs/analysis.md)."),
    }.get(result.suggested_by or "", _(
        "Box %(k)s by the default rule: of the boxes within %(slack)s points of the best "
        "density whose every limit has a quasi-p-value below %(qp)s, the one restricting the "
        "fewest inputs (docs/analysis.md)."))
    return how % values + " " + pick


def _n_restricted(lo, hi, allowed, dom_lo, dom_hi, allowed0) -> np.ndarray:
    """Restricted inputs of candidate boxes given as stacked limits (c, k) / (c, k_cat, L)."""
    num = ((lo != dom_lo) | (hi != dom_hi)).sum(axis=-1)
    cat = (allowed != allowed0).any(axis=-1).sum(axis=-1) if allowed.size else 0
    return num + cat


def _peel(data, box, dom_lo, dom_hi, allowed0, alpha, mass_min, n, record) -> None:
    k_num, k_cat = data.x.shape[1], data.codes.shape[1]
    while True:
        rows = box.rows
        xb = data.xt[:, rows] if len(rows) < len(data.y) else data.xt  # (k_num, rows)
        yb = data.y[rows]
        n_old, mean_old = len(rows), yb.mean()
        cand_lo = np.repeat(box.lo[None], 2 * k_num, axis=0)
        cand_hi = np.repeat(box.hi[None], 2 * k_num, axis=0)
        cand_allowed = [np.repeat(box.allowed[None], 2 * k_num, axis=0)]
        counts, hits = [], []
        if k_num:
            q_lo, q_hi = _ema_quantiles_rows(xb, (alpha, 1 - alpha))
            keep_upper = xb <= q_hi[:, None]  # peel the top: keep x <= q
            keep_lower = xb >= q_lo[:, None]
            # EMA's order per input: the upper peel, then the lower one.
            yes = yb.astype(bool)
            counts.append(
                np.stack(
                    [np.count_nonzero(keep_upper, 1), np.count_nonzero(keep_lower, 1)], 1
                ).ravel()
            )
            hits.append(
                np.stack(
                    [
                        np.count_nonzero(keep_upper & yes, 1),
                        np.count_nonzero(keep_lower & yes, 1),
                    ],
                    1,
                ).ravel()
            )
            idx = np.arange(k_num)
            cand_hi[2 * idx, idx] = q_hi
            cand_lo[2 * idx + 1, idx] = q_lo
        cat_cands: list[tuple[int, int]] = []
        for j in range(k_cat):
            levels = np.flatnonzero(box.allowed[j])
            if levels.size < 2:
                continue
            cb = data.codes[rows, j]
            per_n = np.bincount(cb, minlength=allowed0.shape[1])
            per_k = np.bincount(cb, weights=yb, minlength=allowed0.shape[1])
            for level in levels:
                cat_cands.append((j, level))
                counts.append(np.array([n_old - per_n[level]]))
                hits.append(np.array([yb.sum() - per_k[level]]))
        if not counts:
            return
        c_n = np.concatenate(counts).astype(float)
        c_k = np.concatenate(hits)
        if cat_cands:
            extra_lo = np.repeat(box.lo[None], len(cat_cands), axis=0)
            extra_hi = np.repeat(box.hi[None], len(cat_cands), axis=0)
            extra_allowed = np.repeat(box.allowed[None], len(cat_cands), axis=0)
            for c, (j, level) in enumerate(cat_cands):
                extra_allowed[c, j, level] = False
            cand_lo = np.concatenate([cand_lo, extra_lo])
            cand_hi = np.concatenate([cand_hi, extra_hi])
            cand_allowed.append(extra_allowed)
        allowed_all = np.concatenate(cand_allowed)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_new = np.where(c_n > 0, c_k / c_n, 0.0)
        obj = _lenient1(mean_old, n_old, mean_new, c_n)
        non_res = (
            k_num + k_cat - _n_restricted(cand_lo, cand_hi, allowed_all, dom_lo, dom_hi, allowed0)
        )
        # Best objective; ties go to fewer restricted inputs, then to the first candidate
        # (EMA sorts the same keys with a stable sort).
        order = np.lexsort((np.arange(len(obj)), -non_res, -obj))
        best = order[0]
        mass_new = c_n[best] / n
        if not (mass_new >= mass_min and c_n[best] < n_old and obj[best] > 0):
            return
        if best < 2 * k_num:
            j, upper = divmod(best, 2)
            keep = keep_lower[j] if upper else keep_upper[j]
        else:
            j, level = cat_cands[best - 2 * k_num]
            keep = data.codes[rows, j] != level
        box.lo, box.hi, box.allowed = cand_lo[best], cand_hi[best], allowed_all[best]
        box.rows = rows[keep]
        record(box)


def _in_box(data: _Data, lo, hi, allowed, skip: int | None = None) -> np.ndarray:
    """Rows of all data inside the limits (numeric input ``skip`` ignored)."""
    inside = np.ones(len(data.y), dtype=bool)
    for j in range(data.x.shape[1]):
        if j != skip and (lo[j] > -np.inf or hi[j] < np.inf):
            inside &= (data.x[:, j] >= lo[j]) & (data.x[:, j] <= hi[j])
    for j in range(data.codes.shape[1]):
        if not allowed[j].all():
            inside &= allowed[j][data.codes[:, j]]
    return inside


def _paste(data, box, dom_lo, dom_hi, allowed0, alpha, mass_min, n, record) -> None:
    k_num, k_cat = data.x.shape[1], data.codes.shape[1]
    while True:
        n_old = len(box.rows)
        mean_old = data.y[box.rows].mean()
        cands = []  # (lo, hi, allowed, inside)
        restricted = [j for j in range(k_num) if box.lo[j] != dom_lo[j] or box.hi[j] != dom_hi[j]]
        # Per restricted input, whether each row is within its limits; "inside on every other
        # input" is then a count (one pass per input, not one per pair of inputs).
        within = {j: (data.xt[j] >= box.lo[j]) & (data.xt[j] <= box.hi[j]) for j in restricted}
        base = np.ones(len(data.y), dtype=bool)
        for j in range(k_cat):
            if not box.allowed[j].all():
                base &= box.allowed[j][data.codes[:, j]]
        count = np.zeros(len(data.y), dtype=np.int16)
        for mask in within.values():
            count += mask
        for j in restricted:
            # rows inside the box on every other input, whatever their value of input j
            others = np.flatnonzero(base & (count - within[j] == len(restricted) - 1))
            xj = data.xt[j, others]
            for direction in ("lower", "upper"):
                lo, hi = box.lo.copy(), box.hi.copy()
                if direction == "lower":
                    slab = xj[xj <= box.lo[j]]
                    lo[j] = ema_quantile(slab, 1 - alpha) if slab.size else dom_lo[j]
                else:
                    slab = xj[xj >= box.hi[j]]
                    hi[j] = ema_quantile(slab, alpha) if slab.size else dom_hi[j]
                inside = np.zeros(len(data.y), dtype=bool)
                inside[others] = (xj >= lo[j]) & (xj <= hi[j])
                cands.append((lo, hi, box.allowed.copy(), inside))
        for j in range(k_cat):
            missing = np.flatnonzero(allowed0[j] & ~box.allowed[j])
            for level in missing:
                allowed = box.allowed.copy()
                allowed[j, level] = True
                cands.append((box.lo.copy(), box.hi.copy(), allowed, None))
        if not cands:
            return
        c_n, c_k, insides = [], [], []
        for lo, hi, allowed, inside in cands:
            if inside is None:
                inside = _in_box(data, lo, hi, allowed)
            insides.append(inside)
            c_n.append(inside.sum())
            c_k.append(data.y[inside].sum())
        c_n_a, c_k_a = np.array(c_n, float), np.array(c_k, float)
        mean_new = np.where(c_n_a > 0, c_k_a / np.maximum(c_n_a, 1), 0.0)
        obj = _lenient1(mean_old, n_old, mean_new, c_n_a)
        lo_s = np.stack([c[0] for c in cands])
        hi_s = np.stack([c[1] for c in cands])
        al_s = np.stack([c[2] for c in cands])
        non_res = k_num + k_cat - _n_restricted(lo_s, hi_s, al_s, dom_lo, dom_hi, allowed0)
        order = np.lexsort((np.arange(len(obj)), -non_res, -obj))
        best = order[0]
        if not (
            c_n_a[best] / n >= mass_min
            and c_n_a[best] > n_old
            and obj[best] > 0
            and mean_new[best] > mean_old
        ):
            return
        box.lo, box.hi, box.allowed = lo_s[best], hi_s[best], al_s[best]
        box.rows = np.flatnonzero(insides[best])
        record(box)


def _result(data, y, steps, dom_lo, dom_hi, outcome, units, k_total) -> PrimResult:
    inputs = data.num_names + data.cat_names
    kinds = ["numeric"] * len(data.num_names) + ["categorical"] * len(data.cat_names)
    n = len(y)
    rows, lowers, uppers, cats = [], [], [], []
    n_cat = len(data.cat_names)
    for i, (lo, hi, allowed, inside) in enumerate(steps):
        k = int(data.y[inside].sum())
        res = int(((lo != dom_lo) | (hi != dom_hi)).sum())
        res += sum(
            int(allowed[j, : len(data.cat_levels[j])].sum() < len(data.cat_levels[j]))
            for j in range(n_cat)
        )
        rows.append(
            {
                "id": i,
                "coverage": k / k_total,
                "density": k / len(inside),
                "mass": len(inside) / n,
                "n": len(inside),
                "k": k,
                "res_dim": res,
            }
        )
        lowers.append(np.concatenate([lo, np.full(n_cat, np.nan)]))
        uppers.append(np.concatenate([hi, np.full(n_cat, np.nan)]))
        cats.append(
            {
                name: [lv for m, lv in enumerate(data.cat_levels[j]) if allowed[j, m]]
                for j, name in enumerate(data.cat_names)
            }
        )
    domain: dict[str, Any] = {
        name: (float(dom_lo[j]), float(dom_hi[j])) for j, name in enumerate(data.num_names)
    }
    domain.update({name: list(data.cat_levels[j]) for j, name in enumerate(data.cat_names)})
    return PrimResult(
        outcome=outcome,
        inputs=inputs,
        kinds=kinds,
        trajectory=pd.DataFrame(rows),
        lower=np.array(lowers),
        upper=np.array(uppers),
        categories=cats,
        domain=domain,
        units={name: units[name] for name in inputs if name in units},
        n_total=n,
        k_total=k_total,
        settings={},
    )


def quasi_p_values(result: PrimResult, k: int) -> dict[str, list[float]]:
    """Quasi-p-values of box ``k``'s limits (Bryant & Lempert 2010; EMA Workbench's test).

    For each restricted side, the box is widened back to the input's full range on that side;
    the p-value is the chance of seeing at least the box's cases of interest among its rows if
    the density were that of the widened box (one-sided binomial test). Small values mean the
    limit matters. Needs the data, so only works on a result from :func:`prim` in this session
    (saved results keep the values computed before saving).
    """
    if k in result.quasi_p:
        return result.quasi_p[k]
    if not 0 <= k < len(result.trajectory):
        raise PrimError(f"--box: must be between 0 and {len(result.trajectory) - 1}, got {k}")
    if result._data is None:
        raise PrimError(f"box {k}: quasi-p-values were not saved with this result")
    data, steps = result._data
    lo, hi, allowed, inside = steps[k]
    n_box, k_box = len(inside), int(data.y[inside].sum())
    out: dict[str, list[float]] = {}
    for name in result.restricted(k):
        j = result.inputs.index(name)
        ps = [np.nan, np.nan]
        if result.kinds[j] == "numeric":
            for side, (limit, full) in enumerate(
                ((lo[j], result.domain[name][0]), (hi[j], result.domain[name][1]))
            ):
                if limit == full:
                    continue
                lo2, hi2 = lo.copy(), hi.copy()
                (lo2 if side == 0 else hi2)[j] = full
                ps[side] = _binom(data, lo2, hi2, allowed, n_box, k_box)
        else:
            jc = data.cat_names.index(name)
            al2 = allowed.copy()
            al2[jc, : len(data.cat_levels[jc])] = True
            ps[0] = _binom(data, lo, hi, al2, n_box, k_box)
        out[name] = ps
    result.quasi_p[k] = out
    return out


def _binom(data: _Data, lo, hi, allowed, n_box: int, k_box: int) -> float:
    inside = _in_box(data, lo, hi, allowed)
    p = data.y[inside].mean()
    return float(stats.binomtest(k_box, n_box, p, alternative="greater").pvalue)

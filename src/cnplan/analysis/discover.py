"""Scenario discovery on an exploration: under which conditions does an outcome happen?

``discover(folder, "marginal_producer_reached == False")`` reads the exploration's inputs and
outcomes, turns the outcome expression into a yes/no per scenario, and runs PRIM (default) or
CART on the input columns. Results are saved beside the exploration as
``DIR/analysis/prim-<name>.json`` / ``cart-<name>.json``, where ``<name>`` is a file-safe form of
the outcome expression (see :func:`analysis_name`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from cnplan.analysis.cart import CartResult, cart
from cnplan.analysis.prim import PrimError, PrimResult, prim
from cnplan.explore.expr import binary_outcome, parse_outcome

ANALYSIS = "analysis"
"""Sub-folder of an exploration that holds its analyses."""


def analysis_name(outcome: str) -> str:
    """A file-safe name for an outcome expression, e.g. ``marginal_producer_reached-eq-False``."""
    text = outcome.strip()
    for op, word in (
        ("==", "-eq-"),
        ("!=", "-ne-"),
        (">=", "-ge-"),
        ("<=", "-le-"),
        (">", "-gt-"),
        ("<", "-lt-"),
    ):
        text = text.replace(op, word)
    text = re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_")
    return re.sub(r"_*-_*", "-", text)[:120] or "outcome"


def analysis_path(folder: str | Path, kind: str, outcome: str, suffix: str) -> Path:
    """``folder/analysis/<kind>-<name><suffix>``."""
    return Path(folder) / ANALYSIS / f"{kind}-{analysis_name(outcome)}{suffix}"


def _table(source: Any) -> tuple[pd.DataFrame, list[str], list[str], dict[str, str]]:
    """Frame, input columns, outcome columns and input units of an exploration or a frame."""
    from cnplan.explore.units import input_units

    if isinstance(source, pd.DataFrame):
        inputs = [c for c in source.columns if c.partition(":")[0] in {"lever", "param", "driver"}]
        outcomes = [c for c in source.columns if c not in inputs]
        return source, inputs, outcomes, input_units(inputs)
    from cnplan.explore.store import Results, open_results

    results = source if isinstance(source, Results) else open_results(source)
    experiment = None
    text = results.manifest.get("experiment_text")
    if text:
        from cnplan.explore.experiment import load_experiment

        try:
            experiment = load_experiment(text, base_dir=results.manifest.get("base_dir", "."))
        except Exception:  # units are a courtesy; the analysis does not need the experiment
            experiment = None
    inputs, outcomes = results.input_columns, results.outcome_columns
    return results.frame(), inputs, outcomes, input_units(inputs, experiment)


def discover(
    source: Any,
    outcome: str,
    *,
    method: str = "prim",
    inputs: list[str] | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_depth: int | None = None,
) -> PrimResult | CartResult:
    """Find the input conditions under which ``outcome`` holds.

    Parameters
    ----------
    source : an exploration folder (or its ``Results``), or a DataFrame with ``lever:``,
        ``param:`` and ``driver:`` input columns and outcome columns.
    outcome : a condition over the outcome columns, e.g. ``"marginal_producer_reached ==
        False"`` or ``"coca_ha_2011 > 40000"`` (see :mod:`cnplan.explore.expr`).
    method : ``"prim"`` or ``"cart"``.
    inputs : input columns to use (default: all of the exploration's).
    peel_alpha, paste_alpha, mass_min : PRIM's settings (``mass_min`` also CART's leaf size).
    max_depth : CART's deepest split chain.

    Returns
    -------
    PrimResult or CartResult
    """
    if method not in {"prim", "cart"}:
        raise PrimError(f"method: must be 'prim' or 'cart', got {method!r}")
    frame, all_inputs, outcomes, units = _table(source)
    if not len(frame):
        raise PrimError(f"{source}: the exploration has no finished rows yet")
    parse_outcome(outcome, outcomes)  # names must be outcomes, not inputs
    y = binary_outcome(outcome, frame[outcomes])
    use = inputs or all_inputs
    unknown = [c for c in use if c not in all_inputs]
    if unknown:
        raise PrimError(
            f"inputs: unknown input column(s) {', '.join(unknown)}; available inputs are "
            f"{', '.join(all_inputs)}"
        )
    x = frame[use].reset_index(drop=True)
    if method == "prim":
        return prim(
            x,
            y,
            outcome=outcome,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
            units=units,
        )
    return cart(x, y, outcome=outcome, mass_min=mass_min, max_depth=max_depth, units=units)


def save_discovery(folder: str | Path, result: PrimResult | CartResult) -> Path:
    """Save a discovery result as ``folder/analysis/prim-<name>.json`` (or ``cart-``)."""
    kind = "prim" if isinstance(result, PrimResult) else "cart"
    return result.save(analysis_path(folder, kind, result.outcome, ".json"))

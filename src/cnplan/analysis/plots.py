"""Charts of the analyses: PRIM trade-off and box limits, Sobol/Morris bars, Pareto scatter.

Each function draws on the ``ax=`` it is given, or on a new Figure of its own (never pyplot, so
no global state), and returns the Axes; a notebook, the CLI's PNG and a report use the same code.
Colours are the Okabe-Ito colour-blind-safe palette the rest of cnplan uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cnplan.data.plot import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from cnplan.analysis.optimize import ParetoResult
    from cnplan.analysis.prim import PrimResult
    from cnplan.analysis.sensitivity import SensitivityResult

BLUE, VERMILLION, ORANGE, GREY = OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[0], "#999999"


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained").add_subplot()


def tradeoff(result: PrimResult, ax: Axes | None = None, box: int | None = None) -> Axes:
    """Coverage against density along the PRIM trajectory, coloured by restricted inputs."""
    ax = _axes(ax, (5.5, 4.2))
    traj = result.trajectory
    points = ax.scatter(traj.coverage, traj.density, c=traj.res_dim, cmap="viridis", s=18, zorder=3)
    ax.plot(traj.coverage, traj.density, color=GREY, lw=0.8, zorder=2)
    k = result.default_box if box is None else box
    ax.scatter(
        [traj.coverage[k]],
        [traj.density[k]],
        s=120,
        facecolors="none",
        edgecolors=VERMILLION,
        lw=1.8,
        zorder=4,
        label=f"box {k}",
    )
    ax.figure.colorbar(points, ax=ax, label="restricted inputs")
    ax.set_xlabel("coverage (share of all cases of interest inside the box)")
    ax.set_ylabel("density (share of the box that are cases of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM trade-off: {result.outcome}", loc="left", fontsize=10)
    ax.legend(loc="lower left", frameon=False)
    return ax


def box_limits(result: Any, box: int | None = None, ax: Axes | None = None) -> Axes:
    """The box's limits on each restricted input as a bar over the input's full range (0-1).

    Works for PRIM and CART results; each bar is labelled with its limits in the input's unit.
    """
    if box is None:
        box = result.default_box if hasattr(result, "default_box") else 0
    table = result.box(box)
    ax = _axes(ax, (6.4, 0.45 * max(len(table), 1) + 1.4))
    for i, row in enumerate(table.itertuples(index=False)):
        y = len(table) - 1 - i
        ax.barh(y, 1.0, color="#eeeeee", height=0.6)
        if row.categories is not None and not isinstance(row.categories, float):
            ax.barh(y, 1.0, color=BLUE, height=0.6, alpha=0.6)
            text = "{" + ", ".join(map(str, row.categories)) + "}"
        else:
            span = row.maximum - row.minimum or 1.0
            lo, hi = (row.lower - row.minimum) / span, (row.upper - row.minimum) / span
            ax.barh(y, hi - lo, left=lo, color=BLUE, height=0.6)
            unit = "" if row.unit in {"1", None} else row.unit
            text = f"{row.lower:.3g} – {row.upper:.3g} {unit}".strip()
        ax.text(1.02, y, text, va="center", fontsize=8)
    ax.set_yticks(range(len(table)), list(table["input"])[::-1], fontsize=8)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("share of the input's full range")
    ax.set_title(f"box {box} limits", loc="left", fontsize=10)
    return ax


def sensitivity_bars(result: SensitivityResult, ax: Axes | None = None) -> Axes:
    """Sobol S1 and ST with their confidence intervals, or Morris mu* with its interval."""
    table = result.table.iloc[::-1]
    ax = _axes(ax, (6.4, 0.4 * len(table) + 1.4))
    y = np.arange(len(table))
    if result.method == "sobol":
        ax.barh(y + 0.2, table.ST, 0.4, xerr=table.ST_conf, color=BLUE, label="total (ST)")
        ax.barh(y - 0.2, table.S1, 0.4, xerr=table.S1_conf, color=ORANGE, label="first order (S1)")
        ax.set_xlabel("share of the outcome's variance")
        ax.legend(loc="lower right", frameon=False)
    else:
        ax.barh(y, table.mu_star, 0.6, xerr=table.mu_star_conf, color=BLUE)
        ax.set_xlabel("mean absolute elementary effect (mu*)")
    ax.set_yticks(y, list(table["input"]), fontsize=8)
    ax.set_title(f"{result.method.capitalize()}: {result.outcome}", loc="left", fontsize=10)
    return ax


def pareto_scatter(
    result: ParetoResult,
    x: int = 0,
    y: int = 1,
    ax: Axes | None = None,
    highlight: int | None = None,
) -> Axes:
    """Two objectives of the Pareto set against each other, coloured by a third if any."""
    labels = [o.label for o in result.objectives]
    if len(labels) < 2:
        raise ValueError("pareto_scatter: needs at least two objectives")
    ax = _axes(ax, (5.5, 4.2))
    table = result.table
    if len(labels) > 2:
        points = ax.scatter(
            table[labels[x]], table[labels[y]], c=table[labels[2]], s=28, cmap="viridis"
        )
        ax.figure.colorbar(points, ax=ax, label=labels[2])
    else:
        ax.scatter(table[labels[x]], table[labels[y]], color=BLUE, s=28)
    if highlight is not None:
        ax.scatter(
            [table[labels[x]][highlight]],
            [table[labels[y]][highlight]],
            s=140,
            facecolors="none",
            edgecolors=VERMILLION,
            lw=1.8,
            label=f"member {highlight}",
        )
        ax.legend(frameon=False)
    ax.set_xlabel(labels[x])
    ax.set_ylabel(labels[y])
    ax.set_title(
        f"Pareto set: {len(table)} plans, {result.scenarios} futures each", loc="left", fontsize=10
    )
    return ax

"""The comparison report (``compare.html``): runs side by side, and its chart of yearly bands.

The chart and the HTML use the same :class:`cnplan.runs.compare.Comparison`, so the numbers a
notebook draws with :func:`compare_bands` are the ones the report prints.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnplan import format as fmt
from cnplan import terms
from cnplan.files import write_text_atomic
from cnplan.i18n import format_datetime
from cnplan.i18n import gettext as _
from cnplan.report import charts as ch
from cnplan.report.figures import Chart
from cnplan.runs.compare import Comparison

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COMPARE_FILE = "compare.html"
COLORS = (ch.BLUE, ch.VERMILLION, ch.GREEN, ch.ORANGE, ch.PURPLE, ch.SKY)


def compare_bands(comparison: Comparison, ax: Axes | None = None,
                  variable: str = "coca") -> Axes:
    """Median and 10-90% band of a national variable per year, every run on one chart."""
    ax = ax if ax is not None else ch.new_axes((7.2, 4.2))
    label, unit = ch.NATIONAL_VARIABLES.get(variable, (variable, ""))
    bands = comparison.bands if variable == "coca" else None
    if bands is None:
        from cnplan.runs.compare import band_table

        bands = band_table(comparison.sides, variable)
    for i, (run, part) in enumerate(bands.groupby("run", sort=False)):
        color = COLORS[i % len(COLORS)]
        ax.fill_between(part["year"], part["p10"], part["p90"], color=color, alpha=0.15, lw=0)
        ax.plot(part["year"], part["median"], color=color, lw=2,
                ls=("-", "--", ":", "-.")[i % 4], label=str(run))
    ax.set_title(_("%(label)s: median and 10–90%% of futures, by run") % {"label": _(label)},
                 fontsize=10.5, loc="left")
    ax.set_xlabel(_("year"))
    ax.set_ylabel(f"{_(label)} ({terms.unit(unit)})" if unit else _(label))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.set_major_formatter(ch._thousands())
    ax.legend(fontsize=7.5, loc="best", framealpha=0.85)
    return ax


def _number(value: float, digits: int = 0) -> str:
    return fmt.number(value, digits)


def _points(value: float) -> str:
    """A difference of probabilities in percentage points, signed."""
    if value is None or math.isnan(value):
        return ""
    points = _number(abs(100 * value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "±") + points


def goal_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """Rows of the goal table: per goal, each run's probability and the difference."""
    rows = []
    for goal, part in comparison.goals.groupby("goal", sort=False):
        cells = []
        for r in part.itertuples(index=False):
            if math.isnan(r.difference):
                diff = ""
            elif r.se == 0 and r.difference == 0:
                diff = _("no difference in any future")
            else:
                diff = _("%(diff)s points (± %(se)s; 95%%: %(low)s to %(high)s)") % {
                    "diff": _points(r.difference), "se": _number(100 * r.se, 1),
                    "low": _points(r.low), "high": _points(r.high)}
            distinct = not math.isnan(r.difference) and (r.low > 0 or r.high < 0)
            cells.append({"run": r.run, "p": fmt.probability(r.probability, short=True),
                          "by": r.by_year, "diff": diff, "distinct": distinct})
        rows.append({"goal": goal, "description": part["description"].iloc[0],
                     "cells": cells})
    return rows


def lever_rows(comparison: Comparison) -> list[dict[str, Any]]:
    return [{"lever": terms.lever_name(r["lever"]), "id": r["lever"], "key": r["key"],
             "unit": terms.unit(r["unit"]), "values": [r[s] for s in comparison.labels]}
            for r in comparison.levers.to_dict("records")]


def cost_rows(comparison: Comparison) -> list[dict[str, str]]:
    return [{"run": r.run, "median": _number(r.median), "band": (
        f"{_number(r.p10)} – {_number(r.p90)}" if not math.isnan(r.p10) else ""),
        "years": r.years} for r in comparison.cost.itertuples(index=False)]


def compare_chart(comparison: Comparison) -> Chart:
    ax = compare_bands(comparison)
    return Chart("compare_coca", _("National coca area by run"),
                 _("Median and 10–90%% band of the national coca area per year for %(runs)s")
                 % {"runs": ", ".join(comparison.labels)}, ax.figure)


def render_compare_report(comparison: Comparison, folders: list[str] | None = None) -> str:
    """The comparison as one self-contained HTML page."""
    from cnplan.report.run_report import template_env
    from cnplan.runs import central_trajectory, trajectory_sentence

    chart = compare_chart(comparison)
    first = comparison.sides[0]
    context = {
        "labels": comparison.labels,
        "sides": [{"label": s.label, "title": s.plan.title or s.plan.name,
                   "seed": s.meta.get("seed"), "n": _number(s.n),
                   "folder": str(s.folder) if s.folder else "",
                   "variant": [c["text"] for c in s.meta.get("variant") or []],
                   "trajectory": trajectory_sentence(s.meta.get("central_trajectory")
                                                     or central_trajectory(s.ds))}
                  for s in comparison.sides],
        "paired": comparison.paired,
        "base": first.label,
        "goals": goal_rows(comparison),
        "chart": {"src": chart.data_uri(), "alt": chart.alt, "title": chart.title},
        "levers": lever_rows(comparison),
        "cost": cost_rows(comparison),
        "generated": format_datetime(datetime.now(UTC)),
    }
    return template_env().get_template("compare_report.html.j2").render(**context)


def write_compare_report(comparison: Comparison, path: str | Path) -> Path:
    """Write ``compare.html`` (self-contained, opens offline) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, render_compare_report(comparison))
    return path

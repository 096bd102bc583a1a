"""The tracker report: indicator status table with status colours and an actual-vs-target chart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnplan.report.charts import BLACK, new_axes
from cnplan.report.figures import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes

STATUS_COLOURS = {"on track": "#009E73", "at risk": "#E69F00", "off track": "#D55E00"}
"""Okabe–Ito green, orange and vermillion; anything else (no target, no data) is grey."""
OTHER = "#999999"


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if abs(value) < 10 and value != round(value) else f"{value:,.0f}"


def status_chart(objectives: list[Any], ax: Axes | None = None) -> Axes:
    """Actual as a share of target for each indicator in its current period, coloured by status.

    ``objectives`` is :func:`cnplan.track.status`'s result. Indicators with no target or no
    actual are listed with an empty bar and their status written beside it.
    """
    rows = [r for o in objectives for r in o.rows]
    ax = ax if ax is not None else new_axes((8.0, 0.42 * max(len(rows), 1) + 1.4))
    labels = []
    for i, r in enumerate(rows):
        share = (r.percent or 0.0) / 100.0 if r.percent is not None else 0.0
        colour = STATUS_COLOURS.get(r.status, OTHER)
        ax.barh(i, share, color=colour, height=0.65)
        ax.annotate(f"{r.status}" + (f" ({r.percent:.0f}%)" if r.percent is not None else ""),
                    xy=(share, i), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=7.5)
        labels.append(f"{r.name[:48]}{'…' if len(r.name) > 48 else ''}"
                      + (f" [{r.period}]" if r.period else ""))
    ax.axvline(1.0, color=BLACK, ls="--", lw=1, label="target")
    ax.set_yticks(range(len(rows)), labels, fontsize=7.5)
    ax.invert_yaxis()
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, max(1.3, max(((r.percent or 0) / 100 for r in rows), default=0) + 0.3))
    ax.set_xlabel("actual as a share of the period's target (%)")
    ax.set_title("Indicators: actual against target in the current period", fontsize=10.5,
                 loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def write_tracker_report(db_url: str | None, out: str | Path,
                         today: datetime | None = None) -> Path:
    """Write the tracker's status as one self-contained HTML file (opens offline).

    Parameters
    ----------
    db_url
        Tracker database URL or SQLite path (``None``: the tracker's default).
    out
        The HTML file to write.
    today
        Date the status is computed for (default now).

    Returns
    -------
    pathlib.Path
    """
    from cnplan.report.run_report import template_env
    from cnplan.track import status

    objectives = status(db_url, today=today)
    chart = Chart("tracker_status", "Actual against target",
                  "Horizontal bar chart, one bar per indicator, of the actual as a share of "
                  "the target in the current period, coloured by status (green on track, "
                  "orange at risk, red off track, grey without target or data); " + "; ".join(
                      f"{r.name}: {r.status}" for o in objectives for r in o.rows) + ".",
                  status_chart(objectives).figure)
    groups = [{
        "title": o.title,
        "counts": o.counts,
        "rows": [{"name": r.name, "indicator": r.indicator, "unit": r.unit,
                  "period": r.period or "–", "target": _fmt(r.target),
                  "actual": _fmt(r.actual),
                  "percent": "–" if r.percent is None else f"{r.percent:.0f}%",
                  "status": r.status, "trend": r.trend,
                  "colour": STATUS_COLOURS.get(r.status, OTHER)} for r in o.rows],
    } for o in objectives]
    html = template_env().get_template("tracker_report.html.j2").render(
        groups=groups, chart={"src": chart.data_uri(), "alt": chart.alt, "id": chart.id},
        colours=STATUS_COLOURS, other=OTHER,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


__all__ = ["status_chart", "write_tracker_report"]

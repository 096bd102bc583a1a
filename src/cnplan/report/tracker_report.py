"""The tracker report: indicator status table with status colours, the current period's
actual-vs-target chart, and each indicator's targets and actuals over the periods.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnplan import format as display
from cnplan import terms
from cnplan.files import write_text_atomic
from cnplan.i18n import format_datetime
from cnplan.i18n import gettext as _
from cnplan.report.charts import BLACK, BLUE, new_axes
from cnplan.report.figures import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

STATUS_COLOURS = {"on track": "#009E73", "at risk": "#E69F00", "off track": "#D55E00"}
"""Okabe–Ito green, orange and vermillion; anything else (no target, no data) is grey."""
OTHER = "#999999"


def _fmt(value: float | None) -> str:
    """A target or actual: grouped from 1,000 up, never rounded to nothing (0.5 stays 0.5)."""
    return display.number(value)


def coca_trajectory(indicators: list[Any]) -> str | None:
    """The reported coca area from its first to its latest actual, against the target then.

    Taken from the first lower-is-better indicator in hectares whose id names coca (the plan's
    national coca area); None when it has fewer than one actual.
    """
    from cnplan.track.status import target_for

    coca = next((s for s in indicators if "coca" in s.indicator.lower()
                 and s.direction == "lower" and s.unit == "ha" and s.actuals), None)
    if coca is None:
        return None
    first, last = min(coca.actuals), max(coca.actuals)
    target = target_for(last, coca.targets, coca.baseline, coca.baseline_year)
    values = {"y0": first, "y1": last, "from": _fmt(coca.actuals[first]),
              "to": _fmt(coca.actuals[last]), "target": _fmt(target)}
    if first == last:
        text = _("Reported coca area: %(to)s ha in %(y1)s.") % values
    else:
        text = _("Reported coca area went from %(from)s ha in %(y0)s to %(to)s ha in "
                 "%(y1)s.") % values
    if target is not None:
        text += " " + _("The target for %(y1)s is %(target)s ha.") % values
    return text


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
        ax.annotate(terms.status(r.status)
                    + (f" ({r.percent:.0f}%)" if r.percent is not None else ""),
                    xy=(share, i), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=7.5)
        labels.append(f"{r.name[:48]}{'…' if len(r.name) > 48 else ''}")
    ax.axvline(1.0, color=BLACK, ls="--", lw=1, label=_("target"))
    ax.set_yticks(range(len(rows)), labels, fontsize=7.5)
    ax.invert_yaxis()
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, max(1.3, max(((r.percent or 0) / 100 for r in rows), default=0) + 0.3))
    ax.set_xlabel(_("actual as a share of the period's target (%)"))
    period = next((r.period for r in rows if r.period), None)
    ax.set_title(_("Indicators: actual against target in %(period)s") % {"period": period or "–"},
                 fontsize=10.5, loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def target_actual_chart(series: list[Any], ncols: int = 3) -> Figure:
    """Small multiples, one panel per indicator: targets (dashed line) and actuals (dots) by
    period, with the baseline as an open marker.

    ``series`` is :func:`cnplan.track.series`'s result. An indicator without targets or
    actuals gets an empty panel that says so, so that a gap shows as a gap.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    n = max(len(series), 1)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(3.4 * ncols, 2.5 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    # One period axis for all panels, so that a lone target is placed in time, not centred.
    span = [y for s in series for y in (*s.targets, *s.actuals)] + [
        s.baseline_year for s in series if s.baseline_year is not None
    ]
    for ax, s in zip(axes, series, strict=False):
        if s.targets:
            years = sorted(s.targets)
            ax.plot(years, [s.targets[y] for y in years], ls="--", color=BLACK, lw=1.2,
                    marker="D", ms=4, label=_("target"))
        if s.baseline is not None and s.baseline_year is not None:
            ax.plot([s.baseline_year], [s.baseline], marker="o", mfc="none", color=BLACK,
                    ls="none", label=_("baseline"))
        if s.actuals:
            years = sorted(s.actuals)
            ax.plot(years, [s.actuals[y] for y in years], marker="o", color=BLUE, lw=1.5,
                    label=_("actual"))
        if not s.targets and not s.actuals:
            ax.text(0.5, 0.5, _("no targets or actuals"), ha="center", va="center",
                    transform=ax.transAxes, color=OTHER)
        ax.set_title(f"{s.name[:40]}{'…' if len(s.name) > 40 else ''}", fontsize=8.5, loc="left")
        ax.set_ylabel(s.unit, fontsize=7.5)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        if span:
            ax.set_xlim(min(span) - 0.5, max(span) + 0.5)
        ax.set_ylim(bottom=0)  # every tracked quantity is >= 0; bars of change start at zero
        ax.grid(True, alpha=0.3)
    for ax in axes[len(series):]:
        ax.set_visible(False)
    if series:
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(_("Each indicator: target and actual by period"), fontsize=10.5, x=0.01,
                 ha="left")
    return fig


def tracker_charts(db_url: str | None, today: datetime | None = None
                   ) -> tuple[list[Any], list[Chart]]:
    """The status rows and the report's charts (also what ``--png`` saves)."""
    from cnplan.track import series, status

    objectives = status(db_url, today=today)
    current = Chart("tracker_status", _("Actual against target"),
                    _("Horizontal bar chart, one bar per indicator, of the actual as a share of "
                      "the target in the current period, coloured by status (green on track, "
                      "orange at risk, red off track, grey without target or data);") + " "
                    + "; ".join(f"{r.name}: {terms.status(r.status)}" for o in objectives
                                for r in o.rows) + ".",
                    status_chart(objectives).figure)
    indicators = series(db_url)
    over_time = Chart("tracker_targets", _("Targets and actuals by period"),
                      _("Small multiples, one per indicator, of the target (dashed line) and the "
                        "reported actuals (blue dots) by period;") + " " + "; ".join(
                          _("%(name)s: %(actuals)s actuals, %(targets)s targets") % {
                              "name": s.name, "actuals": len(s.actuals),
                              "targets": len(s.targets)}
                          for s in indicators) + ".",
                      target_actual_chart(indicators))
    return objectives, [current, over_time]


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

    objectives, charts = tracker_charts(db_url, today)
    groups = [{
        "title": o.title,
        "counts": o.counts,
        "rows": [{"name": r.name, "indicator": r.indicator, "unit": r.unit,
                  "target": _fmt(r.target),
                  "last": "–" if r.actual is not None or r.last_period is None
                  else f"{_fmt(r.last_actual)} ({r.last_period})",
                  "actual": _fmt(r.actual),
                  "percent": "–" if r.percent is None else f"{display.number(r.percent, 0)}%",
                  "status": r.status, "trend": r.trend,
                  "colour": STATUS_COLOURS.get(r.status, OTHER)} for r in o.rows],
    } for o in objectives]
    from cnplan.track import series

    html = template_env().get_template("tracker_report.html.j2").render(
        groups=groups,
        trajectory=coca_trajectory(series(db_url)),
        period=(objectives[0].period if objectives else None) or "–",
        charts=[{"src": c.data_uri(), "alt": c.alt, "id": c.id, "title": c.title}
                for c in charts],
        colours=STATUS_COLOURS, other=OTHER,
        generated=format_datetime(datetime.now(UTC)),
    )
    return write_text_atomic(out, html)


__all__ = ["coca_trajectory", "status_chart", "target_actual_chart", "tracker_charts",
           "write_tracker_report"]

"""The exploration report: goals in plain words, outcome distributions, inputs and analyses.

An exploration folder (``cnplan explore``) holds thousands of futures of one plan; its
``analysis/`` sub-folder holds what ``cnplan discover``, ``cnplan sensitivity`` and ``cnplan
optimize`` found. This module turns both into one self-contained HTML file for readers who will
not run a command: every chart is an SVG data URI, nothing is fetched from the network.

Two chart functions live here because only this report needs them (:func:`share_bars`,
:func:`outcome_histogram`); the analysis charts are those of :mod:`cnplan.analysis.plots`, drawn
by the same code a notebook or ``cnplan discover`` uses, with titles and units added.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cnplan.data.plot import OKABE_ITO
from cnplan.errors import CnplanError
from cnplan.files import write_text_atomic
from cnplan.i18n import N_, format_datetime, ngettext
from cnplan.i18n import gettext as _
from cnplan.report.charts import new_axes
from cnplan.report.figures import Chart
from cnplan.report.run_report import template_env
from cnplan.runs import MIN_FUTURES_FOR_YEARS, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from cnplan.analysis.cart import CartResult
    from cnplan.analysis.optimize import ParetoResult
    from cnplan.analysis.prim import PrimResult
    from cnplan.analysis.sensitivity import SensitivityResult

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"
GOALS = ("hold_the_line", "marginal_producer", "stability_point")
BLUE, VERMILLION, GREY, BLACK = OKABE_ITO[4], OKABE_ITO[5], "#bbbbbb", "#000000"


class ExplorationReportError(CnplanError):
    """An exploration folder or one of its analysis files cannot be read into a report."""


# ---------------------------------------------------------------- inputs


@dataclass
class Analyses:
    """The analysis results found in ``DIR/analysis/``, each with the file it came from."""

    prim: list[tuple[Path, PrimResult]] = field(default_factory=list)
    cart: list[tuple[Path, CartResult]] = field(default_factory=list)
    sobol: list[tuple[Path, SensitivityResult]] = field(default_factory=list)
    morris: list[tuple[Path, SensitivityResult]] = field(default_factory=list)
    pareto: list[tuple[Path, ParetoResult]] = field(default_factory=list)


@dataclass
class ExplorationInputs:
    """What an exploration report is made from: manifest, rows, experiment, plan and analyses."""

    folder: Path
    manifest: dict[str, Any]
    frame: pd.DataFrame
    inputs: list[str]
    outcomes: list[str]
    units: dict[str, str]
    experiment: Any = None
    plan: Any = None
    analyses: Analyses = field(default_factory=Analyses)

    @property
    def n(self) -> int:
        return len(self.frame)


def _load_one(path: Path, loader: Any) -> Any:
    try:
        return loader(path)
    except Exception as exc:  # any unreadable file: name it and say what was expected
        raise ExplorationReportError(
            f"{path}: cannot read this analysis file ({type(exc).__name__}: {exc}); expected "
            "a file written by cnplan discover / sensitivity / optimize — rewrite it with that "
            "command or remove it"
        ) from None


def load_analyses(folder: str | Path) -> Analyses:
    """Read every analysis result in ``folder/analysis/`` (none is an empty :class:`Analyses`).

    File names follow ``docs/analysis.md``: ``prim-*.json``, ``cart-*.json``,
    ``sobol-*.parquet``, ``morris-*.parquet`` and ``pareto*.parquet``.
    """
    from cnplan.analysis.cart import CartResult
    from cnplan.analysis.discover import ANALYSIS
    from cnplan.analysis.optimize import ParetoResult
    from cnplan.analysis.prim import PrimResult
    from cnplan.analysis.sensitivity import SensitivityResult

    where = Path(folder) / ANALYSIS
    out = Analyses()
    if not where.is_dir():
        return out
    for pattern, target, loader in (
        ("prim-*.json", out.prim, PrimResult.load),
        ("cart-*.json", out.cart, CartResult.load),
        ("sobol-*.parquet", out.sobol, SensitivityResult.load),
        ("morris-*.parquet", out.morris, SensitivityResult.load),
        ("pareto*.parquet", out.pareto, ParetoResult.load),
    ):
        for path in sorted(where.glob(pattern)):
            target.append((path, _load_one(path, loader)))
    return out


def load_exploration(folder: str | Path) -> ExplorationInputs:
    """Read an exploration folder, its experiment, base plan and analyses.

    Raises
    ------
    ExplorationReportError
        The folder is not an exploration (no ``manifest.json`` of kind ``exploration``), it
        has no finished rows yet, or an analysis file cannot be read.
    """
    from cnplan.explore.store import ResultsError, open_results
    from cnplan.explore.units import input_units

    folder = Path(folder)
    try:
        results = open_results(folder)
        frame = results.frame()
    except ResultsError as exc:
        raise ExplorationReportError(str(exc)) from None
    except KeyError as exc:
        raise ExplorationReportError(
            f"{folder / 'manifest.json'}: missing key {exc}; expected a manifest written by "
            "cnplan explore") from None
    except (OSError, ValueError) as exc:  # pyarrow's errors on a damaged chunk are ValueErrors
        raise ExplorationReportError(
            f"{folder}: cannot read the finished chunks in results/ ({exc}); expected Parquet "
            f"files written by cnplan explore (cnplan explore --resume {folder} redoes missing "
            "ones)") from None
    if not len(frame):
        raise ExplorationReportError(
            f"{folder}: the exploration has no finished rows yet; run or resume it first "
            f"(cnplan explore --resume {folder})"
        )
    manifest = results.manifest
    experiment = plan = None
    if manifest.get("experiment_text"):
        from cnplan.explore.experiment import load_experiment

        try:
            experiment = load_experiment(manifest["experiment_text"],
                                         base_dir=manifest.get("base_dir", "."))
            plan = experiment.resolve_plan()
        except Exception as exc:  # the report still shows rows; it says what is missing
            logger.warning("%s: experiment or plan not readable (%s); goal wording and input "
                           "ranges come from the rows only", folder, exc)
    units = {**input_units(results.input_columns, experiment), **manifest.get("units", {})}
    return ExplorationInputs(folder, manifest, frame, results.input_columns,
                             results.outcome_columns, units, experiment, plan,
                             load_analyses(folder))


# ---------------------------------------------------------------- words


def _int(n: float) -> str:
    return f"{int(round(n)):,}"


def goal_phrase(goal: str, plan: Any) -> str:
    """What reaching ``goal`` means, in words, with the plan's own levels and years."""
    country = plan.country if plan is not None else "the country"
    if plan is None:
        return {"hold_the_line": "the plan holds the line", "marginal_producer":
                f"the plan makes {country} a marginal producer", "stability_point":
                "the plan reaches the stability point"}[goal] + " by the goal's year"
    g = plan.goals
    return {
        "hold_the_line": f"the plan holds the line (no net expansion of coca or opium poppy "
        f"above their {g.hold_the_line.base_year} level) through {g.hold_the_line.by_year}",
        "marginal_producer": f"the plan makes {country} a marginal producer (at most "
        f"{g.marginal_producer.coca_ha:,.0f} ha of coca and {g.marginal_producer.poppy_ha:,.0f} "
        f"ha of opium poppy) by {g.marginal_producer.by_year}",
        "stability_point": f"the plan reaches the stability point (cultivation falling or "
        f"marginal, and staying marginal for {g.stability_point.years_without_assistance} "
        f"years without outside assistance) by {g.stability_point.by_year}",
    }[goal]


def headlines(inputs: ExplorationInputs) -> list[dict[str, str]]:
    """One plain-words sentence per goal outcome the exploration kept."""
    frame, n = inputs.frame, inputs.n
    out = []
    for goal in GOALS:
        column = f"{goal}_reached"
        if column not in frame:
            continue
        p = float(frame[column].astype(bool).mean())
        sentence = (f"In {percent(p)} of the {n:,} futures explored, "
                    f"{goal_phrase(goal, inputs.plan)}.")
        detail = f"{_int(p * n)} of {n:,} futures reach it by the goal's year."
        years = frame.get(f"{goal}_year")
        if years is not None:
            valid = years.dropna()
            if 0 < len(valid) < MIN_FUTURES_FOR_YEARS:  # one future's year is no distribution
                detail += " " + ngettext(
                    "It is reached at some time in the horizon in %(k)s future: too few to say "
                    "when.", "It is reached at some time in the horizon in %(k)s futures: too "
                    "few to say when.", len(valid)) % {"k": len(valid)}
            elif len(valid):
                q = valid.quantile([0.1, 0.5, 0.9])
                detail += (f" It is reached at some time in the horizon in "
                           f"{percent(len(valid) / n)} of futures, first in {q.iloc[1]:.0f} at "
                           f"the median (10–90%: {q.iloc[0]:.0f}–{q.iloc[2]:.0f}).")
            else:
                detail += " No future reaches it at any time in the horizon."
        level = "good" if p >= 0.5 else "poor" if p < 0.2 else "fair"
        out.append({"goal": goal, "sentence": sentence, "detail": detail,
                    "probability": percent(p), "level": level})
    return out


def trajectory(inputs: ExplorationInputs) -> str | None:
    """The central (median) coca area over the explored futures, first and last kept year.

    From the ``coca_ha_<year>`` outcomes the experiment kept; None if it kept none.
    """
    from cnplan import format as display
    from cnplan.runs.summary import about

    years = sorted(int(c.rsplit("_", 1)[1]) for c in inputs.frame.columns
                   if re.fullmatch(r"coca_ha_\d{4}", c) and inputs.frame[c].notna().any())
    if not years:
        return None
    last = inputs.frame[f"coca_ha_{years[-1]}"].dropna()
    q = last.quantile([0.1, 0.5, 0.9])
    values = {"y1": years[-1], "to": display.number(about(q.iloc[1])),
              "p10": display.number(about(q.iloc[0])), "p90": display.number(about(q.iloc[2]))}
    if len(years) == 1:
        return _("Over the futures explored, the median coca area in %(y1)s is about %(to)s ha "
                 "(10–90%%: %(p10)s–%(p90)s ha).") % values
    start = float(inputs.frame[f"coca_ha_{years[0]}"].median())
    return _("Over the futures explored, the median coca area goes from about %(from)s ha in "
             "%(y0)s to about %(to)s ha in %(y1)s (10–90%% in %(y1)s: %(p10)s–%(p90)s ha).") % {
        **values, "from": display.number(about(start)), "y0": years[0]}


def label_of(column: str) -> str:
    """A column name as words: ``coca_ha_2011`` -> ``coca ha 2011``."""
    return column.split(":", 1)[-1].replace("_", " ")


def _is_bool(values: pd.Series) -> bool:
    return values.dtype == bool or str(values.dtype) == "boolean"


def _is_year(column: str, unit: str) -> bool:
    return column.endswith("_year") or unit.startswith("year")


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


# ---------------------------------------------------------------- charts (Python API)


def share_bars(frame: pd.DataFrame, columns: list[str], ax: Axes | None = None,
               labels: dict[str, str] | None = None) -> Axes:
    """Share of futures in which each yes/no outcome holds, one bar per outcome.

    Parameters
    ----------
    frame
        One row per future (``open_results(DIR).frame()``).
    columns
        Boolean outcome columns, drawn top to bottom.
    ax
        Axes to draw on; a new figure is made if omitted.
    labels
        Column -> label shown on the axis (default: the column name in words).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.ticker import PercentFormatter

    ax = ax if ax is not None else new_axes((7.6, 0.42 * len(columns) + 1.2))
    n = len(frame)
    y = np.arange(len(columns))[::-1]
    shares = [float(frame[c].astype(bool).mean()) if n else 0.0 for c in columns]
    ax.barh(y, [1.0] * len(columns), color="#eeeeee", height=0.6)
    ax.barh(y, shares, color=BLUE, height=0.6)
    for yi, share in zip(y, shares, strict=True):
        text = f"{percent(share)} ({_int(share * n)} of {n:,})"
        inside = share > 0.6
        ax.text(share - 0.01 if inside else share + 0.01, yi, text, va="center",
                ha="right" if inside else "left", fontsize=8,
                color="white" if inside else BLACK)
    ax.set_yticks(y, [(labels or {}).get(c, label_of(c)) for c in columns], fontsize=8.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of futures explored (%)")
    ax.set_title(f"Share of the {n:,} futures explored in which each outcome holds",
                 fontsize=10.5, loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def outcome_histogram(values: pd.Series, unit: str = "", ax: Axes | None = None,
                      label: str | None = None, bins: int = 30) -> Axes:
    """Distribution of one outcome over the futures, with its median and 5–95% range.

    A year outcome (``<goal>_year``) is drawn as one bar per year, and the futures that never
    reach the goal are counted in the title rather than dropped silently.

    Parameters
    ----------
    values
        The outcome, one value per future (NaN: not defined in that future).
    unit
        Its unit, shown on the x axis.
    ax
        Axes to draw on; a new figure is made if omitted.
    label
        Name shown in the title and axis (default: the series name in words).
    bins
        Bins of a numeric histogram.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.ticker import MaxNLocator

    from cnplan.report.charts import _thousands

    ax = ax if ax is not None else new_axes((5.6, 3.4))
    name = label or label_of(str(values.name or "outcome"))
    n = len(values)
    valid = values.dropna().astype(float)
    if _is_year(str(values.name or ""), unit):
        counts = valid.round().astype(int).value_counts().sort_index()
        ax.bar(counts.index, counts.to_numpy(), color=BLUE, width=0.8)
        never = n - len(valid)
        ax.set_title(f"{name}: futures by first year reached ({never:,} of {n:,} never reach "
                     "it in the horizon)", fontsize=10, loc="left", wrap=True)
        ax.set_xlabel("first year reached (year)")
        if len(counts):
            first, last = int(counts.index.min()), int(counts.index.max())
            step = max(1, math.ceil((last - first + 1) / 10))
            ax.set_xticks(range(first, last + 1, step))
            ax.set_xlim(first - 0.7, last + 0.7)
    else:
        ax.hist(valid, bins=bins, color=BLUE, alpha=0.85)
        if len(valid):
            p05, p50, p95 = valid.quantile([0.05, 0.5, 0.95])
            ax.axvline(p50, color=BLACK, lw=1.6, label=f"median {_fmt(p50)}")
            ax.axvspan(p05, p95, color=VERMILLION, alpha=0.08, lw=0,
                       label=f"90% of futures: {_fmt(p05)}–{_fmt(p95)}")
            ax.legend(fontsize=7.5, loc="upper right", framealpha=0.85)
        missing = n - len(valid)
        ax.set_title(f"{name}: distribution over {n:,} futures"
                     + (f" ({missing:,} undefined)" if missing else ""), fontsize=10, loc="left")
        ax.set_xlabel(f"{name} ({unit})" if unit else name)
        ax.xaxis.set_major_formatter(_thousands())
    ax.set_ylabel("futures (count)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, axis="y", alpha=0.3)
    return ax


# ---------------------------------------------------------------- tables


def input_rows(inputs: ExplorationInputs) -> list[dict[str, str]]:
    """The varied inputs: name, kind, unit, range as designed, how sampled and what it is."""
    from cnplan.explore.experiment import DRIVERS
    from cnplan.model.parameters import SPECS
    from cnplan.plans import LEVERS

    specs: dict[str, Any] = {}
    exp = inputs.experiment
    if exp is not None:
        specs = {u.column: u for u in exp.uncertainties} | {lv.column: lv for lv in exp.levers}
    method = inputs.manifest.get("design", {}).get("method", "")
    rows = []
    for column in inputs.inputs:
        kind, _, name = column.partition(":")
        spec = specs.get(column)
        values = inputs.frame[column]
        seen = f"{_fmt(float(values.min()))} – {_fmt(float(values.max()))}"
        choices = getattr(spec, "choices", None)
        bounds = None
        if spec is not None:
            bounds = spec.bounds if kind == "lever" else spec.range
        if bounds is None and kind == "param" and name in SPECS:
            bounds = (SPECS[name].low, SPECS[name].high)
        if choices:
            designed = "{" + ", ".join(_fmt(float(c)) for c in choices) + "}"
            how = f"equal shares of the choices ({method.replace('_', ' ')})"
        else:
            designed = f"{_fmt(bounds[0])} – {_fmt(bounds[1])}" if bounds else seen
            how = f"uniform over the range ({method.replace('_', ' ')})"
        if kind == "param":
            what = SPECS[name].description if name in SPECS else "model parameter"
            role = N_("uncertainty (model parameter)")
        elif kind == "driver":
            what = DRIVERS[name][3] if name in DRIVERS else "exogenous driver"
            role = N_("uncertainty (driver)")
        else:
            lever = name.split(".")[0]
            what = LEVERS[lever].description if lever in LEVERS else "plan lever"
            mode = getattr(spec, "mode", "")
            zone = getattr(spec, "zone", None)
            start = getattr(spec, "from_year", None)
            what += (" — " + ("multiplies the plan's own series" if mode == "scale"
                              else "replaces the plan's series by a level")
                     + (f" in zone {zone}" if zone else "")
                     + (f" from {start}" if start else "") if mode else "")
            role = N_("lever")
        rows.append({"column": column, "role": role, "unit": inputs.units.get(column, ""),
                     "range": designed, "seen": seen, "how": how, "what": what})
    return rows


def outcome_rows(inputs: ExplorationInputs) -> list[dict[str, str]]:
    """Each outcome with its unit and distribution (share of yes, or median and 5–95%)."""
    rows = []
    for column in inputs.outcomes:
        values = inputs.frame[column]
        unit = inputs.units.get(column, "")
        if _is_bool(values):
            share = float(values.mean())
            summary = f"yes in {percent(share)} ({_int(share * inputs.n)} of {inputs.n:,})"
        else:
            valid = values.dropna()
            if not len(valid):
                summary = "not defined in any future" + (
                    " (never reached in the horizon)" if _is_year(column, unit) else "")
            else:
                q = valid.quantile([0.05, 0.5, 0.95])
                f = (lambda v: f"{v:.0f}") if _is_year(column, unit) else _fmt
                summary = (f"median {f(q.iloc[1])}, 90% of futures {f(q.iloc[0])} – "
                           f"{f(q.iloc[2])}")
                if len(valid) < len(values):
                    summary += f"; undefined in {len(values) - len(valid):,}"
        rows.append({"column": column, "unit": unit, "summary": summary})
    return rows


def _qp(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def limit_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """A box's limits (PRIM or CART) as text rows, in the inputs' units."""
    rows = []
    for r in table.to_dict(orient="records"):
        cats = r.get("categories")
        if cats is not None and not (isinstance(cats, float) and math.isnan(cats)):
            limits, full = "{" + ", ".join(map(str, cats)) + "}", "categories"
        else:
            limits = f"{_fmt(r['lower'])} – {_fmt(r['upper'])}"
            full = f"{_fmt(r['minimum'])} – {_fmt(r['maximum'])}"
        rows.append({"input": r["input"], "unit": r.get("unit") or "", "limits": limits,
                     "full": full, "qp_lower": _qp(r.get("qp_lower", np.nan)),
                     "qp_upper": _qp(r.get("qp_upper", np.nan))})
    return rows


def _objective_unit(objective: Any, units: dict[str, str]) -> str:
    unit = units.get(objective.outcome, "")
    if unit.startswith("bool") or objective.metric == "satisficing":
        return "share of futures"
    return unit


# ---------------------------------------------------------------- charts of the report


def _suggested_outcome(inputs: ExplorationInputs) -> str:
    for goal in ("marginal_producer", "stability_point", "hold_the_line"):
        if f"{goal}_reached" in inputs.outcomes:
            return f"{goal}_reached == False"
    return f"{inputs.outcomes[0]} > 0"


def _numeric_outcome(inputs: ExplorationInputs) -> str:
    for column in inputs.outcomes:
        if not _is_bool(inputs.frame[column]) and inputs.frame[column].notna().all():
            return column
    return inputs.outcomes[0]


def _safe(text: str) -> str:
    from cnplan.analysis.discover import analysis_name

    return analysis_name(text).replace(".", "_")


def exploration_charts(source: str | Path | ExplorationInputs) -> list[Chart]:
    """Every chart of the exploration report, in report order.

    Parameters
    ----------
    source
        An exploration folder, or its inputs already read by :func:`load_exploration`.

    Returns
    -------
    list of Chart
        Ids: ``outcome_shares``, ``outcome_<column>``, ``prim_tradeoff_<name>``,
        ``prim_box_<name>``, ``cart_box_<name>``, ``sobol_<name>``, ``morris_<name>``,
        ``pareto_<file>``.
    """
    from cnplan.analysis import plots

    inputs = source if isinstance(source, ExplorationInputs) else load_exploration(source)
    frame, n, units = inputs.frame, inputs.n, inputs.units
    out: list[Chart] = []

    bools = [c for c in inputs.outcomes if _is_bool(frame[c])]
    if bools:
        ax = share_bars(frame, bools)
        out.append(Chart(
            "outcome_shares", "Yes/no outcomes: share of futures",
            f"Bar chart of the share of the {n:,} futures explored in which each yes/no "
            "outcome holds: " + "; ".join(
                f"{label_of(c)} {percent(float(frame[c].mean()))}" for c in bools) + ".",
            ax.figure))
    for column in inputs.outcomes:
        values = frame[column]
        if _is_bool(values) or values.notna().sum() == 0:
            continue
        unit = units.get(column, "")
        ax = outcome_histogram(values, "" if _is_year(column, unit) else unit)
        valid = values.dropna()
        q = valid.quantile([0.05, 0.5, 0.95])
        if _is_year(column, unit):
            q = q.round().astype(int).astype(str)
        else:
            q = q.map(_fmt)
        alt = (f"Histogram of {label_of(column)} over {n:,} futures: median {q.iloc[1]}"
               f"{' ' + unit if unit and not _is_year(column, unit) else ''}, 90% of futures "
               f"between {q.iloc[0]} and {q.iloc[2]}")
        alt += (f"; {n - len(valid):,} futures never reach it." if len(valid) < n else ".")
        caption = ("number of futures by the first year the goal is reached" if
                   _is_year(column, unit) else "number of futures per bin; black line the "
                   "median, shaded band the middle 90%")
        out.append(Chart(f"outcome_{_safe(column)}", label_of(column), alt, ax.figure,
                         caption))

    for path, result in inputs.analyses.prim:
        name = _safe(result.outcome)
        k = result.default_box
        t = result.trajectory.iloc[k]
        if not result.restricted(k):
            continue  # no box: the section says so in words rather than show empty charts
        ax = plots.tradeoff(result)
        _integer_colorbar(ax)
        ax.set_title(f"PRIM peeling trajectory for “{result.outcome}”: coverage against "
                     "density", loc="left", fontsize=9.5, wrap=True)
        out.append(Chart(
            f"prim_tradeoff_{name}", f"PRIM trade-off: {result.outcome}",
            f"Scatter of coverage against density for the {len(result.trajectory)} boxes of the "
            f"PRIM peeling trajectory for '{result.outcome}', coloured by the number of "
            f"restricted inputs; box {k} (circled) has coverage {t.coverage:.0%} and density "
            f"{t.density:.0%}.", ax.figure, f"From {path.name}."))
        table = result.box(k)
        ax = plots.box_limits(result, box=k, ax=new_axes((5.8, 0.5 * max(len(table), 1) + 1.7)))
        ax.set_title(f"PRIM box {k} for “{result.outcome}”:\nthe part of each restricted "
                     "input's range inside the box", loc="left", fontsize=9.5)
        out.append(Chart(
            f"prim_box_{name}", f"PRIM box {k} limits: {result.outcome}",
            f"Bars showing, for each of the {len(table)} inputs box {k} restricts, the part of "
            "the input's full range inside the box: " + "; ".join(
                f"{r['input']} {r['limits']} {r['unit']}".strip()
                for r in limit_rows(table)) + ".", ax.figure, f"From {path.name}."))

    for path, result in inputs.analyses.cart:
        name = _safe(result.outcome)
        box = _best_cart_box(result)
        rows = len(result.box(box))
        if not rows:
            continue  # a single leaf restricts nothing: the table says so
        ax = plots.box_limits(result, box=box, ax=new_axes((5.8, 0.5 * max(rows, 1) + 1.7)))
        ax.set_title(f"CART leaf {box} for “{result.outcome}”:\nthe part of each restricted "
                     "input's range inside the leaf", loc="left", fontsize=9.5)
        out.append(Chart(
            f"cart_box_{name}", f"CART box {box} limits: {result.outcome}",
            f"Bars showing the limits of CART leaf {box} (the densest leaf of interest) on each "
            "input it restricts: " + "; ".join(
                f"{r['input']} {r['limits']} {r['unit']}".strip()
                for r in limit_rows(result.box(box))) + ".", ax.figure, f"From {path.name}."))

    for method, items in (("sobol", inputs.analyses.sobol), ("morris", inputs.analyses.morris)):
        for path, result in items:
            if not result.varies:
                continue  # no indices to draw: the section says why instead
            ax = plots.sensitivity_bars(result)
            unit = units.get(result.outcome, "")
            top = result.table.iloc[0]
            if method == "sobol":
                ax.set_title(f"Sobol indices of {result.outcome}: share of its variance "
                             "explained by each input (95% intervals)", loc="left", fontsize=9.5,
                             wrap=True)
                ax.set_xlabel("share of the outcome's variance (0–1)")
                alt = (f"Ranked bars of first-order (S1) and total (ST) Sobol indices of "
                       f"{result.outcome} for {len(result.table)} inputs, with confidence "
                       f"intervals; largest total effect {top['input']} (ST {top['ST']:.2f}).")
            else:
                ax.set_title(f"Morris screening of {result.outcome}: mean absolute effect of "
                             "each input (95% intervals)", loc="left", fontsize=9.5, wrap=True)
                ax.set_xlabel(f"mu*: mean absolute elementary effect ({unit or 'outcome unit'})")
                alt = (f"Ranked bars of Morris mu* of {result.outcome} for "
                       f"{len(result.table)} inputs, with confidence intervals; largest "
                       f"{top['input']} (mu* {_fmt(top['mu_star'])} {unit}).")
            out.append(Chart(f"{method}_{_safe(result.outcome)}",
                             f"{method.capitalize()} indices: {result.outcome}", alt, ax.figure,
                             f"From {path.name}."))

    for path, result in inputs.analyses.pareto:
        if len(result.objectives) < 2 or result.unreached():
            continue  # a front against a goal no candidate reaches: the section says so
        ax = plots.pareto_scatter(result, ax=new_axes((7.0, 4.6)))
        labels = [o.label for o in result.objectives]

        def words(obj: Any) -> str:
            unit = _objective_unit(obj, units)
            return f"{obj.label}\n({unit + '; ' if unit else ''}{obj.sense} is better)"

        ax.set_xlabel(words(result.objectives[0]), fontsize=9)
        ax.set_ylabel(words(result.objectives[1]), fontsize=9)
        for obj, set_lim in ((result.objectives[0], ax.set_xlim),
                             (result.objectives[1], ax.set_ylim)):
            if _objective_unit(obj, units) == "share of futures":
                set_lim(-0.02, 1.02)  # a share: show where it sits between none and all
        for other in ax.figure.axes:
            if other is not ax:  # the colour bar of a third objective: plain numbers, unit
                from matplotlib.ticker import ScalarFormatter

                other.yaxis.set_major_formatter(ScalarFormatter(useOffset=False))
                other.set_ylabel(words(result.objectives[2]), fontsize=9)
        ax.set_title(f"Pareto set: {len(result.table)} plans none beats on every objective\n"
                     f"({result.scenarios:,} common futures each)", loc="left", fontsize=9.5)
        out.append(Chart(
            f"pareto_{_safe(path.stem)}", "Pareto front",
            f"Scatter of the {len(result.table)} non-dominated plans found by the optimiser, "
            f"{labels[0]} against {labels[1]}"
            + (f", coloured by {labels[2]}" if len(labels) > 2 else "") + ".",
            ax.figure, f"From {path.name}."))
    return out


def _integer_colorbar(ax: Axes) -> None:
    """Whole-number ticks on the colour bar of restricted inputs (a count, not a measure)."""
    from matplotlib.ticker import MaxNLocator

    for other in ax.figure.axes:
        if other is not ax:
            other.yaxis.set_major_locator(MaxNLocator(integer=True))


def _best_cart_box(result: CartResult) -> int:
    """The densest leaf whose majority is the case of interest (else leaf 0)."""
    boxes = result.boxes
    if "of_interest" in boxes and boxes["of_interest"].astype(bool).any():
        return int(boxes.loc[boxes["of_interest"].astype(bool), "box"].iloc[0])
    return 0


# ---------------------------------------------------------------- sections


def _prim_sections(inputs: ExplorationInputs) -> list[dict[str, Any]]:
    from cnplan.analysis.prim import box_rule

    out = []
    for path, result in inputs.analyses.prim:
        k = result.default_box
        t = result.trajectory.iloc[k]
        base = result.k_total / result.n_total if result.n_total else float("nan")
        rows = limit_rows(result.box(k))
        words = (f"Box {k} holds {t.mass:.0%} of the futures ({int(t.n):,}); in it, "
                 f"“{result.outcome}” happens in {t.density:.0%} of futures against "
                 f"{base:.0%} over all futures, and it captures {t.coverage:.0%} of all "
                 f"{result.k_total:,} futures where it happens.")
        if not rows:
            words = (f"PRIM found no box narrower than the whole range of the inputs: "
                     f"“{result.outcome}” happens in {percent(base)} of all "
                     f"{result.n_total:,} futures ({result.k_total:,}), and no input range "
                     "separates the futures where it happens from the others. Try a rarer "
                     "condition, or other outcomes.")
        out.append({
            "name": _safe(result.outcome), "outcome": result.outcome, "file": path.name,
            "box": k, "steps": len(result.trajectory), "rule": box_rule(result),
            "command": f'cnplan discover {inputs.folder} --outcome "{result.outcome}" --box N',
            "words": words,
            "limits": rows, "has_qp": any(r["qp_lower"] != "–" or r["qp_upper"] != "–"
                                          for r in rows),
            "settings": ", ".join(f"{k}={v:g}" if isinstance(v, float | int) else f"{k}={v}"
                                  for k, v in result.settings.items()),
        })
    return out


def _cart_sections(inputs: ExplorationInputs) -> list[dict[str, Any]]:
    out = []
    for path, result in inputs.analyses.cart:
        box = _best_cart_box(result)
        leaves = [{"box": int(r.box), "coverage": f"{r.coverage:.0%}",
                   "density": f"{r.density:.0%}", "mass": f"{r.mass:.0%}", "n": f"{int(r.n):,}",
                   "of_interest": N_("yes") if bool(r.of_interest) else N_("no")}
                  for r in result.boxes.itertuples(index=False)]
        out.append({"name": _safe(result.outcome), "outcome": result.outcome, "file": path.name,
                    "box": box, "leaves": leaves, "limits": limit_rows(result.box(box))})
    return out


def _sensitivity_sections(inputs: ExplorationInputs, method: str) -> list[dict[str, Any]]:
    items = inputs.analyses.sobol if method == "sobol" else inputs.analyses.morris
    out = []
    for path, result in items:
        unit = inputs.units.get(result.outcome, "")
        rows = []
        for r in result.table.to_dict(orient="records"):
            if method == "sobol":
                cells = [f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                         f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"]
            else:
                cells = [f"{_fmt(r['mu_star'])} ± {_fmt(r['mu_star_conf'])}", _fmt(r["sigma"]),
                         _fmt(r["mu"])]
            rows.append({"input": r["input"], "unit": r.get("unit", "")
                         or inputs.units.get(r["input"], ""), "cells": cells})
        settings = dict(result.settings)
        out.append({"no_variance": None if result.varies else result.no_variance_message(),
                    "name": _safe(result.outcome), "outcome": result.outcome, "unit": unit,
                    "file": path.name, "n": result.n, "evaluations": f"{result.evaluations:,}",
                    "scenarios": settings.get("scenarios", ""), "rows": rows})
    return out


def _pareto_sections(inputs: ExplorationInputs) -> list[dict[str, Any]]:
    out = []
    for path, result in inputs.analyses.pareto:
        levers = list(result.levers)
        labels = [o.label for o in result.objectives]
        header = [f"{c} ({inputs.units.get(c, '')})" if inputs.units.get(c) else c
                  for c in levers]
        header += [f"{o.label} ({o.sense}; {_objective_unit(o, inputs.units)})"
                   if _objective_unit(o, inputs.units) else f"{o.label} ({o.sense})"
                   for o in result.objectives]
        rows = [[_fmt(float(v)) for v in row]
                for row in result.table[levers + labels].to_numpy(dtype=float)]
        out.append({"unreached": result.unreached_message(),
                    "name": _safe(path.stem), "file": path.name, "header": header,
                    "rows": rows, "scenarios": f"{result.scenarios:,}", "seed": result.seed,
                    "objectives": ", ".join(f"{o.sense} {o.label}" for o in result.objectives),
                    "algorithm": result.settings.get("algorithm", ""),
                    "generations": result.settings.get("generations", len(result.generations)),
                    "pop_size": result.settings.get("pop_size", "")})
    return out


def _commands(inputs: ExplorationInputs) -> dict[str, str]:
    folder = str(inputs.folder)
    exp = "EXPERIMENT.yaml"
    outcome = _suggested_outcome(inputs)
    number = _numeric_outcome(inputs)
    return {
        "prim": f'cnplan discover {folder} --outcome "{outcome}"',
        "cart": f'cnplan discover {folder} --outcome "{outcome}" --method cart',
        "sobol": f"cnplan sensitivity {exp} --outcome {number} -n 1024 --out {folder}",
        "morris": f"cnplan sensitivity {exp} --outcome {number} --method morris -n 50 "
                  f"--out {folder}",
        "pareto": f'cnplan optimize {exp} --objective "max {outcome.split(" ")[0]}" '
                  f'--objective "min cost_musd_total" --out {folder}/analysis/pareto.parquet',
    }


# ---------------------------------------------------------------- HTML


def render_exploration_report(inputs: ExplorationInputs, charts: list[Chart] | None = None
                              ) -> str:
    """The exploration report as one self-contained HTML string."""
    if charts is None:
        charts = exploration_charts(inputs)
    by_id = {c.id: {"id": c.id, "title": c.title, "alt": c.alt, "caption": c.caption,
                    "src": c.data_uri()} for c in charts}
    m = inputs.manifest
    design = m.get("design") or {}
    outcome_charts = [by_id[k] for k in by_id if k.startswith("outcome_") and
                      k != "outcome_shares"]
    undefined = [c for c in inputs.outcomes if not _is_bool(inputs.frame[c])
                 and inputs.frame[c].notna().sum() == 0]
    context = {
        "title": f"Exploration {m.get('experiment', inputs.folder.name)}",
        "m": m,
        "plan": inputs.plan,
        "plan_title": (inputs.plan.title or inputs.plan.name) if inputs.plan is not None
        else m.get("plan", ""),
        "design": design,
        "n": inputs.n,
        "n_total": m.get("n_rows", inputs.n),
        "complete": inputs.n >= int(m.get("n_rows", inputs.n) or 0),
        "description": getattr(inputs.experiment, "description", "") or "",
        "headlines": headlines(inputs),
        "trajectory": trajectory(inputs),
        "charts": by_id,
        "outcome_charts": outcome_charts,
        "undefined": undefined,
        "inputs": input_rows(inputs),
        "outcomes": outcome_rows(inputs),
        "prim": _prim_sections(inputs),
        "cart": _cart_sections(inputs),
        "sobol": _sensitivity_sections(inputs, "sobol"),
        "morris": _sensitivity_sections(inputs, "morris"),
        "pareto": _pareto_sections(inputs),
        "commands": _commands(inputs),
        "folder": str(inputs.folder),
        "experiment_text": m.get("experiment_text", ""),
        "generated": format_datetime(datetime.now(UTC)),
    }
    return template_env().get_template("exploration_report.html.j2").render(**context)


def write_exploration_report(folder: str | Path, out: str | Path | None = None,
                             charts: list[Chart] | None = None) -> Path:
    """Write the exploration's ``report.html`` (one self-contained file that opens offline).

    Parameters
    ----------
    folder
        An exploration folder written by ``cnplan explore`` (``manifest.json``, ``results/``,
        optionally ``analysis/``).
    out
        Where to write the report (default ``<folder>/report.html``); written to a temporary
        file and renamed, so a half-written report is never left behind.
    charts
        Charts already drawn by :func:`exploration_charts` (saves drawing them twice when they
        are also exported as PNG).

    Returns
    -------
    pathlib.Path
        The report's path.
    """
    started = time.perf_counter()
    inputs = load_exploration(folder)
    html = render_exploration_report(inputs, charts)
    path = Path(out) if out is not None else Path(folder) / REPORT_FILE
    write_text_atomic(path, html)
    logger.info("exploration report %s written in %.2f s (%d bytes)", path,
                time.perf_counter() - started, len(html))
    return path


def is_exploration(folder: str | Path) -> bool:
    """Whether ``folder`` holds an exploration manifest (``"kind": "exploration"``)."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "exploration"
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return False


__all__ = [
    "ExplorationReportError",
    "exploration_charts",
    "is_exploration",
    "load_exploration",
    "outcome_histogram",
    "render_exploration_report",
    "share_bars",
    "write_exploration_report",
]

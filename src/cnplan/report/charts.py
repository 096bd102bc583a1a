"""Charts of a run: fan charts, zone small multiples, goal curves and the lever timeline.

Every function draws on an ``ax=`` (or ``axes=``) it is given, or on a new
:class:`matplotlib.figure.Figure` (never pyplot, so no global state), and returns it; the HTML
report and a notebook call the same code. Colours are the Okabe–Ito colour-blind-safe palette.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from cnplan import terms
from cnplan.data.plot import OKABE_ITO
from cnplan.i18n import N_
from cnplan.i18n import gettext as _

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from cnplan.plans import Plan

BLUE, VERMILLION, ORANGE, GREEN, PURPLE, SKY, BLACK = (
    OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[6], OKABE_ITO[1], "#000000"
)
OBSERVED_MARKERS = ("o", "s", "^", "D")

NATIONAL_VARIABLES: dict[str, tuple[str, str]] = {
    "coca": (N_("national coca area"), "ha"),
    "poppy": (N_("national opium-poppy area"), "ha"),
    "leaf_price": (N_("coca leaf price"), "USD/kg"),
    "state_capacity": (N_("state capacity"), N_("share of programme cost")),
    "eradication_ha": (N_("eradication done (forced + voluntary)"), "ha/yr"),
}
"""Names :func:`national_values` understands beyond the ensemble's own variables."""


def new_axes(figsize: tuple[float, float] = (6.4, 4.0)) -> Axes:
    """A fresh Axes on its own Figure (no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained").add_subplot()


def national_values(ds: xr.Dataset, variable: str) -> tuple[xr.DataArray, str, str]:
    """The (scenario, year) values of a national variable, with a label and a unit.

    ``coca`` and ``poppy`` are the national areas (``national_ha``); a zone variable such as
    ``coca_ha`` is summed over zones; any other (scenario, year) variable is used as it is.
    """
    if variable in ("coca", "poppy"):
        values = ds["national_ha"].sel(crop=variable)
    elif variable not in ds:
        raise KeyError(f"{variable!r}: not in the ensemble (known: {', '.join(ds.data_vars)})")
    else:
        values = ds[variable]
        if "zone" in values.dims:
            values = values.sum("zone")
    if variable in NATIONAL_VARIABLES:
        label, unit = NATIONAL_VARIABLES[variable]
        label, unit = _(label), terms.unit(_(unit))
    else:
        label, unit = variable.replace("_", " "), str(ds[variable].attrs.get("units", ""))
    return values, label, unit


def quantile_bands(values: xr.DataArray, dim: str = "scenario") -> pd.DataFrame:
    """5, 25, 50, 75 and 95th percentiles over ``dim``, one row per remaining coordinate."""
    q = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim=dim)
    frame = q.transpose(..., "quantile").to_pandas()
    frame.columns = ["p05", "p25", "p50", "p75", "p95"]
    return frame


def _draw_fan(ax: Axes, years: np.ndarray, bands: pd.DataFrame, color: str = BLUE,
              label: bool = True) -> None:
    ax.fill_between(years, bands["p05"], bands["p95"], color=color, alpha=0.18, lw=0,
                    label=_("90% of futures") if label else None)
    ax.fill_between(years, bands["p25"], bands["p75"], color=color, alpha=0.38, lw=0,
                    label=_("50% of futures") if label else None)
    ax.plot(years, bands["p50"], color=color, lw=2, label=_("median") if label else None)


def _as_observed(observed: pd.Series | Mapping[str, pd.Series] | None) -> dict[str, pd.Series]:
    if observed is None:
        return {}
    if isinstance(observed, pd.Series):
        return {"observed": observed}
    return dict(observed)


def fan_chart(
    ds: xr.Dataset,
    variable: str,
    observed: pd.Series | Mapping[str, pd.Series] | None = None,
    thresholds: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    observed_from: int | None = None,
) -> Axes:
    """Fan chart of a national variable: median, 50% and 90% bands over the scenarios.

    Parameters
    ----------
    ds
        The run's ensemble (``cnplan.runs.load_run``).
    variable
        ``coca``, ``poppy``, ``leaf_price``, ``state_capacity`` or any (scenario, year) or
        (scenario, year, zone) variable of the ensemble (zones are summed).
    observed
        Observed series indexed by year, or a mapping label -> series (e.g. two sources); drawn
        as black points joined where years are consecutive (gaps stay gaps).
    thresholds
        Mapping label -> value drawn as horizontal dashed lines (e.g. the goal levels).
    ax
        Axes to draw on; a new figure is made if omitted.
    title
        Title; by default says what is shown and over how many futures.
    observed_from
        First year of observations to draw (default: five years before the run starts).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = ax if ax is not None else new_axes()
    values, label, unit = national_values(ds, variable)
    years = ds["year"].to_numpy()
    _draw_fan(ax, years, quantile_bands(values))
    first = observed_from if observed_from is not None else int(years[0]) - 5
    for i, (name, series) in enumerate(_as_observed(observed).items()):
        s = series.loc[(series.index >= first) & (series.index <= years[-1])].astype(float)
        if s.notna().any():
            ax.plot(s.index, s.to_numpy(), color=BLACK, lw=0.8, ls="-" if i == 0 else ":",
                    marker=OBSERVED_MARKERS[i % len(OBSERVED_MARKERS)], ms=4,
                    mfc=BLACK if i == 0 else "white", label=name)
    styles = ((VERMILLION, "--"), (ORANGE, "-."), (PURPLE, ":"), (GREEN, "--"))
    for i, (name, value) in enumerate((thresholds or {}).items()):
        if value is None or not np.isfinite(value):
            continue
        color, ls = styles[i % len(styles)]
        ax.axhline(value, color=color, ls=ls, lw=1.4, label=f"{name}: {value:,.0f}"
                   if abs(value) >= 10 else f"{name}: {value:g}")
    what = (_("%(label)s: %(n)s simulated futures and the observed series")
            if _as_observed(observed) else _("%(label)s: %(n)s simulated futures"))
    heading = what % {"label": label, "n": f"{len(ds.scenario):,}"}
    ax.set_title(title or heading[0].upper() + heading[1:], fontsize=10.5, loc="left")
    ax.set_xlabel(_("year"))
    ax.set_ylabel(f"{label} ({unit})" if unit else label)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.set_major_formatter(_thousands())
    ax.legend(fontsize=7.5, loc="best", framealpha=0.85)
    return ax


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:g}")


def zone_multiples(
    ds: xr.Dataset,
    observed: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    axes: Sequence[Axes] | np.ndarray | None = None,
    ncols: int = 4,
    observed_from: int | None = None,
) -> np.ndarray:
    """Small multiples of coca area by zone: one fan per zone, observed points overlaid.

    Parameters
    ----------
    ds
        The run's ensemble.
    observed
        Observed coca area by zone (``Dataset.by_zone("coca_ha")``: index year, a column per
        zone id); optional.
    names
        Zone id -> display name.
    axes
        One Axes per zone (in the ensemble's zone order); a new figure is made if omitted.
    ncols
        Panels per row when a figure is made.
    observed_from
        First observed year drawn (default: five years before the run starts).

    Returns
    -------
    numpy.ndarray
        The axes, one per zone.
    """
    zones = [str(z) for z in ds["zone"].to_numpy()]
    if axes is None:
        from matplotlib.figure import Figure

        nrows = int(np.ceil(len(zones) / ncols))
        fig = Figure(figsize=(2.6 * ncols, 2.3 * nrows + 0.4), layout="constrained")
        grid = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for extra in grid[len(zones):]:
            extra.set_visible(False)
        fig.suptitle(_("Coca area by zone (ha): median, 50%% and 90%% of %(n)s futures; black "
                       "points observed") % {"n": f"{len(ds.scenario):,}"}, fontsize=10.5,
                     x=0.01, ha="left")
        axes = grid[: len(zones)]
    axes = np.asarray(axes, dtype=object)
    years = ds["year"].to_numpy()
    first = observed_from if observed_from is not None else int(years[0]) - 5
    for ax, zone in zip(axes, zones, strict=True):
        band = quantile_bands(ds["coca_ha"].sel(zone=zone))
        _draw_fan(ax, years, band, label=False)
        if observed is not None and zone in observed:
            s = observed[zone]
            s = s.loc[(s.index >= first) & (s.index <= years[-1])].astype(float)
            ax.plot(s.index, s.to_numpy(), color=BLACK, lw=0.8, marker="o", ms=3)
        name = (names or {}).get(zone, zone)
        ax.set_title(name.split(" (")[0].split(" / ")[0], fontsize=8, loc="left")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter(_thousands())
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("ha", fontsize=7)
    return axes


def goal_curves(ds: xr.Dataset, plan: Plan, ax: Axes | None = None) -> Axes:
    """Share of futures that have reached each goal by each year, with the goals' years marked.

    For hold the line and the marginal producer this is the first year the condition holds (a
    goal can be reached and lost again); the probabilities in the headline use the goals' own
    definitions (``cnplan.model.goals``).
    """
    ax = ax if ax is not None else new_axes((7.5, 3.4))
    years = ds["year"].to_numpy()
    goals = plan.goals
    rows = (
        ("hold_the_line", _("hold the line"), goals.hold_the_line.by_year, ORANGE, "-."),
        ("marginal_producer", _("marginal producer"), goals.marginal_producer.by_year,
         VERMILLION, "--"),
        ("stability_point", _("stability point"), goals.stability_point.by_year, BLUE, "-"),
    )
    for key, label, by, color, ls in rows:
        first = ds[f"{key}_year"].to_numpy()
        share = [(first <= y).mean() for y in years]
        ax.step(years, share, where="post", color=color, ls=ls, lw=2, label=label)
        ax.axvline(by, color=color, ls=ls, lw=0.9, alpha=0.7)
        ax.annotate(_("%(goal)s by %(year)s") % {"goal": label, "year": by}, xy=(by, 1.0),
                    xytext=(2, -2), textcoords="offset points",
                    fontsize=7, color=color, rotation=90, va="top")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel(_("year"))
    ax.set_ylabel(_("share of futures (%)"))
    ax.set_title(_("When the goals are first reached: share of simulated futures by year"),
                 fontsize=10.5, loc="left")
    ax.grid(True, alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7.5, loc="center right")
    return ax


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


ADDITIVE_UNITS = ("ha", "persons", "USD", "groups", "teams")


def lever_totals(plan: Plan, zones: Sequence[str]) -> pd.DataFrame:
    """The plan's levers by year: zone levers summed over zones (or their mean for an index).

    Returns a frame indexed by lever id with a column per year, plus ``unit`` and ``how``.
    """
    from cnplan.plans.levers import LEVERS

    years = plan.years
    rows = {}
    meta = {}
    for lever in plan.levers:
        spec = LEVERS[lever]
        values = plan.lever_array(lever, zones, years)
        if values.ndim == 2:
            additive = any(u in spec.unit for u in ADDITIVE_UNITS)
            values = values.sum(axis=1) if additive else values.mean(axis=1)
            how = N_("sum over zones") if additive else N_("mean over zones")
        else:
            how = N_("national")
        rows[lever] = values
        meta[lever] = (spec.unit, how)
    frame = pd.DataFrame(rows, index=years).T
    frame["unit"] = [meta[k][0] for k in frame.index]
    frame["how"] = [meta[k][1] for k in frame.index]
    return frame


def _compact(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    if abs(value) < 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.0f}" if value == round(value) else f"{value:.1f}"


def lever_timeline(plan: Plan, zones: Sequence[str], ax: Axes | None = None) -> Axes:
    """The plan's levers over time: one row per lever, shaded by its level and labelled where it
    changes, with the plan's phases along the top.
    """
    totals = lever_totals(plan, zones)
    years = list(plan.years)
    values = totals[years].to_numpy(dtype=float)
    if ax is None:
        ax = new_axes((9.5, 0.36 * len(totals) + 1.6))
    scale = np.where(values.max(axis=1, keepdims=True) > 0, values.max(axis=1, keepdims=True), 1)
    ax.imshow(values / scale, aspect="auto", cmap="Blues", vmin=0, vmax=2.6,
              extent=(years[0] - 0.5, years[-1] + 0.5, len(totals) - 0.5, -0.5))
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if j == 0 or value != row[j - 1]:
                ax.text(years[j], i, _compact(value), ha="center", va="center", fontsize=7,
                        color=BLACK, fontweight="bold" if j > 0 else "normal")
    labels = [f"{terms.lever_name(lever)} ({terms.unit(unit)}"
              f"{'' if how == 'national' else ', ' + _(how)})"
              for lever, unit, how in zip(totals.index, totals["unit"], totals["how"],
                                          strict=True)]
    ax.set_yticks(range(len(totals)), labels, fontsize=7.5)
    ax.set_xticks(years, [str(y) for y in years], fontsize=7.5)
    ax.set_xlabel(_("year (value shown where it changes; shade = share of the lever's maximum)"))
    for k, phase in enumerate(plan.phases):
        ax.axvline(phase.start - 0.5, color=VERMILLION, lw=1.2)
        ax.annotate(phase.name, xy=(phase.start - 0.5, -0.5), xytext=(3, 3 + 9 * (k % 2)),
                    textcoords="offset points", fontsize=7, color=VERMILLION, va="bottom")
    ax.set_title(_("The plan's levers by year (phases in red)"), fontsize=10.5, loc="left",
                 pad=26)
    return ax


__all__ = [
    "fan_chart",
    "goal_curves",
    "lever_timeline",
    "lever_totals",
    "national_values",
    "quantile_bands",
    "zone_multiples",
]

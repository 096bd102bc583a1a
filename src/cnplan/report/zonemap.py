"""Zone map: bubbles at zone centroids sized by coca area, on Peru's outline (Natural Earth)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan.i18n import gettext as _
from cnplan.report.charts import BLACK, BLUE, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

OUTLINE_FILE = "peru_outline.json"


@lru_cache(maxsize=1)
def load_outlines() -> dict[str, Any]:
    """Country outlines shipped with the package (Natural Earth 1:110m, public domain).

    Returns ``{"source": ..., "countries": {ISO3: {"name": ..., "rings": [[[lon, lat], ...]]}}}``
    for Peru and its neighbours; see ``SOURCES.md`` beside this module.
    """
    text = resources.files("cnplan.report").joinpath(OUTLINE_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def short_name(name: str) -> str:
    """A zone's name up to its first bracket or slash ("VRAEM (Apurímac-...)" -> "VRAEM")."""
    return name.split(" (")[0].split(" / ")[0].strip()


def _label_left(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Put each label on the side away from the zone's nearest neighbour."""
    d = np.hypot(lon[:, None] - lon[None, :], lat[:, None] - lat[None, :])
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(axis=1)
    return lon[nearest] > lon


def _bubble_size(area: np.ndarray, max_area: float, max_points: float = 900.0) -> np.ndarray:
    """Marker size (points^2) proportional to area, so a bubble's area reads as hectares."""
    return max_points * np.clip(area, 0, None) / max(max_area, 1.0)


def zone_map(
    ds: xr.Dataset,
    zones: pd.DataFrame,
    year: int,
    observed: pd.DataFrame | None = None,
    max_area: float | None = None,
    country: str = "PER",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Map of median simulated coca area by zone in ``year``: a bubble per zone centroid.

    Parameters
    ----------
    ds
        The run's ensemble (``coca_ha`` over scenario, year, zone).
    zones
        The dataset's zones table (``zone_id``, ``name``, ``lat``, ``lon``).
    year
        Year shown; must be one of the run's years.
    observed
        Observed coca area by zone (index year, a column per zone); where ``year`` has a value,
        a black ring of that size is drawn over the bubble.
    max_area
        Area (ha) of the largest bubble; pass the same value to compare maps of different years
        (default: the largest median zone area over the whole run).
    country
        ISO 3166 alpha-3 code of the country outlined; neighbours are drawn in light grey.
    ax
        Axes to draw on; a new figure is made if omitted.
    title
        Title; by default says what is shown.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    years = [int(y) for y in ds["year"].to_numpy()]
    if int(year) not in years:
        raise ValueError(f"year {year}: not in the run ({years[0]}–{years[-1]})")
    ax = ax if ax is not None else new_axes((5.2, 6.0))
    median = ds["coca_ha"].median("scenario")
    if max_area is None:
        max_area = float(median.max())
    values = median.sel(year=int(year)).to_pandas()
    table = zones.set_index("zone_id").reindex(values.index)

    outlines = load_outlines()["countries"]
    for iso, item in outlines.items():
        own = iso == country
        for ring in item["rings"]:
            ax.add_patch(Polygon(np.asarray(ring), closed=True,
                                 facecolor="#f2efe6" if own else "#fafafa",
                                 edgecolor="#444444" if own else "#bbbbbb",
                                 lw=1.0 if own else 0.6, zorder=1 if own else 0))
    lon, lat = table["lon"].to_numpy(float), table["lat"].to_numpy(float)
    order = np.argsort(-values.to_numpy())  # big bubbles first, small ones stay visible
    ax.scatter(lon[order], lat[order], s=_bubble_size(values.to_numpy()[order], max_area),
               color=BLUE, alpha=0.6, edgecolor="white", lw=0.8, zorder=3)
    has_obs = False
    if observed is not None and int(year) in observed.index:
        row = observed.loc[int(year)].reindex(values.index).to_numpy(dtype=float)
        ok = np.isfinite(row)
        if ok.any():
            has_obs = True
            ax.scatter(lon[ok], lat[ok], s=_bubble_size(row[ok], max_area), facecolor="none",
                       edgecolor=BLACK, lw=1.0, zorder=4)
    left = _label_left(lon, lat)
    for i, (zid, v) in enumerate(zip(values.index, values.to_numpy(), strict=True)):
        ax.annotate(f"{short_name(str(table.loc[zid, 'name']))}\n{v:,.0f} ha",
                    xy=(lon[i], lat[i]), xytext=(-7 if left[i] else 7, 0),
                    textcoords="offset points", fontsize=6.5, zorder=5, va="center",
                    ha="right" if left[i] else "left", annotation_clip=True, clip_on=True,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.75})
    own = outlines.get(country)
    if own:
        pts = np.concatenate([np.asarray(r) for r in own["rings"]])
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    else:
        x0, x1, y0, y1 = lon.min(), lon.max(), lat.min(), lat.max()
    ax.set_xlim(x0 - 4.5, x1 + 3.5)
    ax.set_ylim(y0 - 0.8, y1 + 0.8)
    ax.set_aspect(1.0 / np.cos(np.deg2rad((y0 + y1) / 2)))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.tick_params(labelsize=7)
    ref = [a for a in (1000, 5000, 10000, 20000, 40000) if a <= max_area * 1.2][-3:] or [1000]
    handles = [Line2D([], [], ls="", marker="o", color=BLUE, alpha=0.6,
                      markersize=float(np.sqrt(_bubble_size(np.array([a]), max_area))[0]),
                      label=f"{a:,} ha") for a in ref]
    if has_obs:
        handles.append(Line2D([], [], ls="", marker="o", mfc="none", mec=BLACK, markersize=9,
                              label=_("observed")))
    ax.legend(handles=handles, loc="lower left", fontsize=7, labelspacing=1.3, borderpad=0.9,
              title=_("median coca area"), title_fontsize=7, framealpha=0.9)
    ax.set_title(title or _("Coca area by zone in %(year)s (median of futures)") % {"year": year},
                 fontsize=10,
                 loc="left")
    return ax


def zone_map_pair(ds: xr.Dataset, zones: pd.DataFrame, years: tuple[int, int],
                  observed: pd.DataFrame | None = None,
                  titles: Mapping[int, str] | None = None) -> np.ndarray:
    """Two zone maps side by side on one bubble scale (e.g. the first and last year)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 5.3), layout="constrained")
    axes = fig.subplots(1, 2)
    max_area = float(ds["coca_ha"].median("scenario").max())
    for ax, year in zip(axes, years, strict=True):
        zone_map(ds, zones, year, observed=observed, max_area=max_area, ax=ax,
                 title=(titles or {}).get(year))
    return axes


__all__ = ["load_outlines", "zone_map", "zone_map_pair"]

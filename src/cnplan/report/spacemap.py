"""Maps of space for the run report: a choropleth of coca by zone with a year slider (inline
SVG, no tile server, no network), the modelled cells of one representative future (coca,
frontier, cells cut off from the contiguous coca-free area), the same map as a matplotlib
figure for PNG export, and the zone x year table with % change as UNODC's surveys print it.

Zone polygons are modelled (the dataset's ``SOURCES.md``); cells are modelled
(docs/model.md, *Space*). Every caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from cnplan.data.boundaries import has_boundaries, load_boundaries, projector
from cnplan.i18n import N_
from cnplan.i18n import gettext as _
from cnplan.model.cells import CellGrid, cell_state, cell_values
from cnplan.model.grid import grid_of
from cnplan.model.inputs import geography_of

BREAKS = (0.0, 1000.0, 3000.0, 10000.0, 30000.0)  # ha: UNODC-style classes of a zone's coca
COLOURS = ("#f2f2f2", "#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")  # none .. > 30k
COCA_CELL, FRONTIER, CUT_OFF = "#b2182b", "#2166ac", "#7f7f7f"
WIDTH, HEIGHT = 520.0, 600.0


@dataclass
class Story:
    """One future's cells by year: coca, first-time coca (frontier), free but cut off, and
    reached by alternative development.
    """

    scenario: int
    coca: dict[int, np.ndarray]
    new: dict[int, np.ndarray]
    cut: dict[int, np.ndarray]
    free_km2: dict[int, float]
    ad: dict[int, np.ndarray]


def representative(ds: xr.Dataset) -> int:
    """The future whose national coca path is closest to the median path (log distance)."""
    coca = ds["coca_ha"].sum("zone").transpose("scenario", "year").to_numpy().astype(float)
    med = np.median(coca, axis=0)
    dist = ((np.log1p(coca) - np.log1p(med)) ** 2).sum(axis=1)
    return int(np.argmin(dist))


def _largest_free(grid: CellGrid, coca: np.ndarray) -> np.ndarray:
    """Mask of the largest coca-free component holding a traditional or hard-core cell."""
    free = coca <= 0
    ptr, nbr = grid.neighbours_ptr, grid.neighbours
    src = np.repeat(np.arange(grid.n), np.diff(ptr))
    keep = free[src] & free[nbr]
    g = csr_matrix((np.ones(keep.sum()), (src[keep], nbr[keep])), shape=(grid.n, grid.n))
    _, label = connected_components(g, directed=False)
    size = np.bincount(label, weights=free, minlength=label.max() + 1)
    anchored = np.bincount(label, weights=free & grid.anchor, minlength=label.max() + 1) > 0
    size = np.where(anchored, size, 0)
    if size.max() <= 0:
        return np.zeros(grid.n, dtype=bool)
    return free & (label == int(np.argmax(size)))


def story(ds: xr.Dataset, grid: CellGrid, area0: np.ndarray) -> Story:
    """The representative future's cells, year by year."""
    s = representative(ds)
    area = ds["coca_ha"].isel(scenario=s).transpose("year", "zone").to_numpy()
    ever = cell_values(area0, grid) > 0
    out = Story(s, {}, {}, {}, {}, {})
    ad = _ad_area(ds, s)
    for t, year in enumerate(int(y) for y in ds["year"].to_numpy()):
        out.ad[year] = np.flatnonzero(cell_state(area[t], np.zeros(grid.n_units), ad[t],
                                                 grid)["ad_reached"])
        cells = cell_values(area[t], grid)
        has = cells > 0
        contiguous = _largest_free(grid, cells)
        out.coca[year] = np.flatnonzero(has)
        out.new[year] = np.flatnonzero(has & ~ever)
        out.cut[year] = np.flatnonzero(~has & ~contiguous)
        out.free_km2[year] = float(contiguous.sum() * grid.cell_km2)
        ever |= has
    return out


def _ad_area(ds: xr.Dataset, s: int) -> np.ndarray:
    """Area held under AD support by zone and year in future ``s`` (T, U): voluntary
    eradication so far minus AD land replanted (the engine's ``ad_area`` state).
    """
    if "voluntary_eradication_ha" not in ds or "ad_relapse_ha" not in ds:
        return np.zeros((ds.sizes["year"], ds.sizes["zone"]))
    flows = [ds[v].isel(scenario=s).transpose("year", "zone").to_numpy().astype(float)
             for v in ("voluntary_eradication_ha", "ad_relapse_ha")]
    return np.maximum(np.cumsum(flows[0] - flows[1], axis=0), 0.0)


class Frame:
    """lon/lat -> SVG x/y for a set of polygons (north up, equal scale in km)."""

    def __init__(self, polygons: list, width: float = WIDTH, height: float = HEIGHT):
        import shapely

        lon0, lat0, lon1, lat1 = shapely.total_bounds(np.array(polygons))
        self.to_km, _kx = projector((lat0 + lat1) / 2)
        (x0, x1), (y0, y1) = self.to_km(np.array([lon0, lon1]), np.array([lat0, lat1]))
        self.scale = min((width - 20) / (x1 - x0), (height - 20) / (y1 - y0))
        self.x0, self.y1 = x0, y1

    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.to_km(lon, lat)
        return 10 + (x - self.x0) * self.scale, 10 + (self.y1 - y) * self.scale

    def path(self, geom) -> str:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                lon, lat = np.asarray(ring.coords).T
                x, y = self.xy(lon, lat)
                parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
                             + "Z")
        return "".join(parts)

    def hexes(self, grid: CellGrid, cells: np.ndarray) -> str:
        """One path of hexagons (pointy-top) centred on the given cells."""
        if len(cells) == 0:
            return ""
        x, y = self.xy(grid.lon[cells], grid.lat[cells])
        r = grid.size_km / np.sqrt(3) * self.scale
        ang = np.radians(np.arange(6) * 60 + 30)
        return "".join(
            "M" + "L".join(f"{cx + r * np.cos(a):.1f},{cy - r * np.sin(a):.1f}" for a in ang) + "Z"
            for cx, cy in zip(x, y, strict=True))


def colour(ha: float) -> str:
    """The class colour of a zone's coca area (ha)."""
    if not ha > 0:
        return COLOURS[0]
    return COLOURS[1 + int(np.searchsorted(BREAKS[1:], ha, side="right"))]


def legend() -> list[dict[str, str]]:
    labels = [_("no coca"), "< 1,000 ha", "1,000–3,000 ha", "3,000–10,000 ha",
              "10,000–30,000 ha", "≥ 30,000 ha"]
    return [{"colour": c, "label": lab} for c, lab in zip(COLOURS, labels, strict=True)]


def map_context(ds: xr.Dataset, data, area0: np.ndarray | None = None) -> dict[str, Any] | None:
    """Everything the report's choropleth needs; None when the dataset ships no polygons."""
    if not getattr(data, "path", "") or not has_boundaries(data.path):
        return None
    b = load_boundaries(data.path)
    zones = [str(z) for z in ds["zone"].to_numpy()]
    if set(zones) - set(b.zones):
        return None
    frame = Frame([b.zones[z] for z in zones])
    years = [int(y) for y in ds["year"].to_numpy()]
    med = ds["coca_ha"].median("scenario").transpose("year", "zone").to_numpy()
    out: dict[str, Any] = {
        "zones": [{"id": z, "d": frame.path(b.zones[z])} for z in zones],
        "departments": "".join(frame.path(g) for g in b.departments.values()),
        "years": years,
        "fills": {str(y): [colour(v) for v in med[i]] for i, y in enumerate(years)},
        "median": {str(y): [round(float(v)) for v in med[i]] for i, y in enumerate(years)},
        "legend": legend(),
        "cells": None,
    }
    grid = grid_of(data, geography_of(data))
    if grid is not None:
        a0 = np.asarray(area0 if area0 is not None else med[0], dtype=float)
        st = story(ds, grid, a0)
        out["cells"] = {
            str(y): {"coca": frame.hexes(grid, st.coca[y]), "new": frame.hexes(grid, st.new[y]),
                     "cut": frame.hexes(grid, st.cut[y]), "ad": frame.hexes(grid, st.ad[y]),
                     "n_ad": int(len(st.ad[y])), "n_coca": int(len(st.coca[y])),
                     "n_new": int(len(st.new[y])), "free_km2": round(st.free_km2[y])}
            for y in years}
        out["scenario"] = int(ds["scenario"].to_numpy()[st.scenario])
        out["cell_km"] = f"{grid.size_km:g}"
    return out


def zone_year_table(ds: xr.Dataset, names: dict[str, str]) -> dict[str, Any]:
    """Median coca by zone and year with the % change on the previous year, and the total."""
    med = ds["coca_ha"].median("scenario").transpose("zone", "year").to_numpy().astype(float)
    years = [int(y) for y in ds["year"].to_numpy()]
    rows = []
    for z, values in zip(ds["zone"].to_numpy(), med, strict=True):
        rows.append(_table_row(names.get(str(z), str(z)), values))
    total = np.median(ds["coca_ha"].sum("zone").transpose("scenario", "year").to_numpy(), axis=0)
    return {"years": years, "rows": rows, "total": _table_row(_("Total"), total)}


def _table_row(name: str, values: np.ndarray) -> dict[str, Any]:
    change = [None] + [None if a <= 0 else (b - a) / a for a, b in zip(values, values[1:],
                                                                      strict=False)]
    return {"name": name, "values": [round(float(v)) for v in values],
            "change": [None if c is None else f"{c:+.0%}" for c in change]}


OUTCOME_WORDS = {
    "noose_share": N_("share of coca inside the traditional and hard-core zones"),
    "expansion_cleared": N_("expansion zones cleared of coca"),
    "coca_free_km2": N_("contiguous coca-free area around the traditional areas (km²)"),
    "coca_free_communities": N_("communities (cells) in the contiguous coca-free area"),
    "frontier_new_cells": N_("cells with coca for the first time"),
    "frontier_km": N_("distance of the farthest coca from the hard-core zones (km)"),
    "nogo_units": N_("no-go zones (little state presence, much coca)"),
}


def spatial_goal_rows(ds: xr.Dataset, plan) -> list[dict[str, Any]]:
    """One row per spatial goal of the plan: what, target, year, probability, source."""
    from cnplan.runs import percent

    rows = []
    for goal in plan.goals.spatial:
        key = f"goal_{goal.id}_reached"
        if key not in ds:
            continue
        bound = goal.at_least if goal.at_least is not None else goal.at_most
        target = (_("at least") if goal.at_least is not None else _("at most")) + " " + (
            _("its value at the start") if bound == "start" else f"{float(bound):,.4g}")
        p = float(ds[key].mean())
        rows.append({"id": goal.id, "outcome": _(OUTCOME_WORDS[goal.outcome]), "target": target,
                     "by_year": goal.by_year, "probability": percent(p, short=True),
                     "source": goal.source})
    return rows


def spatial_medians(ds: xr.Dataset) -> list[dict[str, Any]]:
    """The median of each spatial outcome in the first and last year (for the report)."""
    y0, y1 = ds["year"].to_numpy()[[0, -1]]
    out = []
    for name, words in OUTCOME_WORDS.items():
        if name in ds:
            med = ds[name].median("scenario")
            out.append({"outcome": _(words), "first": _number(float(med.sel(year=y0))),
                        "last": _number(float(med.sel(year=y1)))})
    return out


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def choropleth_charts(ds: xr.Dataset, data, years: list[int], names: dict[str, str]) -> list:
    """The choropleth as one matplotlib chart per year (for ``cnplan report --png``): zones by
    median coca class, and the representative future's cells.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, RegularPolygon
    from matplotlib.patches import Polygon as MplPolygon

    from cnplan.report.charts import new_axes
    from cnplan.report.figures import Chart

    if not getattr(data, "path", "") or not has_boundaries(data.path):
        return []
    b = load_boundaries(data.path)
    zones = [str(z) for z in ds["zone"].to_numpy()]
    if set(zones) - set(b.zones):
        return []
    med = ds["coca_ha"].median("scenario")
    grid = grid_of(data, geography_of(data))
    st = story(ds, grid, med.isel(year=0).to_numpy()) if grid is not None else None
    to_km, _kx = projector(float(np.mean([b.zones[z].centroid.y for z in zones])))
    out = []
    for year in years:
        ax = new_axes((5.2, 6.2))
        values = med.sel(year=year).to_numpy()
        for g in b.departments.values():
            for poly in getattr(g, "geoms", [g]):
                ax.add_patch(MplPolygon(np.c_[to_km(*np.asarray(poly.exterior.coords).T)],
                                        fill=False, edgecolor="#bbb", linewidth=0.4))
        for z, v in zip(zones, values, strict=True):
            for poly in getattr(b.zones[z], "geoms", [b.zones[z]]):
                ax.add_patch(MplPolygon(np.c_[to_km(*np.asarray(poly.exterior.coords).T)],
                                        facecolor=colour(float(v)), edgecolor="#555", lw=0.7))
        if st is not None:
            for cells, style in ((st.cut[year], {"facecolor": CUT_OFF, "alpha": 0.6}),
                                 (st.coca[year], {"facecolor": COCA_CELL}),
                                 (st.new[year], {"facecolor": "none", "edgecolor": FRONTIER})):
                x, y = to_km(grid.lon[cells], grid.lat[cells])
                hexes = [RegularPolygon((a, c), 6, radius=grid.size_km / np.sqrt(3))
                         for a, c in zip(x, y, strict=True)]
                ax.add_collection(PatchCollection(hexes, linewidth=0.8, **style))
        x0, y0, x1, y1 = _km_bounds([b.zones[z] for z in zones], to_km)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(_("Coca by zone, %(year)s (median of futures)") % {"year": year})
        handles = [Patch(facecolor=i["colour"], edgecolor="#999", label=i["label"])
                   for i in legend()]
        ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
        alt = _("Choropleth of median simulated coca area by zone in %(year)s: %(zones)s.") % {
            "year": year, "zones": "; ".join(
                f"{names.get(z, z)} {float(v):,.0f} ha"
                for z, v in zip(zones, values, strict=True))}
        out.append(Chart(f"choropleth_{year}", _("Coca by zone, %(year)s") % {"year": year},
                         alt, ax.figure))
    return out


def _km_bounds(polygons: list, to_km) -> tuple[float, float, float, float]:
    import shapely

    lon0, lat0, lon1, lat1 = shapely.total_bounds(np.array(polygons))
    (x0, x1), (y0, y1) = to_km(np.array([lon0, lon1]), np.array([lat0, lat1]))
    return float(x0), float(y0), float(x1), float(y1)


def department_year_table(ds: xr.Dataset, data) -> dict[str, Any] | None:
    """Median coca by department and year, from each future's zone totals put in cells and
    summed by the department holding each cell (modelled), with the % change on the previous
    year and the survey's department figure where the data has it.
    """
    from cnplan.model.cells import region_totals
    from cnplan.model.grid import cell_regions

    if not getattr(data, "path", "") or not has_boundaries(data.path):
        return None
    grid = grid_of(data, geography_of(data))
    if grid is None:
        return None
    region, names = cell_regions(grid, load_boundaries(data.path).departments)
    area = ds["coca_ha"].transpose("scenario", "year", "zone").to_numpy()
    med = np.median(region_totals(area, grid, region, len(names)), axis=0)  # (T, R)
    years = [int(y) for y in ds["year"].to_numpy()]
    obs = data.observations
    obs = obs[(obs["variable"] == "coca_ha") & (obs["period"] == "year")
              & obs["zone"].str.startswith("dept:")]
    rows = []
    for r, name in enumerate(names):
        if not (region == r).any():
            continue
        row = _table_row(name, med[:, r])
        seen = obs[obs["zone"] == f"dept:{name}"].set_index("year")["value"]
        row["observed"] = [None if y not in seen.index or np.isnan(seen[y]) else
                           f"{float(seen[y]):,.0f}" for y in years]
        rows.append(row)
    return {"years": years, "rows": rows}

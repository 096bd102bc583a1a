"""The hexagonal cell grid inside a dataset's zone polygons (the community-scale layer).

A plain hexagonal lattice in the local equirectangular projection of
:mod:`cnplan.data.boundaries`: neighbouring centres are ``size_km`` apart, each cell covers
``sqrt(3) / 2 * size_km**2`` km2 and belongs to the unit whose polygon holds its centre. The
allocation ranking and capacities are those of :mod:`cnplan.model.cells`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from scipy.spatial import cKDTree

from cnplan.data.boundaries import load_boundaries, mean_lat, projector
from cnplan.model.cells import (
    CELL_DENSITY_HA_PER_KM2,
    CELL_SIZE_KM,
    SUITABILITY_KM,
    CellGrid,
    rank_cells,
)
from cnplan.model.geography import EXPANSION, HARD_CORE


def lattice(polygons: list, size_km: float, lat0: float) -> tuple[np.ndarray, ...]:
    """Hexagon centres (x, y in km) inside the polygons and the polygon index of each."""
    to_km, kx = projector(lat0)
    lon0, lat_lo, lon1, lat_hi = shapely.total_bounds(np.array(polygons))
    (x0, x1), (y0, y1) = to_km(np.array([lon0, lon1]), np.array([lat_lo, lat_hi]))
    dy = size_km * np.sqrt(3) / 2
    rows = np.arange(y0, y1 + dy, dy)
    xs, ys = [], []
    for i, y in enumerate(rows):
        x = np.arange(x0 + (size_km / 2 if i % 2 else 0.0), x1 + size_km, size_km)
        xs.append(x)
        ys.append(np.full(len(x), y))
    x, y = np.concatenate(xs), np.concatenate(ys)
    lon, lat = x / kx, y / to_km(0.0, 1.0)[1]
    owner = np.full(len(x), -1)
    for i, poly in enumerate(polygons):
        inside = shapely.contains_xy(poly, lon, lat) & (owner < 0)
        owner[inside] = i
    keep = owner >= 0
    return x[keep], y[keep], owner[keep]


def _neighbours(x: np.ndarray, y: np.ndarray, size_km: float) -> tuple[np.ndarray, np.ndarray]:
    pairs = cKDTree(np.c_[x, y]).query_pairs(r=1.01 * size_km, output_type="ndarray")
    a = np.r_[pairs[:, 0], pairs[:, 1]]
    b = np.r_[pairs[:, 1], pairs[:, 0]]
    order = np.lexsort((b, a))
    ptr = np.searchsorted(a[order], np.arange(len(x) + 1))
    return ptr.astype(np.int64), b[order].astype(np.int64)


def build_grid(
    polygons: list,
    seeds: np.ndarray,
    anchor_units: np.ndarray,
    hard_units: np.ndarray,
    size_km: float = CELL_SIZE_KM,
) -> CellGrid:
    """The grid of units' ``polygons`` (in unit order); ``seeds`` (U, 2) lon/lat of each unit's
    representative point; ``anchor_units`` (traditional and hard core) and ``hard_units``
    (hard core) are (U,) masks.
    """
    lat0 = mean_lat(dict(enumerate(polygons)))
    to_km, _ = projector(lat0)
    x, y, owner = lattice(polygons, size_km, lat0)
    sx, sy = to_km(seeds[:, 0], seeds[:, 1])
    suit = np.exp(-np.hypot(x - sx[owner], y - sy[owner]) / SUITABILITY_KM)
    ptr, nbr = _neighbours(x, y, size_km)
    order = np.concatenate(
        [rank_cells(suit, ptr, nbr, np.flatnonzero(owner == u)) for u in range(len(polygons))]
    )
    # renumber the cells in rank order, unit by unit
    x, y, owner = x[order], y[order], owner[order]
    ptr, nbr = _neighbours(x, y, size_km)
    hard = hard_units[owner]
    if hard.any():
        dist = cKDTree(np.c_[x[hard], y[hard]]).query(np.c_[x, y])[0]
    else:
        dist = np.full(len(x), np.inf)
    km2 = np.sqrt(3) / 2 * size_km**2
    kx = to_km(1.0, 0.0)[0]
    return CellGrid(
        unit=owner,
        lon=x / kx,
        lat=y / to_km(0.0, 1.0)[1],
        neighbours_ptr=ptr,
        neighbours=nbr,
        start=np.searchsorted(owner, np.arange(len(polygons) + 1)),
        cell_km2=float(km2),
        capacity_ha=float(CELL_DENSITY_HA_PER_KM2 * km2),
        to_hard_core_km=dist,
        anchor=anchor_units[owner],
        size_km=size_km,
    )


@cache
def dataset_grid(folder: str, units: tuple[str, ...], seeds: tuple, anchor: tuple, hard: tuple,
                 size_km: float = CELL_SIZE_KM, mtime_ns: int = 0) -> CellGrid:
    """The grid of a dataset's zones (cached: built once per dataset, unit set and version of
    its polygons file, ``mtime_ns``).
    """
    zones = load_boundaries(folder).zones
    return build_grid([zones[u] for u in units], np.array(seeds, dtype=float),
                      np.array(anchor), np.array(hard), size_km)


def grid_of(data, geo) -> CellGrid | None:
    """The cell grid of a dataset's zones for a geography whose units are those zones; None
    when the dataset ships no polygons (the spatial outcomes are then not computed).
    """
    from cnplan.data.boundaries import boundaries_path, has_boundaries

    if not getattr(data, "path", "") or not has_boundaries(data.path):
        return None
    zones = data.zones.set_index("zone_id")
    if set(geo.units) - set(zones.index) or set(geo.units) - set(load_boundaries(data.path).zones):
        return None
    seeds = tuple((float(zones.at[u, "lon"]), float(zones.at[u, "lat"])) for u in geo.units)
    return dataset_grid(str(data.path), tuple(geo.units), seeds,
                        tuple(bool(k != EXPANSION) for k in geo.kinds),
                        tuple(bool(k == HARD_CORE) for k in geo.kinds),
                        mtime_ns=boundaries_path(data.path).stat().st_mtime_ns)


def cell_regions(grid: CellGrid, polygons: dict) -> tuple[np.ndarray, list[str]]:
    """The region (e.g. department) holding each cell's centre: (N,) index into the returned
    names, -1 where none does.
    """
    names = list(polygons)
    region = np.full(grid.n, -1)
    for i, name in enumerate(names):
        inside = shapely.contains_xy(polygons[name], grid.lon, grid.lat) & (region < 0)
        region[inside] = i
    return region, names

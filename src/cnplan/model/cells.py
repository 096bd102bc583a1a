"""The community-scale layer: a hexagonal grid of cells inside the units, and the coca,
state presence and alternative development the engine's unit totals put in them.

Everything here is **modelled** (docs/model.md, *Space*): the data give coca by zone, never by
cell. The allocation follows land-use allocation models in the manner of CLUE-S
[Verburg2002]: the demand is each unit's coca (the engine's number), and it is placed in the
unit's cells by suitability and neighbourhood:

- *suitability* of a cell: ``exp(-d / SUITABILITY_KM)``, ``d`` the distance from the cell's
  centre to the unit's representative point (the place the sources name, ``zones.csv``);
- *neighbourhood*: new coca goes next to coca [Davalos2011]. The unit's cells are ranked once:
  the most suitable cell first, then repeatedly the most suitable cell next to one already
  ranked (the most suitable remaining cell when none is next to them, for units in pieces);
- each cell holds at most ``CELL_DENSITY_HA_PER_KM2`` x its area; the unit's coca fills its
  cells in rank order. A unit with more coca than its cells can hold spreads it over all of
  them in proportion to their capacity. Cell totals therefore equal the unit total exactly.

Because a unit's cells with coca are always the first ``k`` of its ranking, a year of a future
is described by one integer per unit (``k``), and every spatial outcome
(:mod:`cnplan.model.spatial`) is computed from those integers without storing cells.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

SUITABILITY_KM = 40.0  # assumption: range 20-80 km (how far a zone's coca spreads from its core)
CELL_DENSITY_HA_PER_KM2 = 5.0  # assumption: range 2-10 ha of coca per km2 in a full cell
CELL_SIZE_KM = 10.0  # distance between neighbouring cell centres (hexagons of ~87 km2)


@dataclass(frozen=True)
class CellGrid:
    """Hexagonal cells (ordered unit by unit, in allocation rank within each unit)."""

    unit: np.ndarray  # (N,) unit index of each cell
    lon: np.ndarray  # (N,) centre, degrees
    lat: np.ndarray  # (N,)
    neighbours_ptr: np.ndarray  # (N + 1,) CSR of the 6-neighbourhood (across units and borders)
    neighbours: np.ndarray  # (nnz,)
    start: np.ndarray  # (U + 1,) the cells of unit u are start[u]:start[u + 1]
    cell_km2: float
    capacity_ha: float  # coca one cell can hold
    to_hard_core_km: np.ndarray  # (N,) distance to the nearest cell of a hard-core unit
    anchor: np.ndarray  # (N,) bool: a cell of a traditional or hard-core unit
    size_km: float = CELL_SIZE_KM

    @property
    def n(self) -> int:
        return len(self.unit)

    @property
    def n_units(self) -> int:
        return len(self.start) - 1

    @property
    def cells_per_unit(self) -> np.ndarray:
        return np.diff(self.start)


def rank_cells(suitability: np.ndarray, ptr: np.ndarray, nbr: np.ndarray,
               members: np.ndarray) -> np.ndarray:
    """The allocation ranking of one unit's cells (indices into the grid): the most suitable
    first, then always the most suitable cell next to one already ranked.
    """
    inside = np.zeros(len(ptr) - 1, dtype=bool)
    inside[members] = True
    done = np.zeros_like(inside)
    order: list[int] = []
    heap: list[tuple[float, int]] = []
    remaining = sorted(members, key=lambda c: -suitability[c])
    pos = 0
    while len(order) < len(members):
        if not heap:  # start (or restart in another piece) at the most suitable cell left
            while done[remaining[pos]]:
                pos += 1
            heapq.heappush(heap, (-suitability[remaining[pos]], remaining[pos]))
        _, c = heapq.heappop(heap)
        if done[c]:
            continue
        done[c] = True
        order.append(c)
        for d in nbr[ptr[c]:ptr[c + 1]]:
            if inside[d] and not done[d]:
                heapq.heappush(heap, (-suitability[d], d))
    return np.array(order, dtype=np.int64)


def occupied(area: np.ndarray, grid: CellGrid) -> np.ndarray:
    """Cells with coca per unit (the ``k`` of the module docstring): (..., U) int32."""
    k = np.ceil(np.asarray(area, dtype=np.float64) / grid.capacity_ha - 1e-9)
    return np.clip(k, 0, grid.cells_per_unit).astype(np.int32)


def cell_values(unit_values: np.ndarray, grid: CellGrid) -> np.ndarray:
    """One year's unit totals (U,) (coca or AD area, ha) put in cells (N,), in rank order up to
    each cell's capacity; totals are kept exactly.
    """
    out = np.zeros(grid.n)
    for u in range(grid.n_units):
        a, b = grid.start[u], grid.start[u + 1]
        total = float(unit_values[u])
        if total <= 0 or b == a:
            continue
        holds = grid.capacity_ha * (b - a)
        if total >= holds:
            out[a:b] = total / (b - a)
            continue
        full = int(total // grid.capacity_ha)
        out[a:a + full] = grid.capacity_ha
        if a + full < b:
            out[a + full] = total - full * grid.capacity_ha
    return out


def cell_flags(unit_values: np.ndarray, grid: CellGrid) -> np.ndarray:
    """Cells reached by a unit amount (N,) bool: the cells :func:`cell_values` gives > 0."""
    return cell_values(unit_values, grid) > 0


def unit_sums(cell: np.ndarray, grid: CellGrid) -> np.ndarray:
    """Cell values summed back to units: (..., N) -> (..., U)."""
    return np.add.reduceat(cell, grid.start[:-1], axis=-1)


def cell_state(area: np.ndarray, presence: np.ndarray, ad_area: np.ndarray,
               grid: CellGrid) -> dict[str, np.ndarray]:
    """One year's cells (N,) from unit values (U,): coca (ha), state presence (the zone's) and
    whether alternative development reached the cell (AD area held under support, allocated
    in the same rank order as coca: AD works where coca was grown).
    """
    return {
        "coca_ha": cell_values(area, grid),
        "presence": np.asarray(presence, dtype=float)[grid.unit],
        "ad_reached": cell_values(ad_area, grid) > 0,
    }


def region_totals(area: np.ndarray, grid: CellGrid, region: np.ndarray, n_regions: int
                  ) -> np.ndarray:
    """Unit totals (..., U) summed by region (..., R) through the cell allocation: the coca
    :func:`cell_values` puts in each cell, added up by the cell's region (e.g. its department;
    ``region`` (N,), -1 for none). Vectorised with per-unit cumulative counts of ranked cells.
    """
    area = np.asarray(area, dtype=np.float64)
    out = np.zeros((*area.shape[:-1], n_regions))
    cap = grid.capacity_ha
    for u in range(grid.n_units):
        a, b = grid.start[u], grid.start[u + 1]
        n = b - a
        if n == 0:
            continue
        reg = region[a:b]
        onehot = np.zeros((n + 1, n_regions))
        inside = reg >= 0
        onehot[1:][inside, reg[inside]] = 1.0
        cum = np.cumsum(onehot, axis=0)  # cum[k, r]: cells of region r among the first k
        x = area[..., u]
        full = np.clip(np.floor(x / cap), 0, n).astype(np.int64)
        rem = np.where(full < n, x - full * cap, 0.0)
        partial = onehot[np.minimum(full + 1, n)] * (full < n)[..., None]
        spread = x >= cap * n  # more coca than the cells hold: spread over all in proportion
        part = cap * cum[full] + rem[..., None] * partial
        out += np.where(spread[..., None], x[..., None] * cum[n] / n, part)
    return out

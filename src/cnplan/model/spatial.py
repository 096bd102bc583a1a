"""The strategy's spatial objectives as outcomes, per future and year (docs/model.md, *Space*).

The cable asks to "draw the noose around the traditional coca cultivation areas", to
"consolidate broader coca-free areas" and "establish contiguous communities/jurisdictions",
to "push out the coca-frontier" and to "avoid the proliferation of no-go zones void of state
presence" ([USEmbassyLima2005], cable ¶2, ¶6, ¶7). Each becomes a number per future and year:

- ``noose_share``: coca in traditional and hard-core units / all coca (1 when there is none);
- ``expansion_cleared``: expansion units with coca at or below ``cleared_ha``;
- ``coca_free_km2`` / ``coca_free_communities``: the largest connected set of coca-free cells
  that includes a cell of a traditional or hard-core unit ("around the traditional areas"),
  in km2 and in cells (a cell stands for a community);
- ``frontier_new_cells``: cells with coca this year that had none in any earlier year of the
  run (nor at its start); ``frontier_km``: the largest distance from a cell with coca to the
  nearest cell of a hard-core unit;
- ``nogo_units``: units with state presence below ``nogo_presence`` and coca above
  ``nogo_coca_ha``.

Cells are those of :mod:`cnplan.model.cells` (modelled). Because a unit's coca occupies the
first ``k`` of its ranked cells, all of these come from the (S, T, U) integers ``k``; the
coca-free area is found on a small graph (cells that ever hold coca in the batch plus one node
per always-free component) for each distinct ``k`` row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from cnplan.model.cells import CellGrid, occupied
from cnplan.model.geography import EXPANSION

SPATIAL = {  # name -> (unit, meaning); the order of the ensemble's variables
    "noose_share": ("share", "coca in traditional and hard-core units / all coca"),
    "expansion_cleared": ("units", "expansion units with coca at or below the cleared level"),
    "coca_free_km2": ("km2", "largest connected coca-free area around traditional areas"),
    "coca_free_communities": ("cells", "cells (communities) in that coca-free area"),
    "frontier_new_cells": ("cells", "cells with coca for the first time in the run"),
    "frontier_km": ("km", "farthest cell with coca from the hard-core areas"),
    "nogo_units": ("units", "units with presence below and coca above the no-go levels"),
}


@dataclass(frozen=True)
class SpatialConfig:
    """Thresholds of the spatial outcomes (a plan may set its own in ``goals.spatial``)."""

    cleared_ha: float = 100.0  # assumption (range 0-500 ha): an expansion unit "cleared"
    nogo_presence: float = 0.3  # assumption (range 0.2-0.4 on the 0-1 presence index)
    nogo_coca_ha: float = 1000.0  # assumption (range 500-2000 ha)


class FreeArea:
    """Largest anchored coca-free component for rows of ``k`` (R, U), on a reduced graph.

    Cells that hold coca in no row (ranks at or beyond ``kmax``) are merged into one node per
    connected component; the others stay single nodes. Exact for every row whose ``k`` is at
    most ``kmax``.
    """

    def __init__(self, grid: CellGrid, kmax: np.ndarray):
        local = np.arange(grid.n) - grid.start[grid.unit]
        maybe = local < kmax[grid.unit]
        ptr, nbr = grid.neighbours_ptr, grid.neighbours
        src = np.repeat(np.arange(grid.n), np.diff(ptr))
        fixed = ~maybe
        keep = fixed[src] & fixed[nbr]
        g = csr_matrix((np.ones(keep.sum()), (src[keep], nbr[keep])), shape=(grid.n, grid.n))
        _, label = connected_components(g, directed=False)
        # number the always-free components 0..n_comp-1 (cells that may hold coca are left
        # out: connected_components gives each of them a label of its own)
        kept, label = np.unique(np.where(fixed, label, -1), return_inverse=True)
        label = label.ravel() - (kept[0] < 0)
        n_comp = int((kept >= 0).sum())
        m_cells = np.flatnonzero(maybe)
        node = np.where(fixed, label, 0)
        node[m_cells] = n_comp + np.arange(len(m_cells))
        n_nodes = n_comp + len(m_cells)
        self.weight = np.bincount(node, minlength=n_nodes).astype(np.float64)
        self.anchor = np.bincount(node, weights=grid.anchor, minlength=n_nodes) > 0
        edge = maybe[src]  # every edge touching a cell that may hold coca, both directions
        a, b = node[src[edge]], node[nbr[edge]]
        links = csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])),
                           shape=(n_nodes, n_nodes))  # duplicates summed: one link per pair
        links.sum_duplicates()
        self.ptr = links.indptr.astype(np.int64)
        self.nbr = links.indices.astype(np.int64)
        self.n_fixed = n_comp
        self.m_unit = grid.unit[m_cells].astype(np.int64)
        self.m_rank = local[m_cells].astype(np.int64)

    def largest(self, k: np.ndarray) -> np.ndarray:
        """Cells in the largest anchored coca-free component, per row of ``k`` (R, U)."""
        return _largest_rows(np.ascontiguousarray(k, dtype=np.int64), self.ptr, self.nbr,
                             self.n_fixed, self.m_unit, self.m_rank, self.weight, self.anchor)


@njit(cache=True)
def _largest_rows(k, ptr, nbr, n_fixed, m_unit, m_rank, weight, anchor):  # pragma: no cover
    """Per row: breadth-first search over the free nodes of the reduced graph."""
    n = len(ptr) - 1
    out = np.zeros(k.shape[0])
    free = np.ones(n, dtype=np.bool_)
    seen = np.zeros(n, dtype=np.int64)  # the row that last visited a node, plus one
    stack = np.empty(n, dtype=np.int64)
    for r in range(k.shape[0]):
        for j in range(n - n_fixed):
            free[n_fixed + j] = m_rank[j] >= k[r, m_unit[j]]
        best = 0.0
        for start in range(n):
            if not free[start] or seen[start] == r + 1:
                continue
            seen[start] = r + 1
            top, size, anchored = 1, 0.0, False
            stack[0] = start
            while top:
                top -= 1
                x = stack[top]
                size += weight[x]
                anchored = anchored or anchor[x]
                for e in range(ptr[x], ptr[x + 1]):
                    y = nbr[e]
                    if free[y] and seen[y] != r + 1:
                        seen[y] = r + 1
                        stack[top] = y
                        top += 1
            if anchored and size > best:
                best = size
        out[r] = best
    return out


def _unique_rows(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(flat, axis=0, return_inverse=True)``, through one int64 key per row when
    the rows' ranges allow it (a mixed-radix number: much faster than sorting rows).
    """
    radix = flat.max(axis=0).astype(np.float64) + 1
    if np.prod(radix) >= 2.0**62:
        rows, inverse = np.unique(flat, axis=0, return_inverse=True)
        return rows, inverse.ravel()
    place = np.cumprod(np.r_[1.0, radix[:-1]]).astype(np.int64)
    keys, first, inverse = np.unique(flat.astype(np.int64) @ place, return_index=True,
                                     return_inverse=True)
    return flat[first], inverse.ravel()


def _unique_largest(k: np.ndarray, grid: CellGrid, block: int = 8192) -> np.ndarray:
    """The largest anchored coca-free component (cells) for k (S, T, U): each distinct row
    solved once, in blocks of similar rows that share a reduced graph (built for the block's
    own largest ``k``, so typical rows are not slowed by the batch's extreme ones).
    """
    flat = k.reshape(-1, k.shape[-1])
    rows, inverse = _unique_rows(flat)
    order = np.argsort((rows / np.maximum(rows.max(axis=0), 1)).max(axis=1), kind="stable")
    result = np.zeros(len(rows))
    for a in range(0, len(rows), block):
        idx = order[a:a + block]
        solver = FreeArea(grid, rows[idx].max(axis=0))
        result[idx] = solver.largest(rows[idx])
    return result[inverse.ravel()].reshape(k.shape[:-1])


def _frontier(k: np.ndarray, k0: np.ndarray, grid: CellGrid) -> tuple[np.ndarray, np.ndarray]:
    """(new cells with coca, farthest coca cell from the hard core in km), each (S, T)."""
    before = np.maximum.accumulate(np.concatenate([k0[:, None], k], axis=1), axis=1)[:, :-1]
    new = np.maximum(k - before, 0).sum(axis=2)
    # prefix maxima of distance along each unit's ranking: table[start[u] + u + k]
    table = np.zeros(grid.n + grid.n_units)
    for u in range(grid.n_units):
        a, b = grid.start[u], grid.start[u + 1]
        d = grid.to_hard_core_km[a:b]
        table[a + u + 1:b + u + 1] = np.maximum.accumulate(d) if b > a else d
    idx = grid.start[:-1] + np.arange(grid.n_units) + k
    return new.astype(np.float64), table[idx].max(axis=2)


def spatial_outcomes(
    area: np.ndarray,
    presence: np.ndarray,
    area0: np.ndarray,
    kinds: np.ndarray,
    grid: CellGrid,
    cfg: SpatialConfig = SpatialConfig(),  # noqa: B008 (frozen)
) -> dict[str, np.ndarray]:
    """The outcomes of :data:`SPATIAL` per scenario and year: area and presence (S, T, U),
    area0 (S, U) the standing coca before the first year.
    """
    area = np.asarray(area, dtype=np.float64)
    total = area.sum(axis=2)
    inside = (area * (kinds != EXPANSION)).sum(axis=2)
    k = occupied(area, grid)
    largest = _unique_largest(k, grid)
    new, far = _frontier(k, occupied(area0, grid), grid)
    return {
        "noose_share": np.divide(inside, total, out=np.ones_like(total), where=total > 0),
        "expansion_cleared": ((area <= cfg.cleared_ha) & (kinds == EXPANSION)).sum(axis=2)
        .astype(np.float64),
        "coca_free_km2": largest * grid.cell_km2,
        "coca_free_communities": largest,
        "frontier_new_cells": new,
        "frontier_km": far,
        "nogo_units": ((presence < cfg.nogo_presence) & (area > cfg.nogo_coca_ha)).sum(axis=2)
        .astype(np.float64),
    }


def at_start(area0: np.ndarray, presence1: np.ndarray, kinds: np.ndarray, grid: CellGrid,
             cfg: SpatialConfig) -> dict[str, np.ndarray]:
    """The outcomes in the year before the start (S,): the start area with the first year's
    presence (the engine has no presence before its first year).
    """
    out = spatial_outcomes(area0[:, None, :], presence1[:, None, :], area0, kinds, grid, cfg)
    return {name: v[:, 0] for name, v in out.items()}


def spatial_goal(values: np.ndarray, start: np.ndarray, years: np.ndarray, goal) -> tuple:
    """Reached flag (the target holds in ``goal.by_year``) and first year it holds, per
    scenario; ``goal`` has ``at_least`` or ``at_most`` (a number or ``"start"``).
    """
    bound = goal.at_least if goal.at_least is not None else goal.at_most
    level = start[:, None] if bound == "start" else float(bound)
    holds = values >= level if goal.at_least is not None else values <= level
    first = np.where(holds.any(axis=1), years[holds.argmax(axis=1)].astype(float), np.nan)
    i = int(np.searchsorted(years, goal.by_year))
    if i < len(years) and years[i] == goal.by_year:
        return holds[:, i], first
    return np.zeros(len(values), dtype=bool), first  # the goal's year is not simulated

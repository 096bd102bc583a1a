"""The cell layer and the spatial outcomes on small synthetic geographies (a chain of units
and a grid of units made of squares), checked against answers known by construction and
against a plain breadth-first search.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from shapely.geometry import box

from cnplan.data.boundaries import touching_pairs
from cnplan.model.cells import cell_values, occupied, unit_sums
from cnplan.model.geography import EXPANSION, HARD_CORE, TRADITIONAL, decay_links, geography
from cnplan.model.grid import build_grid
from cnplan.model.spatial import SpatialConfig, _unique_largest, spatial_outcomes

DEG = 0.5  # each square unit is 0.5 degrees wide (about 55 km at the equator)


def chain(n: int = 3) -> list:
    return [box(i * DEG, 0, (i + 1) * DEG, DEG) for i in range(n)]


def square_grid(n: int = 3) -> list:
    return [box(i * DEG, j * DEG, (i + 1) * DEG, (j + 1) * DEG) for j in range(n) for i in range(n)]


def make_grid(polys: list, kinds: list[int]):
    seeds = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    kinds = np.array(kinds)
    return build_grid(polys, seeds, kinds != EXPANSION, kinds == HARD_CORE, size_km=10.0)


def bfs_largest(grid, k: np.ndarray) -> int:
    """Reference: the largest coca-free component holding an anchor cell, by plain BFS."""
    local = np.arange(grid.n) - grid.start[grid.unit]
    free = local >= k[grid.unit]
    seen = np.zeros(grid.n, dtype=bool)
    best = 0
    for c in range(grid.n):
        if not free[c] or seen[c]:
            continue
        seen[c] = True
        queue, size, anchored = deque([c]), 0, False
        while queue:
            x = queue.popleft()
            size += 1
            anchored |= bool(grid.anchor[x])
            for y in grid.neighbours[grid.neighbours_ptr[x]:grid.neighbours_ptr[x + 1]]:
                if free[y] and not seen[y]:
                    seen[y] = True
                    queue.append(y)
        if anchored:
            best = max(best, size)
    return best


def test_chain_displacement_only_along_adjacency() -> None:
    polys = chain(4)
    names = ["a", "b", "c", "d"]
    pairs = touching_pairs(dict(zip(names, polys, strict=True)))
    assert {frozenset(p) for p in pairs} == {frozenset("ab"), frozenset("bc"), frozenset("cd")}
    dist = np.abs(np.subtract.outer(np.arange(4), np.arange(4))) * 55.0
    geo = geography(names, ["X"] * 4, ["expansion"] * 4, np.zeros(4),
                    adjacency=decay_links(names, pairs, dist))
    leaving = np.array([[100.0, 0, 0, 0]])
    inflow = geo.displacement.apply(leaving, np.ones((1, 4)))
    assert inflow[0, 2] == 0 and inflow[0, 3] == 0 and inflow[0, 1] > 0
    assert inflow.sum() == pytest.approx(100.0)
    w = np.exp(-55.0 / 150.0)
    assert inflow[0, 1] / inflow[0, 0] == pytest.approx(w)  # distance decay


def test_cell_totals_equal_unit_totals() -> None:
    grid = make_grid(square_grid(3), [TRADITIONAL, HARD_CORE] + [EXPANSION] * 7)
    rng = np.random.default_rng(1)
    for _ in range(20):  # includes units fuller than their cells can hold
        units = rng.uniform(0, 2.0 * grid.capacity_ha * grid.cells_per_unit.max(), grid.n_units)
        units[rng.random(grid.n_units) < 0.3] = 0.0
        cells = cell_values(units, grid)
        assert np.allclose(unit_sums(cells, grid), units)
        assert (cells >= 0).all() and (cells <= max(grid.capacity_ha, cells.max())).all()
        assert np.array_equal((cells > 0).reshape(-1), (cells > 0))
        k = occupied(units, grid)
        assert np.array_equal(unit_sums((cells > 0).astype(float), grid), k)


def test_allocation_grows_from_the_core_and_stays_connected() -> None:
    grid = make_grid(chain(1), [HARD_CORE])
    for k in (1, 5, 12):
        cells = set(range(k))
        frontier = [c for c in cells
                    if c and not cells & set(grid.neighbours[grid.neighbours_ptr[c]:
                                                             grid.neighbours_ptr[c + 1]])]
        assert not frontier  # each ranked cell touches an earlier one


def test_coca_free_area_known_answers_on_a_chain() -> None:
    # a - b - c: a traditional, b and c expansion
    grid = make_grid(chain(3), [TRADITIONAL, EXPANSION, EXPANSION])
    n = grid.cells_per_unit
    none = np.zeros((1, 1, 3), dtype=np.int32)
    assert _unique_largest(none, grid)[0, 0] == grid.n  # no coca: everything is coca-free
    b_full = np.array([[[0, n[1], 0]]], dtype=np.int32)
    assert _unique_largest(b_full, grid)[0, 0] == n[0]  # b full of coca cuts a off from c
    a_full = np.array([[[n[0], 0, 0]]], dtype=np.int32)
    # a (the only anchor) all coca: no coca-free area "around the traditional areas"
    assert _unique_largest(a_full, grid)[0, 0] == 0


def test_coca_free_area_matches_breadth_first_search() -> None:
    grid = make_grid(square_grid(3), [TRADITIONAL, HARD_CORE] + [EXPANSION] * 7)
    rng = np.random.default_rng(7)
    k = (rng.random((40, 1, grid.n_units)) * grid.cells_per_unit * 1.1).astype(np.int32)
    k = np.minimum(k, grid.cells_per_unit)
    got = _unique_largest(k, grid)[:, 0]
    want = [bfs_largest(grid, row[0]) for row in k]
    assert np.array_equal(got, want)


def test_spatial_outcomes_on_a_chain() -> None:
    kinds = np.array([TRADITIONAL, HARD_CORE, EXPANSION])
    grid = make_grid(chain(3), list(kinds))
    cap = grid.capacity_ha
    area = np.array([[[cap, 0, 0], [cap, 0, 3 * cap], [0, 0, 50.0]]])  # (1, 3 years, 3)
    presence = np.array([[[0.9, 0.1, 0.1], [0.9, 0.1, 0.1], [0.9, 0.1, 0.1]]])
    out = spatial_outcomes(area, presence, np.zeros((1, 3)), kinds, grid,
                           SpatialConfig(cleared_ha=100.0, nogo_presence=0.3, nogo_coca_ha=1000))
    assert out["noose_share"][0].tolist() == [1.0, 0.25, 0.0]
    assert out["expansion_cleared"][0].tolist() == [1.0, 0.0, 1.0]
    assert out["frontier_new_cells"][0].tolist() == [1.0, 3.0, 0.0]  # year 3 re-uses a cell
    assert out["nogo_units"][0].tolist() == [0.0, 1.0, 0.0]
    for t in range(3):  # the farthest cell with coca, from the cells themselves
        has = cell_values(area[0, t], grid) > 0
        assert out["frontier_km"][0, t] == pytest.approx(grid.to_hard_core_km[has].max())
    assert out["coca_free_km2"][0, 2] == pytest.approx((grid.n - 1) * grid.cell_km2)


def test_plan_schema_names_the_model_outcomes() -> None:
    from cnplan.model.spatial import SPATIAL
    from cnplan.plans.schema import SPATIAL_OUTCOMES

    assert tuple(SPATIAL) == SPATIAL_OUTCOMES


def test_cells_carry_coca_presence_and_ad() -> None:
    from cnplan.model.cells import cell_state

    grid = make_grid(chain(3), [TRADITIONAL, HARD_CORE, EXPANSION])
    cap = grid.capacity_ha
    state = cell_state(np.array([2.5 * cap, 0.0, cap]), np.array([0.9, 0.1, 0.5]),
                       np.array([cap, 0.0, 0.0]), grid)
    assert np.allclose(unit_sums(state["coca_ha"], grid), [2.5 * cap, 0.0, cap])
    assert np.array_equal(np.unique(state["presence"][grid.unit == 1]), [0.1])
    assert state["ad_reached"].sum() == 1 and state["ad_reached"][0]  # the first-ranked cell


def test_region_totals_equal_summed_cells() -> None:
    from cnplan.model.cells import region_totals

    grid = make_grid(square_grid(3), [TRADITIONAL, HARD_CORE] + [EXPANSION] * 7)
    rng = np.random.default_rng(3)
    region = rng.integers(-1, 4, grid.n)
    area = rng.uniform(0, 1.3 * grid.capacity_ha * grid.cells_per_unit.max(), (5, grid.n_units))
    area[0, :3] = 0.0
    got = region_totals(area, grid, region, 4)
    for s in range(5):
        cells = cell_values(area[s], grid)
        want = [cells[region == r].sum() for r in range(4)]
        assert np.allclose(got[s], want)


def test_plan_view_states_the_spatial_goals() -> None:
    from cnplan.plans import load_plan
    from cnplan.plans.render import goal_sentences

    text = " ".join(goal_sentences(load_plan("lima-2005")))
    assert "Spatial goal noose: noose_share at least its value at the start in 2006" in text
    assert "nogo_units at most" in text and "cable ¶7" in text

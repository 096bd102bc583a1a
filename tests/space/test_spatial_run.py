"""Spatial outcomes and goals in a real run of lima-2005 on Peru, and the exported maps."""

from __future__ import annotations

import numpy as np
import pytest

from cnplan.data import load_dataset
from cnplan.model import simulate
from cnplan.model.cells import cell_values, unit_sums
from cnplan.model.grid import grid_of
from cnplan.model.inputs import geography_of
from cnplan.model.spatial import SPATIAL


@pytest.fixture(scope="module")
def ds():
    return simulate("lima-2005", n=30, seed=3)


def test_every_future_and_year_has_the_spatial_outcomes(ds) -> None:
    for name in SPATIAL:
        assert ds[name].dims == ("scenario", "year")
        assert np.isfinite(ds[name].to_numpy()).all(), name
        assert ds[name].attrs["modelled"] == "cell layer"
    share = ds["noose_share"].to_numpy()
    assert ((share >= 0) & (share <= 1)).all()
    for goal in ("noose", "coca_free_area", "frontier", "no_go"):
        assert ds[f"goal_{goal}_reached"].dtype == bool


def test_cell_totals_equal_the_engine_unit_totals_every_year(ds) -> None:
    data = load_dataset("peru")
    grid = grid_of(data, geography_of(data))
    area = ds["coca_ha"].transpose("scenario", "year", "zone").to_numpy().astype(float)
    for s in range(3):
        for t in range(area.shape[1]):
            cells = cell_values(area[s, t], grid)
            assert np.allclose(unit_sums(cells, grid), area[s, t], rtol=1e-9, atol=1e-6)


def test_same_seed_same_spatial_numbers(ds) -> None:
    again = simulate("lima-2005", n=30, seed=3)
    for name in SPATIAL:
        assert np.array_equal(ds[name].to_numpy(), again[name].to_numpy())


def test_choropleth_charts_one_per_year(ds) -> None:
    from cnplan.report.spacemap import choropleth_charts

    years = [int(y) for y in ds["year"].to_numpy()[[0, -1]]]
    charts = choropleth_charts(ds, load_dataset("peru"), years, {})
    assert [c.id for c in charts] == [f"choropleth_{y}" for y in years]
    assert all("vraem" in c.alt for c in charts)

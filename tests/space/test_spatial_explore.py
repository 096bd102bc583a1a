"""An exploration can keep the spatial outcomes for chosen years, like any yearly series."""

from __future__ import annotations

import numpy as np
import pytest

TEXT = """
name: spatial
plan: lima-2005
seed: 11
chunk_size: 64
uncertainties:
  - param: price_elasticity
levers:
  - {lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}
outcomes:
  - coca_ha: [2011]
  - coca_free_km2: [2011]
  - noose_share: [2006, 2011]
  - nogo_units: [2015]
design:
  method: latin_hypercube
  n: 64
"""


def test_spatial_outcomes_in_an_exploration(tmp_path) -> None:
    from cnplan.explore import load_experiment, run_exploration
    from cnplan.explore.outcomes import outcome_units

    exp = load_experiment(TEXT)
    units = outcome_units(exp)
    assert units["coca_free_km2_2011"] == "km2" and units["noose_share_2006"] == "share"
    folder = run_exploration(exp, tmp_path / "out", progress=False)
    import pandas as pd

    table = pd.concat(pd.read_parquet(p) for p in sorted((folder / "results").glob("*.parquet")))
    assert len(table) == 64
    share = table["noose_share_2011"].to_numpy()
    assert ((share >= 0) & (share <= 1)).all()
    assert np.isfinite(table["coca_free_km2_2011"]).all()
    assert (table["coca_free_km2_2011"] > 0).all()


def test_unknown_spatial_series_is_a_located_error() -> None:
    from cnplan.explore import load_experiment

    with pytest.raises(Exception, match=r"outcomes\[0\].*coca_free_km2"):
        load_experiment(TEXT.replace("coca_ha: [2011]", "coca_free_area: [2011]"))

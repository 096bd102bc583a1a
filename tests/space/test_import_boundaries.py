"""An imported dataset folder may carry its zone polygons; they are checked and installed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cnplan.data import DataError, load_dataset
from cnplan.data.importer import import_dataset
from cnplan.data.load import shipped_path


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(tmp_path / "home"))
    return tmp_path


def _copy_peru(dest: Path) -> Path:
    src = shipped_path("peru")
    dest.mkdir()
    for name in ("zones.csv", "observations.csv", "crosswalk.csv", "sources.csv",
                 "boundaries.geojson"):
        shutil.copy(src / name, dest / name)
    return dest


def test_imported_polygons_give_adjacency(data_home: Path) -> None:
    from cnplan.model.inputs import geography_of

    folder = _copy_peru(data_home / "peru2")
    installed = import_dataset(folder, "peru2")
    assert (installed / "boundaries.geojson").is_file()
    geo = geography_of(load_dataset("peru2"))
    assert geo.adjacency is not None
    k = geo.displacement_kernel().to_dense()
    i = {u: n for n, u in enumerate(geo.units)}
    assert k[i["vraem"], i["amazon"]] == 0 and k[i["vraem"], i["central"]] > 0


def test_polygons_for_unknown_zones_are_refused(data_home: Path) -> None:
    folder = _copy_peru(data_home / "bad")
    raw = json.loads((folder / "boundaries.geojson").read_text(encoding="utf-8"))
    raw["features"][-1]["properties"]["id"] = "atlantis"
    (folder / "boundaries.geojson").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(DataError, match="atlantis.*not in zones.csv"):
        import_dataset(folder, "bad")

"""Fixtures for the data-layer tests: an isolated user data folder and a tiny synthetic dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

# SYNTHETIC test data (not real figures): a one-zone country with national values only.
SYNTH_ZONES = pd.DataFrame([{
    "zone_id": "all", "name": "Whole country (synthetic)", "country": "Testland",
    "kind": "traditional", "lat": "-16.5", "lon": "-68.1", "departments": "", "note": "synthetic",
}])
SYNTH_OBS = pd.DataFrame([
    {"country": "Testland", "zone": "all", "year": str(y), "period": "year",
     "variable": "coca_ha", "value": str(v), "unit": "ha", "source_id": "T1",
     "quality": "other", "note": "synthetic test value"}
    for y, v in [(2010, 100), (2011, 110), (2013, 130)]
])
SYNTH_SOURCES = pd.DataFrame([{"source_id": "T1", "title": "synthetic test source", "url": "",
                               "publisher_kind": "other"}])


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user data folder at a temporary directory for every test."""
    root = tmp_path / "userdata"
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(root))
    return root


def write_folder(path: Path, obs: pd.DataFrame = SYNTH_OBS, zones: pd.DataFrame = SYNTH_ZONES,
                 sources: pd.DataFrame | None = SYNTH_SOURCES) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    obs.to_csv(path / "observations.csv", index=False)
    zones.to_csv(path / "zones.csv", index=False)
    if sources is not None:
        sources.to_csv(path / "sources.csv", index=False)
    return path


@pytest.fixture
def synth_folder(tmp_path: Path) -> Path:
    """A valid synthetic one-zone dataset folder."""
    return write_folder(tmp_path / "testland")


@pytest.fixture
def synth_xlsx(tmp_path: Path) -> Path:
    """The same synthetic dataset as an Excel workbook."""
    path = tmp_path / "testland.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        SYNTH_ZONES.to_excel(xl, sheet_name="zones", index=False)
        obs = SYNTH_OBS.assign(year=SYNTH_OBS["year"].astype(int),
                               value=SYNTH_OBS["value"].astype(float))
        obs.to_excel(xl, sheet_name="observations", index=False)
        SYNTH_SOURCES.to_excel(xl, sheet_name="sources", index=False)
    return path


@pytest.fixture
def make_folder(tmp_path: Path):
    """Return a function writing a dataset folder from (possibly broken) tables."""
    counter = iter(range(1000))

    def make(obs: pd.DataFrame = SYNTH_OBS, zones: pd.DataFrame = SYNTH_ZONES,
             sources: pd.DataFrame | None = SYNTH_SOURCES) -> Path:
        return write_folder(tmp_path / f"case{next(counter)}", obs, zones, sources)

    return make


@pytest.fixture
def synth_obs() -> pd.DataFrame:
    """A fresh copy of the synthetic observations (text cells) to break in a test."""
    return SYNTH_OBS.copy()

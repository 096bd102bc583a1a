"""The run folder: the ensemble as NetCDF, outcomes per scenario as Parquet, and ``run.json``.

``run.json`` records everything needed to reproduce a run exactly: the plan (its full text),
seed, number of scenarios, parameter set, data name and version, code version and the
assumptions the inputs used. Files are written to a temporary folder and renamed into place,
so a crash never leaves a half-written run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from cnplan.errors import CnplanError

ENSEMBLE = "ensemble.nc"
OUTCOMES = "outcomes.parquet"
RUN_JSON = "run.json"


class RunError(CnplanError):
    """A run folder is missing or unreadable."""


def outcomes_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario: goal outcomes, national coca and poppy by year, and parameters."""
    table = pd.DataFrame({"scenario": ds.scenario.to_numpy()})
    for goal in ("hold_the_line", "marginal_producer", "stability_point"):
        table[f"{goal}_reached"] = ds[f"{goal}_reached"].to_numpy()
        table[f"{goal}_year"] = ds[f"{goal}_year"].to_numpy()
    for crop in ("coca", "poppy"):
        values = ds.national_ha.sel(crop=crop).to_numpy()
        for j, year in enumerate(ds.year.to_numpy()):
            table[f"{crop}_ha_{year}"] = values[:, j]
    params = ds.parameters.to_numpy()
    for j, name in enumerate(ds.parameter.to_numpy()):
        table[f"param_{name}"] = params[:, j]
    return table


def default_folder(plan_name: str, root: str | Path | None = None) -> Path:
    """``runs/<plan>-<UTC time>``, under ``$CNPLAN_HOME`` when it is set (see
    :func:`cnplan.files.output_root`).
    """
    from cnplan.files import output_root

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return Path(root if root is not None else output_root("runs")) / f"{plan_name}-{stamp}"


def write_run(ds: xr.Dataset, folder: str | Path, meta: dict[str, Any],
              yearly: pd.DataFrame | None = None) -> Path:
    """Write a run atomically; refuse to overwrite a folder that already holds a run.

    ``yearly`` (see :func:`cnplan.runs.sheets.yearly_bands`) is written as ``yearly.csv`` and
    ``yearly.xlsx`` beside the ensemble, so the table a user is asked for is already there.
    """
    folder = Path(folder)
    if (folder / RUN_JSON).exists():
        raise RunError(f"{folder}: already holds a run; choose another --out")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        ds.to_netcdf(tmp / ENSEMBLE, engine="h5netcdf")
        outcomes_table(ds).to_parquet(tmp / OUTCOMES, index=False)
        if yearly is not None:
            from cnplan.runs.sheets import write_yearly

            write_yearly(tmp, yearly, meta)
        (tmp / RUN_JSON).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        if folder.exists():
            for item in tmp.iterdir():
                os.replace(item, folder / item.name)
            tmp.rmdir()
        else:
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def load_run(folder: str | Path) -> tuple[xr.Dataset, dict[str, Any]]:
    """Open a run folder: the ensemble (loaded into memory) and its ``run.json``."""
    folder = Path(folder)
    if not (folder / RUN_JSON).is_file():
        raise RunError(f"{folder}: not a run folder (no {RUN_JSON})")
    meta = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
    with xr.open_dataset(folder / ENSEMBLE, engine="h5netcdf") as ds:
        return ds.load(), meta

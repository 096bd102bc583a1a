"""Finding and loading datasets: the shipped ``peru``, user-imported ones, or a folder path."""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from cnplan.data.dataset import Dataset
from cnplan.data.schema import FORMAT_VERSION, REQUIRED, DataError, series_of
from cnplan.data.validate import FILES, read_tables, validate_tables
from cnplan.data.values import parse_value

SHIPPED = ("peru", "colombia")
"""Datasets shipped inside the package (``cnplan/data/<name>/``)."""

ENV_DATA_DIR = "CNPLAN_DATA_DIR"


def data_dir() -> Path:
    """Return the user data folder; imported datasets live in its ``datasets/`` sub-folder.

    ``$CNPLAN_DATA_DIR`` overrides ``platformdirs.user_data_dir("cnplan")`` (tests, shared
    installs). Nothing is created here.
    """
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("cnplan"))


def datasets_dir() -> Path:
    """Return the folder holding imported datasets (``<data_dir>/datasets``)."""
    return data_dir() / "datasets"


def shipped_path(name: str) -> Path:
    """Return the package folder of a shipped dataset."""
    return Path(str(resources.files("cnplan.data").joinpath(name)))


def resolve(name_or_path: str | Path) -> tuple[str, Path]:
    """Return ``(name, folder)`` of a dataset given by shipped name, imported name or path.

    Raises
    ------
    DataError
        If nothing of that name exists (the message lists what is available).
    """
    text = str(name_or_path)
    if text in SHIPPED:
        return text, shipped_path(text)
    imported = datasets_dir() / text
    if "/" not in text and "\\" not in text and imported.is_dir():
        return text, imported
    path = Path(text).expanduser()
    if path.exists():
        name = path.stem if path.is_file() else path.name
        return name, path
    available = ", ".join(available_names()) or "none"
    raise DataError(f"no dataset {text!r}: not a shipped or imported name, not a path "
                    f"(available: {available})")


def available_names() -> list[str]:
    """Return the shipped dataset names followed by the imported ones (sorted)."""
    root = datasets_dir()
    imported = sorted(p.name for p in root.iterdir()
                      if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
    return list(SHIPPED) + [n for n in imported if n not in SHIPPED]


def content_version(path: Path) -> str:
    """Return a 12-hex-digit hash of a dataset's files (stable across runs and machines)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else [path / f"{k}.csv" for k in FILES]
    for file in files:
        if file.exists():
            digest.update(file.name.encode())
            digest.update(file.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:12]


def format_version(tables: dict[str, pd.DataFrame]) -> int:
    """The dataset's format version: ``meta.csv``'s ``format_version``, else 1."""
    meta = tables.get("meta")
    if meta is None or "key" not in meta.columns:
        return 1
    rows = meta.loc[meta["key"] == "format_version", "value"]
    return int(rows.iloc[0]) if len(rows) else 1


def migrate_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Bring validated text tables to the current format (in memory; nothing is written).

    Version 1 → 2 is additive: ``observations`` gains empty ``lower``/``upper`` columns and
    ``meta`` records the version. Values already valid in version 1 mean the same in 2.
    """
    out = dict(tables)
    obs = out["observations"].copy()
    for col in ("lower", "upper"):
        if col not in obs.columns:
            obs[col] = ""
    out["observations"] = obs[REQUIRED["observations"] + ["lower", "upper"]]
    out["meta"] = pd.DataFrame({"key": ["format_version"], "value": [str(FORMAT_VERSION)]})
    return out


def _bounds(obs: pd.DataFrame) -> pd.DataFrame:
    """Parse value cells into point ``value`` and ``lower``/``upper`` bounds, flag ``bound``."""
    parsed = obs["value"].map(parse_value)
    obs["value"] = [p[0] for p in parsed]
    lower = pd.Series([p[1] for p in parsed], index=obs.index, dtype=float)
    upper = pd.Series([p[2] for p in parsed], index=obs.index, dtype=float)
    for col, parsed_col in (("lower", lower), ("upper", upper)):
        given = pd.to_numeric(obs.get(col, pd.Series("", index=obs.index)), errors="coerce")
        obs[col] = given.where(given.notna(), parsed_col).astype(float)
    obs["bound"] = obs["value"].isna() & (obs["lower"].notna() | obs["upper"].notna())
    return obs


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Convert validated text tables to their working types."""
    obs = tables["observations"].copy()
    obs["year"] = pd.to_numeric(obs["year"]).astype(int)
    obs = _bounds(obs)
    obs["series"] = obs["note"].map(series_of)
    zones = tables["zones"].copy()
    zones[["lat", "lon"]] = zones[["lat", "lon"]].apply(pd.to_numeric)
    cross = tables.get("crosswalk")
    if cross is None:
        cross = pd.DataFrame({"source_name": zones["zone_id"], "zone_ids": zones["zone_id"],
                              "level": "zone", "note": "zone id (no crosswalk file)"})
    sources = tables.get("sources", pd.DataFrame(columns=REQUIRED["sources"]))
    return {"observations": obs.reset_index(drop=True), "zones": zones, "crosswalk": cross,
            "sources": sources}


def load_dataset(name: str | Path = "peru") -> Dataset:
    """Load and validate a dataset.

    Parameters
    ----------
    name
        ``"peru"`` or ``"colombia"`` (shipped), the name of a dataset imported with
        ``cnplan data import``, or a path to a dataset folder or Excel workbook.

    Raises
    ------
    DataError
        If the dataset does not exist or is invalid (every problem is listed).
    """
    ds_name, path = resolve(name)
    tables, labels = read_tables(path)
    problems = validate_tables(tables, labels)
    if problems:
        raise DataError(problems)
    version = format_version(tables)
    t = _typed(migrate_tables(tables))
    return Dataset(name=ds_name, observations=t["observations"], zones=t["zones"],
                   crosswalk=t["crosswalk"], sources=t["sources"],
                   version=content_version(path), path=str(path), format_version=version)

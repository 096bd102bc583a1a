"""Importing a user's dataset (CSV folder or Excel workbook) into the user data folder."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from cnplan.data.load import SHIPPED, datasets_dir
from cnplan.data.schema import DataError, Problem
from cnplan.data.validate import read_tables, validate_tables

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def import_dataset(path: str | Path, name: str, force: bool = False) -> Path:
    """Validate a dataset and install it as ``name`` so ``load_dataset(name)`` finds it.

    The files are written to a temporary folder next to the destination and moved into place
    with one rename, so a failed or invalid import leaves nothing behind and never a half-written
    dataset.

    Parameters
    ----------
    path
        A folder with ``zones.csv`` and ``observations.csv`` (optional ``crosswalk.csv``,
        ``sources.csv``), or an Excel workbook with sheets of those names.
    name
        Lower-case name (letters, digits, ``_``, ``-``); shipped names cannot be replaced.
    force
        Replace an existing imported dataset of the same name.

    Returns
    -------
    Path
        The installed dataset folder.

    Raises
    ------
    DataError
        If the name is not allowed or taken, or the data has any problem (all are listed).
    """
    if not NAME.match(name):
        raise DataError(f"dataset name {name!r} must be lower case letters, digits, '_' or '-'")
    if name in SHIPPED:
        raise DataError(f"{name!r} is a shipped dataset and cannot be replaced")
    root = datasets_dir()
    dest = root / name
    if dest.exists() and not force:
        raise DataError(f"dataset {name!r} already exists at {dest}; use --force to replace it")
    tables, labels = read_tables(path)
    problems = validate_tables(tables, labels)
    if problems:
        raise DataError(problems)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        for kind, df in tables.items():
            df.to_csv(tmp / f"{kind}.csv", index=False, encoding="utf-8", lineterminator="\n")
        old = None
        if dest.exists():
            old = root / f".{name}-old"
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
        tmp.rename(dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataError([Problem(str(dest), None, None, f"cannot install: {exc}")]) from exc
    return dest

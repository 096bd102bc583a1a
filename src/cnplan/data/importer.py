"""Importing a user's dataset (CSV folder or Excel workbook) into the user data folder."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from cnplan.data.load import SHIPPED, datasets_dir
from cnplan.data.schema import DataError, Problem
from cnplan.data.validate import read_tables, validate_tables
from cnplan.files import exclusive_lock

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
    extra = _boundaries(Path(path), tables)
    root.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(root / LOCK, wait=True):
        _remove_leftovers(root)
        return _install(tables, root, name, dest, extra)


def _boundaries(path: Path, tables: dict) -> dict[str, bytes]:
    """A folder's ``boundaries.geojson`` (zone polygons for adjacency, cells and maps), checked
    against its zones; carried into the installed dataset unchanged.
    """
    from cnplan.data.boundaries import FILE, boundary_problems

    source = path / FILE
    if not (path.is_dir() and source.is_file()):
        return {}
    problems = boundary_problems(source, [str(z) for z in tables["zones"]["zone_id"]])
    if problems:
        raise DataError([Problem(FILE, None, None, p) for p in problems])
    return {FILE: source.read_bytes()}


LOCK = ".import.lock"
"""Held by an import while it writes; a folder ``.NAME-xxxxxxxx`` seen under it is a leftover."""

_LEFTOVER = re.compile(r"^\.[a-z0-9][a-z0-9_-]*-(?:[a-z0-9_]{8}|old)$")


def _remove_leftovers(root: Path) -> None:
    """Delete the hidden folders of imports that were killed (only called under the lock,
    when no other import can be writing one).
    """
    for path in root.iterdir():
        if not (path.is_dir() and _LEFTOVER.match(path.name)):
            continue
        replaced = root / path.name[1:-len("-old")]
        if path.name.endswith("-old") and not replaced.exists():
            path.rename(replaced)  # killed between the two renames: the old data comes back
        else:
            shutil.rmtree(path, ignore_errors=True)


def _install(tables: dict, root: Path, name: str, dest: Path,
             extra: dict[str, bytes] | None = None) -> Path:
    """Write the tables to a hidden folder and rename it into place (see import_dataset)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        for kind, df in tables.items():
            df.to_csv(tmp / f"{kind}.csv", index=False, encoding="utf-8", lineterminator="\n")
        for file, content in (extra or {}).items():
            (tmp / file).write_bytes(content)
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


def migrate_dataset(path: str | Path, out: str | Path | None = None) -> Path:
    """Rewrite a dataset in the current format (``cnplan data migrate``).

    The dataset must be valid; version-1 files gain ``meta.csv`` and empty ``lower``/``upper``
    columns (nothing else changes meaning). A folder is rewritten in place unless ``out`` is
    given; a workbook is written as a CSV folder (``out``, default the workbook's name without
    suffix). Each file is written atomically.

    Raises
    ------
    DataError
        If the dataset has any problem (all are listed); nothing is written then.
    """
    from cnplan.data.load import migrate_tables
    from cnplan.files import write_atomic

    path = Path(path)
    tables, labels = read_tables(path)
    problems = validate_tables(tables, labels)
    if problems:
        raise DataError(problems)
    dest = Path(out) if out else (path if path.is_dir() else path.with_suffix(""))
    for kind, df in migrate_tables(tables).items():
        write_atomic(dest / f"{kind}.csv",
                     lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8",
                                                  lineterminator="\n"))
    return dest

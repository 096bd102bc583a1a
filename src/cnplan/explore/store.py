"""The exploration folder: a manifest and one Parquet file per finished chunk.

Layout (read by the web app and reports)::

    DIR/manifest.json                  kind "exploration", experiment text, design, seeds,
                                       versions, columns with units, chunks and finished ids
    DIR/results/chunk-NNNNNN.parquet   columns: scenario, inputs..., outcomes...

Nothing is lost or duplicated: a chunk file is written under a temporary name and renamed into
place (``os.replace`` is atomic), and only then is its id added to the manifest, itself
rewritten through a temporary file. A chunk whose id is not in the manifest (a crash between
the rename and the manifest update, or a temporary file) is never read as a result; a resumed
run simply computes it again and replaces the file.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cnplan.errors import CnplanError
from cnplan.files import LockBusy, exclusive_lock, write_atomic, write_text_atomic

MANIFEST = "manifest.json"
RESULTS = "results"
LOCK = ".lock"
"""Held (``flock``) by the one process writing an exploration: a run or a resume."""


class ResultsError(CnplanError):
    """An exploration folder is missing, not an exploration, or inconsistent."""


@contextlib.contextmanager
def writer_lock(folder: str | Path) -> Iterator[None]:
    """Hold the folder's write lock for the block; refuse if another process holds it.

    Two writers in one folder would mix the chunks of two experiments, or one would delete
    files the other recorded. The lock is an ``flock`` on ``DIR/.lock``
    (:func:`cnplan.files.exclusive_lock`), dropped by the kernel however the holder ends.
    """
    folder = Path(folder)
    held = contextlib.ExitStack()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        held.enter_context(exclusive_lock(folder / LOCK))
    except LockBusy as exc:
        raise ResultsError(
            f"{folder.name}: another cnplan process (pid {exc.holder}) is writing this "
            "exploration; wait for it to finish, or use another --out") from None
    except OSError as exc:
        raise ResultsError(f"{folder.name}: cannot write the exploration folder "
                           f"({exc.strerror or exc})") from None
    with held:
        yield


def missing_chunks(folder: str | Path, chunks: list[int]) -> list[int]:
    """The chunks among ``chunks`` whose file is missing or not a readable Parquet file."""
    import pyarrow.parquet as pq

    bad = []
    for chunk in chunks:
        try:
            pq.read_metadata(chunk_path(Path(folder), chunk))
        except (OSError, ValueError):  # missing, truncated or not Parquet (pyarrow's errors)
            bad.append(chunk)
    return bad


def chunk_path(folder: Path, chunk: int) -> Path:
    return Path(folder) / RESULTS / f"chunk-{chunk:06d}.parquet"


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    text = json.dumps(manifest, indent=1, default=_json_default)
    write_text_atomic(Path(folder) / MANIFEST, text)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer | np.floating):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of an exploration folder; ResultsError if there is none."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ResultsError(f"{folder}: not an exploration folder (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "exploration":
        got = manifest.get("kind") if isinstance(manifest, dict) else type(manifest).__name__
        raise ResultsError(f"{path}: kind must be 'exploration', got {got!r}")
    return manifest


def write_chunk(folder: Path, chunk: int, frame: pd.DataFrame) -> Path:
    """Write one chunk's rows (``scenario`` + inputs + outcomes) atomically."""
    return write_atomic(
        chunk_path(folder, chunk), lambda p: frame.to_parquet(p, index=False, engine="pyarrow")
    )


def write_table(path: str | Path, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
    """Write ``frame`` as Parquet with ``meta`` as JSON under the schema metadata key
    ``cnplan``, atomically: how analysis results keep their settings beside their numbers.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"cnplan": json.dumps(meta).encode()}
    )
    return write_atomic(path, lambda p: pq.write_table(table, p))


def read_table(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read what :func:`write_table` wrote: the frame and its ``cnplan`` metadata."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return table.to_pandas(), json.loads(table.schema.metadata[b"cnplan"])


class Results:
    """An exploration's results: the manifest and the finished chunks' rows.

    Only chunks listed as finished in the manifest are read, so a half-written or orphan file
    never shows up as a result.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.manifest = read_manifest(self.folder)

    @property
    def input_columns(self) -> list[str]:
        return list(self.manifest["input_columns"])

    @property
    def outcome_columns(self) -> list[str]:
        return list(self.manifest["outcome_columns"])

    @property
    def complete(self) -> bool:
        return len(self.manifest["finished_chunks"]) == self.manifest["chunks_total"]

    @property
    def files(self) -> list[Path]:
        """Parquet files of the finished chunks, in chunk order."""
        paths = [chunk_path(self.folder, c) for c in sorted(self.manifest["finished_chunks"])]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ResultsError(
                f"{self.folder}: finished chunk files are missing: {', '.join(missing)}"
            )
        return paths

    def frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """All finished rows as pandas, index ``scenario`` (sorted)."""
        cols = ["scenario", *self.input_columns, *self.outcome_columns]
        if columns is not None:
            cols = ["scenario", *[c for c in columns if c != "scenario"]]
        files = self.files
        if not files:
            return pd.DataFrame(columns=cols).set_index("scenario")
        parts = [pd.read_parquet(p, columns=cols, engine="pyarrow") for p in files]
        frame = pd.concat(parts, ignore_index=True).set_index("scenario").sort_index()
        return frame

    def sql(self, query: str) -> pd.DataFrame:
        """Run a DuckDB query over the finished chunks; the table is called ``results``."""
        import duckdb

        files = self.files
        con = duckdb.connect()
        try:
            if files:
                listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
                con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet([{listing}])")
            else:
                cols = ", ".join(
                    f'"{c}" DOUBLE'
                    for c in ["scenario", *self.input_columns, *self.outcome_columns]
                )
                con.execute(f"CREATE TABLE results ({cols})")
            try:
                return con.execute(query).df()
            except duckdb.Error as exc:
                raise ResultsError(f"--sql: {exc}") from None
        finally:
            con.close()

    def to_xarray(self):
        """The rows as an ``xarray.Dataset`` over ``scenario``, with units and provenance."""
        import xarray as xr

        ds = xr.Dataset.from_dataframe(self.frame())
        units = self.manifest.get("units", {})
        for name in ds.data_vars:
            if name in units:
                ds[name].attrs["units"] = units[name]
        for key in (
            "experiment",
            "plan",
            "design",
            "seed",
            "code_version",
            "data_version",
            "parameter_set",
        ):
            value = self.manifest.get(key)
            ds.attrs[key] = value if isinstance(value, str | int | float) else json.dumps(value)
        return ds

    def summary(self) -> dict[str, Any]:
        """Rows, inputs with ranges, and outcome distributions (for ``cnplan results``)."""
        frame = self.frame()
        inputs = []
        for c in self.input_columns:
            col = frame[c]
            inputs.append(
                {
                    "column": c,
                    "min": _num(col.min()),
                    "max": _num(col.max()),
                    "distinct": int(col.nunique()),
                }
            )
        outcomes = []
        units = self.manifest.get("units", {})
        for c in self.outcome_columns:
            col = frame[c]
            entry: dict[str, Any] = {"column": c, "unit": units.get(c, "")}
            if col.dtype == bool:
                entry["share_true"] = _num(col.mean()) if len(col) else None
            else:
                valid = col.dropna()
                entry["count"] = int(valid.size)
                entry["missing"] = int(col.size - valid.size)
                if valid.size:
                    q = valid.quantile([0.05, 0.5, 0.95])
                    entry.update(p05=_num(q.iloc[0]), median=_num(q.iloc[1]), p95=_num(q.iloc[2]))
            outcomes.append(entry)
        m = self.manifest
        return {
            "folder": str(self.folder),
            "experiment": m.get("experiment"),
            "plan": m.get("plan"),
            "design": m.get("design"),
            "rows": int(len(frame)),
            "rows_total": m.get("n_rows"),
            "chunks_finished": len(m["finished_chunks"]),
            "chunks_total": m["chunks_total"],
            "inputs": inputs,
            "outcomes": outcomes,
        }


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def open_results(folder: str | Path) -> Results:
    """Open an exploration folder written by ``run_exploration``."""
    return Results(folder)

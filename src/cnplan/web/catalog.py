"""What is in the home folder: saved runs, explorations and uploaded plans, read safely.

Runs are folders under ``runs/`` holding ``run.json`` (written by ``cnplan run``); explorations
are folders under ``explorations/`` holding a ``manifest.json`` with ``"kind": "exploration"``.
Only the JSON files are read; a folder whose JSON cannot be read is listed with its problem,
never a server error. Parsed JSON is cached by modification time so listing is cheap.
"""

from __future__ import annotations

import json
import math
import re
import threading
from pathlib import Path
from typing import Any

from cnplan.web.paths import NAME, UnsafeName, inside

RUN_FIELDS = ("plan", "plan_source", "seed", "scenarios", "years", "parameter_set", "data",
              "data_version", "code_version")
"""run.json fields shown in lists and returned by the API (not the plan text)."""

MANIFEST_FIELDS = ("name", "experiment", "base_plan", "plan", "data", "data_version",
                   "parameter_set", "design", "seed", "years", "n", "n_rows", "chunk_size",
                   "chunks_total", "chunks_done", "created", "updated", "finished",
                   "input_columns", "outcome_columns", "code_version")
"""Manifest fields shown (``cnplan.explore`` writes most; older or other writers may differ)."""

_cache: dict[Path, tuple[float, Any]] = {}
_lock = threading.Lock()


class NotFound(LookupError):
    """A run, exploration or plan that does not exist (or whose name was refused)."""


def read_json(path: Path) -> Any:
    """``path`` parsed as JSON, cached by mtime; raises OSError or ValueError."""
    mtime = path.stat().st_mtime
    with _lock:
        hit = _cache.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    value = json.loads(path.read_text(encoding="utf-8"))
    with _lock:
        _cache[path] = (mtime, value)
    return value


_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[^\s/'\"():,]+/)+([^\s/'\"():,]*)")


def without_paths(message: object, folder: Path) -> str:
    """``message`` with the server's folders left out: ``folder`` becomes its name and any
    other absolute path its last part (a page must not show where the server keeps files).
    """
    text = str(message)
    for form in {str(folder.resolve()), str(folder.absolute()), str(folder)}:
        text = text.replace(form, folder.name)
    return _ABSOLUTE.sub(lambda m: m.group(1) or "(folder)", text)


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    base = root.resolve()
    out = []
    for p in root.iterdir():
        if NAME.fullmatch(p.name) and p.is_dir() and p.resolve().parent == base:
            out.append(p)
    return sorted(out, key=lambda p: p.name)


# -- runs -------------------------------------------------------------------------------------
def run_summary(folder: Path) -> dict[str, Any]:
    """The listed facts of one run folder, its goals and whether it has a report."""
    meta = read_json(folder / "run.json")
    out = {"id": folder.name}
    out.update({k: meta.get(k) for k in RUN_FIELDS})
    out["goals"] = _clean(meta.get("goals", []))
    out["central_trajectory"] = _clean(meta.get("central_trajectory"))
    out["levers_from_actuals"] = meta.get("levers_from_actuals", [])
    out["assumptions"] = meta.get("assumptions", [])
    out["variant"] = [c.get("text") for c in meta.get("variant") or [] if isinstance(c, dict)]
    out["has_report"] = (folder / "report.html").is_file()
    out["has_yearly"] = (folder / "yearly.xlsx").is_file()
    out["created"] = _mtime_iso(folder / "run.json")
    return out


def _mtime_iso(path: Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def list_runs(runs_dir: Path) -> list[dict[str, Any]]:
    """Every run folder with a readable ``run.json``, newest first."""
    out = []
    for folder in _folders(runs_dir):
        if not (folder / "run.json").is_file():
            continue
        try:
            out.append(run_summary(folder))
        except (OSError, ValueError, AttributeError) as exc:
            out.append({"id": folder.name, "problem": f"run.json unreadable: {exc}"})
    return sorted(out, key=lambda r: r.get("created") or "", reverse=True)


def run_folder(runs_dir: Path, run_id: str) -> Path:
    """The folder of run ``run_id``; :class:`NotFound` if the name is unsafe or not a run."""
    try:
        folder = inside(runs_dir, run_id, "run id")
    except UnsafeName as exc:
        raise NotFound(str(exc)) from None
    if not (folder / "run.json").is_file():
        raise NotFound(f"no run {run_id!r}")
    return folder


def read_run(runs_dir: Path, run_id: str) -> tuple[Path, dict[str, Any]]:
    """Folder and summary of run ``run_id``; :class:`NotFound` also if its run.json is broken."""
    folder = run_folder(runs_dir, run_id)
    try:
        return folder, run_summary(folder)
    except (OSError, ValueError, AttributeError) as exc:
        raise NotFound(f"run {run_id!r}: run.json unreadable ({exc})") from None


# -- explorations -----------------------------------------------------------------------------
def exploration_summary(folder: Path) -> dict[str, Any] | None:
    """Manifest fields of an exploration folder, or ``None`` if it is not one."""
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    try:
        manifest = read_json(path)
    except (OSError, ValueError) as exc:
        return {"id": folder.name,
                "problem": f"manifest.json unreadable: {without_paths(exc, folder)}"}
    if not isinstance(manifest, dict) or manifest.get("kind") != "exploration":
        return None
    out = {"id": folder.name}
    out.update({k: _clean(manifest[k]) for k in MANIFEST_FIELDS if k in manifest})
    if "chunks_done" not in out and isinstance(manifest.get("finished_chunks"), list):
        out["chunks_done"] = len(manifest["finished_chunks"])
    design = out.get("design")
    out["design_label"] = (
        " ".join(str(design[k]) for k in ("method", "n") if design.get(k) is not None)
        if isinstance(design, dict) else (str(design) if design is not None else "")
    )
    out["has_report"] = (folder / "report.html").is_file()
    results = folder / "results"
    out["result_files"] = (
        len([p for p in results.iterdir() if p.suffix == ".parquet"]) if results.is_dir() else 0
    )
    return out


MAX_SUMMARY_COLUMNS = 24


def outcome_summary(folder: Path) -> dict[str, Any]:
    """Finished rows and per-outcome count, mean and 10/50/90th percentiles over the scenarios.

    Read through ``cnplan.explore.open_results`` (only chunks the manifest lists as finished);
    at most :data:`MAX_SUMMARY_COLUMNS` outcome columns. Any problem is returned as a note.
    """
    try:
        from cnplan.explore import open_results

        results = open_results(folder)
        columns = list(results.outcome_columns)[:MAX_SUMMARY_COLUMNS]
        frame = results.frame(columns=columns)
    except Exception as exc:  # a summary is optional: say why it is missing, never fail
        return {"rows": None, "outcomes": [], "note": f"no summary: {without_paths(exc, folder)}"}
    rows = []
    for col in columns:
        values = frame[col].astype(float)
        q = values.quantile([0.1, 0.5, 0.9]) if values.notna().any() else None
        rows.append(_clean({
            "outcome": col, "count": int(values.notna().sum()), "mean": float(values.mean()),
            "p10": float(q.iloc[0]) if q is not None else None,
            "p50": float(q.iloc[1]) if q is not None else None,
            "p90": float(q.iloc[2]) if q is not None else None,
        }))
    note = "over the finished scenarios; goal outcomes are 1 if reached, else 0"
    return {"rows": len(frame), "outcomes": rows, "note": note}


def list_explorations(root: Path) -> list[dict[str, Any]]:
    """Every folder under ``root`` whose manifest says it is an exploration."""
    found = (exploration_summary(f) for f in _folders(root))
    return [e for e in found if e is not None]


def exploration_folder(root: Path, name: str) -> Path:
    """The folder of exploration ``name``; :class:`NotFound` if unsafe or not an exploration."""
    try:
        folder = inside(root, name, "exploration")
    except UnsafeName as exc:
        raise NotFound(str(exc)) from None
    if exploration_summary(folder) is None:
        raise NotFound(f"no exploration {name!r}")
    return folder


# -- saved plans ------------------------------------------------------------------------------
def saved_plans(plans_dir: Path) -> list[str]:
    """Names of plans uploaded and saved in the home folder."""
    if not plans_dir.is_dir():
        return []
    return sorted(p.stem for p in plans_dir.glob("*.yaml")
                  if NAME.fullmatch(p.stem) and p.resolve().parent == plans_dir.resolve())

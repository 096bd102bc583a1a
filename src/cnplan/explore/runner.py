"""Running an experiment chunk by chunk: in-process, on local processes or on a Dask cluster.

The driver samples the design once, cuts the rows into fixed chunks (recorded in the
manifest), hands each chunk to a worker as one batched evaluation, and writes what comes back:
workers only compute and return a table; the driver alone writes chunk files and the manifest
(so two workers can never race on the folder, and a worker on another machine needs no shared
disk). A crash or Ctrl-C leaves every finished chunk recorded; :func:`resume` runs the rest.

Back ends (the Platypus evaluator idea: one small interface, serial and parallel behind it):
``workers`` None/1 runs in this process; ``workers=K`` uses K local processes
(``ProcessPoolExecutor``, spawn context); ``scheduler`` is a Dask address
(``tcp://host:8786``), the word ``"local"`` (a ``LocalCluster`` of ``workers`` processes), or
an existing ``distributed.Client``. :func:`executor` opens the same back ends for other batched
work (sensitivity, optimisation): a context manager whose :meth:`Executor.map_ordered` runs
independent tasks and returns their results in order, so the pool outlives many passes.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cnplan
from cnplan.explore.design import sample
from cnplan.explore.evaluate import BATCH, evaluate, prepare
from cnplan.explore.experiment import Experiment, load_experiment
from cnplan.explore.outcomes import outcome_units
from cnplan.explore.store import (
    ResultsError,
    chunk_path,
    missing_chunks,
    read_manifest,
    write_chunk,
    write_manifest,
    writer_lock,
)

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def chunk_bounds(n_rows: int, chunk_size: int) -> list[tuple[int, int]]:
    """Row ranges [a, b) of the chunks."""
    return [(a, min(a + chunk_size, n_rows)) for a in range(0, n_rows, chunk_size)]


def run_chunk_rows(exp: Experiment, rows: pd.DataFrame, seed: int, first_row: int) -> pd.DataFrame:
    """A worker's job: evaluate one chunk's rows; return ``scenario`` + inputs + outcomes."""
    outcomes = evaluate(exp, rows, seed=seed, chunk_size=BATCH, first_row=first_row)
    frame = rows.reset_index(drop=True)
    frame.insert(0, "scenario", np.arange(first_row, first_row + len(rows), dtype=np.int64))
    return pd.concat([frame, outcomes.reset_index(drop=True)], axis=1)


def _worker_init(driver: int) -> None:
    """Set up a worker process: Ctrl-C is left to the driver (which stops workers cleanly),
    and the worker ends when the driver dies, even by ``kill -9``.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); a daemon
    thread that sees the parent change covers other systems and a parent that died before
    the request was made.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    threading.Thread(target=_watch_driver, args=(driver,), daemon=True,
                     name="cnplan-driver-watch").start()


def _watch_driver(driver: int) -> None:
    while os.getppid() == driver:
        time.sleep(0.5)
    os._exit(1)  # the driver is gone: nobody will read this worker's results


def _manifest(exp: Experiment, chunk_size: int, n_rows: int) -> dict[str, Any]:
    prep = prepare(exp)
    cols = exp.input_columns
    units = outcome_units(exp)
    inputs = {}
    for v in exp.levers:
        inputs[v.column] = {
            "kind": "lever",
            "mode": v.mode,
            "lever": v.lever,
            "zone": v.zone,
            "from_year": v.from_year,
        }
    for u in exp.uncertainties:
        inputs[u.column] = {"kind": "param" if u.param else "driver"}
    return {
        "kind": "exploration",
        "experiment": exp.name,
        "experiment_text": exp.source_text or _yaml_of(exp),
        "base_dir": str(Path(exp.base_dir).resolve()),
        "plan": prep.plan.name,
        "data": prep.data_name,
        "data_version": prep.data_version,
        "parameter_set": prep.paramset.name,
        "design": exp.design.model_dump(),
        "seed": exp.seed,
        "years": [int(prep.inputs.years[0]), int(prep.inputs.years[prep.n_report - 1])],
        "n_rows": n_rows,
        "chunk_size": chunk_size,
        "chunks_total": len(chunk_bounds(n_rows, chunk_size)),
        "finished_chunks": [],
        "code_version": cnplan.code_version(),
        "input_columns": cols,
        "inputs": inputs,
        "outcome_columns": exp.outcome_columns,
        "units": units,
        "created": _now(),
        "updated": _now(),
        "finished": None,
    }


def _yaml_of(exp: Experiment) -> str:
    import yaml

    return yaml.safe_dump(exp.model_dump(mode="json"), sort_keys=False)


def run_exploration(
    experiment: Experiment | str | Path,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> Path:
    """Run a whole experiment into a new exploration folder.

    Parameters
    ----------
    experiment : an Experiment or an experiment file.
    out_dir : the folder to create (refused if it already holds an exploration: resume it).
    workers : local worker processes (None or 1: this process).
    scheduler : Dask scheduler address, ``"local"`` for a LocalCluster, or a Client.
    chunk_size : rows per chunk (default: the experiment's); fixed in the manifest.
    progress : show a progress bar with rate and time left.

    Returns
    -------
    The folder.
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    folder = Path(out_dir)
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size: must be >= 1, got {chunk_size}")
    with writer_lock(folder):
        if (folder / "manifest.json").exists():
            raise ResultsError(
                f"{folder.name}: already holds an exploration; use resume to finish it "
                "or choose another --out"
            )
        rows = sample(exp)
        size = chunk_size or exp.chunk_size
        manifest = _manifest(exp, size, len(rows))
        (folder / "results").mkdir(parents=True, exist_ok=True)
        write_manifest(folder, manifest)
        _run(folder, manifest, exp, rows, workers, scheduler, progress)
    return folder


def resume(
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
) -> Path:
    """Finish an interrupted exploration: run the chunks the manifest lacks, and again any
    recorded chunk whose file is missing or unreadable.
    """
    folder = Path(out_dir)
    read_manifest(folder)  # not an exploration: say so before creating a lock file
    with writer_lock(folder):
        _resume_locked(folder, workers, scheduler, progress)
    return folder


def _resume_locked(folder: Path, workers: int | None, scheduler: Any, progress: bool) -> None:
    manifest = read_manifest(folder)
    lost = missing_chunks(folder, manifest["finished_chunks"])
    if lost:
        log.warning("%s: %d recorded chunk(s) missing or unreadable (%s); computing them again",
                    folder.name, len(lost), ", ".join(map(str, lost[:10])))
        manifest["finished_chunks"] = sorted(set(manifest["finished_chunks"]) - set(lost))
        manifest["finished"] = None
        write_manifest(folder, manifest)
    exp = load_experiment(manifest["experiment_text"], base_dir=manifest.get("base_dir", "."))
    if manifest.get("code_version") != cnplan.code_version():
        log.warning(
            "resuming %s with code %s; it was started with %s",
            folder,
            cnplan.code_version(),
            manifest.get("code_version"),
        )
    rows = sample(exp)
    if len(rows) != manifest["n_rows"]:
        raise ResultsError(
            f"{folder}: the experiment gives {len(rows)} rows, the manifest says "
            f"{manifest['n_rows']}"
        )
    _run(folder, manifest, exp, rows, workers, scheduler, progress)


class _Backend:
    """submit(fn, *args) -> future; wait(futures) -> (done, pending); close()."""

    def __init__(self, workers: int | None, scheduler: Any):
        self.client = None
        self.cluster = None
        self.pool = None
        self.slots = 1
        if scheduler is not None:
            import distributed

            if isinstance(scheduler, distributed.Client):
                self.client, self.own = scheduler, False
            elif scheduler == "local":
                self.cluster = distributed.LocalCluster(
                    n_workers=workers or 2,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client, self.own = distributed.Client(self.cluster), True
            else:
                self.client, self.own = distributed.Client(scheduler, timeout="20s"), True
            n = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or 1
            self.slots = 2 * n
        elif workers is not None and workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init,
                initargs=(os.getpid(),),
            )
            self.slots = 2 * workers

    @property
    def local(self) -> bool:
        return self.client is None and self.pool is None

    def submit(self, fn: Callable, *args: Any):
        if self.client is not None:
            return self.client.submit(fn, *args, pure=False)
        return self.pool.submit(fn, *args)

    def wait(self, futures: list) -> tuple[list, list]:
        if self.client is not None:
            import distributed

            done, pending = distributed.wait(futures, return_when="FIRST_COMPLETED")
        else:
            import concurrent.futures as cf

            done, pending = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return list(done), list(pending)

    def close(self, cancel: list | None = None) -> None:
        if self.client is not None:
            if cancel:
                self.client.cancel(cancel)
            if self.own:
                self.client.close()
                if self.cluster is not None:
                    self.cluster.close()
        if self.pool is not None:
            self.pool.shutdown(wait=cancel is None, cancel_futures=True)


class Executor:
    """Ordered map over independent tasks on an open back end (this process, local processes
    or Dask).

    Tasks are submitted a few per worker slot at a time, so memory stays bounded however many
    there are, and results come back in the order of the items whatever the order they finish.
    """

    def __init__(self, backend: _Backend):
        self._backend = backend

    @property
    def parallel(self) -> bool:
        """True when tasks run outside this process."""
        return not self._backend.local

    @property
    def slots(self) -> int:
        """Tasks kept in flight at once (two per worker)."""
        return self._backend.slots

    def map_ordered(self, fn: Callable, items: Iterable[tuple]) -> list:
        """``[fn(*args) for args in items]``, computed on the back end.

        ``fn`` must be importable by the workers (a module-level function) and the arguments
        picklable. A task's exception is raised here after the tasks still queued are cancelled.
        """
        items = list(items)
        if self._backend.local:
            return [fn(*args) for args in items]
        results: list = [None] * len(items)
        pending: dict[Any, int] = {}
        queue = list(range(len(items)))
        try:
            while queue or pending:
                while queue and len(pending) < self._backend.slots:
                    i = queue.pop(0)
                    pending[self._backend.submit(fn, *items[i])] = i
                done, _ = self._backend.wait(list(pending))
                for fut in done:
                    results[pending.pop(fut)] = fut.result()
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        return results


@contextmanager
def executor(workers: int | None = None, scheduler: Any = None) -> Iterator[Executor]:
    """Open a back end for the duration of a ``with`` block (one pool for many passes).

    Parameters
    ----------
    workers : local worker processes (None or 1: this process); with ``scheduler="local"``,
        the LocalCluster's worker count (default 2).
    scheduler : Dask scheduler address ``tcp://HOST:PORT``, ``"local"`` for a LocalCluster of
        ``workers`` processes, or an existing ``distributed.Client`` (left open).

    Yields
    ------
    Executor
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers: must be >= 1, got {workers}")
    backend = _Backend(workers, scheduler)
    try:
        yield Executor(backend)
    except BaseException:
        backend.close(cancel=[])
        raise
    backend.close()


def _run(
    folder: Path,
    manifest: dict,
    exp: Experiment,
    rows: pd.DataFrame,
    workers: int | None,
    scheduler: Any,
    progress: bool,
) -> None:
    bounds = chunk_bounds(manifest["n_rows"], manifest["chunk_size"])
    finished = set(manifest["finished_chunks"])
    todo = [c for c in range(len(bounds)) if c not in finished]
    seed = manifest["seed"]
    done_rows = sum(b - a for c, (a, b) in enumerate(bounds) if c in finished)
    bar = _Progress(progress, manifest["n_rows"], done_rows)

    def record(chunk: int, frame: pd.DataFrame) -> None:
        write_chunk(folder, chunk, frame)
        manifest["finished_chunks"] = sorted({*manifest["finished_chunks"], chunk})
        manifest["updated"] = _now()
        if len(manifest["finished_chunks"]) == len(bounds):
            manifest["finished"] = manifest["updated"]
        write_manifest(folder, manifest)
        bar.advance(len(frame))

    for c in todo:  # a stale file of an unfinished chunk is never a result: drop it
        chunk_path(folder, c).unlink(missing_ok=True)
    backend = _Backend(workers, scheduler) if todo else None
    pending: dict[Any, int] = {}
    try:
        with bar:
            if backend is None:
                pass
            elif backend.local:
                for c in todo:
                    a, b = bounds[c]
                    record(c, run_chunk_rows(exp, rows.iloc[a:b], seed, a))
            else:
                queue = list(todo)
                while queue or pending:
                    while queue and len(pending) < backend.slots:
                        c = queue.pop(0)
                        a, b = bounds[c]
                        pending[backend.submit(run_chunk_rows, exp, rows.iloc[a:b], seed, a)] = c
                    done, _ = backend.wait(list(pending))
                    for fut in done:
                        c = pending.pop(fut)
                        record(c, fut.result())
    except BaseException:
        if backend is not None:
            backend.close(cancel=list(pending))
        raise
    if backend is not None:
        backend.close()
    if manifest["finished"] is None and len(manifest["finished_chunks"]) == len(bounds):
        manifest["finished"] = _now()
        write_manifest(folder, manifest)


class _Progress:
    """A rich progress bar over scenarios, with rate and time left (or nothing)."""

    def __init__(self, show: bool, total: int, done: int):
        self.show = show
        self.start = time.perf_counter()
        if show:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("exploring"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("scenarios"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                transient=False,
            )
            self.task = self.progress.add_task("explore", total=total, completed=done, rate="")
            self.new = 0

    def __enter__(self) -> _Progress:
        if self.show:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.progress.__exit__(*exc)

    def advance(self, n: int) -> None:
        if not self.show:
            return
        self.new += n
        rate = self.new / max(time.perf_counter() - self.start, 1e-9)
        self.progress.update(self.task, advance=n, rate=f"{rate:,.0f}/s")

"""Background runs: a job table in the state database and worker threads that run ``cnplan run``.

Each run is a separate process (``cnplan run PLAN -n N --seed S --out HOME/runs/ID``), so the
server's event loop and its threads are never busy simulating, and the run folder is written
exactly as the command line writes it (atomic ``run.json`` and ``report.html``). Worker threads
only start processes and watch them.

Progress is an estimate, said to be one: the share of the expected time gone by, where the
expected time is the mean seconds per scenario of the last finished runs (or
:data:`FIRST_GUESS_SPS` before any), capped at 95 % until the process has finished. The stage
(``starting``, ``simulating``, ``writing report``) comes from what is on disk.

Restart rule: queued jobs stay queued and are run after a restart. A job found ``running``
when the app starts belonged to a process that is gone: it is marked ``done`` if its run folder
is complete, else ``failed`` with the message "interrupted" (its partial output never became a
run, since run folders are written atomically). It is not re-queued silently: the user decides
whether to start it again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from cnplan.web.settings import Settings
from cnplan.web.state import StateDB, now_iso

log = logging.getLogger(__name__)

FIRST_GUESS_SPS = 0.015
"""Seconds per scenario assumed before any run has finished on this machine."""
STARTUP_SECONDS = 4.0
"""Fixed cost of a run process (imports, data, report) added to the estimate."""
POLL_SECONDS = 0.5
RUN_NICENESS = 10
"""Runs get a lower CPU priority than the server, so pages stay quick while one runs."""


def new_run_id(plan_label: str) -> str:
    """A run id: plan name, UTC time and 4 random hex digits (unique, sortable, path-safe)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", plan_label).strip("-")[:60] or "run"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stem}-{stamp}-{secrets.token_hex(2)}"


def run_command(settings: Settings, job: dict) -> list[str]:
    """The ``cnplan run`` command line of a job (the plan is a built-in name or a saved file)."""
    cmd = [
        sys.executable, "-c", "from cnplan.cli import main; main()", "run", job["plan"],
        "--scenarios", str(job["scenarios"]), "--seed", str(job["seed"]),
        "--out", str(settings.runs_dir / job["run_id"]),
    ]
    for change in json.loads(job.get("changes") or "[]"):
        cmd += ["--set", str(change)]
    if job["with_actuals"]:
        cmd.append("--with-actuals")
        if settings.db_url:
            cmd += ["--db", settings.db_url]
    return cmd


def _lower_priority() -> None:
    """In the run process: yield the CPU to the server's readers (runs are batch work)."""
    try:
        os.nice(RUN_NICENESS)
    except OSError:
        pass


def _last_error(log_path: Path) -> str:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "the run process failed (no log)"
    starts = [i for i, ln in enumerate(lines) if ln.startswith("error:")]
    tail = lines[starts[-1]:] if starts else lines[-3:]  # the CLI's error and its located lines
    return "\n".join(tail)[:2000] or "the run process failed without a message"


class JobManager:
    """Run queued jobs in worker threads, one process per run; survive restarts via the table."""

    def __init__(self, settings: Settings, state: StateDB) -> None:
        self.settings = settings
        self.state = state
        self.logs = settings.home / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._procs: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------
    def recover(self) -> list[int]:
        """Settle jobs left ``running`` by a process that is gone; return their ids."""
        settled = []
        for job in self.state.jobs(limit=10_000):
            if job["status"] != "running":
                continue
            folder = self.settings.runs_dir / job["run_id"]
            if (folder / "run.json").is_file() and (folder / "report.html").is_file():
                self.state.update_job(job["id"], status="done", progress=1.0, stage="done",
                                      message="finished while the server was stopped",
                                      finished=job["finished"] or now_iso(), pid=None)
            else:
                self.state.update_job(
                    job["id"], status="failed", stage="interrupted", finished=now_iso(),
                    message="interrupted: the server stopped while this run was going; "
                    "start it again", pid=None,
                )
            settled.append(job["id"])
        return settled

    def start(self) -> None:
        self.recover()
        for i in range(max(1, self.settings.workers)):
            t = threading.Thread(target=self._loop, name=f"cnplan-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the workers; a run still going is terminated and marked failed."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            procs = list(self._procs.items())
        for job_id, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                self.state.update_job(job_id, status="failed", stage="interrupted",
                                      message="interrupted: the server was stopped during this "
                                      "run; start it again", finished=now_iso(), pid=None)
        for t in self._threads:
            t.join(timeout)

    def submit(self) -> None:
        """Tell the workers that a job was queued."""
        self._wake.set()

    # -- work ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.state.claim_next()
            if job is None:
                self._wake.wait(timeout=2.0)
                self._wake.clear()
                continue
            try:
                self._run(job)
            except Exception as exc:  # a worker must survive any one job's failure
                log.exception("job %s failed", job["id"])
                self.state.update_job(job["id"], status="failed", stage="failed",
                                      message=f"internal error: {exc}", finished=now_iso())

    def _expected_seconds(self, scenarios: int) -> float:
        sps = self.state.seconds_per_scenario() or FIRST_GUESS_SPS
        return STARTUP_SECONDS + sps * scenarios

    def _run(self, job: dict) -> None:
        folder = self.settings.runs_dir / job["run_id"]
        log_path = self.logs / f"job-{job['id']}.log"
        expected = self._expected_seconds(job["scenarios"])
        env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="120")
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(
                run_command(self.settings, job), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.settings.home, env=env,
                preexec_fn=_lower_priority,
            )
        with self._lock:
            self._procs[job["id"]] = proc
        self.state.update_job(job["id"], pid=proc.pid, stage="simulating")
        started = time.monotonic()
        stage = "simulating"
        try:
            while proc.poll() is None:
                if self._stop.wait(POLL_SECONDS):
                    return
                share = min(0.95, (time.monotonic() - started) / expected)
                if stage == "simulating" and (folder / "run.json").is_file():
                    stage = "writing report"
                self.state.update_job(job["id"], progress=round(share, 3), stage=stage)
        finally:
            with self._lock:
                self._procs.pop(job["id"], None)
        if self._stop.is_set():
            return
        if proc.returncode == 0 and (folder / "run.json").is_file():
            self.state.update_job(job["id"], status="done", progress=1.0, stage="done",
                                  finished=now_iso(), pid=None, message="")
        else:
            self.state.update_job(job["id"], status="failed", stage="failed",
                                  finished=now_iso(), pid=None, message=_last_error(log_path))

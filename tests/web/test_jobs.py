"""Background runs: the server keeps answering during a run; status survives a restart."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from cnplan.web.jobs import JobManager
from cnplan.web.settings import Settings
from cnplan.web.state import StateDB

from .conftest import make_home, start_server


def test_run_does_not_block_and_survives_restart(fresh_db: str, tmp_path: Path) -> None:
    home, token = make_home(tmp_path)
    srv = start_server(home, fresh_db, token)
    try:
        with srv.client(token) as c:
            job = c.post("/api/runs", json={"plan": "lima-2005", "scenarios": 150,
                                            "seed": 3}).json()
            assert job["status"] == "queued"
            seen, slowest = set(), 0.0
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                assert c.get("/").status_code == 200
                state = c.get(f"/api/jobs/{job['id']}").json()
                slowest = max(slowest, time.monotonic() - t0)
                seen.add(state["status"])
                assert 0.0 <= state["progress"] <= 1.0
                if state["status"] in {"done", "failed"}:
                    break
                time.sleep(0.2)
            assert state["status"] == "done", state
            assert "running" in seen
            assert slowest < 2.0, f"dashboard + status took {slowest:.2f} s during a run"
    finally:
        srv.stop()

    again = start_server(home, fresh_db, token)
    try:
        after = httpx.get(f"{again.url}/api/jobs/{job['id']}").json()
        assert after["status"] == "done" and after["progress"] == 1.0
        assert after["run_id"] == state["run_id"]
        run = httpx.get(f"{again.url}/api/runs/{after['run_id']}").json()
        assert run["seed"] == 3 and run["has_report"]
    finally:
        again.stop()


def test_restart_settles_jobs_left_running(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home").prepare()
    state = StateDB(settings.state_path)
    lost = state.add_job("lost-run", "lima-2005", 10, 0, False, "t")
    finished = state.add_job("finished-run", "lima-2005", 10, 0, False, "t")
    waiting = state.add_job("waiting-run", "lima-2005", 10, 0, False, "t")
    for job_id in (lost, finished):
        state.update_job(job_id, status="running", pid=999_999_999)
    folder = settings.runs_dir / "finished-run"
    folder.mkdir()
    (folder / "run.json").write_text("{}")
    (folder / "report.html").write_text("<html></html>")

    settled = JobManager(settings, state).recover()

    assert sorted(settled) == sorted([lost, finished])
    assert state.job(lost)["status"] == "failed"
    assert "interrupted" in state.job(lost)["message"]
    assert state.job(finished)["status"] == "done"
    assert state.job(waiting)["status"] == "queued"  # still queued: it runs after the restart


def test_failed_run_reports_the_error(tmp_path: Path) -> None:
    """A run whose process fails is marked failed with the CLI's one-line error."""
    settings = Settings(home=tmp_path / "home").prepare()
    state = StateDB(settings.state_path)
    job_id = state.add_job("bad-run", str(tmp_path / "missing.yaml"), 10, 0, False, "t")
    manager = JobManager(settings, state)
    manager._run(state.claim_next())
    job = state.job(job_id)
    assert job["status"] == "failed"
    assert "missing.yaml" in job["message"] and "file not found" in job["message"]

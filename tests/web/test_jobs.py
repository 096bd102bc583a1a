"""Background runs: the server keeps answering during a run; status survives a restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from cnplan.web.jobs import JobManager
from cnplan.web.settings import Settings
from cnplan.web.state import StateDB

from .conftest import Server


def test_server_answers_while_a_run_goes(finished_run: dict) -> None:
    seen = finished_run["observed"]
    assert "running" in seen["statuses"], seen["statuses"]
    assert all(0.0 <= p <= 1.0 for p in seen["progress"])
    assert seen["progress"] == sorted(seen["progress"])  # the estimate never goes back
    assert seen["slowest"] < 2.0, f"dashboard + status took {seen['slowest']:.2f} s in a run"


def test_status_and_result_survive_a_restart(server: Server, finished_run: dict) -> None:
    server.restart()
    after = httpx.get(f"{server.url}/api/jobs/{finished_run['id']}").json()
    assert after["status"] == "done" and after["progress"] == 1.0
    assert after["run_id"] == finished_run["run_id"]
    run = httpx.get(f"{server.url}/api/runs/{after['run_id']}").json()
    assert run["seed"] == 7 and run["has_report"]
    assert httpx.get(f"{server.url}/runs/{after['run_id']}/report").status_code == 200


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


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch) -> None:
    """Runs start inside the home folder, so a relative --db must not change meaning there."""
    monkeypatch.chdir(tmp_path)
    s = Settings(home=Path("h"), db_url="office.sqlite").prepare()
    assert s.home == tmp_path.resolve() / "h"
    assert s.db_url == str(tmp_path.resolve() / "office.sqlite")
    url = "postgresql+psycopg://u@localhost/x"
    assert Settings(home=Path("h"), db_url=url).prepare().db_url == url


def test_run_command_is_cnplan_run(tmp_path: Path) -> None:
    from cnplan.web.jobs import run_command

    s = Settings(home=tmp_path / "h", db_url=str(tmp_path / "t.sqlite")).prepare()
    job = {"plan": "lima-2005", "scenarios": 500, "seed": 4, "run_id": "r1", "with_actuals": 1}
    cmd = run_command(s, job)
    i = cmd.index("run")
    assert cmd[i:] == ["run", "lima-2005", "--scenarios", "500", "--seed", "4", "--out",
                       str(s.runs_dir / "r1"), "--with-actuals", "--db", s.db_url]
    assert "--with-actuals" not in run_command(s, job | {"with_actuals": 0})

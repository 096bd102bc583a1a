"""Fixtures for the web tests: a tracker database, a home folder with a token, a live server.

The server is the real thing: ``cnplan serve`` in a subprocess on a free loopback port, talked
to over HTTP. One server is shared by the API, fuzzing and browser tests of a session; tests
that restart a server start their own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cnplan.plans import load_plan
from cnplan.track import init_db
from cnplan.web.settings import Settings
from cnplan.web.state import StateDB
from cnplan.web.tokens import create_token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``cnplan serve`` process and how to talk to it."""

    url: str
    home: Path
    db: str
    token: str
    proc: subprocess.Popen
    log: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def restart(self) -> None:
        """Stop the server and start a new process on the same home, database and token."""
        self.stop()
        fresh = start_server(self.home, self.db, self.token)
        self.url, self.proc, self.log = fresh.url, fresh.proc, fresh.log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(home: Path, db: str, token: str, *extra: str) -> Server:
    """Start ``cnplan serve`` on a free port and wait until ``/api/health`` answers."""
    port = free_port()
    log = home.parent / f"serve-{port}.log"
    cmd = [sys.executable, "-c", "from cnplan.cli import main; main()", "serve", "--port",
           str(port), "--home", str(home), "--db", db, *extra]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                env=dict(os.environ, PYTHONUNBUFFERED="1"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return Server(url, home, db, token, proc, log)
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


@pytest.fixture(scope="session")
def tracker_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tracker database for lima-2005, pre-filled from the shipped data (made once)."""
    path = tmp_path_factory.mktemp("tracker") / "template.sqlite"
    init_db(load_plan("lima-2005"), f"sqlite:///{path}")
    return path


@pytest.fixture
def fresh_db(tracker_template: Path, tmp_path: Path) -> str:
    """A copy of the template tracker database for one test."""
    path = tmp_path / "tracker.sqlite"
    shutil.copy(tracker_template, path)
    return f"sqlite:///{path}"


def make_home(root: Path) -> tuple[Path, str]:
    home = root / "home"
    settings = Settings(home=home).prepare()
    return home, create_token(StateDB(settings.state_path), "tester")


@pytest.fixture(scope="session")
def server(tracker_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One live server for the session, with its own home, tracker copy and token."""
    root = tmp_path_factory.mktemp("web")
    db_path = root / "tracker.sqlite"
    shutil.copy(tracker_template, db_path)
    home, token = make_home(root)
    srv = start_server(home, f"sqlite:///{db_path}", token)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def finished_run(server: Server) -> dict:
    """A small run started through the API and waited for (shared by tests that read runs).

    While it goes, the dashboard and the job status are read in a loop; the statuses seen, the
    progress values and the slowest of those reads are returned with the job (``observed``).
    """
    statuses, progress, slowest = [], [], 0.0
    with server.client(server.token) as c:
        r = c.post("/api/runs", json={"plan": "lima-2005", "scenarios": 100, "seed": 7})
        assert r.status_code == 202, r.text
        job = r.json()
        deadline = time.monotonic() + 120
        while job["status"] not in {"done", "failed"} and time.monotonic() < deadline:
            t0 = time.monotonic()
            assert c.get("/").status_code == 200
            job = c.get(f"/api/jobs/{job['id']}").json()
            slowest = max(slowest, time.monotonic() - t0)
            statuses.append(job["status"])
            progress.append(job["progress"])
            time.sleep(0.2)
    assert job["status"] == "done", job
    return job | {"observed": {"statuses": statuses, "progress": progress, "slowest": slowest}}

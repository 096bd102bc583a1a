"""Issue 18 against a real server: alias bombs and deep nesting in uploads (case 1, 9)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from tests.hostile.conftest import alias_bomb

from .conftest import Server


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def test_alias_bomb_upload_is_refused_fast_and_server_stays_up(server: Server) -> None:
    before = _peak_rss_kb(server.proc.pid)
    health: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            t0 = time.monotonic()
            httpx.get(f"{server.url}/api/health", timeout=10)
            health.append(time.monotonic() - t0)
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with server.client(server.token) as c:
            for bomb in (alias_bomb(), alias_bomb(levels=26, width=60)):
                t0 = time.monotonic()
                r = c.post("/api/plans/validate", files={"file": ("bomb.yaml", bomb)})
                assert time.monotonic() - t0 < 3
                assert r.status_code == 200, r.text
                body = r.json()
                assert not body["valid"] and "aliases expanded" in body["problems"][0]
                assert len(r.text) < 2000
            r = c.post("/plans", files={"file": ("bomb.yaml", alias_bomb())},
                       data={"action": "validate"})
            assert r.status_code == 400 and "aliases expanded" in r.text
    finally:
        stop.set()
        poller.join()
    assert health and max(health) < 3
    assert _peak_rss_kb(server.proc.pid) - before < 200_000


def test_deep_nesting_upload_is_a_problem_not_a_500(server: Server) -> None:
    with server.client(server.token) as c:
        r = c.post("/api/plans/validate",
                   files={"file": ("deep.yaml", "a: " + "[" * 5000 + "]" * 5000)})
    assert r.status_code == 200, r.text
    assert "nested more than 100 levels" in r.json()["problems"][0]


def test_json_boolean_and_absurd_values_are_refused_by_the_api(server: Server) -> None:
    with server.client(server.token) as c:
        for value in (True, 1e300):
            r = c.post("/api/tracker/actuals",
                       json={"indicator": "police_graduated", "period": 2006, "value": value})
            assert r.status_code in {400, 422}, r.text
            assert "value" in str(r.json()["problems"])
        rows = {row["indicator"]: row for g in c.get("/api/tracker/status").json()
                for row in g["rows"]}
        assert rows["police_graduated"]["actual"] not in {1.0, 1e300}


def test_broken_exploration_summary_shows_no_server_paths(server: Server) -> None:
    from tests.explore.conftest import small_text

    from cnplan.explore import run_exploration

    folder = server.home / "explorations" / "broken-one"
    run_exploration(small_text(n=20, chunk=10), folder, progress=False)
    (folder / "results" / "chunk-000001.parquet").write_bytes(b"not parquet")
    with server.client(server.token) as c:
        api = c.get("/api/explorations/broken-one")
        page = c.get("/explorations/broken-one")
    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["summary"]["note"].startswith("no summary:")
    for text in (api.text, page.text):
        assert str(server.home) not in text and str(server.home.resolve()) not in text
        assert "/tmp/" not in text

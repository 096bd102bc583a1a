"""Issue 18 case 8: worker processes end when the driver of ``cnplan explore`` is killed."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.explore.conftest import small_text

from .test_explore_writers import _start_explore, _wait_for_first_chunk


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_exit_when_the_driver_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(small_text(n=4000, chunk=20))
    out = tmp_path / "w"
    driver = _start_explore(str(path), "--out", str(out), "--workers", "2")
    try:
        _wait_for_first_chunk(out, driver)
        workers = _children(driver.pid)
        assert len(workers) >= 2, workers
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()  # not communicate(): orphans would keep its output pipes open
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them to the next test
        os.kill(w, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(workers)} worker processes outlived the driver"

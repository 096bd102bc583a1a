"""Issue 18 cases 2 and 3: one writer per exploration folder (real processes), and a resume
that verifies the chunks the manifest records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from tests.explore.conftest import small_text

from cnplan.explore import open_results, resume, run_exploration

from .conftest import SRC, cli


def _start_explore(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    cmd = [sys.executable, "-c", "from cnplan.cli import main; main()", "explore", *args,
           "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def _wait_for_first_chunk(folder: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        manifest = folder / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text())["finished_chunks"]:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the exploration wrote no chunk in time")


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_a_second_writer_is_refused_while_one_runs(tmp_path: Path) -> None:
    """Case 2 (a second explore into the folder) then case 3 (a second resume of it)."""
    first = tmp_path / "big.yaml"
    first.write_text(small_text(n=4000, chunk=20).replace("seed: 7", "seed: 2005"))
    second = tmp_path / "big7.yaml"
    second.write_text(small_text(n=800, chunk=100))
    out = tmp_path / "c4"
    holder = _start_explore(str(first), "--out", str(out))
    try:
        _wait_for_first_chunk(out, holder)
        code, output, escaped = cli("explore", str(second), "--out", str(out), "--no-progress")
        assert holder.poll() is None, "the first exploration must still be running"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    assert code == 1 and escaped is None, output
    assert "another cnplan process" in output and "is writing this exploration" in output
    assert _manifest(out)["seed"] == 2005 and _manifest(out)["n_rows"] == 4000

    done_before = _manifest(out)["finished_chunks"]
    resumer = _start_explore("--resume", str(out))
    try:
        deadline = time.monotonic() + 60
        while _manifest(out)["finished_chunks"] == done_before and time.monotonic() < deadline:
            assert resumer.poll() is None, resumer.communicate()
            time.sleep(0.05)
        code, output, escaped = cli("explore", "--resume", str(out), "--no-progress")
        assert resumer.poll() is None
    finally:
        resumer.send_signal(signal.SIGKILL)
        resumer.communicate()
    assert code == 1 and escaped is None and "another cnplan process" in output, output
    for chunk in _manifest(out)["finished_chunks"]:
        assert (out / "results" / f"chunk-{chunk:06d}.parquet").is_file()


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("explore") / "done"
    run_exploration(small_text(n=300, chunk=50), out, progress=False)
    return out, open_results(out).frame()


def test_resume_redoes_recorded_chunks_that_are_gone_or_broken(
        finished: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    import shutil

    reference, frame = finished
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    (out / "results" / "chunk-000001.parquet").unlink()
    (out / "results" / "chunk-000004.parquet").write_bytes(b"PAR1 truncated")
    resume(out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished"] and manifest["finished_chunks"] == list(range(6))
    again = open_results(out).frame()
    pd.testing.assert_frame_equal(again.sort_values("scenario").reset_index(drop=True),
                                  frame.sort_values("scenario").reset_index(drop=True))


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[1, 2]", b"{broken"])
def test_broken_manifest_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    from .conftest import cli

    (tmp_path / "manifest.json").write_bytes(content)
    for args in (("results", str(tmp_path)), ("explore", "--resume", str(tmp_path))):
        code, output, escaped = cli(*args, *(["--no-progress"] if "explore" in args else []))
        assert code == 1 and escaped is None, (args, output, escaped)
        assert "manifest.json" in output

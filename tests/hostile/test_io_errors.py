"""Issue 18 case 9: located errors, never tracebacks, for broken data files, read-only output
folders and a full disk (real small file systems, see ``small_filesystem``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.data.conftest import write_folder
from tests.explore.conftest import small_text

from cnplan.plans import load_plan
from cnplan.track import init_db

from .conftest import cli, fill, small_filesystem


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CNPLAN_DATA_DIR", str(tmp_path / "userdata"))
    return write_folder(tmp_path / "testland")


def _obs_lines(folder: Path) -> list[str]:
    return (folder / "observations.csv").read_text().splitlines()


@pytest.mark.parametrize(("breaks", "expected"), [
    ("empty", "observations.csv: is empty: expected a header line"),
    ("folder", "observations.csv: is a folder, expected a file"),
    ("extra-first", "observations.csv, row 2: has 11 fields, the header has 10"),
    ("extra-later", "observations.csv, row 3: has 12 fields, the header has 10"),
])
@pytest.mark.parametrize("command", ["import", "validate"])
def test_broken_observations_file_is_a_located_error(dataset: Path, breaks: str,
                                                     expected: str, command: str) -> None:
    obs = dataset / "observations.csv"
    lines = _obs_lines(dataset)
    if breaks == "empty":
        obs.write_text("")
    elif breaks == "folder":
        obs.unlink()
        obs.mkdir()
    elif breaks == "extra-first":
        obs.write_text("\n".join([lines[0], lines[1] + ",x", *lines[2:]]) + "\n")
    else:
        obs.write_text("\n".join([*lines[:2], lines[2] + ",x,y", *lines[3:]]) + "\n")
    args = ["data", "import", str(dataset), "--name", "t"] if command == "import" else [
        "data", "validate", str(dataset)]
    code, output, escaped = cli(*args)
    assert code == 1 and escaped is None, (output, escaped)
    assert expected in " ".join(output.replace("│", " ").split()) or expected.split(": ")[-1] \
        in output, output


def test_run_into_a_read_only_folder(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "ro", read_only=True) as ro:
        code, output, escaped = cli("run", "lima-2005", "-n", "10", "--out", str(ro / "x"))
    assert code == 1 and escaped is None, output
    assert "cannot read or write" in output and ("Read-only" in output or "ermission" in output)


def test_explore_into_a_read_only_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(small_text(n=20, chunk=10))
    with small_filesystem(tmp_path / "ro", read_only=True) as ro:
        code, output, escaped = cli("explore", str(path), "--out", str(ro / "x"),
                                    "--no-progress")
    assert code == 1 and escaped is None, output
    assert "cannot write the exploration folder" in output


def test_import_into_a_read_only_data_folder(dataset: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with small_filesystem(tmp_path / "ro", read_only=True) as ro:
        monkeypatch.setenv("CNPLAN_DATA_DIR", str(ro))
        code, output, escaped = cli("data", "import", str(dataset), "--name", "t")
    assert code == 1 and escaped is None, output
    assert "cannot" in output


def test_explore_and_run_on_a_full_disk(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(small_text(n=20, chunk=10))
    with small_filesystem(tmp_path / "full", size="256k") as full:
        fill(full)
        for args in (["explore", str(path), "--out", str(full / "x"), "--no-progress"],
                     ["run", "lima-2005", "-n", "10", "--out", str(full / "r")]):
            code, output, escaped = cli(*args)
            assert code == 1 and escaped is None, output
            assert "No space left on device" in output, output


def test_track_import_on_a_full_disk(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "full", size="2m") as full:
        db = f"sqlite:///{full / 't.sqlite'}"
        init_db(load_plan("lima-2005"), db, prefill=False)
        out = tmp_path / "a.csv"
        assert cli("track", "export", "--db", db, "-o", str(out))[0] == 0
        rows = out.read_text().splitlines()
        extra = [f"police_graduated,{2005 + i % 2},{i},{'x' * 1000},,,," for i in range(1)]
        out.write_text("\n".join([rows[0], *extra]) + "\n")
        fill(full)
        code, output, escaped = cli("track", "import", str(out), "--db", db)
    assert code == 1 and escaped is None, output
    assert "tracker database" in output and ("disk" in output or "No space" in output), output

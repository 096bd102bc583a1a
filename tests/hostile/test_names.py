"""Issue 18 case 10: an experiment's name cannot write outside ``explorations/``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.explore.conftest import small_text

from cnplan.explore import ExperimentError, load_experiment

from .conftest import cli


@pytest.mark.parametrize("name", ["../../../x", "/tmp/x", "a/b", "..", ".hidden", "a\\\\b"])
def test_unsafe_experiment_names_are_refused(name: str) -> None:
    with pytest.raises(ExperimentError, match="name: string should match pattern"):
        load_experiment(small_text(n=10).replace("name: small", f"name: '{name}'"))


def test_cli_explore_with_escaping_name_writes_nothing(tmp_path: Path) -> None:
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    path = work / "evil.yaml"
    path.write_text(small_text(n=10).replace("name: small", "name: ../../../x"))
    cwd = Path.cwd()
    os.chdir(work)
    try:
        code, output, escaped = cli("explore", str(path), "--no-progress")
    finally:
        os.chdir(cwd)
    assert code == 1 and escaped is None and "name" in output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "c", "evil.yaml"]

"""Case 1 and the YAML parts of case 9 of issue 18: alias bombs, deep nesting, Latin-1 files.

Every one of these used to hang, eat gigabytes or print a traceback; each must now be a
located refusal within a second or two.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from cnplan.explore import ExperimentError, load_experiment
from cnplan.plans import PlanError, load_plan, parse_plan
from cnplan.yamlio import YamlError, load_yaml

from .conftest import alias_bomb, cli, cnplan


def test_alias_bomb_is_refused_in_milliseconds_with_its_line() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 320
    t0 = time.monotonic()
    with pytest.raises(YamlError, match=r"line \d+, column \d+: with its aliases expanded"):
        load_yaml(bomb)
    assert time.monotonic() - t0 < 0.5


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="recursive"):
        load_yaml("a: &a [1, *a]\n")


def test_aliases_that_stay_small_still_load() -> None:
    assert load_yaml("a: &a [1, 2]\nb: *a\nc: {<<: {k: 1}}\n") == {
        "a": [1, 2], "b": [1, 2], "c": {"k": 1}}


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join(
    "  " * i + "- \n" for i in range(1, 5000))])
def test_5000_deep_nesting_is_a_located_error(text: str) -> None:
    with pytest.raises(YamlError, match=r"line \d+, column \d+: nested more than 100"):
        load_yaml(text)


def test_plan_file_with_alias_bomb_is_a_plan_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    with pytest.raises(PlanError, match="bomb.yaml, line"):
        load_plan(path)


def test_experiment_file_with_alias_bomb_is_an_experiment_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    with pytest.raises(ExperimentError, match="aliases expanded"):
        load_experiment(path)


def test_error_message_never_repeats_a_large_input() -> None:
    raw = {"name": "x", "title": list(range(100_000))}
    with pytest.raises(PlanError) as err:
        parse_plan(raw, "big")
    assert len(str(err.value)) < 5000


def test_cli_plan_validate_on_alias_bomb_exits_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(levels=12))  # ~ 9**12 scalars expanded
    t0 = time.monotonic()
    out = cnplan("plan", "validate", str(path), timeout=30)
    assert time.monotonic() - t0 < 15
    assert out.returncode == 1, out.stderr
    assert "aliases expanded" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_cli_explore_on_alias_bomb_exits_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    out = cnplan("explore", str(path), "--out", str(tmp_path / "out"), timeout=30)
    assert out.returncode != 0
    assert "aliases expanded" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_latin1_plan_names_the_file_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: x\ntitle: Erradicación\n".encode("latin-1"))
    with pytest.raises(PlanError, match=r"latin.yaml, line 2: expected UTF-8 text, byte 25"):
        load_plan(path)
    code, output, escaped = cli("plan", "validate", str(path))
    assert code == 1 and "latin.yaml" in output and escaped is None


def test_latin1_experiment_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin-exp.yaml"
    path.write_bytes("name: año\n".encode("latin-1"))
    with pytest.raises(ExperimentError, match=r"latin-exp.yaml.*expected UTF-8"):
        load_experiment(path)
    code, output, escaped = cli("explore", str(path), "--out", str(tmp_path / "o"))
    assert code != 0 and "latin-exp.yaml" in output and escaped is None


def test_memory_stays_bounded_on_a_15kb_bomb() -> None:
    bomb = alias_bomb(levels=26, width=60)
    assert len(bomb) > 3000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(YamlError):
        load_yaml(bomb)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # kB

"""Long steps report their progress: ABC-SMC generations, backtest cut-offs, report phases."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cnplan import progress
from cnplan.cli import app


def test_steps_reach_a_listener_and_nothing_without_one() -> None:
    heard: list[tuple[str, int, int]] = []
    progress.step("nobody listens", 1, 2)  # a no-op
    with progress.listening(lambda *a: heard.append(a)):
        with progress.shown():  # off without a terminal, but passes steps on
            progress.step("charts", 1, 3)
        progress.step("charts", 3, 3)
    progress.step("after", 1, 1)
    assert heard == [("charts", 1, 3), ("charts", 3, 3)]


def test_calibration_reports_each_generation() -> None:
    from cnplan.calibrate import calibrate
    from cnplan.data import load_dataset

    heard: list[tuple[str, int, int]] = []
    with progress.listening(lambda *a: heard.append(a)):
        calibrate(load_dataset("peru"), particles=12, generations=2, seed=1)
    gens = [(done, total) for task, done, total in heard if task == "ABC-SMC generations"]
    assert gens[0] == (1, 2) and gens[-1][1] == 2 and gens == sorted(gens)


def test_report_command_reports_its_phases(tmp_path: Path) -> None:
    run = tmp_path / "run"
    got = CliRunner().invoke(app, ["run", "-n", "12", "--out", str(run), "--no-report"])
    assert got.exit_code == 0, got.output
    heard: list[tuple[str, int, int]] = []
    with progress.listening(lambda *a: heard.append(a)):
        got = CliRunner().invoke(app, ["report", str(run)])
    assert got.exit_code == 0, got.output
    assert [done for task, done, _ in heard if task.startswith("report:")] == [0, 2, 3]
    charts = [(done, total) for task, done, total in heard if task == "drawing charts"]
    assert charts[-1] == (8, 8) and [d for d, _ in charts] == list(range(1, 9))


def test_saving_charts_counts_each_chart(tmp_path: Path) -> None:
    from cnplan.cli.report import _export

    class Saved:
        def save(self, folder: Path, formats: tuple[str, ...]) -> list[Path]:
            return [folder / f"c.{f}" for f in formats]

    heard: list[tuple[str, int, int]] = []
    with progress.listening(lambda *a: heard.append(a)):
        _export([Saved(), Saved()], tmp_path, ("png",))
    assert [(d, t) for task, d, t in heard if task == "saving charts"] == [(0, 2), (1, 2), (2, 2)]

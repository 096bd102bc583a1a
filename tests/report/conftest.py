"""A small run folder shared by the report tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cnplan.cli import run as run_cli

    app = typer.Typer()
    run_cli.register(app)

    @app.callback()
    def _main() -> None:  # keep ``run`` a sub-command
        pass

    folder = tmp_path_factory.mktemp("runs") / "lima"
    result = CliRunner().invoke(app, ["run", "-n", "200", "--out", str(folder), "--no-report"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def run_report(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's report, copied alone into a fresh folder: it must not need the run folder."""
    from cnplan.report import write_run_report

    alone = tmp_path_factory.mktemp("alone") / "report.html"
    shutil.copy(write_run_report(run_folder), alone)
    return alone

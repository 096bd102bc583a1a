"""Hostile and careless inputs (issue 18): helpers shared by these tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A plan-shaped YAML whose aliases expand to ``width ** levels`` scalars (306 bytes at 9)."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{','.join(['x'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def cnplan(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (source of this worktree first)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="200")
    cmd = [sys.executable, "-c", "from cnplan.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def cli(*args: str) -> tuple[int, str, BaseException | None]:
    """Run the CLI in this process (Typer's runner): exit code, all output, any exception
    that escaped (a traceback a user would have seen)."""
    from typer.testing import CliRunner

    from cnplan.cli import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, escaped
